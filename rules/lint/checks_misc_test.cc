// regex-redundant-anchor, regex-is-equality, division-nan-in-aggregation,
// group-interval-long, duplicate-rule.
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "rules/lint/lint_test_util.h"
#include "rules/lint/regex_literal.h"

namespace fraisier::rules::lint {
namespace {

using ::testing::ElementsAre;
using ::testing::HasSubstr;
using ::testing::IsEmpty;
using ::testing::Optional;

TEST(RegexLiteralTest, LiteralsAndAnchors) {
  EXPECT_THAT(RegexLiteral("api"), Optional(std::string("api")));
  EXPECT_THAT(RegexLiteral("foo\\.bar"), Optional(std::string("foo.bar")));
  EXPECT_THAT(RegexLiteral(""), Optional(std::string("")));
  for (const char* re :
       {"a.b", "a|b", "a+", "(a)", "[ab]", "\\d", "a{2}", "(?i)a", "a\\"}) {
    EXPECT_EQ(RegexLiteral(re), std::nullopt) << re;
  }
  RegexAnchors a = SplitAnchors("^api$");
  EXPECT_TRUE(a.leading && a.trailing);
  EXPECT_EQ(a.inner, "api");
  a = SplitAnchors("a\\$");
  EXPECT_FALSE(a.trailing);
  a = SplitAnchors("a\\\\$");
  EXPECT_TRUE(a.trailing);
}

TEST(RegexChecksTest, AnchorsAndEquality) {
  std::vector<Finding> f =
      LintYaml(RecordYaml("up{job=~\"^api$\", env!~\"dev\", zone=~\"^eu-.*\", "
                          "x=~\"a|b\", y!~\"^x.+$\"}"));
  EXPECT_THAT(
      MessagesOf("regex-redundant-anchor", f),
      ElementsAre(
          "`job=~\"^api$\"`: Prometheus anchors matcher regexes at both ends, "
          "so ^ and $ are redundant (and `^foo` does not mean a prefix: write "
          "foo.* for that); write `job=~\"api\"`, or as it matches one value, "
          "`job=\"api\"`",
          HasSubstr("write `zone=~\"eu-.*\"`"),
          HasSubstr("write `y!~\"x.+\"`")));
  EXPECT_THAT(MessagesOf("regex-is-equality", f),
              ElementsAre("`env!~\"dev\"` matches exactly one value; write "
                          "`env!=\"dev\"`, which says so and is cheaper to "
                          "evaluate"));
  EXPECT_THAT(MessagesOf("regex-is-equality",
                         LintYaml(RecordYaml("rate(x_total{a=~\"v\"}[5m])"))),
              ElementsAre(HasSubstr("write `a=\"v\"`")));
}

TEST(DivisionNanTest, FlagsDivisionsInsideSumAndAvg) {
  EXPECT_THAT(
      MessagesOf("division-nan-in-aggregation",
                 LintYaml(RecordYaml("sum(rate(errors_total[5m]) / "
                                     "rate(requests_total[5m]))"))),
      ElementsAre(
          "`rate(errors_total[5m]) / rate(requests_total[5m])` inside sum() "
          "gives NaN (0/0) or Inf (x/0) wherever the denominator is 0, and "
          "one such value makes the whole sum() NaN or Inf; aggregate first "
          "and divide the aggregates (e.g. sum(a) / sum(b)), or drop zero "
          "denominators with `/ (b > 0)`"));
  for (const char* expr :
       {"avg by (job) (a / b)", "stddev(a % b)", "sum(abs(a / b))",
        "avg(sum by (x) (a) / sum by (x) (b))", "sum(a / (b >= 0))",
        "sum((a / b) != 0)", "sum(a / scalar(b))"}) {
    EXPECT_THAT(
        MessagesOf("division-nan-in-aggregation", LintYaml(RecordYaml(expr))),
        ElementsAre(HasSubstr("inside")))
        << expr;
  }
}

TEST(DivisionNanTest, AcceptsSafeDivisions) {
  for (const char* expr :
       {"sum(a) / sum(b)", "sum(a / 100)", "sum(a / (b > 0))",
        "sum((a / b) > 0.5)", "avg(a / clamp_min(b, 1))", "sum(a / count(b))",
        "max(a / b)", "count(a / b)", "sum(a / vector(2))", "sum(a / (b != 0))",
        "sum(a / -2)"}) {
    EXPECT_THAT(
        MessagesOf("division-nan-in-aggregation", LintYaml(RecordYaml(expr))),
        IsEmpty())
        << expr;
  }
}

TEST(GroupIntervalTest, LongerThanTheLookback) {
  std::string yaml =
      "groups:\n  - name: slow\n    interval: 10m\n    rules:\n"
      "      - record: r\n        expr: up\n"
      "  - name: ok\n    interval: 5m\n    rules:\n"
      "      - record: s\n        expr: up\n";
  std::vector<Finding> f = LintYaml(yaml);
  EXPECT_THAT(MessagesOf("group-interval-long", f),
              ElementsAre("the group is evaluated every 10m, longer than the "
                          "5m lookback, so its recorded series vanish "
                          "between evaluations and its alerts flap; use an "
                          "interval of at most 5m"));
  ASSERT_FALSE(f.empty());
  EXPECT_EQ(f[0].group, "slow");
  EXPECT_EQ(f[0].rule, "");
  EXPECT_EQ(f[0].line, 2);
}

TEST(DuplicateRuleTest, SameNameExpressionAndLabels) {
  std::string yaml =
      "groups:\n  - name: a\n    rules:\n"
      "      - record: r\n        expr: sum by(job)(up)\n"
      "      - record: r\n        expr: sum by (job) (up)\n"  // same
      "      - record: r\n        expr: sum by (job) (up)\n"  // labels differ
      "        labels: {x: y}\n"
      "      - record: r\n        expr: sum by (env) (up)\n"  // expr differs
      "      - alert: r\n        expr: sum by (job) (up)\n"   // kind differs
      "  - name: b\n    rules:\n"
      "      - record: r\n        expr: sum by (job) (up)\n"  // same again
      "        labels: {}\n";
  std::vector<Finding> f = LintYaml(yaml);
  EXPECT_THAT(MessagesOf("duplicate-rule", f),
              ElementsAre("duplicate of the rule at t.yml:4 (group \"a\"): "
                          "same name, expression and labels, so both write "
                          "the same series (or the same alerts); remove one",
                          HasSubstr("duplicate of the rule at t.yml:4")));
  std::vector<int> lines;
  for (const Finding& x : f) {
    if (x.check == "duplicate-rule") lines.push_back(x.line);
  }
  EXPECT_THAT(lines, ElementsAre(6, 17));
}

}  // namespace
}  // namespace fraisier::rules::lint
