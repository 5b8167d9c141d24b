#include "promql/promqltest/engine_adapter.h"

#include "absl/time/time.h"
#include "engine/base/clock.h"

namespace fraisier::promql::promqltest {

EngineOptions TestEngineOptions() {
  EngineOptions options;
  options.lookback_delta = absl::Minutes(5);
  options.timeout = absl::Seconds(100);
  options.clock = RealClock::Get();
  return options;
}

}  // namespace fraisier::promql::promqltest
