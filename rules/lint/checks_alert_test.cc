// alert-no-comparison, template-label-missing, absent-short-for.
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "rules/lint/lint_test_util.h"

namespace fraisier::rules::lint {
namespace {

using ::testing::ElementsAre;
using ::testing::IsEmpty;
using ::testing::SizeIs;

TEST(AlertNoComparisonTest, FlagsExpressionsWithoutACondition) {
  for (const char* expr :
       {"up", "rate(http_requests_total[5m])", "sum by (job) (up)",
        "up > bool 0", "vector(1)", "up or (up == 0)",
        "sum(rate(x_total[5m])) / sum(rate(y_total[5m]))"}) {
    EXPECT_THAT(
        MessagesOf("alert-no-comparison", LintYaml(AlertYaml(expr))),
        ElementsAre("the alert's expression has no condition (no comparison "
                    "such as `> 0.1`), so it fires for every series it "
                    "returns whatever the value; add a comparison, or "
                    "disable this check on the rule when the series existing "
                    "is the condition"))
        << expr;
  }
}

TEST(AlertNoComparisonTest, AcceptsConditionsWhereverTheyFilter) {
  for (const char* expr : {"up == 0", "sum by (job) (up == 0)",
                           "count(up == 0) > 3", "absent(up{job=\"x\"})",
                           "absent_over_time(up[5m])", "up and on (job) foo",
                           "up unless on (job) foo", "(up == 0) or (foo > 1)",
                           "label_replace(up == 0, \"a\", \"b\", "
                           "\"c\", \"d\")",
                           "(x_total > 1) / on (job) y", "(up > bool 0) == 0",
                           "max_over_time((up == 0)[5m:])"}) {
    EXPECT_THAT(MessagesOf("alert-no-comparison", LintYaml(AlertYaml(expr))),
                IsEmpty())
        << expr;
  }
  // Recording rules need no condition.
  EXPECT_THAT(MessagesOf("alert-no-comparison", LintYaml(RecordYaml("up"))),
              IsEmpty());
}

TEST(TemplateLabelMissingTest, FlagsLabelsTheAggregationDrops) {
  std::vector<Finding> f = LintYaml(AlertYaml(
      "sum by (job) (rate(errors_total[5m])) > 1",
      "        labels:\n          page: \"{{ $labels.team }}\"\n"
      "        annotations:\n"
      "          summary: \"{{ $labels.instance }} of {{ $labels.job }}\"\n"));
  EXPECT_THAT(
      MessagesOf("template-label-missing", f),
      ElementsAre(
          "template `page` uses $labels.team, which is always empty: the "
          "result can only have the labels job (after `sum by (job)`); keep "
          "the label in the expression (e.g. add it to by (...)) or stop "
          "using it in the template",
          "template `summary` uses $labels.instance, which is always empty: "
          "the result can only have the labels job (after `sum by (job)`); "
          "keep the label in the expression (e.g. add it to by (...)) or "
          "stop using it in the template"));
  ASSERT_THAT(f, SizeIs(2));
  EXPECT_EQ(f[0].severity, Severity::kError);
  EXPECT_EQ(f[0].rule, "A");
  EXPECT_EQ(f[0].line, 4);
}

TEST(TemplateLabelMissingTest, QuietWhenTheLabelMayBeThere) {
  for (const char* expr :
       {"up == 0", "sum by (instance) (up) == 0", "sum without (job) (up) == 0",
        "up * on (job) group_left (instance) "
        "sum by (job, instance) (foo) > 0"}) {
    EXPECT_THAT(MessagesOf("template-label-missing",
                           LintYaml(AlertYaml(
                               expr,
                               "        annotations:\n          summary: "
                               "\"{{ $labels.instance }}\"\n"))),
                IsEmpty())
        << expr;
  }
}

TEST(TemplateLabelMissingTest, RuleLabelsAreNotInLabels) {
  // $labels holds the series' labels; the rule's own labels come later.
  EXPECT_THAT(
      MessagesOf(
          "template-label-missing",
          LintYaml(AlertYaml("sum(up) == 0",
                             "        labels:\n          severity: page\n"
                             "        annotations:\n          summary: \"{{ "
                             "$labels.severity }}\"\n"))),
      ElementsAre(::testing::HasSubstr(
          "uses $labels.severity, which is always empty: the result has no "
          "labels (after `sum()`)")));
}

TEST(AbsentShortForTest, WantsTwoScrapeIntervals) {
  EXPECT_THAT(
      MessagesOf("absent-short-for", LintYaml(AlertYaml("absent(up{job=\"x\"})",
                                                        "        for: 1m\n"))),
      ElementsAre("absent() is briefly true after a restart or one failed "
                  "scrape, and the alert has `for: 1m`; set `for` to at least "
                  "twice the scrape interval (2m) so a single missed scrape "
                  "does not page"));
  EXPECT_THAT(
      MessagesOf("absent-short-for", LintYaml(AlertYaml("absent(up{job=\"x\"})",
                                                        "        for: 2m\n"))),
      IsEmpty());
  LintOptions fast;
  fast.scrape_interval = absl::Seconds(15);
  EXPECT_THAT(
      MessagesOf("absent-short-for", LintYaml(AlertYaml("absent(up{job=\"x\"})",
                                                        "        for: 30s\n"),
                                              fast)),
      IsEmpty());
  EXPECT_THAT(MessagesOf("absent-short-for", LintYaml(AlertYaml("up == 0"))),
              IsEmpty());
}

}  // namespace
}  // namespace fraisier::rules::lint
