#include "engine/cli/check_rules_command.h"

#include "engine/cli/cli.h"
#include "rules/rulefile/rule_file.h"
#include "rules/template_expander.h"

namespace fraisier::cli {

bool CheckRuleFile(const std::string& path, std::ostream& out) {
  out << "Checking " << path << "\n";
  rules::RuleFileOptions options;
  options.check_template = rules::CheckTemplate;
  absl::StatusOr<rules::RuleFileSpec> file = rules::LoadRuleFile(path, options);
  if (!file.ok()) {
    out << "  FAILED:\n" << file.status().message() << "\n\n";
    return false;
  }
  out << "  SUCCESS: " << file->num_rules() << " rules found\n\n";
  return true;
}

int RunCheckRules(const std::vector<std::string>& args, std::ostream& out,
                  std::ostream& err) {
  if (args.empty()) {
    err << "usage: ruler check rules FILE...\n";
    return kExitUsage;
  }
  if (args[0] == "--help" || args[0] == "-h") {
    out << "usage: ruler check rules FILE...\n\nCheck Prometheus rule files: "
           "YAML, names, expressions, templates.\n";
    return kExitOk;
  }
  int passed = 0, failed = 0;
  for (const std::string& path : args) {
    if (CheckRuleFile(path, out)) {
      ++passed;
    } else {
      ++failed;
    }
  }
  out << passed << " passed, " << failed << " failed\n";
  return failed > 0 ? kExitFailure : kExitOk;
}

}  // namespace fraisier::cli
