#include "rules/unittest/coverage.h"

#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "promql/parser.h"

namespace fraisier::rules::unittest {
namespace {

using ::testing::UnorderedElementsAre;

RuleFileSpec Rules(absl::string_view path, absl::string_view yaml) {
  absl::StatusOr<RuleFileSpec> spec = ParseRuleFile(yaml, path);
  EXPECT_TRUE(spec.ok()) << spec.status();
  return spec.ok() ? *spec : RuleFileSpec{};
}

constexpr absl::string_view kRules = R"(groups:
  - name: g
    rules:
      - record: job:req:rate5m
        expr: sum by (job) (rate(req_total[5m]))
      - record: job:err:ratio
        expr: job:err:rate5m / job:req:rate5m
      - alert: HighErrors
        expr: job:err:ratio > 0.1
      - alert: Unused
        expr: up == 0
      - record: unused:record
        expr: vector(1)
)";

TEST(CoverageTest, SelectedNamesFindsExactAndListNames) {
  absl::StatusOr<promql::ExprPtr> e = promql::ParseExpr(
      "a + on() group_left sum(rate(b[5m])) + {__name__=~\"c|d\"} + "
      "{__name__=~\"e.*\"} + max_over_time(f[5m:])");
  ASSERT_TRUE(e.ok()) << e.status();
  EXPECT_THAT(SelectedNames(**e),
              UnorderedElementsAre("a", "b", "c", "d", "f"));
}

TEST(CoverageTest, AlertTestMarksTheRecordingRulesItReads) {
  Coverage coverage;
  const size_t first = coverage.AddRuleFile(Rules("r.yml", kRules));
  EXPECT_EQ(first, 0u);
  EXPECT_EQ(coverage.AddRuleFile(Rules("r.yml", kRules)), 0u);  // once
  coverage.MarkTested({0, 1, 2, 3, 4}, {"HighErrors"}, {});
  const auto& r = coverage.rules();
  ASSERT_EQ(r.size(), 5u);
  EXPECT_TRUE(r[0].tested);   // read by job:err:ratio
  EXPECT_TRUE(r[1].tested);   // read by HighErrors
  EXPECT_TRUE(r[2].tested);   // named by the alert test
  EXPECT_FALSE(r[3].tested);  // Unused
  EXPECT_FALSE(r[4].tested);
}

TEST(CoverageTest, ExpressionTestMarksRecordingRule) {
  Coverage coverage;
  coverage.AddRuleFile(Rules("r.yml", kRules));
  coverage.MarkTested({0, 1, 2, 3, 4}, {}, {"unused:record"});
  EXPECT_TRUE(coverage.rules()[4].tested);
  EXPECT_FALSE(coverage.rules()[0].tested);
}

TEST(CoverageTest, RulesNotLoadedByTheTestGroupAreNotMarked) {
  Coverage coverage;
  coverage.AddRuleFile(Rules("r.yml", kRules));
  coverage.MarkTested({3}, {"HighErrors", "Unused"}, {});
  EXPECT_FALSE(coverage.rules()[2].tested);
  EXPECT_TRUE(coverage.rules()[3].tested);
}

TEST(CoverageTest, Report) {
  Coverage coverage;
  coverage.AddRuleFile(Rules("r.yml", kRules));
  coverage.MarkTested({0, 1, 2, 3, 4}, {"HighErrors"}, {});
  coverage.MarkProduced(0);
  coverage.MarkProduced(2);
  EXPECT_EQ(coverage.Report(),
            "Coverage: 5 rules in 1 file, 3 tested, 2 not tested; 1 of 2 "
            "alerts fired\n"
            "  not tested by any test:\n"
            "    r.yml:10:9: alert Unused (group \"g\")\n"
            "    r.yml:12:9: record unused:record (group \"g\")\n"
            "  alerts that never fired in any test:\n"
            "    r.yml:10:9: alert Unused (group \"g\")\n"
            "  recording rules that never produced a sample:\n"
            "    r.yml:6:9: record job:err:ratio (group \"g\")\n"
            "    r.yml:12:9: record unused:record (group \"g\")\n");
}

TEST(CoverageTest, ReportWithNothingToSay) {
  EXPECT_EQ(Coverage().Report(),
            "Coverage: 0 rules in 0 files, 0 tested, 0 not tested; 0 of 0 "
            "alerts fired\n");
}

}  // namespace
}  // namespace fraisier::rules::unittest
