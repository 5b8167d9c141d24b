#include "rules/unittest/runner.h"

#include <cstdlib>
#include <filesystem>
#include <fstream>

#include "engine/base/clock.h"
#include "engine/base/status_matchers.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace fraisier::rules::unittest {
namespace {

using ::fraisier::testing::IsOk;
using ::testing::ElementsAre;
using ::testing::HasSubstr;
using ::testing::IsEmpty;
using ::testing::StartsWith;

constexpr absl::string_view kRules = R"(groups:
  - name: g
    rules:
      - alert: Down
        expr: up == 0
        for: 1m
        labels: {severity: page}
        annotations: {summary: "{{ $labels.job }} down"}
      - record: job:up:sum
        expr: sum by (job) (up)
)";

class RunnerTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = std::filesystem::path(std::getenv("TEST_TMPDIR")) /
           ::testing::UnitTest::GetInstance()->current_test_info()->name();
    std::filesystem::create_directories(dir_ / "rules");
    Write("rules/r.yml", kRules);
  }

  std::string Write(const std::string& name, absl::string_view text) {
    const std::string path = (dir_ / name).string();
    std::ofstream(path) << text;
    return path;
  }

  FileResult Run(const std::string& path, RunOptions options = {}) {
    options.clock = &clock_;
    absl::StatusOr<std::unique_ptr<Runner>> runner =
        Runner::Create(std::move(options));
    EXPECT_THAT(runner, IsOk());
    runner_ = *std::move(runner);
    return runner_->RunFile(path);
  }

  std::filesystem::path dir_;
  FakeClock clock_;
  std::unique_ptr<Runner> runner_;
};

constexpr absl::string_view kTwoGroups = R"(rule_files: [rules/*.yml]
tests:
  - name: fires
    interval: 1m
    input_series:
      - series: up{job="api"}
        values: 0 0 0
    alert_rule_test:
      - eval_time: 2m
        alertname: Down
        exp_alerts:
          - exp_labels: {severity: page, job: api}
            exp_annotations: {summary: api down}
  - interval: 1m
    input_series:
      - series: up{job="api"}
        values: 1 1
    promql_expr_test:
      - expr: job:up:sum
        eval_time: 1m
        exp_samples:
          - labels: job:up:sum{job="api"}
            value: 2
)";

TEST_F(RunnerTest, RunsEveryGroupWithItsVerdict) {
  FileResult r = Run(Write("t.yml", kTwoGroups));
  EXPECT_THAT(r.errors, IsEmpty());
  EXPECT_THAT(r.warnings, IsEmpty());
  ASSERT_EQ(r.tests.size(), 2u);
  EXPECT_EQ(r.tests[0].name, "fires");
  EXPECT_TRUE(r.tests[0].passed());
  EXPECT_EQ(r.tests[1].name, "#2");
  ASSERT_EQ(r.tests[1].failures.size(), 1u);
  EXPECT_EQ(
      r.tests[1].failures[0],
      "expr: \"job:up:sum\", time: 1m\n"
      "    exp: {__name__=\"job:up:sum\", job=\"api\"} 2\n"
      "    got: {__name__=\"job:up:sum\", job=\"api\"} 1\n"
      "    diff (- expected, + got):\n"
      "      ~ {__name__=\"job:up:sum\", job=\"api\"}: expected 2, got 1");
  EXPECT_EQ(r.passed(), 1);
  EXPECT_EQ(r.failed(), 1);
  EXPECT_EQ(r.skipped(), 0);
  EXPECT_EQ(r.duration, absl::ZeroDuration());
  // Coverage: the alert fired and was tested; the record was produced and
  // tested by the second group.
  const auto& rules = runner_->coverage().rules();
  ASSERT_EQ(rules.size(), 2u);
  EXPECT_TRUE(rules[0].tested);
  EXPECT_TRUE(rules[0].produced);
  EXPECT_TRUE(rules[1].tested);
  EXPECT_TRUE(rules[1].produced);
}

TEST_F(RunnerTest, RunSelectsGroupsByName) {
  RunOptions options;
  options.run_patterns = {"^fi"};
  FileResult r = Run(Write("t.yml", kTwoGroups), options);
  ASSERT_EQ(r.tests.size(), 2u);
  EXPECT_TRUE(r.tests[0].passed());
  EXPECT_TRUE(r.tests[1].skipped);
  EXPECT_EQ(r.passed(), 1);
  EXPECT_EQ(r.failed(), 0);
  EXPECT_EQ(r.skipped(), 1);
}

TEST_F(RunnerTest, BadRunPatternIsAnError) {
  RunOptions options;
  options.run_patterns = {"("};
  EXPECT_FALSE(Runner::Create(options).ok());
}

TEST_F(RunnerTest, RuleFileErrorsFailEveryGroup) {
  Write("rules/bad.yml",
        "groups:\n  - name: b\n    rules:\n      - alert: X\n"
        "        expr: up ==\n");
  FileResult r = Run(Write("t.yml", kTwoGroups));
  ASSERT_EQ(r.tests.size(), 2u);
  for (const TestCaseResult& t : r.tests) {
    ASSERT_EQ(t.failures.size(), 1u);
    EXPECT_THAT(t.failures[0], HasSubstr("rules/bad.yml:5:15: group \"b\", "
                                         "rule 1, \"X\": could not parse"));
  }
}

TEST_F(RunnerTest, RuleFileErrorsWithoutTestsOnlyWarn) {
  Write("rules/bad.yml", "groups: 3\n");
  FileResult r = Run(Write("t.yml", "rule_files: [rules/bad.yml]\n"));
  EXPECT_EQ(r.failed(), 0);
  ASSERT_EQ(r.warnings.size(), 1u);
  EXPECT_THAT(r.warnings[0], StartsWith("rule files do not load"));
}

TEST_F(RunnerTest, PatternsThatMatchNothingWarn) {
  FileResult r = Run(Write("t.yml",
                           "rule_files: [nope/*.yml, ./none.yml]\n"
                           "tests: [{interval: 1m}]\n"));
  EXPECT_EQ(r.failed(), 0);
  EXPECT_EQ(r.passed(), 1);
  EXPECT_THAT(r.warnings, ElementsAre(HasSubstr("/nope/*.yml\""),
                                      HasSubstr("/none.yml\"")));
}

TEST_F(RunnerTest, RelativePathsAreCleaned) {
  FileResult r =
      Run(Write("t.yml",
                "rule_files: [./rules/../rules/r.yml, rules/r.yml]\n"
                "tests:\n  - interval: 1m\n    input_series:\n"
                "      - series: up{job=\"a\"}\n        values: 1\n"
                "    promql_expr_test:\n      - expr: job:up:sum\n"
                "        exp_samples: [{labels: 'job:up:sum{job=\"a\"}', "
                "value: 1}]\n"));
  // One file, loaded once: a second copy would fail on duplicate samples.
  EXPECT_EQ(r.passed(), 1) << (r.tests.empty() ? "" : r.tests[0].failures[0]);
  EXPECT_EQ(runner_->coverage().rules().size(), 2u);
}

TEST_F(RunnerTest, RepeatedGroupInEvalOrderFailsTheFile) {
  FileResult r = Run(Write("t.yml", "group_eval_order: [a, b, a]\n"));
  EXPECT_THAT(
      r.errors,
      ElementsAre(HasSubstr("group name repeated in group_eval_order: a")));
  EXPECT_EQ(r.failed(), 1);
}

TEST_F(RunnerTest, UnreadableFileFails) {
  FileResult r = Run((dir_ / "missing.yml").string());
  ASSERT_EQ(r.errors.size(), 1u);
  EXPECT_THAT(r.errors[0], HasSubstr("cannot read test file"));
  EXPECT_EQ(r.failed(), 1);
}

TEST_F(RunnerTest, MissingIntervalWarns) {
  FileResult r = Run(Write("t.yml",
                           "tests:\n  - input_series:\n"
                           "      - {series: x, values: 1 2}\n"));
  ASSERT_EQ(r.warnings.size(), 1u);
  EXPECT_THAT(r.warnings[0], HasSubstr("test #1 has no interval"));
}

TEST_F(RunnerTest, RuleErrorsEndTheGroup) {
  Write("rules/r.yml",
        "groups:\n  - name: g\n    limit: 1\n    rules:\n"
        "      - alert: Down\n        expr: up == 0\n");
  FileResult r = Run(Write("t.yml", R"(rule_files: [rules/r.yml]
tests:
  - interval: 1m
    input_series:
      - {series: 'up{i="a"}', values: 1 0}
      - {series: 'up{i="b"}', values: 1 0}
    promql_expr_test:
      - expr: vector(1)
        eval_time: 5m
)"));
  ASSERT_EQ(r.tests.size(), 1u);
  EXPECT_THAT(r.tests[0].failures,
              ElementsAre("rule: Down, time: 1m, err: exceeded limit of 1 "
                          "with 2 alerts"));
}

TEST_F(RunnerTest, PendingAndResolvedAssertions) {
  FileResult r = Run(Write("t.yml", R"(rule_files: [rules/r.yml]
tests:
  - interval: 1m
    input_series:
      - {series: 'up{job="a"}', values: 0 0 1}
    alert_rule_test:
      - eval_time: 0m
        alertname: Down
        exp_pending_alerts:
          - exp_labels: {severity: page, job: a}
            exp_annotations: {summary: a down}
        exp_resolved_alerts: []
      - eval_time: 2m
        alertname: Down
        exp_pending_alerts: []
        exp_resolved_alerts:
          - exp_labels: {severity: page, job: a}
            exp_annotations: {summary: a down}
      - eval_time: 2m
        alertname: Down
        exp_pending_alerts:
          - exp_labels: {severity: page, job: a}
)"));
  ASSERT_EQ(r.tests.size(), 1u);
  ASSERT_EQ(r.tests[0].failures.size(), 1u);
  EXPECT_THAT(r.tests[0].failures[0],
              StartsWith("alertname: Down, time: 2m, pending alerts\n"
                         "    exp: {alertname=\"Down\", job=\"a\", "
                         "severity=\"page\"} annotations {}\n"
                         "    got: (none)\n"));
}

TEST(GlobFilesTest, SortedMatchesIncludingDotFiles) {
  const std::filesystem::path dir =
      std::filesystem::path(std::getenv("TEST_TMPDIR")) / "glob";
  std::filesystem::create_directories(dir);
  for (const char* name : {"b.yml", "a.yml", ".c.yml", "d.txt"}) {
    std::ofstream((dir / name).string()) << "";
  }
  const std::string d = dir.string();
  EXPECT_THAT(GlobFiles(d + "/*.yml"),
              ElementsAre(d + "/.c.yml", d + "/a.yml", d + "/b.yml"));
  EXPECT_THAT(GlobFiles(d + "/a.yml"), ElementsAre(d + "/a.yml"));
  EXPECT_THAT(GlobFiles(d + "/x.yml"), IsEmpty());
}

}  // namespace
}  // namespace fraisier::rules::unittest
