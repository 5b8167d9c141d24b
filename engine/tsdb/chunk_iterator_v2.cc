// Decoding of chunk encoding 2 (docs/chunk_format.md). The first sample and
// the iterator's plumbing are shared with encoding 1 in chunk_iterator.cc.
//
// Every sample is decoded inline on a local copy of the state, which the
// compiler keeps in registers; the decoding functions return an error text
// or nullptr instead of touching the iterator.
#include <algorithm>
#include <bit>
#include <cmath>
#include <cstdint>

#include "absl/base/attributes.h"
#include "engine/tsdb/chunk.h"
#include "engine/tsdb/chunk_codec.h"

namespace fraisier::tsdb {
namespace {

using chunk_internal::Compose;
using chunk_internal::Decompose;
using chunk_internal::FirstStep;
using chunk_internal::kExpBits;
using chunk_internal::kIntCode;
using chunk_internal::kMantissaLimitInt;
using chunk_internal::kMaxExp;
using chunk_internal::kMinExp;
using chunk_internal::kNoExp;
using chunk_internal::kResidualCode;
using chunk_internal::kRiceEscape;
using chunk_internal::NextTimeState;
using chunk_internal::PredictedDelta;
using chunk_internal::PredictTime;
using chunk_internal::RiceParameter;
using chunk_internal::SnapInterval;
using chunk_internal::UnshiftNonZero;
using chunk_internal::UpdatePredictor;

// Moves the timestamp state past a sample with residual `r`, exactly as
// XorChunk::Append does (modulo 2^64). In the steady state (on the grid,
// the interval equal to the last step and already a snapped one) an
// on-time sample changes nothing but the time.
template <typename State>
ABSL_ATTRIBUTE_ALWAYS_INLINE inline void AdvanceTime(State& s, uint64_t r) {
  const auto t_prev = static_cast<uint64_t>(s.t);
  if (r == 0 && s.steady) {
    s.t = static_cast<Timestamp>(t_prev +
                                 static_cast<uint64_t>(int64_t{s.time.step}));
    return;
  }
  const uint64_t predicted = PredictTime(t_prev, s.time);
  const uint64_t t = predicted + r;
  s.time = NextTimeState(s.time, t_prev, t, predicted);
  s.t = static_cast<Timestamp>(t);
  const auto step = static_cast<uint64_t>(int64_t{s.time.step});
  s.steady = s.time.resid == 0 && !s.time.off_grid &&
             s.time.interval_off == 0 && SnapInterval(step) == step;
}

template <typename State>
ABSL_ATTRIBUTE_ALWAYS_INLINE inline const char* SetMantissa(State& s,
                                                            uint64_t m) {
  // |m| < 2^50 as one unsigned comparison (m is any 64-bit pattern).
  if (m + (kMantissaLimitInt - 1) >
      static_cast<uint64_t>(2 * kMantissaLimitInt - 2)) {
    return "decimal mantissa out of range";
  }
  const auto sm = static_cast<int64_t>(m);
  s.mantissa = sm;
  s.v = std::bit_cast<uint64_t>(Compose(sm, s.exp));
  return nullptr;
}

// A decimal delta: INT-coded at the start of a run, else the Rice-coded
// residual against the predictor.
template <typename State>
ABSL_ATTRIBUTE_ALWAYS_INLINE inline const char* ReadDeltaV2(State& s) {
  BitReader& r = s.r;
  uint64_t d;  // the mantissa delta, modulo 2^64
  uint64_t u = 0;
  if (s.fresh) {
    d = UnshiftNonZero(r.ReadClass(kIntCode));
  } else {
    const unsigned k = RiceParameter(s.rice);
    const auto ones = static_cast<unsigned>(
        std::countl_one(r.Peek(kRiceEscape) << (64 - kRiceEscape)));
    uint64_t q = ones;
    if (ones < kRiceEscape) {
      r.Skip(ones + 1);
    } else {
      r.Skip(kRiceEscape);
      // Exp-Golomb: valid data has fewer than 54 leading zeros.
      const auto zeros =
          static_cast<unsigned>(std::countl_zero(r.Peek(56) << 8));
      if (zeros >= 56) return "bad Rice escape";
      r.Skip(zeros);
      q = r.ReadWide(zeros + 1) - 1 + kRiceEscape;
    }
    // Modulo 2^64: corrupt input may make q << k overflow.
    u = (q << k) | (k > 0 ? r.ReadWide(k) : 0);
    d = static_cast<uint64_t>(PredictedDelta(s.ema)) +
        static_cast<uint64_t>(ZigZagDecode(u));
  }
  UpdatePredictor(static_cast<int64_t>(d), u, s.fresh, &s.ema, &s.rice);
  s.fresh = false;
  return SetMantissa(s, static_cast<uint64_t>(s.mantissa) + d);
}

template <typename State>
ABSL_ATTRIBUTE_ALWAYS_INLINE inline const char* ReadRestartV2(State& s) {
  BitReader& r = s.r;
  const int e =
      static_cast<int>(static_cast<int64_t>(r.Read(kExpBits) << 58) >> 58);
  const bool absolute = r.Read(1) != 0;
  const int64_t n = r.ReadClass(kIntCode);
  if (e < kMinExp || e > kMaxExp) return "bad decimal exponent";
  int64_t prev = 0;
  if (!absolute && !Decompose(s.v, e, &prev)) return "bad decimal restart";
  s.exp = e;
  s.fresh = true;
  // |prev| < 2^50 and |n| < 2^51 (52-bit class): no overflow.
  return SetMantissa(s, static_cast<uint64_t>(prev + n));
}

template <typename State>
ABSL_ATTRIBUTE_ALWAYS_INLINE inline const char* ReadXorV2(State& s,
                                                          bool new_window) {
  BitReader& r = s.r;
  if (new_window) {
    const uint64_t h = r.Read(11);
    const unsigned lead = static_cast<unsigned>(h >> 6);
    unsigned sig = static_cast<unsigned>(h & 63);
    if (sig == 0) sig = 64;
    if (lead + sig > 64) return "bad XOR window";
    s.leading = lead;
    s.sig = sig;
  }
  s.v ^= r.ReadWide(s.sig) << (64 - s.leading - s.sig);
  s.exp = kNoExp;
  s.fresh = true;
  return nullptr;
}

// A changed value; its code depends on the decimal state.
template <typename State>
ABSL_ATTRIBUTE_ALWAYS_INLINE inline const char* ReadChangeV2(State& s) {
  BitReader& r = s.r;
  const uint64_t code = r.Peek(3);
  if (s.exp != kNoExp) {
    // 0 delta, 10 XOR reuse, 110 XOR new, 111 restart.
    if ((code & 4) == 0) {
      r.Skip(1);
      return ReadDeltaV2(s);
    }
    if ((code & 2) == 0) {
      r.Skip(2);
      return ReadXorV2(s, false);
    }
    r.Skip(3);
    return (code & 1) == 0 ? ReadXorV2(s, true) : ReadRestartV2(s);
  }
  // 0 XOR reuse, 10 XOR new, 11 restart.
  if ((code & 4) == 0) {
    r.Skip(1);
    return ReadXorV2(s, false);
  }
  r.Skip(2);
  return (code & 2) == 0 ? ReadXorV2(s, true) : ReadRestartV2(s);
}

// Sample 1: its timestamp delta and the value.
template <typename State>
const char* ReadSecondV2(State& s) {
  BitReader& r = s.r;
  uint64_t delta;
  if (!r.ReadUvarint(&delta)) return "timestamp overflows";
  s.t = static_cast<Timestamp>(static_cast<uint64_t>(s.t) + delta);
  s.time = FirstStep(delta);
  s.steady = false;
  s.after_late = false;
  return r.Read(1) == 0 ? nullptr : ReadChangeV2(s);
}

// A sample after the second.
template <typename State>
ABSL_ATTRIBUTE_ALWAYS_INLINE inline const char* ReadSampleV2(State& s) {
  BitReader& r = s.r;
  // The joint prefix (XorChunk::Append): after an on-time sample 0 on time
  // and same, 10 on time and changed, 11 late; after a late one 0 late, 10
  // on time and same, 11 on time and changed.
  const uint64_t joint = r.Peek(2);
  bool late, changed;
  if (s.after_late) {
    late = joint < 2;
    changed = joint == 3;
    r.Skip(late ? 1 : 2);
  } else {
    late = joint == 3;
    changed = joint == 2;
    r.Skip(joint < 2 ? 1 : 2);
  }
  if (!late) {
    AdvanceTime(s, 0);
    s.after_late = false;
    return changed ? ReadChangeV2(s) : nullptr;
  }
  AdvanceTime(s, UnshiftNonZero(r.ReadClass(kResidualCode)));
  s.after_late = true;  // unshifted residuals are never 0
  return r.Read(1) == 0 ? nullptr : ReadChangeV2(s);
}

}  // namespace

bool XorIterator::FillBatch2() {
  pos_ = len_ = 0;
  if (read_ >= limit_) {
    status_ = pending_;
    return false;
  }
  const int end = std::min(kBatch, limit_ - read_);
  int n = 0;
  // The first two samples have their own formats; they run on s_, the
  // rest on a local copy whose address is never taken, so that it stays in
  // registers.
  while (read_ + n < 2 && n < end) {
    const char* error = nullptr;
    if (read_ + n == 0) {
      if (!ReadFirst()) break;
    } else {
      error = ReadSecondV2(s_);
    }
    if (error == nullptr && s_.r.overrun()) error = "truncated";
    if (error != nullptr) {
      Fail(read_ + n, error);
      break;
    }
    batch_[n++] = Sample{s_.t, std::bit_cast<double>(s_.v)};
  }
  State s = s_;
  for (; n < end && read_ + n < limit_; ++n) {
    // 56 bits hold every common sample.
    s.r.Ensure(56);
    const char* error = ReadSampleV2(s);
    if (error == nullptr && s.r.overrun()) error = "truncated";
    if (error != nullptr) {
      Fail(read_ + n, error);
      break;
    }
    batch_[n] = Sample{s.t, std::bit_cast<double>(s.v)};
  }
  s_ = s;
  read_ += n;
  len_ = n;
  if (n == 0) {
    status_ = pending_;
    return false;
  }
  pos_ = 1;
  return true;
}

}  // namespace fraisier::tsdb
