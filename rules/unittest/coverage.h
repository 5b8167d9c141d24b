// Rule coverage over a run of `ruler test rules` (our addition to
// promtool's format): which rules of the loaded rule files the tests
// exercised.
//
//   - An alerting rule is tested when an alert_rule_test names it.
//   - A recording rule is tested when a promql_expr_test selects its
//     series, or a tested rule reads them (transitively: a recording rule
//     feeding a tested alert is tested).
//   - An alerting rule fired when it was firing after any evaluation of any
//     test; a recording rule produced when it returned at least one sample.
//
// Rules are identified by file, group position and rule position, so the
// same rule file used by several test files counts once.
#ifndef RULES_UNITTEST_COVERAGE_H_
#define RULES_UNITTEST_COVERAGE_H_

#include <cstddef>
#include <string>
#include <vector>

#include "absl/container/flat_hash_map.h"
#include "absl/container/flat_hash_set.h"
#include "promql/ast.h"
#include "rules/rulefile/rule_file.h"

namespace fraisier::rules::unittest {

// The metric names `expr` selects by an exact name.
absl::flat_hash_set<std::string> SelectedNames(const promql::Expr& expr);

// Not thread-safe.
class Coverage {
 public:
  struct Rule {
    std::string file;
    std::string group;
    int line = 0;
    int column = 0;
    bool alert = false;
    std::string name;
    absl::flat_hash_set<std::string> reads;  // names its expression selects
    bool tested = false;
    bool produced = false;  // a sample (recording) or a firing alert
  };

  // Registers the rules of `file` (once per path) and returns the index of
  // its first rule; rule r of group g is at that index plus the rules of
  // the groups before g, plus r.
  size_t AddRuleFile(const RuleFileSpec& file);

  // Marks what one test group asserts on, over the rules it loaded (the
  // indexes of AddRuleFile).
  void MarkTested(const std::vector<size_t>& loaded,
                  const absl::flat_hash_set<std::string>& alertnames,
                  const absl::flat_hash_set<std::string>& queried_names);
  void MarkProduced(size_t rule) { rules_[rule].produced = true; }

  const std::vector<Rule>& rules() const { return rules_; }

  // The report: one summary line, then the rules not tested, the alerts
  // that never fired and the recording rules that never produced.
  std::string Report() const;

 private:
  std::vector<Rule> rules_;
  absl::flat_hash_map<std::string, size_t> first_rule_of_file_;
};

}  // namespace fraisier::rules::unittest

#endif  // RULES_UNITTEST_COVERAGE_H_
