#include "rules/notifier/sleeper.h"

#include <chrono>

namespace fraisier::notifier {

void RealSleeper::SleepFor(absl::Duration d, const std::atomic<bool>& wake) {
  std::unique_lock<std::mutex> lock(mu_);
  cv_.wait_for(lock, absl::ToChronoNanoseconds(d),
               [&wake] { return wake.load(); });
}

void RealSleeper::WakeAll() {
  // Taking the mutex between the caller's flag store and the notification
  // means a sleeper is either before its check (and sees the flag) or
  // already waiting (and gets the notification).
  { std::lock_guard<std::mutex> lock(mu_); }
  cv_.notify_all();
}

void FakeSleeper::SleepFor(absl::Duration d, const std::atomic<bool>& wake) {
  if (wake.load()) return;
  {
    std::lock_guard<std::mutex> lock(mu_);
    sleeps_.push_back(d);
  }
  clock_->Advance(d);
}

std::vector<absl::Duration> FakeSleeper::sleeps() const {
  std::lock_guard<std::mutex> lock(mu_);
  return sleeps_;
}

}  // namespace fraisier::notifier
