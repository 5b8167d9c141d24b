// `ruler demo`'s loop: every interval, advance the simulated Fraisier
// installation to now, remote-write one sample of each of its series, and
// print the incident timeline as it unfolds. Clock, sleeper and HTTP
// transport are injected, so tests drive it on a fake clock.
#ifndef ENGINE_DEMO_FEEDER_H_
#define ENGINE_DEMO_FEEDER_H_

#include <atomic>
#include <cstdint>
#include <ostream>
#include <string>

#include "absl/time/time.h"
#include "engine/base/clock.h"
#include "engine/demo/fraisier_workload.h"
#include "engine/demo/scenario.h"
#include "rules/notifier/sleeper.h"
#include "rules/notifier/transport.h"

namespace fraisier::demo {

struct FeederOptions {
  std::string url = "http://127.0.0.1:9099/api/v1/write";
  absl::Duration interval = absl::Seconds(5);
  // Scenario seconds per real second: 4 plays the incidents four times
  // faster (traffic rates stay per real second).
  double time_scale = 1;
  absl::Duration duration = absl::ZeroDuration();  // zero: until stopped
  uint64_t seed = 1;
  absl::Duration request_timeout = absl::Seconds(10);
};

struct FeederStats {
  int64_t writes = 0;
  int64_t failed_writes = 0;
  int64_t samples = 0;  // in successful writes
};

// Thread-compatible: Run on one thread; stop it from another by setting
// the flag passed to Run and calling sleeper->WakeAll().
class Feeder {
 public:
  Feeder(FeederOptions options, Scenario scenario, const Clock* clock,
         notifier::Sleeper* sleeper, notifier::HttpTransport* transport,
         std::ostream* out);

  // Writes until `stop` is set or options.duration has passed.
  FeederStats Run(const std::atomic<bool>& stop);

 private:
  void PrintPlan();
  // Prints the incidents that began or ended in scenario time (from, to].
  void PrintTimeline(absl::Duration from, absl::Duration to,
                     absl::Duration elapsed);
  void Write(absl::Duration elapsed, const std::atomic<bool>& stop);
  // Real time at which scenario time `t` comes.
  absl::Duration RealTime(absl::Duration scenario_time) const;

  const FeederOptions options_;
  const Scenario scenario_;
  const Clock* const clock_;
  notifier::Sleeper* const sleeper_;
  notifier::HttpTransport* const transport_;
  std::ostream* const out_;
  FraisierWorkload workload_;
  FeederStats stats_;
  int64_t last_sample_ms_ = 0;
  int64_t failure_streak_ = 0;
};

// "t=1m30s", "t=0s": elapsed time as the timeline prints it (whole
// seconds).
std::string TimelineStamp(absl::Duration elapsed);

}  // namespace fraisier::demo

#endif  // ENGINE_DEMO_FEEDER_H_
