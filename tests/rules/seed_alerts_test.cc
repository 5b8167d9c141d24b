// The seed guide's four alerts (monitoring/prometheus.rules.yml) load and
// each fires on crafted data, evaluated with explicit times every 30 s.
#include <map>
#include <string>

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
    ASSERT_EQ(file->groups.size(), 1u);
    ASSERT_EQ(file->num_rules(), 4);
    group_ = std::make_unique<Group>(file->groups[0], "prometheus.rules.yml",
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

  storage::MemoryStorage store_;
  promql::Engine engine_{promql::EngineOptions{}};
  std::unique_ptr<Group> group_;
  GroupContext ctx_;
};

TEST_F(SeedAlertsTest, QuietDataFiresNothing) {
  int i = 0;
  auto states = Run(10, [&](absl::Time t) {
    ++i;
    Sample({{"__name__", "fraisier_deployments_total"}}, t, 10.0 * i);
    Sample({{"__name__", "fraisier_deployment_failures_total"}}, t, 0);
    Sample({{"__name__", "fraisier_health_checks_failed"}}, t, 1);
    Sample({{"__name__", "nats_server_state"}}, t, 1);
    Sample({{"__name__", "fraisier_database_connections"}}, t, 40);
  });
  for (const auto& [name, state] : states) {
    EXPECT_EQ(state, AlertState::kInactive) << name;
  }
}

TEST_F(SeedAlertsTest, EachAlertFiresOnItsIncident) {
  int i = 0;
  auto states = Run(10, [&](absl::Time t) {
    ++i;
    // 20% of deployments fail.
    Sample({{"__name__", "fraisier_deployments_total"}}, t, 10.0 * i);
    Sample({{"__name__", "fraisier_deployment_failures_total"}}, t, 2.0 * i);
    // One failed health check every 30 s.
    Sample({{"__name__", "fraisier_health_checks_failed"}}, t, 1.0 * i);
    Sample({{"__name__", "nats_server_state"}}, t, 0);
    Sample({{"__name__", "fraisier_database_connections"}}, t, 97);
  });
  EXPECT_EQ(states["HighDeploymentFailureRate"], AlertState::kFiring);
  EXPECT_EQ(states["HealthCheckFailures"], AlertState::kFiring);
  EXPECT_EQ(states["NatsConnectionLost"], AlertState::kFiring);
  EXPECT_EQ(states["DatabasePoolExhausted"], AlertState::kFiring);
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
