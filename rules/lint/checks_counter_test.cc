// rate-on-non-counter, counter-without-rate, rate-range-too-short.
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "rules/lint/lint_test_util.h"

namespace fraisier::rules::lint {
namespace {

using ::testing::ElementsAre;
using ::testing::HasSubstr;
using ::testing::IsEmpty;

TEST(RateOnNonCounterTest, FlagsGaugesByName) {
  EXPECT_THAT(
      MessagesOf("rate-on-non-counter",
                 LintYaml(RecordYaml("rate(node_memory_free_bytes[5m]) + "
                                     "irate(node_memory_free_bytes[5m])"))),
      ElementsAre("`rate(node_memory_free_bytes[5m])`: node_memory_free_bytes "
                  "is not a counter by convention (it ends in _bytes without "
                  "_total), and rate() reads each of its drops as a counter "
                  "reset; use delta() or deriv() for a gauge's change; if it "
                  "really counts up, expose it as "
                  "node_memory_free_bytes_total"));
  EXPECT_THAT(MessagesOf("rate-on-non-counter",
                         LintYaml(RecordYaml("increase(up[1h])"))),
              ElementsAre(HasSubstr("(up is a gauge (1 or 0))")));
  for (const char* name :
       {"process_start_time_seconds", "disk_used_ratio", "build_info",
        "scrape_duration_seconds", "nats_server_state", "cpu_temperature"}) {
    EXPECT_THAT(
        MessagesOf("rate-on-non-counter",
                   LintYaml(RecordYaml(std::string("rate(") + name + "[5m])"))),
        ElementsAre(HasSubstr("is not a counter by convention")))
        << name;
  }
  EXPECT_THAT(
      MessagesOf("rate-on-non-counter",
                 LintYaml(RecordYaml("rate(job:http_requests:rate5m[5m])"))),
      ElementsAre(
          "`rate(job:http_requests:rate5m[5m])`: job:http_requests:rate5m is "
          "not a counter by convention (its operations part says it is "
          "already a rate), and rate() reads each of its drops as a counter "
          "reset; use the recorded value as it is, or record the counter "
          "itself and rate that"));
}

TEST(RateOnNonCounterTest, SilentWhenTheNameAllowsACounter) {
  // Counters by suffix, names that say nothing about their type (older
  // exporters' counters, like the seed's fraisier_health_checks_failed),
  // possible native histograms, and anything but a plain matrix selector.
  for (const char* expr :
       {"rate(http_requests_total[5m])", "rate(x_count[5m])",
        "increase(x_sum[1h])", "irate(x_bucket[5m])",
        "increase(fraisier_health_checks_failed[1h])",
        "rate(nats_server_in_msgs[5m])",
        "rate(http_request_duration_seconds[5m])",
        "rate(job:http_requests_total:sum[5m])",
        "rate(instance:node_cpu:ratio_sum[5m])",
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

TEST(CounterWithoutRateTest, NamesTheRulesRateAreCounters) {
  // The seed guide's health-check ratio: the same files increase() both.
  std::string yaml =
      "groups:\n  - name: g\n    rules:\n"
      "      - record: ratio\n        expr: (passed / (passed + failed)) * "
      "100\n"
      "      - record: p\n        expr: increase(passed[1h])\n"
      "      - record: f\n        expr: rate(failed[5m])\n"
      "      - record: g\n        expr: gauge_thing / 2\n";
  EXPECT_THAT(
      MessagesOf("counter-without-rate", LintYaml(yaml)),
      ElementsAre("passed is a counter (the rules pass it to increase()) "
                  "used as a raw value: it only counts since the process "
                  "started and falls to zero on restart; use "
                  "rate(passed[5m]) or increase(passed[1h]), and divide "
                  "rates by rates for a ratio",
                  HasSubstr("failed is a counter (the rules pass it to "
                            "rate())")));
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
