// Sample values and the staleness marker.
#ifndef ENGINE_MODEL_VALUE_H_
#define ENGINE_MODEL_VALUE_H_

#include <bit>
#include <cstdint>

#include "engine/model/timestamp.h"

namespace fraisier {

// Prometheus marks a series as gone by appending this particular NaN
// (value.StaleNaN). It must be told apart from NaNs that users produce
// (0/0, NaN literals), so it is identified by its exact bit pattern, never by
// std::isnan. It is a signalling NaN: any arithmetic on it yields an ordinary
// quiet NaN, which is what Prometheus relies on too.
inline constexpr uint64_t kStaleNaNBits = 0x7ff0000000000002ULL;

inline double StaleNaN() { return std::bit_cast<double>(kStaleNaNBits); }

inline bool IsStaleNaN(double v) {
  return std::bit_cast<uint64_t>(v) == kStaleNaNBits;
}

// One float sample of a series.
struct Sample {
  Timestamp t = 0;
  double v = 0;

  // Bitwise on the value so that NaN samples (including stale markers) compare
  // equal to themselves, which is what tests and deduplication want.
  friend bool operator==(const Sample& a, const Sample& b) {
    return a.t == b.t &&
           std::bit_cast<uint64_t>(a.v) == std::bit_cast<uint64_t>(b.v);
  }
  friend bool operator!=(const Sample& a, const Sample& b) { return !(a == b); }
};

}  // namespace fraisier

#endif  // ENGINE_MODEL_VALUE_H_
