#include "rules/unittest/test_file.h"

#include <cmath>
#include <limits>

#include "engine/base/status_matchers.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace fraisier::rules::unittest {
namespace {

using ::fraisier::testing::IsOk;
using ::fraisier::testing::StatusIs;
using ::testing::ElementsAre;
using ::testing::HasSubstr;
using ::testing::Pair;

TEST(TestFileTest, DecodesEveryKey) {
  absl::StatusOr<TestFile> f = ParseTestFile(R"(
rule_files: [a.yml, "b/*.yml"]
evaluation_interval: 30s
group_eval_order: [g1, g2]
fuzzy_compare: true
tests:
  - name: first
    interval: 15s
    start_timestamp: 1700000000
    external_labels: {cluster: eu}
    external_url: http://x
    input_series:
      - series: up{job="a"}
        values: 1+1x3 _ stale
    alert_rule_test:
      - eval_time: 1m30s
        alertname: Down
        exp_alerts:
          - exp_labels: {severity: page, n: 1}
            exp_annotations: {summary: ""}
        exp_pending_alerts: []
    promql_expr_test:
      - expr: up
        eval_time: 2m
        exp_samples:
          - labels: up{job="a"}
            value: 0x10
          - value: .nan
)",
                                             "t.yml");
  ASSERT_THAT(f, IsOk());
  EXPECT_THAT(f->rule_files, ElementsAre("a.yml", "b/*.yml"));
  EXPECT_EQ(f->evaluation_interval_ms, 30'000);
  EXPECT_THAT(f->group_eval_order, ElementsAre("g1", "g2"));
  EXPECT_TRUE(f->fuzzy_compare);
  ASSERT_EQ(f->tests.size(), 1u);
  const TestGroup& g = f->tests[0];
  EXPECT_EQ(g.name, "first");
  EXPECT_EQ(g.interval_ms, 15'000);
  EXPECT_TRUE(g.interval_given);
  EXPECT_EQ(g.start_ms, 1'700'000'000'000);
  EXPECT_THAT(g.external_labels, ElementsAre(Pair("cluster", "eu")));
  EXPECT_EQ(g.external_url, "http://x");
  ASSERT_EQ(g.input_series.size(), 1u);
  EXPECT_EQ(g.input_series[0].series, "up{job=\"a\"}");
  EXPECT_EQ(g.input_series[0].values, "1+1x3 _ stale");
  EXPECT_EQ(g.input_series[0].line, 13);
  ASSERT_EQ(g.alert_rule_tests.size(), 1u);
  const AlertTestCase& a = g.alert_rule_tests[0];
  EXPECT_EQ(a.eval_time_ms, 90'000);
  EXPECT_EQ(a.alertname, "Down");
  ASSERT_EQ(a.exp_alerts.size(), 1u);
  EXPECT_THAT(a.exp_alerts[0].labels,
              ElementsAre(Pair("severity", "page"), Pair("n", "1")));
  EXPECT_THAT(a.exp_alerts[0].annotations, ElementsAre(Pair("summary", "")));
  ASSERT_TRUE(a.exp_pending_alerts.has_value());
  EXPECT_TRUE(a.exp_pending_alerts->empty());
  EXPECT_FALSE(a.exp_resolved_alerts.has_value());
  ASSERT_EQ(g.promql_expr_tests.size(), 1u);
  const PromqlTestCase& p = g.promql_expr_tests[0];
  EXPECT_EQ(p.expr, "up");
  EXPECT_EQ(p.eval_time_ms, 120'000);
  ASSERT_EQ(p.exp_samples.size(), 2u);
  EXPECT_EQ(p.exp_samples[0].value, 16);
  EXPECT_EQ(p.exp_samples[1].labels, "");
  EXPECT_TRUE(std::isnan(p.exp_samples[1].value));
}

TEST(TestFileTest, DefaultsAsPromtool) {
  absl::StatusOr<TestFile> f = ParseTestFile(
      "evaluation_interval: 0s\ntests:\n  - input_series: []\n", "t.yml");
  ASSERT_THAT(f, IsOk());
  EXPECT_EQ(f->evaluation_interval_ms, 60'000);
  EXPECT_FALSE(f->fuzzy_compare);
  ASSERT_EQ(f->tests.size(), 1u);
  EXPECT_EQ(f->tests[0].interval_ms, 0);
  EXPECT_FALSE(f->tests[0].interval_given);
  EXPECT_EQ(f->tests[0].start_ms, 0);
}

TEST(TestFileTest, EmptyFileHasNoTests) {
  absl::StatusOr<TestFile> f = ParseTestFile("", "t.yml");
  ASSERT_THAT(f, IsOk());
  EXPECT_TRUE(f->tests.empty());
  EXPECT_EQ(f->evaluation_interval_ms, 60'000);
}

TEST(TestFileTest, UnknownKeysAreErrorsWithPositions) {
  EXPECT_THAT(ParseTestFile("rule_files: []\ntests:\n  - interval: 1m\n"
                            "    foo: bar\n    alert_rule_test:\n"
                            "      - eval_time: 1m\n        alertnme: X\n",
                            "t.yml"),
              StatusIs(absl::StatusCode::kInvalidArgument,
                       "t.yml:4:5: unknown field \"foo\" in test group\n"
                       "t.yml:7:9: unknown field \"alertnme\" in "
                       "alert_rule_test"));
  EXPECT_THAT(ParseTestFile("rules: [a.yml]\n", "t.yml"),
              StatusIs(absl::StatusCode::kInvalidArgument,
                       "t.yml:1:1: unknown field \"rules\" in unit test file"));
}

TEST(TestFileTest, WrongTypesAreErrors) {
  EXPECT_THAT(ParseTestFile("rule_files: a.yml\n", "t.yml"),
              StatusIs(absl::StatusCode::kInvalidArgument,
                       HasSubstr("t.yml:1:13: cannot unmarshal scalar")));
  EXPECT_THAT(ParseTestFile("tests: {a: 1}\n", "t.yml"),
              StatusIs(absl::StatusCode::kInvalidArgument,
                       "t.yml:1:8: cannot unmarshal mapping into tests "
                       "(expected a list)"));
  EXPECT_THAT(ParseTestFile("- a\n", "t.yml"),
              StatusIs(absl::StatusCode::kInvalidArgument,
                       HasSubstr("t.yml:1:1: cannot unmarshal sequence")));
}

TEST(TestFileTest, RepeatedKeysAreErrors) {
  EXPECT_THAT(
      ParseTestFile("tests:\n  - interval: 1m\n    interval: 2m\n", "t.yml"),
      StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("t.yml:3:5")));
}

TEST(TestFileTest, DurationsAsPrometheus) {
  auto eval_time = [](absl::string_view text) -> absl::StatusOr<int64_t> {
    absl::StatusOr<TestFile> f =
        ParseTestFile(absl::StrCat("tests:\n  - promql_expr_test:\n"
                                   "      - expr: up\n        eval_time: ",
                                   text, "\n"),
                      "t.yml");
    if (!f.ok()) return f.status();
    return f->tests[0].promql_expr_tests[0].eval_time_ms;
  };
  EXPECT_EQ(*eval_time("1h30m"), 5'400'000);
  EXPECT_EQ(*eval_time("0"), 0);
  EXPECT_EQ(*eval_time("1d"), 86'400'000);
  EXPECT_EQ(*eval_time("500ms"), 500);
  EXPECT_EQ(*eval_time(""), 0);  // null
  EXPECT_THAT(eval_time("-1m"),
              StatusIs(absl::StatusCode::kInvalidArgument,
                       "t.yml:4:20: not a valid duration string: \"-1m\""));
  EXPECT_THAT(eval_time("5"), StatusIs(absl::StatusCode::kInvalidArgument,
                                       HasSubstr("not a valid duration")));
  EXPECT_THAT(eval_time("1.5m"), StatusIs(absl::StatusCode::kInvalidArgument,
                                          HasSubstr("unknown unit")));
}

absl::StatusOr<double> Value(absl::string_view text) {
  absl::StatusOr<TestFile> f = ParseTestFile(
      absl::StrCat("tests:\n  - promql_expr_test:\n      - expr: up\n"
                   "        exp_samples:\n          - value: ",
                   text, "\n"),
      "t.yml");
  if (!f.ok()) return f.status();
  return f->tests[0].promql_expr_tests[0].exp_samples[0].value;
}

TEST(TestFileTest, FloatsAsYamlV2) {
  EXPECT_EQ(*Value("1"), 1);
  EXPECT_EQ(*Value("-2.5"), -2.5);
  EXPECT_EQ(*Value("1e3"), 1000);
  EXPECT_EQ(*Value(".5"), 0.5);
  EXPECT_EQ(*Value("0x10"), 16);
  EXPECT_EQ(*Value("017"), 15);
  EXPECT_EQ(*Value("1_000"), 1000);
  EXPECT_EQ(*Value(".inf"), std::numeric_limits<double>::infinity());
  EXPECT_EQ(*Value("-.Inf"), -std::numeric_limits<double>::infinity());
  EXPECT_TRUE(std::isnan(*Value(".NaN")));
  EXPECT_EQ(*Value("~"), 0);
  EXPECT_THAT(Value("NaN"),
              StatusIs(absl::StatusCode::kInvalidArgument,
                       "t.yml:5:20: cannot unmarshal \"NaN\" into a float"));
  EXPECT_THAT(
      Value("\"1\""),
      StatusIs(absl::StatusCode::kInvalidArgument,
               HasSubstr("cannot unmarshal string \"1\" into a float")));
  EXPECT_THAT(Value("true"), StatusIs(absl::StatusCode::kInvalidArgument,
                                      HasSubstr("into a float")));
  EXPECT_THAT(Value("[1]"), StatusIs(absl::StatusCode::kInvalidArgument,
                                     HasSubstr("cannot unmarshal sequence")));
}

TEST(TestFileTest, StartTimestampForms) {
  auto start = [](absl::string_view text) -> absl::StatusOr<int64_t> {
    absl::StatusOr<TestFile> f = ParseTestFile(
        absl::StrCat("tests:\n  - start_timestamp: ", text, "\n"), "t.yml");
    if (!f.ok()) return f.status();
    return f->tests[0].start_ms;
  };
  EXPECT_EQ(*start("1609459200"), 1'609'459'200'000);
  EXPECT_EQ(*start("\"2021-01-01T00:00:00Z\""), 1'609'459'200'000);
  EXPECT_EQ(*start("2021-01-01T01:00:00+01:00"), 1'609'459'200'000);
  EXPECT_EQ(*start("2021-01-01T00:00:00.5Z"), 1'609'459'200'500);
  EXPECT_THAT(start("yesterday"),
              StatusIs(absl::StatusCode::kInvalidArgument,
                       HasSubstr("t.yml:2:22: invalid start_timestamp "
                                 "\"yesterday\"")));
}

TEST(TestFileTest, LoadTestFileReportsUnreadableFiles) {
  EXPECT_THAT(LoadTestFile("/nonexistent/t.yml"),
              StatusIs(absl::StatusCode::kNotFound,
                       "/nonexistent/t.yml: cannot read test file: No such "
                       "file or directory"));
}

}  // namespace
}  // namespace fraisier::rules::unittest
