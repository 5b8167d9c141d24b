#include "engine/tsdb/chunk_v1_writer.h"

#include <algorithm>
#include <bit>
#include <cmath>
#include <cstring>

#include "engine/tsdb/bitstream.h"
#include "engine/tsdb/chunk_codec.h"

namespace fraisier::tsdb {
namespace {

using chunk_internal::Decompose;
using chunk_internal::FindExponent;
using chunk_internal::kDecDelta;
using chunk_internal::kDecRestart;
using chunk_internal::kDodCode;
using chunk_internal::kExpBits;
using chunk_internal::kIntCode;
using chunk_internal::kMantissaLimitInt;
using chunk_internal::kMinExp;
using chunk_internal::kNoExp;
using chunk_internal::kSame;
using chunk_internal::kValueCodes;
using chunk_internal::kXorNew;
using chunk_internal::kXorReuse;
using chunk_internal::RecoverMantissa;
using chunk_internal::ShiftNonZero;
using chunk_internal::ValueKind;

constexpr unsigned kDecimalBias = 8;

void StoreCount(uint8_t* p, int n) {
  p[0] = static_cast<uint8_t>(n >> 8);
  p[1] = static_cast<uint8_t>(n);
}

}  // namespace

struct XorChunkV1Writer::ValuePlan {
  ValueKind kind = kSame;
  unsigned bits = 1;
  int cls = 0;
  int64_t num = 0;
  int exp = kNoExp;
  bool absolute = false;
  unsigned lead = 0, sig = 0, trail = 0;
};

bool XorChunkV1Writer::AppendFirst(Timestamp t, uint64_t vb) {
  const uint64_t zz = ZigZagEncode(t);
  int e = kNoExp;
  int64_t m = 0;
  int cls = 0;
  unsigned v_bits = 1 + 64;
  if (FindExponent(vb, &e, &m)) {
    cls = ClassOf(kIntCode, m);
    const unsigned dec_bits = 1 + kExpBits + ClassBits(kIntCode, cls);
    if (dec_bits < v_bits) {
      v_bits = dec_bits;
    } else {
      e = kNoExp;
    }
  }
  buf_.resize(2 + UvarintLength(zz) + (v_bits + 7) / 8 + 8);
  uint8_t* p = buf_.data();
  BitWriter w(p, 2, 0);
  w.WriteUvarint(zz);
  if (e == kNoExp) {
    w.WriteBits(0, 1);
    w.WriteBits(vb, 64);
  } else {
    w.WriteBits(1, 1);
    w.WriteBits(static_cast<uint64_t>(e), kExpBits);
    w.WriteClass(kIntCode, cls, m);
  }
  StoreCount(p, 1);
  count_ = 1;
  w.Finish();
  size_ = static_cast<uint16_t>(w.size());
  free_bits_ = static_cast<uint8_t>(w.free_bits());
  t_ = t;
  v_ = vb;
  delta_ = 0;
  leading_ = 0;
  sig_ = 64;
  exp_ = static_cast<int8_t>(e);
  return true;
}

void XorChunkV1Writer::PlanValue(uint64_t vb, int n, ValuePlan* plan) const {
  const uint64_t x = vb ^ v_;
  if (x == 0) {
    plan->exp = exp_;
    return;  // kSame, 1 bit
  }
  // XOR: reuse the window when it fits and is cheaper than a tight one.
  const unsigned lead = std::min(std::countl_zero(x), 31);
  const unsigned trail = std::countr_zero(x);
  const unsigned sig = 64 - lead - trail;
  ValueKind xor_kind = kXorNew;
  unsigned xor_bits = 4 + 5 + 6 + sig;
  if (lead >= leading_ && trail >= 64u - leading_ - sig_ &&
      3u + sig_ <= xor_bits) {
    xor_kind = kXorReuse;
    xor_bits = 3 + sig_;
  }

  // Decimal: a delta at the current exponent, else a restart at a finer
  // exponent near it (the previous value stays decimal there), else, only
  // at a few sample counts to bound the cost, a full exponent search.
  ValueKind dec_kind = kSame;  // none yet
  int dec_exp = kNoExp;
  int64_t num = 0;
  bool absolute = false;
  int64_t m = 0;
  if (exp_ != kNoExp) {
    // v_ is decimal at exp_ (the invariant), so its mantissa needs no check.
    const int64_t prev = RecoverMantissa(v_, exp_);
    if (Decompose(vb, exp_, &m)) {
      dec_kind = kDecDelta;
      dec_exp = exp_;
      num = ShiftNonZero(m - prev);
    } else {
      // Same real number with one more digit: still decimal, exactly.
      int64_t scaled = prev;
      for (int e = exp_ - 1; e >= std::max(kMinExp, exp_ - 3); --e) {
        scaled *= 10;
        if (!(std::abs(scaled) < kMantissaLimitInt)) break;
        if (Decompose(vb, e, &m)) {
          dec_kind = kDecRestart;
          dec_exp = e;
          num = m - scaled;
          break;
        }
      }
    }
  }
  int e;
  if (dec_kind == kSame &&
      ((n & (n - 1)) == 0 || !std::isfinite(std::bit_cast<double>(v_))) &&
      FindExponent(vb, &e, &m)) {
    dec_kind = kDecRestart;
    dec_exp = e;
    int64_t prev;
    if (Decompose(v_, e, &prev)) {
      num = m - prev;
    } else {
      num = m;
      absolute = true;
    }
  }
  if (dec_kind != kSame) {
    const int cls = ClassOf(kIntCode, num);
    const unsigned dec_bits = ClassPrefixLen(kValueCodes, dec_kind) +
                              (dec_kind == kDecRestart ? kExpBits + 1 : 0) +
                              ClassBits(kIntCode, cls);
    if (dec_bits <= xor_bits + kDecimalBias) {
      plan->kind = dec_kind;
      plan->bits = dec_bits;
      plan->cls = cls;
      plan->num = num;
      plan->exp = dec_exp;
      plan->absolute = absolute;
      return;
    }
  }
  plan->kind = xor_kind;
  plan->bits = xor_bits;
  plan->lead = lead;
  plan->sig = sig;
  plan->trail = trail;
}

bool XorChunkV1Writer::Append(Timestamp t, double v) {
  const uint64_t vb = std::bit_cast<uint64_t>(v);
  const int n = count_;
  if (n == 0) return AppendFirst(t, vb);
  if (n == 0xFFFF) return false;

  // Deltas are taken modulo 2^64 so that even the extreme int64 range
  // round-trips.
  const uint64_t delta = static_cast<uint64_t>(t) - static_cast<uint64_t>(t_);
  int64_t dod = 0;
  int dod_cls = -1;
  unsigned ts_bits;
  if (n == 1) {
    ts_bits = 8 * UvarintLength(delta);
  } else {
    const auto raw = static_cast<int64_t>(delta - delta_);
    // Class 0 holds exactly 0; the others hold shifted non-zero values.
    dod = ShiftNonZero(raw);
    dod_cls = raw == 0 ? 0 : std::max(1, ClassOf(kDodCode, dod));
    ts_bits = ClassBits(kDodCode, dod_cls);
  }
  ValuePlan plan;
  PlanValue(vb, n, &plan);

  const unsigned bits = ts_bits + plan.bits;
  const size_t extra = bits <= free_bits_ ? 0 : (bits - free_bits_ + 7) / 8;
  buf_.resize(size_ + extra + 8);

  // All prefixes first, then the payloads, so that a decoder finds every
  // field's width with a single table lookup.
  BitWriter w(buf_.data(), size_, free_bits_);
  if (dod_cls < 0) {
    w.WriteUvarint(delta);
  } else {
    w.WriteClassPrefix(kDodCode, dod_cls);
  }
  w.WriteClassPrefix(kValueCodes, plan.kind);
  if (plan.kind == kDecDelta) w.WriteClassPrefix(kIntCode, plan.cls);
  if (dod_cls >= 0) w.WriteClassValue(kDodCode, dod_cls, dod);
  switch (plan.kind) {
    case kSame:
      break;
    case kDecDelta:
      w.WriteClassValue(kIntCode, plan.cls, plan.num);
      break;
    case kDecRestart:
      w.WriteBits(static_cast<uint64_t>(plan.exp), kExpBits);
      w.WriteBits(plan.absolute ? 1 : 0, 1);
      w.WriteClass(kIntCode, plan.cls, plan.num);
      break;
    case kXorReuse:
      w.WriteBits((vb ^ v_) >> (64 - leading_ - sig_), sig_);
      break;
    case kXorNew:
      w.WriteBits(plan.lead, 5);
      w.WriteBits(plan.sig & 63, 6);  // 64 meaningful bits are stored as 0
      w.WriteBits((vb ^ v_) >> plan.trail, plan.sig);
      leading_ = static_cast<uint8_t>(plan.lead);
      sig_ = static_cast<uint8_t>(plan.sig);
      break;
  }
  w.Finish();
  size_ = static_cast<uint16_t>(w.size());
  free_bits_ = static_cast<uint8_t>(w.free_bits());
  t_ = t;
  delta_ = delta;
  v_ = vb;
  exp_ = static_cast<int8_t>(plan.exp);
  uint8_t* p = buf_.data();
  StoreCount(p, n + 1);
  count_ = n + 1;
  return true;
}

}  // namespace fraisier::tsdb
