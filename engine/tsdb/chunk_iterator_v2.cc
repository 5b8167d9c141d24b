// Decoding of chunk encoding 2 (docs/chunk_format.md). The first sample,
// the restart payload and the iterator's plumbing are shared with encoding 1
// in chunk_iterator.cc.
#include <algorithm>
#include <bit>
#include <cstdint>

#include "absl/base/attributes.h"
#include "engine/tsdb/chunk.h"
#include "engine/tsdb/chunk_codec.h"

namespace fraisier::tsdb {
namespace {

using chunk_internal::FirstStep;
using chunk_internal::kIntCode;
using chunk_internal::kNoExp;
using chunk_internal::kResidualCode;
using chunk_internal::kRiceEscape;
using chunk_internal::NextTimeState;
using chunk_internal::PredictedDelta;
using chunk_internal::PredictTime;
using chunk_internal::RiceParameter;
using chunk_internal::UnshiftNonZero;
using chunk_internal::UpdatePredictor;

// Moves the timestamp state past a sample with residual `r`, exactly as
// XorChunk::Append does (modulo 2^64).
template <typename State>
ABSL_ATTRIBUTE_ALWAYS_INLINE inline void AdvanceTime(State& s, uint64_t r) {
  const auto t_prev = static_cast<uint64_t>(s.t);
  const uint64_t predicted = PredictTime(t_prev, s.time);
  const uint64_t t = predicted + r;
  s.time = NextTimeState(s.time, t_prev, t, predicted);
  s.t = static_cast<Timestamp>(t);
}

}  // namespace

bool XorIterator::ReadDelta2(int index) {
  BitReader& r = s_.r;
  uint64_t d;  // the mantissa delta, modulo 2^64
  uint64_t u = 0;
  if (s_.fresh) {
    d = UnshiftNonZero(r.ReadClass(kIntCode));
  } else {
    const unsigned k = RiceParameter(s_.rice);
    const uint64_t peek = r.Peek(kRiceEscape);
    const auto ones =
        static_cast<unsigned>(std::countl_one(peek << (64 - kRiceEscape)));
    uint64_t q = ones;
    if (ones < kRiceEscape) {
      r.Skip(ones + 1);
    } else {
      r.Skip(kRiceEscape);
      // Exp-Golomb: valid data has fewer than 54 leading zeros.
      const auto zeros =
          static_cast<unsigned>(std::countl_zero(r.Peek(56) << 8));
      if (zeros >= 56) return Fail(index, "bad Rice escape");
      r.Skip(zeros);
      q = r.ReadWide(zeros + 1) - 1 + kRiceEscape;
    }
    // Modulo 2^64: corrupt input may make q << k overflow.
    u = (q << k) | (k > 0 ? r.ReadWide(k) : 0);
    d = static_cast<uint64_t>(PredictedDelta(s_.ema)) +
        static_cast<uint64_t>(ZigZagDecode(u));
  }
  UpdatePredictor(static_cast<int64_t>(d), u, s_.fresh, &s_.ema, &s_.rice);
  s_.fresh = false;
  // ComposeValue rejects a mantissa out of range, whatever the wrap.
  s_.mantissa = static_cast<int64_t>(static_cast<uint64_t>(s_.mantissa) + d);
  return ComposeValue(index);
}

bool XorIterator::ReadChange2(int index) {
  BitReader& r = s_.r;
  const uint64_t code = r.Peek(3);
  bool new_window;
  if (s_.exp != kNoExp) {
    if ((code & 4) == 0) {
      r.Skip(1);
      return ReadDelta2(index);
    }
    r.Skip((code & 2) == 0 ? 2 : 3);
    if ((code & 3) == 3) return ReadRestart(index);
    new_window = (code & 2) != 0;
  } else {
    r.Skip((code & 4) == 0 ? 1 : 2);
    if ((code & 6) == 6) return ReadRestart(index);
    new_window = (code & 4) != 0;
  }
  if (new_window) {
    const uint64_t h = r.Read(11);
    const unsigned lead = static_cast<unsigned>(h >> 6);
    unsigned sig = static_cast<unsigned>(h & 63);
    if (sig == 0) sig = 64;
    if (lead + sig > 64) return Fail(index, "bad XOR window");
    s_.leading = lead;
    s_.sig = sig;
  }
  s_.v ^= r.ReadWide(s_.sig) << (64 - s_.leading - s_.sig);
  s_.exp = kNoExp;
  s_.fresh = true;
  return true;
}

bool XorIterator::ReadSample2(int index) {
  BitReader& r = s_.r;
  if (index == 1) {
    uint64_t delta;
    if (!r.ReadUvarint(&delta)) return Fail(1, "timestamp overflows");
    s_.t = static_cast<Timestamp>(static_cast<uint64_t>(s_.t) + delta);
    s_.time = FirstStep(delta);
    s_.after_late = false;
    return r.Read(1) == 0 ? true : ReadChange2(index);
  }
  // The joint prefix (XorChunk::Append): after an on-time sample 0 on time
  // and same, 10 on time and changed, 11 late; after a late one 0 late, 10
  // on time and same, 11 on time and changed.
  const uint64_t joint = r.Peek(2);
  bool late;
  bool changed = false;
  if (s_.after_late) {
    late = joint < 2;
    changed = joint == 3;
    r.Skip(late ? 1 : 2);
  } else {
    late = joint == 3;
    changed = joint == 2;
    r.Skip(joint < 2 ? 1 : 2);
  }
  if (!late) {
    AdvanceTime(s_, 0);
    s_.after_late = false;
    return changed ? ReadChange2(index) : true;
  }
  AdvanceTime(s_, UnshiftNonZero(r.ReadClass(kResidualCode)));
  s_.after_late = true;  // unshifted residuals are never 0
  return r.Read(1) == 0 ? true : ReadChange2(index);
}

bool XorIterator::FillBatch2() {
  pos_ = len_ = 0;
  if (read_ >= limit_) {
    status_ = pending_;
    return false;
  }
  const int end = std::min(kBatch, limit_ - read_);
  int n = 0;
  // On a local copy of the state, so that the common sample (on time, same
  // value: a single 0 bit) keeps it in registers; other samples go through
  // the general path on s_.
  State s = s_;
  while (n < end) {
    const int index = read_ + n;
    bool fast = false;
    if (index >= 2 && !s.after_late) {
      s.r.Ensure(1);
      if ((s.r.Window() >> 63) == 0 && s.r.CanSkip(1)) {
        s.r.Skip(1);
        AdvanceTime(s, 0);
        fast = true;
      }
    }
    if (!fast) {
      s_ = s;
      const bool ok = index == 0 ? ReadFirst() : ReadSample2(index);
      s = s_;
      if (!ok) break;
      if (s.r.overrun()) {
        Fail(index, "truncated");
        break;
      }
    }
    batch_[n++] = Sample{s.t, std::bit_cast<double>(s.v)};
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
