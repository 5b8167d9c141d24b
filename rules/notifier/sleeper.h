// How a sender waits out a retry backoff. Production waits on a condition
// variable; unit tests use FakeSleeper, which records the requested waits
// and moves a FakeClock instead, so retries run without wall-clock time.
#ifndef RULES_NOTIFIER_SLEEPER_H_
#define RULES_NOTIFIER_SLEEPER_H_

#include <atomic>
#include <condition_variable>
#include <mutex>
#include <vector>

#include "absl/time/time.h"
#include "engine/base/clock.h"

namespace fraisier::notifier {

// Thread-safe: many senders may sleep on one Sleeper at once.
class Sleeper {
 public:
  virtual ~Sleeper() = default;
  // Returns once `d` has passed, or earlier once `wake` is true; `wake` is
  // checked on entry and after every WakeAll().
  virtual void SleepFor(absl::Duration d, const std::atomic<bool>& wake) = 0;
  // Makes every SleepFor re-check its `wake` flag. Set the flag first.
  virtual void WakeAll() = 0;
};

// Waits in real (steady) time.
class RealSleeper final : public Sleeper {
 public:
  void SleepFor(absl::Duration d, const std::atomic<bool>& wake) override;
  void WakeAll() override;

 private:
  std::mutex mu_;  // only orders flag checks against WakeAll (no lost wake)
  std::condition_variable cv_;
};

// For tests: a sleep advances `clock` by the requested duration at once and
// is recorded; a sleep whose `wake` flag is already set returns unrecorded.
class FakeSleeper final : public Sleeper {
 public:
  explicit FakeSleeper(FakeClock* clock) : clock_(clock) {}

  void SleepFor(absl::Duration d, const std::atomic<bool>& wake) override;
  void WakeAll() override {}

  // Every sleep so far, in order.
  std::vector<absl::Duration> sleeps() const;

 private:
  FakeClock* const clock_;
  mutable std::mutex mu_;
  std::vector<absl::Duration> sleeps_;  // guarded by mu_
};

}  // namespace fraisier::notifier

#endif  // RULES_NOTIFIER_SLEEPER_H_
