// Internal to the XOR chunk encoding (chunk.cc encodes, chunk_iterator.cc
// decodes): the prefix codes and the exact decimal arithmetic both sides
// must agree on bit for bit. docs/chunk_format.md is the specification.
#ifndef ENGINE_TSDB_CHUNK_CODEC_H_
#define ENGINE_TSDB_CHUNK_CODEC_H_

#include <bit>
#include <cmath>
#include <cstdint>

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

inline int64_t ShiftNonZero(int64_t v) { return v > 0 ? v - 1 : v; }
// Modulo 2^64: corrupt input may hold INT64_MAX.
inline uint64_t UnshiftNonZero(int64_t v) {
  return static_cast<uint64_t>(v) + (v >= 0 ? 1 : 0);
}

}  // namespace fraisier::tsdb::chunk_internal

#endif  // ENGINE_TSDB_CHUNK_CODEC_H_
