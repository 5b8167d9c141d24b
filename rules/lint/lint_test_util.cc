#include "rules/lint/lint_test_util.h"

#include "absl/strings/str_cat.h"
#include "gtest/gtest.h"
#include "rules/lint/linter.h"
#include "rules/rulefile/rule_file.h"

namespace fraisier::rules::lint {

std::vector<Finding> LintYaml(absl::string_view yaml,
                              const LintOptions& options) {
  absl::StatusOr<RuleFileSpec> spec = ParseRuleFile(yaml, "t.yml");
  EXPECT_TRUE(spec.ok()) << spec.status();
  if (!spec.ok()) return {};
  return LintFiles({{&*spec, yaml}}, options, AllCheckPtrs());
}

std::string AlertYaml(absl::string_view expr, absl::string_view extra) {
  return absl::StrCat(
      "groups:\n  - name: g\n    rules:\n      - alert: A\n        expr: '",
      expr, "'\n", extra);
}

std::string RecordYaml(absl::string_view expr) {
  return absl::StrCat(
      "groups:\n  - name: g\n    rules:\n      - record: r\n        expr: '",
      expr, "'\n");
}

std::vector<std::string> MessagesOf(absl::string_view id,
                                    const std::vector<Finding>& findings) {
  std::vector<std::string> out;
  for (const Finding& f : findings) {
    if (f.check == id) out.push_back(f.message);
  }
  return out;
}

std::vector<std::string> IdsAndRules(const std::vector<Finding>& findings) {
  std::vector<std::string> out;
  for (const Finding& f : findings) {
    out.push_back(absl::StrCat(f.check, " ", f.rule));
  }
  return out;
}

}  // namespace fraisier::rules::lint
