#include "engine/demo/scenario.h"

#include <algorithm>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"

namespace fraisier::demo {

bool Conditions::Any() const {
  return std::any_of(active_.begin(), active_.end(), [](bool b) { return b; });
}

Conditions Scenario::ActiveAt(absl::Duration t) const {
  Conditions conditions;
  for (const Incident& incident : incidents) {
    if (t >= incident.start && t < incident.end())
      conditions.Set(incident.kind);
  }
  return conditions;
}

namespace {

// Four minutes each: long enough that all six alerts are firing together
// from about t=3m20s (the last starts at 1m45s; its alert needs a `for` of
// at most 1m plus two evaluation intervals), short enough that the quick
// ones resolve a few minutes later.
constexpr absl::Duration kIncidentLength = absl::Minutes(4);

Scenario Incidents() {
  using absl::Seconds;
  return Scenario{
      "incidents",
      {
          {IncidentKind::kDeploymentFailures, "deployment failure burst",
           "HighDeploymentFailureRate", Seconds(30), kIncidentLength},
          {IncidentKind::kSlowApi, "slow API", "API p95 latency above 1s",
           Seconds(45), kIncidentLength},
          {IncidentKind::kNatsDown, "NATS down", "NatsConnectionLost",
           Seconds(60), kIncidentLength},
          {IncidentKind::kHealthCheckFailures, "health check failures",
           "HealthCheckFailures", Seconds(75), kIncidentLength},
          {IncidentKind::kApiErrors, "API errors", "API error rate above 1%",
           Seconds(90), kIncidentLength},
          {IncidentKind::kPoolExhausted, "database pool exhaustion",
           "DatabasePoolExhausted", Seconds(105), kIncidentLength},
      }};
}

}  // namespace

std::vector<std::string> ScenarioNames() { return {"incidents", "calm"}; }

absl::StatusOr<Scenario> ScenarioByName(absl::string_view name) {
  if (name == "incidents") return Incidents();
  if (name == "calm") return Scenario{"calm", {}};
  return absl::InvalidArgumentError(absl::StrCat(
      "unknown scenario \"", name,
      "\"; expected one of: ", absl::StrJoin(ScenarioNames(), ", ")));
}

}  // namespace fraisier::demo
