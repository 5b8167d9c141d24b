// Runs one test group of a unit-test file the way promtool does:
//
//   for ts = start; ts <= start + max(eval_time); ts += evaluation_interval:
//     append the input samples at or before ts;
//     evaluate every rule group at ts (group_eval_order first);
//     a rule error ends the test group;
//     check the alert tests whose eval_time is in [ts, ts + interval);
//   then run every promql_expr_test against the store as it was left.
//
// The rule groups, the PromQL engine and the store are the project's own
// (rules::Group, promql::Engine, storage::MemoryStorage).
#ifndef RULES_UNITTEST_GROUP_RUN_H_
#define RULES_UNITTEST_GROUP_RUN_H_

#include <cstddef>
#include <string>
#include <vector>

#include "rules/rulefile/rule_file.h"
#include "rules/unittest/coverage.h"
#include "rules/unittest/test_file.h"

namespace fraisier::rules::unittest {

// The loaded rule files of a test file, with where their rules start in
// the run's Coverage.
struct LoadedRuleFile {
  RuleFileSpec spec;
  size_t first_coverage_index = 0;
};

// Failures of one test group, each a multi-line report (no trailing
// newline), in promtool's order: rule errors or alert tests as they come,
// then expression tests.
std::vector<std::string> RunTestGroup(
    const TestFile& file, const TestGroup& group,
    const std::vector<LoadedRuleFile>& rule_files, Coverage* coverage);

}  // namespace fraisier::rules::unittest

#endif  // RULES_UNITTEST_GROUP_RUN_H_
