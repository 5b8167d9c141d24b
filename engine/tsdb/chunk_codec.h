// Internal to the chunk encodings (chunk.cc encodes encoding 2;
// chunk_iterator.cc decodes encoding 1, chunk_iterator_v2.cc encoding 2):
// the prefix codes, predictors and exact decimal arithmetic both sides must
// agree on bit for bit. docs/chunk_format.md is the specification.
#ifndef ENGINE_TSDB_CHUNK_CODEC_H_
#define ENGINE_TSDB_CHUNK_CODEC_H_

#include <algorithm>
#include <bit>
#include <cmath>
#include <cstdint>
#include <cstring>

#include "absl/base/attributes.h"
#include "engine/tsdb/bitstream.h"

namespace fraisier::tsdb::chunk_internal {

// ------------------------------------------------------------ Timestamps
//
// Delta-of-delta classes tuned for millisecond scrape timestamps that jitter
// by a few ms: 3- and 5-bit classes keep jitter at 5-8 bits per sample
// (Prometheus's smallest class costs 16), a 16-bit class takes missed
// scrapes, and the 64-bit class makes every int64 sequence round-trip.
// Non-zero values are stored shifted towards zero (v > 0 as v - 1) because
// zero has its own 1-bit class.
inline constexpr ClassCode kDodCode = {7, {0, 3, 5, 8, 16, 32, 64}};

// ---------------------------------------------------------------- Values
//
// Codes after the first sample (see docs/chunk_format.md):
//   0     same bits as the previous value
//   10    decimal delta: mantissa += delta at the current exponent
//   110   XOR inside the current window
//   1110  decimal restart: new exponent, then a delta or an absolute mantissa
//   1111  XOR with a new window (5 bits leading zeros, 6 bits length)
inline constexpr ClassCode kValueCodes = {5, {0, 0, 0, 0, 0}};  // prefixes only
enum ValueKind {
  kSame = 0,
  kDecDelta = 1,
  kXorReuse = 2,
  kDecRestart = 3,
  kXorNew = 4
};

// Mantissas and their deltas; a delta is never 0 (the value would be the
// same), so it is shifted like the delta-of-delta.
inline constexpr ClassCode kIntCode = {5, {4, 8, 16, 32, 52}};

// A value is "decimal" at exponent e if Compose(m, e) reproduces its bits
// for some |m| < 2^50. The limit keeps m exactly recoverable from the value
// (the two roundings of Compose and its inverse stay below 1/4) and deltas
// within the 52-bit class. 10^22 is the largest exact power of ten.
inline constexpr int kMinExp = -22;
inline constexpr int kMaxExp = 22;
inline constexpr int kNoExp = -128;
inline constexpr double kMantissaLimit = 1125899906842624.0;  // 2^50
inline constexpr double kPow10[] = {
    1e0,  1e1,  1e2,  1e3,  1e4,  1e5,  1e6,  1e7,  1e8,  1e9,  1e10, 1e11,
    1e12, 1e13, 1e14, 1e15, 1e16, 1e17, 1e18, 1e19, 1e20, 1e21, 1e22};
inline constexpr unsigned kExpBits = 6;  // two's complement

inline constexpr int64_t kMantissaLimitInt = int64_t{1} << 50;

// 10^-e for e in [kMinExp, kMaxExp]: multiplying estimates the mantissa.
// 10^-e is inexact for e > 0, but for |m| < 2^50 the estimate is still
// within 3/8 of m, so rounding finds m (and Decompose verifies it anyway).
inline constexpr double kScale[] = {
    1e22,  1e21,  1e20,  1e19,  1e18,  1e17,  1e16,  1e15,  1e14,
    1e13,  1e12,  1e11,  1e10,  1e9,   1e8,   1e7,   1e6,   1e5,
    1e4,   1e3,   1e2,   1e1,   1e0,   1e-1,  1e-2,  1e-3,  1e-4,
    1e-5,  1e-6,  1e-7,  1e-8,  1e-9,  1e-10, 1e-11, 1e-12, 1e-13,
    1e-14, 1e-15, 1e-16, 1e-17, 1e-18, 1e-19, 1e-20, 1e-21, 1e-22};

// One correctly rounded IEEE operation, so the decoder's result is the
// encoder's bit for bit.
inline double Compose(int64_t m, int e) {
  return e >= 0 ? static_cast<double>(m) * kPow10[e]
                : static_cast<double>(m) / kPow10[-e];
}

// The mantissa of `vb` at exponent e, if it is decimal there.
inline bool Decompose(uint64_t vb, int e, int64_t* m) {
  const double q = std::bit_cast<double>(vb) * kScale[e - kMinExp];
  // Also rejects NaN and infinities.
  if (!(std::fabs(q) < kMantissaLimit)) return false;
  // Round to nearest without a libm call: below 2^51, adding 1.5 * 2^52
  // leaves no fraction bits (default rounding mode, no fast-math).
  const double r = (q + 0x1.8p52) - 0x1.8p52;
  if (!(std::fabs(r) < kMantissaLimit)) return false;
  const auto mm = static_cast<int64_t>(r);
  if (std::bit_cast<uint64_t>(Compose(mm, e)) != vb) return false;
  *m = mm;
  return true;
}

// The mantissa of a value known to be decimal at e, without the check.
inline int64_t RecoverMantissa(uint64_t vb, int e) {
  const double q = std::bit_cast<double>(vb) * kScale[e - kMinExp];
  return static_cast<int64_t>((q + 0x1.8p52) - 0x1.8p52);
}

// The coarsest exponent at which `vb` is decimal (fewest digits).
inline bool FindExponent(uint64_t vb, int* e_out, int64_t* m_out) {
  if (vb == 0) {  // +0; -0 is not decimal (0 * 10^e is +0)
    *e_out = 0;
    *m_out = 0;
    return true;
  }
  const double v = std::bit_cast<double>(vb);
  if (!std::isfinite(v)) return false;
  // |v| < 2^(b+1) < 10^(0.302*(b+1)): no coarser exponent can work.
  const int b = static_cast<int>((vb >> 52) & 0x7FF) - 1023;
  int e = std::min(kMaxExp, static_cast<int>(std::floor((b + 1) * 0.30103)));
  for (; e >= kMinExp; --e) {
    const double q = v * kScale[e - kMinExp];
    if (!(std::fabs(q) < kMantissaLimit)) return false;  // finer only grows
    if (Decompose(vb, e, m_out)) {
      *e_out = e;
      return true;
    }
  }
  return false;
}

inline int64_t ShiftNonZero(int64_t v) { return v > 0 ? v - 1 : v; }
// Modulo 2^64: corrupt input may hold INT64_MAX.
inline uint64_t UnshiftNonZero(int64_t v) {
  return static_cast<uint64_t>(v) + (v >= 0 ? 1 : 0);
}

// ============================================================ Encoding 2
//
// ------------------------------------------------------------ Timestamps
//
// A sample's timestamp is predicted as the previous grid point plus the
// scrape interval; only the residual is stored. Prometheus snaps scrape
// timestamps to their schedule, so most residuals are 0; a late scrape is
// one residual and the next sample is back on the grid (a delta-of-delta
// pays that twice or three times).

// Non-zero residuals, shifted like the delta-of-delta of encoding 1: small
// classes for ms jitter, 11-15 bits for scrapes late by 0.1-30 s.
inline constexpr ClassCode kResidualCode = {6, {3, 5, 11, 13, 15, 64}};

// Residuals up to this size are jitter the grid follows (a sender that
// does not align its timestamps); larger ones are late samples the grid
// ignores, unless repeated or bigger than half the interval.
inline constexpr uint64_t kJitterMs = 8;

// The predicted interval for an observed step `d` (sample 1's, or a step
// seen twice in a row): scrape intervals are whole seconds, so a step
// within max(kJitterMs, d / 128) of one is taken as that many seconds.
// Otherwise a jittered first step would bias every prediction of the chunk
// (and with jitter beyond kJitterMs, the grid would drift).
inline uint64_t SnapInterval(uint64_t d) {
  if (d >= (uint64_t{1} << 62)) return d;
  const uint64_t q = (d + 500) / 1000 * 1000;
  const uint64_t off = q > d ? q - d : d - q;
  return q > 0 && off <= std::max<uint64_t>(kJitterMs, d >> 7) ? q : d;
}

// The timestamp predictor's state after a sample. Its fields are bounded
// so that XorChunk stays small; the bounds are part of the format (the
// decoder applies them too), and only pathological series hit them.
struct TimeState {
  int32_t step = 0;          // t_i - t_{i-1}, saturated to int32
  int16_t interval_off = 0;  // predicted interval - step
  int16_t resid = 0;         // the residual if it fits int16, else 0
  bool off_grid = false;     // the grid point is t_i - resid, not t_i
};

inline int64_t Interval(const TimeState& s) {
  return int64_t{s.step} + s.interval_off;
}

// The predicted timestamp after `t_prev`: its grid point plus the interval
// (modulo 2^64, so any int64 sequence round-trips).
inline uint64_t PredictTime(uint64_t t_prev, const TimeState& s) {
  const uint64_t grid =
      t_prev - (s.off_grid ? static_cast<uint64_t>(int64_t{s.resid}) : 0);
  return grid + static_cast<uint64_t>(Interval(s));
}

// The state after sample 1, `d` after sample 0.
inline TimeState FirstStep(uint64_t d) {
  TimeState s;
  s.step = static_cast<int32_t>(
      std::clamp<int64_t>(static_cast<int64_t>(d), INT32_MIN, INT32_MAX));
  const auto off = static_cast<int64_t>(SnapInterval(d) -
                                        static_cast<uint64_t>(int64_t{s.step}));
  s.interval_off =
      off >= INT16_MIN && off <= INT16_MAX ? static_cast<int16_t>(off) : 0;
  return s;
}

// The state after a sample at `t` (`prev` the state before, `t_prev` the
// previous timestamp, `predicted` = PredictTime(t_prev, prev)). The
// interval becomes a step seen twice in a row; the grid stays behind a
// sample that is late (or early) by more than jitter, less than half an
// interval and not by the same residual as the sample before.
ABSL_ATTRIBUTE_ALWAYS_INLINE inline TimeState NextTimeState(
    const TimeState& prev, uint64_t t_prev, uint64_t t, uint64_t predicted) {
  const uint64_t r = t - predicted;
  const uint64_t d = t - t_prev;
  const auto sd = static_cast<int64_t>(d);
  int64_t interval = Interval(prev);
  if (sd == prev.step) interval = static_cast<int64_t>(SnapInterval(d));
  TimeState s;
  s.step = static_cast<int32_t>(std::clamp<int64_t>(sd, INT32_MIN, INT32_MAX));
  // An interval too far from the step falls back to the step.
  const auto off = static_cast<int64_t>(static_cast<uint64_t>(interval) -
                                        static_cast<uint64_t>(int64_t{s.step}));
  s.interval_off =
      off >= INT16_MIN && off <= INT16_MAX ? static_cast<int16_t>(off) : 0;
  const auto sr = static_cast<int64_t>(r);
  const bool fits = sr >= INT16_MIN && sr <= INT16_MAX;
  const uint64_t mag = sr < 0 ? 0 - r : r;
  s.resid = fits ? static_cast<int16_t>(sr) : 0;
  s.off_grid = fits && mag > kJitterMs && sr != prev.resid &&
               mag < (static_cast<uint64_t>(Interval(s)) >> 1);
  return s;
}

// ---------------------------------------------------------------- Values
//
// A changed value, by the decimal state (see docs/chunk_format.md):
//   with a decimal state:  0 delta, 10 XOR reuse, 110 XOR new, 111 restart
//   without (XOR mode):            0 XOR reuse,  10 XOR new,  11 restart
enum ChangeKind {
  kChangeDelta,
  kChangeXorReuse,
  kChangeXorNew,
  kChangeRestart
};

// Code bits and length of `kind`; kChangeDelta needs a decimal state.
inline constexpr uint8_t kChangeCode[2][4] = {{0, 0b0, 0b10, 0b11},
                                              {0b0, 0b10, 0b110, 0b111}};
inline constexpr uint8_t kChangeCodeLen[2][4] = {{0, 1, 2, 2}, {1, 2, 3, 3}};

// Decimal deltas after the first of a run are predicted by an exponential
// moving average of the deltas (counters grow by about the same amount
// each scrape; a gauge's average delta is near 0), kept in fixed point
// with kEmaFraction bits, and the residual is Rice coded with a parameter
// that follows the average bit length of recent residuals (kRiceState is
// 4 times that average).
inline constexpr int kEmaFraction = 4;
inline constexpr int kEmaShift = 2;         // weight 1/4 for the newest delta
inline constexpr unsigned kRiceEscape = 6;  // quotients from here escape

// The mantissa delta the predictor expects.
// Modulo 2^64 before the (arithmetic) shift: a decoder's average may be
// anything on corrupt input.
inline int64_t PredictedDelta(int64_t ema) {
  return static_cast<int64_t>(static_cast<uint64_t>(ema) +
                              (uint64_t{1} << (kEmaFraction - 1))) >>
         kEmaFraction;
}

// At most 56 (valid data stays below 54), so corrupt input cannot make a
// decoder shift by 64.
inline unsigned RiceParameter(unsigned state) {
  const unsigned avg = (state + 2) >> 2;
  return avg > 0 ? std::min(avg - 1, 56u) : 0;
}

// Bits of the Rice code of `u` with parameter k: the quotient q = u >> k
// as q one bits and a zero, then the low k bits of u. A quotient of
// kRiceEscape or more, an outlier the parameter has not adapted to yet, is
// kRiceEscape one bits, then q - kRiceEscape in order-0 Exp-Golomb (for
// v = q - kRiceEscape + 1: bit_width(v) - 1 zero bits, then v), then the
// low k bits: logarithmic instead of linear in q.
inline unsigned RiceBits(uint64_t u, unsigned k) {
  const uint64_t q = u >> k;
  if (q < kRiceEscape) return static_cast<unsigned>(q) + 1 + k;
  const auto width = static_cast<unsigned>(std::bit_width(q - kRiceEscape + 1));
  return kRiceEscape + 2 * width - 1 + k;
}

// The moving average is an int48 (XorChunk keeps it in 6 bytes): it
// saturates at +-(2^47 - 1), i.e. for deltas beyond 2^43 per sample, where
// prediction only costs bits.
inline constexpr int64_t kEmaLimit = (int64_t{1} << 47) - 1;

// The predictor after a delta `d` with Rice value `u` (fresh: the first
// delta of a run, stored without prediction). Modulo 2^64 before the
// saturation, so corrupt input cannot overflow.
inline void UpdatePredictor(int64_t d, uint64_t u, bool fresh, int64_t* ema,
                            unsigned* rice) {
  const auto scaled =
      static_cast<int64_t>(static_cast<uint64_t>(d) << kEmaFraction);
  int64_t next;
  if (fresh) {
    next = scaled;
    const uint64_t mag = d < 0 ? 0 - static_cast<uint64_t>(d) : d;
    *rice = static_cast<unsigned>(std::bit_width(mag >> 1)) << 2;
  } else {
    next = static_cast<int64_t>(
        static_cast<uint64_t>(*ema) +
        static_cast<uint64_t>(
            static_cast<int64_t>(static_cast<uint64_t>(scaled) -
                                 static_cast<uint64_t>(*ema)) >>
            kEmaShift));
    *rice = *rice + static_cast<unsigned>(std::bit_width(u)) - (*rice >> 2);
  }
  *ema = std::clamp(next, -kEmaLimit, kEmaLimit);
}

}  // namespace fraisier::tsdb::chunk_internal

#endif  // ENGINE_TSDB_CHUNK_CODEC_H_
