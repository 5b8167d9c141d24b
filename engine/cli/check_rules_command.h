// `ruler check rules FILE...`: loads and validates Prometheus rule files as
// `promtool check rules` does, printing every problem with file:line:col,
// then lints the valid ones (rules/lint, docs/lint.md).
#ifndef ENGINE_CLI_CHECK_RULES_COMMAND_H_
#define ENGINE_CLI_CHECK_RULES_COMMAND_H_

#include <ostream>
#include <string>
#include <vector>

namespace fraisier::cli {

// Flags: --format=text|json|github, --fail-on=error|warning,
// --lint=all|none|ID,..., --lint.scrape-interval=DURATION.
int RunCheckRules(const std::vector<std::string>& args, std::ostream& out,
                  std::ostream& err);

// Checks one rule file, printing promtool's "Checking ... SUCCESS/FAILED"
// block; true when it is valid. Shared with `check config` (no lint).
bool CheckRuleFile(const std::string& path, std::ostream& out);

}  // namespace fraisier::cli

#endif  // ENGINE_CLI_CHECK_RULES_COMMAND_H_
