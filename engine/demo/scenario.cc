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
// from about t=3m (the last starts at 1m45s; its alert needs the demo's
// `for: 1m` plus up to two 15s evaluation intervals; measured with
// tools/run: all six firing at 2m58s), short enough that the quick ones
// resolve a few minutes later.
constexpr absl::Duration kIncidentLength = absl::Minutes(4);

Scenario Incidents() {
  using absl::Seconds;
  return Scenario{
      "incidents",
      {
          {IncidentKind::kDeploymentFailures, "deployment failure burst",
           "HighDeploymentFailureRate",
           "as new deployments push the hour's failures under 10%", Seconds(30),
           kIncidentLength},
          {IncidentKind::kSlowApi, "slow API", "ApiHighLatency",
           "once its 5m window is fast again", Seconds(45), kIncidentLength},
          {IncidentKind::kNatsDown, "NATS down", "NatsConnectionLost",
           "at the next evaluation", Seconds(60), kIncidentLength},
          {IncidentKind::kHealthCheckFailures, "health check failures",
           "HealthCheckFailures", "when the failures leave its 1h window",
           Seconds(75), kIncidentLength},
          {IncidentKind::kApiErrors, "API errors", "ApiHighErrorRate",
           "once its 5m window is under 1% errors", Seconds(90),
           kIncidentLength},
          {IncidentKind::kPoolExhausted, "database pool exhaustion",
           "DatabasePoolExhausted", "at the next evaluation", Seconds(105),
           kIncidentLength},
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
