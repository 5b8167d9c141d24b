// The demo's scripted incidents: what goes wrong in the simulated Fraisier
// installation, when, for how long, and which alert of
// monitoring/prometheus.rules.yml should catch it. Times are scenario time
// from the demo's start; `ruler demo --time-scale` compresses them.
#ifndef ENGINE_DEMO_SCENARIO_H_
#define ENGINE_DEMO_SCENARIO_H_

#include <array>
#include <cstddef>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "absl/time/time.h"

namespace fraisier::demo {

enum class IncidentKind {
  kDeploymentFailures,   // a bad release: most deployments fail
  kSlowApi,              // API latency up by an order of magnitude
  kNatsDown,             // the NATS server stops serving
  kHealthCheckFailures,  // production health checks fail
  kApiErrors,            // the API answers 5% of requests with 500
  kPoolExhausted,        // the database connection pool is nearly full
};
inline constexpr size_t kIncidentKinds = 6;

// The incidents in progress at one moment.
class Conditions {
 public:
  bool Has(IncidentKind kind) const {
    return active_[static_cast<size_t>(kind)];
  }
  void Set(IncidentKind kind) { active_[static_cast<size_t>(kind)] = true; }
  bool Any() const;

 private:
  std::array<bool, kIncidentKinds> active_ = {};
};

struct Incident {
  IncidentKind kind;
  std::string name;      // as the timeline prints it: "NATS down"
  std::string alert;     // the alert of monitoring/prometheus.rules.yml
  std::string resolves;  // when that alert resolves after the incident
  absl::Duration start;
  absl::Duration length;

  absl::Duration end() const { return start + length; }
};

struct Scenario {
  std::string name;
  std::vector<Incident> incidents;  // by start time

  Conditions ActiveAt(absl::Duration t) const;
};

// "incidents": one incident of each kind, staggered over the first two
// minutes and overlapping so that every alert fires within five minutes
// with the demo's rule timings (see demo_rules.h); afterwards all is calm.
// "calm": no incidents.
absl::StatusOr<Scenario> ScenarioByName(absl::string_view name);

// The names ScenarioByName knows, for usage text.
std::vector<std::string> ScenarioNames();

}  // namespace fraisier::demo

#endif  // ENGINE_DEMO_SCENARIO_H_
