#include "engine/base/clock.h"

namespace fraisier {

RealClock* RealClock::Get() {
  static RealClock* const clock = new RealClock();
  return clock;
}

absl::Time FakeClock::Now() const {
  std::lock_guard<std::mutex> lock(mu_);
  return now_;
}

void FakeClock::Advance(absl::Duration d) {
  if (d < absl::ZeroDuration()) return;
  std::lock_guard<std::mutex> lock(mu_);
  now_ += d;
}

void FakeClock::Set(absl::Time t) {
  std::lock_guard<std::mutex> lock(mu_);
  now_ = t;
}

}  // namespace fraisier
