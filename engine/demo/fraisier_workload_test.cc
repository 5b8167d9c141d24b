#include "engine/demo/fraisier_workload.h"

#include <map>
#include <set>
#include <string>
#include <vector>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace fraisier::demo {
namespace {

using Snapshot = std::vector<ingest::RemoteWriteSeries>;

// The sum over series named `name` whose labels include every pair of
// `match`, as `sum(name{match})` would give.
double Sum(const Snapshot& s, const std::string& name,
           const LabelPairs& match = {}) {
  double total = 0;
  for (const ingest::RemoteWriteSeries& series : s) {
    bool ok = false;
    int matched = 0;
    for (const auto& [n, v] : series.labels) {
      if (n == "__name__") ok = v == name;
      for (const auto& [mn, mv] : match) {
        if (n == mn && v == mv) ++matched;
      }
    }
    if (ok && matched == static_cast<int>(match.size())) {
      total += series.samples[0].second;
    }
  }
  return total;
}

std::string Key(const ingest::RemoteWriteSeries& series) {
  std::string key;
  for (const auto& [n, v] : series.labels)
    absl::StrAppend(&key, n, "=", v, ",");
  return key;
}

// Runs `scenario` in 5-second steps for `length`; snapshots[i] is at i*5s.
std::vector<Snapshot> Play(const Scenario& scenario, absl::Duration length,
                           uint64_t seed = 1) {
  const absl::Duration step = absl::Seconds(5);
  FraisierWorkload w(seed);
  std::vector<Snapshot> out = {w.Snapshot(0)};
  for (absl::Duration t = step; t <= length; t += step) {
    w.Advance(step, scenario.ActiveAt(t));
    out.push_back(w.Snapshot(absl::ToInt64Milliseconds(t)));
  }
  return out;
}

size_t At(absl::Duration t) {
  return static_cast<size_t>(absl::ToInt64Seconds(t) / 5);
}

// rate(errors) / rate(requests) over (from, to].
double ErrorRatio(const std::vector<Snapshot>& s, absl::Duration from,
                  absl::Duration to) {
  return (Sum(s[At(to)], "fraisier_errors_total") -
          Sum(s[At(from)], "fraisier_errors_total")) /
         (Sum(s[At(to)], "fraisier_requests_total") -
          Sum(s[At(from)], "fraisier_requests_total"));
}

// Share of API requests in (from, to] that took at most 1s: below 0.95
// means a p95 above 1s.
double WithinOneSecond(const std::vector<Snapshot>& s, absl::Duration from,
                       absl::Duration to) {
  const std::string b = "fraisier_request_duration_seconds_bucket";
  return (Sum(s[At(to)], b, {{"le", "1"}}) -
          Sum(s[At(from)], b, {{"le", "1"}})) /
         (Sum(s[At(to)], b, {{"le", "+Inf"}}) -
          Sum(s[At(from)], b, {{"le", "+Inf"}}));
}

// Failed share of all deployments so far (the rule's 1h window covers the
// whole run).
double FailedShare(const Snapshot& s) {
  return Sum(s, "fraisier_deployment_failures_total") /
         Sum(s, "fraisier_deployments_total");
}

TEST(FraisierWorkloadTest, SeedGuideSeriesExist) {
  FraisierWorkload w(1);
  const SeriesTable& t = w.table();
  EXPECT_GE(
      t.Find("fraisier_deployments_total", {{"environment", "production"},
                                            {"instance", "localhost:9090"},
                                            {"job", "fraisier"},
                                            {"status", "failed"}}),
      0);
  EXPECT_GE(t.Find("fraisier_deployment_duration_seconds_bucket",
                   {{"environment", "staging"},
                    {"instance", "localhost:9090"},
                    {"job", "fraisier"},
                    {"le", "+Inf"}}),
            0);
  EXPECT_GE(t.Find("nats_server_state",
                   {{"instance", "localhost:8222"}, {"job", "nats"}}),
            0);
  std::set<std::string> names;
  for (const auto& series : w.Snapshot(0))
    names.insert(series.labels[0].second);
  for (const char* name : {"fraisier_deployments_total",
                           "fraisier_deployment_failures_total",
                           "fraisier_deployment_duration_seconds_bucket",
                           "fraisier_deployment_duration_seconds_sum",
                           "fraisier_deployment_duration_seconds_count",
                           "fraisier_health_checks_passed",
                           "fraisier_health_checks_failed",
                           "fraisier_requests_total",
                           "fraisier_request_duration_seconds_bucket",
                           "fraisier_errors_total",
                           "fraisier_database_connections",
                           "fraisier_database_connections_max",
                           "fraisier_database_query_duration_seconds_bucket",
                           "fraisier_nats_events_published",
                           "nats_server_state",
                           "nats_server_uptime_seconds",
                           "nats_server_connections",
                           "nats_server_total_connections",
                           "nats_server_in_msgs",
                           "nats_server_out_msgs",
                           "nats_jetstream_accounts",
                           "nats_jetstream_streams",
                           "nats_jetstream_messages",
                           "nats_jetstream_consumers_message_delivered",
                           "nats_jetstream_consumers_messages_pending",
                           "up"}) {
    EXPECT_TRUE(names.count(name)) << name;
  }
  EXPECT_EQ(Sum(w.Snapshot(0), "fraisier_database_connections_max"), 100);
}

TEST(FraisierWorkloadTest, CountersOnlyGrowAndGaugesStayInRange) {
  const Scenario scenario = *ScenarioByName("incidents");
  const std::vector<Snapshot> s = Play(scenario, absl::Minutes(12));
  const std::set<std::string> gauges = {
      "fraisier_database_connections",
      "fraisier_database_connections_max",
      "nats_server_state",
      "nats_server_connections",
      "nats_jetstream_consumers_messages_pending",
      "nats_jetstream_accounts",
      "nats_jetstream_streams",
      "pg_replication_lag_seconds",
      "up"};
  for (size_t i = 1; i < s.size(); ++i) {
    ASSERT_EQ(s[i].size(), s[0].size());
    for (size_t k = 0; k < s[i].size(); ++k) {
      ASSERT_EQ(Key(s[i][k]), Key(s[0][k]));
      const double v = s[i][k].samples[0].second;
      EXPECT_GE(v, 0) << Key(s[i][k]);
      if (gauges.count(s[i][k].labels[0].second) == 0) {
        EXPECT_GE(v, s[i - 1][k].samples[0].second)
            << Key(s[i][k]) << " at step " << i;
      }
    }
  }
}

TEST(FraisierWorkloadTest, EachIncidentCrossesItsAlertThresholdOnlyWhileOn) {
  const Scenario scenario = *ScenarioByName("incidents");
  const std::vector<Snapshot> s = Play(scenario, absl::Minutes(12));
  using absl::Minutes;
  using absl::Seconds;

  // NATS down from 60s to 5m: nats_server_state == 0 exactly then.
  for (size_t i = 0; i < s.size(); ++i) {
    const bool down = i * 5 >= 60 && i * 5 < 300;
    EXPECT_EQ(Sum(s[i], "nats_server_state"), down ? 0 : 1) << i * 5 << "s";
    EXPECT_EQ(Sum(s[i], "nats_server_connections") == 0, down) << i * 5;
  }
  // The pool is 95% or more in use from 1m45s to 5m45s, far below before.
  for (size_t i = 0; i < s.size(); ++i) {
    const bool full = i * 5 >= 105 && i * 5 < 345;
    const double in_use = Sum(s[i], "fraisier_database_connections");
    if (full) {
      EXPECT_GE(in_use, 95) << i * 5 << "s";
    } else {
      EXPECT_LE(in_use, 50) << i * 5 << "s";
    }
  }
  // Deployments: a 3% failure share before the burst, over 10% soon after
  // it starts, and failures are the failed deployments.
  EXPECT_LT(FailedShare(s[At(Seconds(30))]), 0.1);
  EXPECT_GT(FailedShare(s[At(Minutes(1))]), 0.1);
  EXPECT_GT(FailedShare(s[At(Minutes(5))]), 0.3);
  EXPECT_EQ(
      Sum(s.back(), "fraisier_deployment_failures_total"),
      Sum(s.back(), "fraisier_deployments_total", {{"status", "failed"}}));
  EXPECT_EQ(Sum(s.back(), "fraisier_deployment_duration_seconds_count"),
            Sum(s.back(), "fraisier_deployments_total"));
  // Health checks: none fail before 1m15s (the step ending then is the
  // first under the incident); during the incident each
  // production check fails more than five times within two minutes; other
  // environments never fail.
  const std::string failed = "fraisier_health_checks_failed";
  EXPECT_EQ(Sum(s[At(Seconds(70))], failed), 0);
  for (const char* check : {"http", "tcp", "exec"}) {
    const LabelPairs prod = {{"environment", "production"}, {"check", check}};
    EXPECT_GT(Sum(s[At(Seconds(195))], failed, prod), 5) << check;
  }
  EXPECT_EQ(Sum(s.back(), failed, {{"environment", "staging"}}), 0);
  EXPECT_EQ(Sum(s.back(), failed, {{"environment", "development"}}), 0);
  // API errors (1m30s to 5m30s): about 5% of requests, 0.1% otherwise.
  EXPECT_LT(ErrorRatio(s, Seconds(0), Seconds(85)), 0.01);
  EXPECT_GT(ErrorRatio(s, Seconds(90), Seconds(150)), 0.03);
  EXPECT_LT(ErrorRatio(s, Minutes(6), Minutes(11)), 0.01);
  // Slow API (45s to 4m45s): p95 above 1s within 30s, below it otherwise.
  EXPECT_GT(WithinOneSecond(s, Seconds(0), Seconds(40)), 0.99);
  EXPECT_LT(WithinOneSecond(s, Seconds(0), Seconds(75)), 0.95);
  EXPECT_LT(WithinOneSecond(s, Seconds(45), Minutes(4)), 0.5);
  EXPECT_GT(WithinOneSecond(s, Minutes(5), Minutes(10)), 0.99);
}

TEST(FraisierWorkloadTest, CalmHourTripsNoThreshold) {
  const std::vector<Snapshot> s =
      Play(*ScenarioByName("calm"), absl::Hours(1), /*seed=*/7);
  EXPECT_LT(FailedShare(s.back()), 0.06);
  EXPECT_GT(Sum(s.back(), "fraisier_deployments_total"), 500);
  EXPECT_LE(Sum(s.back(), "fraisier_health_checks_failed"), 5);
  for (absl::Duration t = absl::Minutes(5); t <= absl::Hours(1);
       t += absl::Minutes(5)) {
    EXPECT_LT(ErrorRatio(s, t - absl::Minutes(5), t), 0.01);
    EXPECT_GT(WithinOneSecond(s, t - absl::Minutes(5), t), 0.99);
  }
  for (const Snapshot& snap : s) {
    ASSERT_EQ(Sum(snap, "nats_server_state"), 1);
    ASSERT_LT(Sum(snap, "fraisier_database_connections"), 95);
  }
}

TEST(FraisierWorkloadTest, SameSeedSameNumbers) {
  const Scenario scenario = *ScenarioByName("incidents");
  const std::vector<Snapshot> a = Play(scenario, absl::Minutes(3), 42);
  const std::vector<Snapshot> b = Play(scenario, absl::Minutes(3), 42);
  const std::vector<Snapshot> c = Play(scenario, absl::Minutes(3), 43);
  EXPECT_EQ(a.back(), b.back());
  EXPECT_NE(a.back(), c.back());
}

}  // namespace
}  // namespace fraisier::demo
