// Every Fraisier rule has unit tests in monitoring/tests: each alert is
// seen firing and, at a later time, resolved; each recording rule's value is
// checked. Runs without promtool: it reads the test files, so a rule added
// without tests fails here even where promtool is missing.
#include <map>
#include <set>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "promql/literals.h"
#include "re2/re2.h"
#include "rules/rulefile/rule_file.h"
#include "tests/monitoring/asset_util.h"

namespace fraisier::monitoring_test {
namespace {

using yaml::YamlNode;

// What the unit-test files check, gathered from all of them.
struct Coverage {
  // Per alert: times of checks expecting it firing, and expecting nothing.
  std::map<std::string, std::vector<int64_t>> firing_ms, quiet_ms;
  // Recorded series checked with at least one expected sample.
  std::set<std::string> records_with_values;
  std::vector<std::string> errors;
};

int64_t EvalTimeMs(const YamlNode& test, const std::string& where,
                   Coverage* coverage) {
  absl::StatusOr<int64_t> ms =
      promql::ParseDurationMs(ScalarAt(test, "eval_time"));
  if (!ms.ok()) {
    coverage->errors.push_back(
        absl::StrCat(where, ": eval_time: ", ms.status().message()));
    return -1;
  }
  return *ms;
}

void Collect(const std::string& path, Coverage* coverage) {
  absl::StatusOr<YamlNode> file = LoadYaml(path);
  if (!file.ok()) {
    coverage->errors.push_back(std::string(file.status().message()));
    return;
  }
  const YamlNode* rule_files = file->Find("rule_files");
  if (rule_files == nullptr || rule_files->items.size() != 1 ||
      rule_files->items[0].scalar != "../prometheus.rules.yml") {
    coverage->errors.push_back(
        path + ": rule_files must be [../prometheus.rules.yml]");
  }
  const YamlNode* tests = file->Find("tests");
  if (tests == nullptr) return;
  for (const YamlNode& group : tests->items) {
    if (const YamlNode* alerts = group.Find("alert_rule_test")) {
      for (const YamlNode& test : alerts->items) {
        const std::string where = absl::StrCat(path, ":", test.line);
        const int64_t t = EvalTimeMs(test, where, coverage);
        const YamlNode* expected = test.Find("exp_alerts");
        const bool fires = expected != nullptr && !expected->items.empty();
        (fires ? coverage->firing_ms
               : coverage->quiet_ms)[ScalarAt(test, "alertname")]
            .push_back(t);
      }
    }
    if (const YamlNode* exprs = group.Find("promql_expr_test")) {
      for (const YamlNode& test : exprs->items) {
        const YamlNode* samples = test.Find("exp_samples");
        if (samples == nullptr || samples->items.empty()) continue;
        std::string expr = ScalarAt(test, "expr");
        re2::StringPiece input(expr);
        std::string name;
        static const LazyRE2 kRecord = {R"((fraisier:[a-z0-9_:]+))"};
        while (RE2::FindAndConsume(&input, *kRecord, &name)) {
          coverage->records_with_values.insert(name);
        }
      }
    }
  }
}

TEST(RuleTestsCoverageTest, EveryAlertFiresAndResolvesEveryRecordIsChecked) {
  absl::StatusOr<rules::RuleFileSpec> spec =
      rules::LoadRuleFile("monitoring/prometheus.rules.yml");
  ASSERT_TRUE(spec.ok()) << spec.status();
  Coverage coverage;
  std::vector<std::string> files = ListFiles("monitoring/tests", ".yml");
  ASSERT_FALSE(files.empty());
  for (const std::string& path : files) Collect(path, &coverage);
  EXPECT_THAT(coverage.errors, ::testing::IsEmpty());

  int alerts = 0, records = 0;
  for (const rules::RuleGroupSpec& group : spec->groups) {
    for (const rules::RuleSpec& rule : group.rules) {
      if (!rule.is_alert()) {
        ++records;
        EXPECT_TRUE(coverage.records_with_values.count(rule.record))
            << rule.record << ": no promql_expr_test checks its value";
        continue;
      }
      ++alerts;
      const std::vector<int64_t>& firing = coverage.firing_ms[rule.alert];
      ASSERT_FALSE(firing.empty()) << rule.alert << ": never seen firing";
      const int64_t first_firing =
          *std::min_element(firing.begin(), firing.end());
      const std::vector<int64_t>& quiet = coverage.quiet_ms[rule.alert];
      EXPECT_TRUE(std::any_of(quiet.begin(), quiet.end(),
                              [&](int64_t t) { return t > first_firing; }))
          << rule.alert << ": never seen resolved after firing";
    }
  }
  // The seed's four alerts and the checklist's two; 13 recording rules.
  EXPECT_EQ(alerts, 6);
  EXPECT_EQ(records, 13);
}

}  // namespace
}  // namespace fraisier::monitoring_test
