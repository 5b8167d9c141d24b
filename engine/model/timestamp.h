// Sample timestamps: int64 milliseconds since the Unix epoch, as Prometheus
// stores them. Keeping the Prometheus representation (rather than absl::Time)
// makes arithmetic in the evaluator and the on-disk format identical to
// Prometheus, including its rounding.
#ifndef ENGINE_MODEL_TIMESTAMP_H_
#define ENGINE_MODEL_TIMESTAMP_H_

#include <cmath>
#include <cstdint>
#include <limits>

#include "absl/time/time.h"

namespace fraisier {

using Timestamp = int64_t;

// The full int64 range, as in Prometheus's TSDB (math.MinInt64/MaxInt64);
// queries use them to mean "unbounded".
inline constexpr Timestamp kMinTimestamp = std::numeric_limits<int64_t>::min();
inline constexpr Timestamp kMaxTimestamp = std::numeric_limits<int64_t>::max();

// Floors to the millisecond, like Prometheus's timestamp.FromTime (Go's
// Nanosecond() is never negative). Infinite times saturate to the limits.
inline Timestamp TimestampFromTime(absl::Time t) {
  if (t == absl::InfiniteFuture()) return kMaxTimestamp;
  if (t == absl::InfinitePast()) return kMinTimestamp;
  return absl::ToUnixMillis(t);
}

inline absl::Time TimeFromTimestamp(Timestamp ts) {
  return absl::FromUnixMillis(ts);
}

// Converts float seconds (the API's and PromQL's unit) the way the
// Prometheus API parses a float `time`: the integral part is kept exactly and
// only the fraction is rounded to the nearest millisecond, half away from
// zero. This avoids the representation error of `seconds * 1000` for large
// values. Out-of-range values and infinities saturate; NaN maps to 0 because
// there is no sensible instant for it (callers validate user input first).
inline Timestamp TimestampFromSeconds(double seconds) {
  if (std::isnan(seconds)) return 0;
  // 9.2e15 s is the edge of the int64 millisecond range.
  constexpr double kLimitSeconds = 9.2e15;
  if (seconds >= kLimitSeconds) return kMaxTimestamp;
  if (seconds <= -kLimitSeconds) return kMinTimestamp;
  double integral = 0;
  const double fraction = std::modf(seconds, &integral);
  return static_cast<Timestamp>(integral) * 1000 +
         static_cast<Timestamp>(std::llround(fraction * 1000));
}

// Timestamps as float seconds, the unit PromQL's time() and the API print.
inline double SecondsFromTimestamp(Timestamp ts) {
  return static_cast<double>(ts) / 1000.0;
}

}  // namespace fraisier

#endif  // ENGINE_MODEL_TIMESTAMP_H_
