// The Fraisier alerts of monitoring/prometheus.rules.yml (the seed guide's
// four and the checklist's two API alerts) load and each fires on crafted
// data, evaluated with explicit times every 30 s. Every rule's values,
// and each alert resolving, are unit-tested in monitoring/tests/*.yml.
#include <map>
#include <string>
#include <tuple>
#include <vector>

#include "engine/storage/memory_storage.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "promql/engine.h"
#include "rules/group.h"
#include "rules/rule_query.h"
#include "rules/rulefile/rule_file.h"

namespace fraisier::rules {
namespace {

const absl::Time kT0 = absl::FromUnixSeconds(1'800'000'000);

class SeedAlertsTest : public ::testing::Test {
 protected:
  void SetUp() override {
    absl::StatusOr<RuleFileSpec> file =
        LoadRuleFile("monitoring/prometheus.rules.yml");
    ASSERT_TRUE(file.ok()) << file.status();
    // The recording rules for the dashboards, then the alerts.
    ASSERT_EQ(file->groups.size(), 2u);
    ASSERT_EQ(file->groups[0].name, "fraisier.recording");
    const RuleGroupSpec& alerts = file->groups[1];
    ASSERT_EQ(alerts.name, "fraisier");
    ASSERT_EQ(alerts.rules.size(), 6u);
    for (const RuleSpec& rule : alerts.rules) ASSERT_TRUE(rule.is_alert());
    group_ = std::make_unique<Group>(alerts, "prometheus.rules.yml",
                                     absl::Seconds(30));
    ctx_.store = &store_;
    ctx_.query = EngineQueryFunc(engine_, store_);
  }

  void Sample(std::initializer_list<LabelPair> labels, absl::Time t, double v) {
    auto app = store_.NewAppender();
    ASSERT_TRUE(
        app->Append(0, Labels::FromPairs(labels), absl::ToUnixMillis(t), v)
            .ok());
    ASSERT_TRUE(app->Commit().ok());
  }

  // Runs the group every 30 s for `minutes`, feeding data through `feed`
  // first; returns the state of each alert at the end.
  std::map<std::string, AlertState> Run(
      int minutes, const std::function<void(absl::Time)>& feed) {
    for (absl::Time t = kT0; t <= kT0 + absl::Minutes(minutes);
         t += absl::Seconds(30)) {
      feed(t);
      group_->Eval(t, ctx_);
    }
    std::map<std::string, AlertState> states;
    for (const auto& rule : group_->rules()) {
      const auto& a = std::get<std::unique_ptr<AlertingRule>>(rule);
      states[a->name()] = a->State();
    }
    return states;
  }

  // API traffic every 30 s: 3000 requests, `errors` of them failed,
  // `fast` answered within 0.5s and the rest within 2.5s.
  void Api(absl::Time t, int i, double errors, double fast) {
    Sample({{"__name__", "fraisier_requests_total"}}, t, 3000.0 * i);
    Sample({{"__name__", "fraisier_errors_total"}}, t, errors * i);
    const std::string bucket = "fraisier_request_duration_seconds_bucket";
    Sample({{"__name__", bucket}, {"le", "0.5"}}, t, fast * i);
    Sample({{"__name__", bucket}, {"le", "2.5"}}, t, 3000.0 * i);
    Sample({{"__name__", bucket}, {"le", "+Inf"}}, t, 3000.0 * i);
  }

  storage::MemoryStorage store_;
  promql::Engine engine_{promql::EngineOptions{}};
  std::unique_ptr<Group> group_;
  GroupContext ctx_;
};

TEST_F(SeedAlertsTest, QuietDataFiresNothing) {
  int i = 0;
  auto states = Run(10, [&](absl::Time t) {
    ++i;
    Sample({{"__name__", "fraisier_deployments_total"}, {"status", "success"}},
           t, 10.0 * i);
    Sample({{"__name__", "fraisier_deployments_total"}, {"status", "failed"}},
           t, 0);
    Sample({{"__name__", "fraisier_deployment_failures_total"}}, t, 0);
    Sample({{"__name__", "fraisier_health_checks_failed"}}, t, 1);
    Sample({{"__name__", "nats_server_state"}}, t, 1);
    Sample({{"__name__", "fraisier_database_connections"}}, t, 40);
    Api(t, i, /*errors=*/3, /*fast=*/3000);  // 0.1% errors, p95 < 0.5s
  });
  ASSERT_EQ(states.size(), 6u);
  for (const auto& [name, state] : states) {
    EXPECT_EQ(state, AlertState::kInactive) << name;
  }
}

TEST_F(SeedAlertsTest, EachAlertFiresOnItsIncident) {
  int i = 0;
  auto states = Run(10, [&](absl::Time t) {
    ++i;
    // 20% of deployments fail. The outcome is a label of the deployment
    // counter and not of the failure counter (the seed's expression, which
    // divides them series by series, would never fire).
    Sample({{"__name__", "fraisier_deployments_total"}, {"status", "success"}},
           t, 8.0 * i);
    Sample({{"__name__", "fraisier_deployments_total"}, {"status", "failed"}},
           t, 2.0 * i);
    Sample({{"__name__", "fraisier_deployment_failures_total"}}, t, 2.0 * i);
    // One failed health check every 30 s.
    Sample({{"__name__", "fraisier_health_checks_failed"}}, t, 1.0 * i);
    Sample({{"__name__", "nats_server_state"}}, t, 0);
    // No pool size exported: the count is read as a percentage.
    Sample({{"__name__", "fraisier_database_connections"}}, t, 97);
    // 2% of requests fail; 90% take over 0.5s, so p95 is about 2.4s.
    Api(t, i, /*errors=*/60, /*fast=*/300);
  });
  EXPECT_EQ(states["HighDeploymentFailureRate"], AlertState::kFiring);
  EXPECT_EQ(states["HealthCheckFailures"], AlertState::kFiring);
  EXPECT_EQ(states["NatsConnectionLost"], AlertState::kFiring);
  EXPECT_EQ(states["DatabasePoolExhausted"], AlertState::kFiring);
  EXPECT_EQ(states["ApiHighErrorRate"], AlertState::kFiring);
  EXPECT_EQ(states["ApiHighLatency"], AlertState::kFiring);
}

TEST_F(SeedAlertsTest, PoolPercentageUsesThePoolSizeWhenExported) {
  // 95 connections of a pool of 200 are 47.5%: quiet, though the seed's raw
  // `>= 95` would fire. 19 of 20 are 95%: fires.
  auto states = Run(10, [&](absl::Time t) {
    for (auto [pool, in_use, size] :
         {std::tuple{"big", 95, 200}, std::tuple{"small", 19, 20}}) {
      Sample({{"__name__", "fraisier_database_connections"}, {"pool", pool}}, t,
             in_use);
      Sample(
          {{"__name__", "fraisier_database_connections_max"}, {"pool", pool}},
          t, size);
    }
  });
  ASSERT_EQ(states["DatabasePoolExhausted"], AlertState::kFiring);
  std::vector<std::string> firing;
  for (const auto& rule : group_->rules()) {
    const auto& a = std::get<std::unique_ptr<AlertingRule>>(rule);
    if (a->name() != "DatabasePoolExhausted") continue;
    for (const Alert& alert : a->ActiveAlerts()) {
      EXPECT_EQ(alert.state, AlertState::kFiring);
      EXPECT_EQ(alert.value, 95);
      firing.emplace_back(alert.labels.Get("pool"));
    }
  }
  EXPECT_THAT(firing, ::testing::ElementsAre("small"));
}

TEST_F(SeedAlertsTest, ForDurationsHoldAsWritten) {
  // NATS down for 50 s: still pending (for: 1m); the pool at 96% for 4 min:
  // pending (for: 5m).
  auto states = Run(4, [&](absl::Time t) {
    Sample({{"__name__", "nats_server_state"}}, t,
           t >= kT0 + absl::Minutes(3) + absl::Seconds(10) ? 0 : 1);
    Sample({{"__name__", "fraisier_database_connections"}}, t, 96);
  });
  EXPECT_EQ(states["NatsConnectionLost"], AlertState::kPending);
  EXPECT_EQ(states["DatabasePoolExhausted"], AlertState::kPending);
}

}  // namespace
}  // namespace fraisier::rules
