// Test helpers: lint rule files given as YAML text.
#ifndef RULES_LINT_LINT_TEST_UTIL_H_
#define RULES_LINT_LINT_TEST_UTIL_H_

#include <string>
#include <vector>

#include "absl/strings/string_view.h"
#include "rules/lint/check.h"
#include "rules/lint/finding.h"

namespace fraisier::rules::lint {

// Validates and lints `yaml` with every check; a file that does not
// validate fails the test and gives no findings.
std::vector<Finding> LintYaml(absl::string_view yaml,
                              const LintOptions& options = {});

// One group "g" holding one alert "A" (`for`, then extra YAML lines at
// the rule's indentation) or one recording rule "r".
std::string AlertYaml(absl::string_view expr, absl::string_view extra = "");
std::string RecordYaml(absl::string_view expr);

// The messages of the findings of check `id`.
std::vector<std::string> MessagesOf(absl::string_view id,
                                    const std::vector<Finding>& findings);
// "id rule" for each finding, for compact expectations.
std::vector<std::string> IdsAndRules(const std::vector<Finding>& findings);

}  // namespace fraisier::rules::lint

#endif  // RULES_LINT_LINT_TEST_UTIL_H_
