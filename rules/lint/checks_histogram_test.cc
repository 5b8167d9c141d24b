// histogram-quantile-no-rate, -no-bucket, -no-le, histogram-base-name.
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "rules/lint/lint_test_util.h"

namespace fraisier::rules::lint {
namespace {

using ::testing::ElementsAre;
using ::testing::HasSubstr;
using ::testing::IsEmpty;

TEST(HistogramQuantileTest, TheSeedGuidesQuantile) {
  std::vector<Finding> f = LintYaml(RecordYaml(
      "histogram_quantile(0.95, fraisier_deployment_duration_seconds)"));
  EXPECT_THAT(
      MessagesOf("histogram-quantile-no-rate", f),
      ElementsAre(
          "`histogram_quantile(0.95, fraisier_deployment_duration_seconds)` "
          "reads fraisier_deployment_duration_seconds without rate() or "
          "increase(): bucket counters count from process start, so this is "
          "the quantile over the whole lifetime, not now; use "
          "histogram_quantile(0.95, sum by (le) "
          "(rate(fraisier_deployment_duration_seconds_bucket[5m])))"));
  EXPECT_THAT(
      MessagesOf("histogram-quantile-no-bucket", f),
      ElementsAre(
          "`histogram_quantile(0.95, fraisier_deployment_duration_seconds)` "
          "reads fraisier_deployment_duration_seconds, which does not end in "
          "_bucket: a classic histogram's quantiles come from its _bucket "
          "series and their le label; use "
          "fraisier_deployment_duration_seconds_bucket (disable this check "
          "on the rule if it is a native histogram)"));
  // The argument itself is not a histogram base name used as a series.
  EXPECT_THAT(MessagesOf("histogram-base-name", f), IsEmpty());
}

TEST(HistogramQuantileTest, CorrectQuantilesPass) {
  for (const char* expr :
       {"histogram_quantile(0.95, sum by (le) (rate(x_bucket[5m])))",
        "histogram_quantile(0.9, sum by (le, job) (increase(x_bucket[1h])))",
        "histogram_quantile(0.9, rate(x_bucket[5m]))",
        "histogram_quantile(0.9, sum without (instance) (rate(x_bucket[5m])))",
        "histogram_quantile(0.9, job:x_bucket:rate5m)",
        "histogram_quantile(0.9, rate(x_bucket[5m]) and on (job) up == 1)"}) {
    std::vector<Finding> f = LintYaml(RecordYaml(expr));
    for (const char* id :
         {"histogram-quantile-no-rate", "histogram-quantile-no-bucket",
          "histogram-quantile-no-le", "histogram-base-name"}) {
      EXPECT_THAT(MessagesOf(id, f), IsEmpty()) << expr << " " << id;
    }
  }
}

TEST(HistogramQuantileTest, BucketsWithoutRate) {
  EXPECT_THAT(
      MessagesOf("histogram-quantile-no-rate",
                 LintYaml(RecordYaml(
                     "histogram_quantile(0.5, sum by (le) (x_bucket))"))),
      ElementsAre(HasSubstr("reads x_bucket without rate()")));
  EXPECT_THAT(
      MessagesOf(
          "histogram-quantile-no-bucket",
          LintYaml(RecordYaml("histogram_quantile(0.5, rate(x_sum[5m]))"))),
      ElementsAre(HasSubstr("use x_bucket (disable")));
}

TEST(HistogramQuantileTest, AggregationThatDropsLe) {
  EXPECT_THAT(
      MessagesOf("histogram-quantile-no-le",
                 LintYaml(RecordYaml("histogram_quantile(0.9, sum by (job) "
                                     "(rate(x_bucket[5m])))"))),
      ElementsAre("`histogram_quantile(0.9, sum by (job) "
                  "(rate(x_bucket[5m])))` gets no le label (the result can "
                  "only have the labels job (after `sum by (job)`)), so it "
                  "returns nothing; keep le when aggregating buckets: sum by "
                  "(le, ...) (rate(...[5m]))"));
  EXPECT_THAT(
      MessagesOf("histogram-quantile-no-le",
                 LintYaml(RecordYaml("histogram_quantile(0.9, sum without (le) "
                                     "(rate(x_bucket[5m])))"))),
      ElementsAre(HasSubstr("`sum without (le)` removes it")));
  // Not a _bucket series: perhaps a native histogram, which has no le.
  EXPECT_THAT(MessagesOf("histogram-quantile-no-le",
                         LintYaml(RecordYaml("histogram_quantile(0.9, sum by "
                                             "(job) (rate(x[5m])))"))),
              IsEmpty());
}

TEST(HistogramBaseNameTest, AvgOverAHistogram) {
  // The seed guide's two panels, in one file: the quantile says the name
  // is a histogram.
  std::string yaml =
      "groups:\n  - name: g\n    rules:\n"
      "      - record: avg\n"
      "        expr: avg(fraisier_deployment_duration_seconds)\n"
      "      - record: p95\n"
      "        expr: histogram_quantile(0.95, "
      "fraisier_deployment_duration_seconds)\n";
  std::vector<Finding> f = LintYaml(yaml);
  EXPECT_THAT(
      MessagesOf("histogram-base-name", f),
      ElementsAre(
          "fraisier_deployment_duration_seconds looks like a histogram (the "
          "rules pass it to histogram_quantile()), but a classic histogram "
          "has no series of that name, only "
          "fraisier_deployment_duration_seconds_bucket, "
          "fraisier_deployment_duration_seconds_sum and "
          "fraisier_deployment_duration_seconds_count, and a summary's "
          "series are quantiles that cannot be averaged or summed; for the "
          "mean use sum(rate(fraisier_deployment_duration_seconds_sum[5m])) "
          "/ sum(rate(fraisier_deployment_duration_seconds_count[5m])), for "
          "a quantile histogram_quantile(0.95, sum by (le) "
          "(rate(fraisier_deployment_duration_seconds_bucket[5m])))"));
}

TEST(HistogramBaseNameTest, EvidenceAndNaming) {
  // A _bucket selector elsewhere in the run is evidence.
  std::string yaml =
      "groups:\n  - name: g\n    rules:\n"
      "      - record: a\n        expr: max(request_size)\n"
      "      - record: b\n        expr: rate(request_size_bucket[5m])\n";
  EXPECT_THAT(MessagesOf("histogram-base-name", LintYaml(yaml)),
              ElementsAre(HasSubstr("request_size looks like a histogram "
                                    "(the rules also select "
                                    "request_size_bucket)")));
  EXPECT_THAT(MessagesOf("histogram-base-name",
                         LintYaml(RecordYaml("avg(http_request_duration_"
                                             "seconds)"))),
              ElementsAre(HasSubstr("(it is named like one)")));
  for (const char* expr :
       {"avg(scrape_duration_seconds)",
        "max(node_scrape_collector_duration_seconds)",
        "prometheus_rule_group_last_duration_seconds > 1",
        "go_gc_duration_seconds{quantile=\"0.99\"} > 1", "avg(node_load1)",
        "rate(http_request_duration_seconds_sum[5m])"}) {
    EXPECT_THAT(MessagesOf("histogram-base-name", LintYaml(RecordYaml(expr))),
                IsEmpty())
        << expr;
  }
}

}  // namespace
}  // namespace fraisier::rules::lint
