// rate-on-non-counter, counter-without-rate, rate-range-too-short.
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "rules/lint/lint_test_util.h"

namespace fraisier::rules::lint {
namespace {

using ::testing::ElementsAre;
using ::testing::HasSubstr;
using ::testing::IsEmpty;

TEST(RateOnNonCounterTest, FlagsNamesThatAreNotCounters) {
  EXPECT_THAT(
      MessagesOf(
          "rate-on-non-counter",
          LintYaml(RecordYaml("increase(fraisier_health_checks_failed[1h])"))),
      ElementsAre(
          "`increase(fraisier_health_checks_failed[1h])`: "
          "fraisier_health_checks_failed is not a counter by its name "
          "(counters end in _total; _count, _sum and _bucket count too), and "
          "increase() on a gauge reads every drop as a counter reset; if it "
          "is a counter, expose it as fraisier_health_checks_failed_total (or "
          "disable this check on the rule); if it is a gauge, use delta() or "
          "deriv()"));
  EXPECT_THAT(
      MessagesOf("rate-on-non-counter",
                 LintYaml(RecordYaml("rate(node_memory_free_bytes[5m]) + "
                                     "irate(node_memory_free_bytes[5m])"))),
      ElementsAre(HasSubstr("node_memory_free_bytes is not")));
  EXPECT_THAT(
      MessagesOf("rate-on-non-counter",
                 LintYaml(RecordYaml("rate(instance:cpu:ratio[5m])"))),
      ElementsAre(HasSubstr("if the recorded series counts up, rate the "
                            "counter before recording it")));
}

TEST(RateOnNonCounterTest, AcceptsCountersByConvention) {
  for (const char* expr :
       {"rate(http_requests_total[5m])", "rate(x_count[5m])",
        "increase(x_sum[1h])", "irate(x_bucket[5m])",
        "rate(job:http_requests_total:sum[5m])",
        "rate({__name__=~\"a.*\"}[5m])", "deriv(node_memory_free_bytes[5m])",
        "rate(rate(x_total[1m])[5m:1m])"}) {
    EXPECT_THAT(MessagesOf("rate-on-non-counter", LintYaml(RecordYaml(expr))),
                IsEmpty())
        << expr;
  }
}

TEST(CounterWithoutRateTest, FlagsRawCounters) {
  EXPECT_THAT(
      MessagesOf("counter-without-rate",
                 LintYaml(RecordYaml(
                     "(fraisier_deployments_total{status=\"success\"} / "
                     "fraisier_deployments_total) * 100"))),
      ElementsAre(
          "fraisier_deployments_total is a counter (by its _total name) used "
          "as a raw value: it only counts since the process started and "
          "falls to zero on restart; use rate(fraisier_deployments_total[5m]) "
          "or increase(fraisier_deployments_total[1h]), and divide rates by "
          "rates for a ratio"));
  for (const char* expr :
       {"sum(x_total)", "x_total > 100", "x_total - x_total offset 1h",
        "topk(3, x_total)", "x_total and up"}) {
    EXPECT_THAT(MessagesOf("counter-without-rate", LintYaml(RecordYaml(expr))),
                ElementsAre(HasSubstr("x_total is a counter")))
        << expr;
  }
}

TEST(CounterWithoutRateTest, AcceptsUsesThatIgnoreTheValue) {
  for (const char* expr :
       {"rate(x_total[5m])", "increase(x_total[1h])", "count(x_total)",
        "count by (job) (x_total)", "group(x_total)", "absent(x_total)",
        "timestamp(x_total)", "up and x_total > 0", "up unless x_total",
        "rate(x_total[5m:1m])", "max_over_time(x_total[1h:])",
        "job:x_total:sum"}) {
    std::vector<Finding> f = LintYaml(RecordYaml(expr));
    EXPECT_THAT(MessagesOf("counter-without-rate", f), IsEmpty()) << expr;
  }
}

TEST(RateRangeTooShortTest, ComparesWithTheScrapeInterval) {
  EXPECT_THAT(
      MessagesOf("rate-range-too-short",
                 LintYaml(RecordYaml("rate(nats_in_msgs_total[1m])"))),
      ElementsAre("`rate(nats_in_msgs_total[1m])`: the range 1m is shorter "
                  "than two scrape intervals (the scrape interval is 1m, see "
                  "--lint.scrape-interval), so it often holds fewer than the "
                  "two samples rate() needs and returns nothing; use at least "
                  "[2m], better [4m]"));
  for (const char* fn : {"irate", "increase", "delta", "idelta", "deriv"}) {
    EXPECT_THAT(
        MessagesOf("rate-range-too-short",
                   LintYaml(RecordYaml(std::string(fn) + "(x_total[90s])"))),
        ElementsAre(HasSubstr("the range 1m30s is shorter")))
        << fn;
  }
  EXPECT_THAT(MessagesOf("rate-range-too-short",
                         LintYaml(RecordYaml("rate(x_total[2m])"))),
              IsEmpty());
  EXPECT_THAT(MessagesOf("rate-range-too-short",
                         LintYaml(RecordYaml("max_over_time(x[30s])"))),
              IsEmpty());
  LintOptions fast;
  fast.scrape_interval = absl::Seconds(15);
  EXPECT_THAT(MessagesOf("rate-range-too-short",
                         LintYaml(RecordYaml("rate(x_total[1m])"), fast)),
              IsEmpty());
  EXPECT_THAT(MessagesOf("rate-range-too-short",
                         LintYaml(RecordYaml("rate(x_total[20s])"), fast)),
              ElementsAre(HasSubstr("use at least [30s], better [1m]")));
}

}  // namespace
}  // namespace fraisier::rules::lint
