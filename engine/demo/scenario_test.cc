#include "engine/demo/scenario.h"

#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace fraisier::demo {
namespace {

using ::testing::ElementsAre;

TEST(ScenarioTest, IncidentsCoverEveryKindWithinTwoMinutesAndOverlap) {
  absl::StatusOr<Scenario> s = ScenarioByName("incidents");
  ASSERT_TRUE(s.ok()) << s.status();
  std::vector<std::string> alerts;
  for (const Incident& i : s->incidents) alerts.push_back(i.alert);
  EXPECT_THAT(alerts, ElementsAre("HighDeploymentFailureRate", "ApiHighLatency",
                                  "NatsConnectionLost", "HealthCheckFailures",
                                  "ApiHighErrorRate", "DatabasePoolExhausted"));
  // At 2m every incident is in progress, so every alert can be firing at
  // once within the first five minutes.
  const Conditions at_2m = s->ActiveAt(absl::Minutes(2));
  for (const Incident& i : s->incidents) {
    EXPECT_LE(i.start, absl::Seconds(105)) << i.name;
    EXPECT_TRUE(at_2m.Has(i.kind)) << i.name;
  }
  EXPECT_FALSE(s->ActiveAt(absl::Seconds(29)).Any());
  EXPECT_FALSE(s->ActiveAt(absl::Minutes(10)).Any());
}

TEST(ScenarioTest, ActiveAtIsHalfOpen) {
  absl::StatusOr<Scenario> s = ScenarioByName("incidents");
  ASSERT_TRUE(s.ok());
  const Incident& nats = s->incidents[2];
  ASSERT_EQ(nats.kind, IncidentKind::kNatsDown);
  EXPECT_FALSE(s->ActiveAt(nats.start - absl::Milliseconds(1))
                   .Has(IncidentKind::kNatsDown));
  EXPECT_TRUE(s->ActiveAt(nats.start).Has(IncidentKind::kNatsDown));
  EXPECT_TRUE(s->ActiveAt(nats.end() - absl::Milliseconds(1))
                  .Has(IncidentKind::kNatsDown));
  EXPECT_FALSE(s->ActiveAt(nats.end()).Has(IncidentKind::kNatsDown));
}

TEST(ScenarioTest, CalmHasNoIncidentsAndUnknownNamesAreErrors) {
  absl::StatusOr<Scenario> calm = ScenarioByName("calm");
  ASSERT_TRUE(calm.ok());
  EXPECT_TRUE(calm->incidents.empty());
  absl::StatusOr<Scenario> bad = ScenarioByName("chaos");
  EXPECT_EQ(bad.status().message(),
            "unknown scenario \"chaos\"; expected one of: incidents, calm");
}

}  // namespace
}  // namespace fraisier::demo
