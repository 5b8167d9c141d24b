// Injected time source. Nothing in the project reads the system clock
// directly: the server wires a RealClock, tests wire a FakeClock and move
// time explicitly, so no test waits on wall-clock time.
#ifndef ENGINE_BASE_CLOCK_H_
#define ENGINE_BASE_CLOCK_H_

#include <mutex>

#include "absl/time/clock.h"
#include "absl/time/time.h"

namespace fraisier {

// Thread-safe: implementations may be called from any thread.
class Clock {
 public:
  virtual ~Clock() = default;
  virtual absl::Time Now() const = 0;

  // Milliseconds since the Unix epoch, the unit of every stored timestamp.
  int64_t NowMillis() const { return absl::ToUnixMillis(Now()); }
};

// The system's real-time clock.
class RealClock final : public Clock {
 public:
  absl::Time Now() const override { return absl::Now(); }

  // A process-wide instance; never destroyed.
  static RealClock* Get();
};

// A clock that only moves when told to. Thread-safe.
// Invariant: time never moves backwards through Advance().
class FakeClock final : public Clock {
 public:
  explicit FakeClock(absl::Time start = absl::UnixEpoch()) : now_(start) {}

  absl::Time Now() const override;

  // Moves time forward by `d`; a negative `d` is ignored.
  void Advance(absl::Duration d);
  // Sets the time to `t`, forwards or backwards.
  void Set(absl::Time t);

 private:
  mutable std::mutex mu_;  // std::mutex: TSan instruments it (DESIGN §4).
  absl::Time now_;         // Guarded by mu_.
};

}  // namespace fraisier

#endif  // ENGINE_BASE_CLOCK_H_
