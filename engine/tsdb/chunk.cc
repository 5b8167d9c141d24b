#include "engine/tsdb/chunk.h"

#include <algorithm>
#include <array>
#include <bit>
#include <cmath>
#include <cstring>
#include <utility>

#include "absl/base/attributes.h"
#include "engine/tsdb/chunk_codec.h"

namespace fraisier::tsdb {
namespace {

using chunk_internal::Decompose;
using chunk_internal::kDecDelta;
using chunk_internal::kDecRestart;
using chunk_internal::kDodCode;
using chunk_internal::kExpBits;
using chunk_internal::kIntCode;
using chunk_internal::kMantissaLimit;
using chunk_internal::kMantissaLimitInt;
using chunk_internal::kMaxExp;
using chunk_internal::kMinExp;
using chunk_internal::kNoExp;
using chunk_internal::kSame;
using chunk_internal::kScale;
using chunk_internal::kValueCodes;
using chunk_internal::kXorNew;
using chunk_internal::kXorReuse;
using chunk_internal::ShiftNonZero;
using chunk_internal::ValueKind;

// The mantissa of a value known to be decimal at e, without the check.
inline int64_t RecoverMantissa(uint64_t vb, int e) {
  const double q = std::bit_cast<double>(vb) * kScale[e - kMinExp];
  return static_cast<int64_t>((q + 0x1.8p52) - 0x1.8p52);
}

// The coarsest exponent at which `vb` is decimal (fewest digits).
bool FindExponent(uint64_t vb, int* e_out, int64_t* m_out) {
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

// Keep the decimal code when it costs up to this many more bits than XOR:
// XOR forgets the exponent, and regaining it costs a restart.
constexpr unsigned kDecimalBias = 8;

// glibc hands out blocks whose usable size is 16k+8 bytes; asking for
// exactly such sizes means no capacity is silently wasted.
inline size_t RoundToMallocSize(size_t n) {
  return std::max<size_t>(24, ((n + 7) | 15) - 7);
}

constexpr char kEmptyChunk[2] = {0, 0};

// The header's big-endian sample count, as one 16-bit store: the next
// Append reads it back at once, and two byte stores would defeat the CPU's
// store-to-load forwarding (a stall that cost a third of Append's time).
inline void StoreCount(uint8_t* p, int n) {
  const uint16_t be = __builtin_bswap16(static_cast<uint16_t>(n));
  std::memcpy(p, &be, sizeof(be));
}

}  // namespace

// ---------------------------------------------------------------- XorChunk

struct XorChunk::ValuePlan {
  ValueKind kind = kSame;
  unsigned bits = 1;
  int cls = 0;       // class of `num` in kIntCode
  int64_t num = 0;   // shifted delta, delta or absolute mantissa
  int exp = kNoExp;  // exponent after this sample
  bool absolute = false;
  unsigned lead = 0, sig = 0, trail = 0;  // new XOR window
};

XorChunk& XorChunk::operator=(XorChunk&& other) noexcept {
  if (this == &other) return *this;
  buf_ = std::move(other.buf_);
  t_ = std::exchange(other.t_, 0);
  delta_ = std::exchange(other.delta_, 0);
  v_ = std::exchange(other.v_, 0);
  size_ = std::exchange(other.size_, 0);
  cap_ = std::exchange(other.cap_, 0);
  free_bits_ = std::exchange(other.free_bits_, 0);
  leading_ = std::exchange(other.leading_, 0);
  sig_ = std::exchange(other.sig_, 64);
  exp_ = std::exchange(other.exp_, kNoExp);
  return *this;
}

bool XorChunk::Reserve(size_t extra) {
  const size_t need = size_t{size_} + extra;
  if (need <= cap_) return true;
  if (need > kMaxBytes) return false;
  size_t want = need;
  // Geometric growth once past the first samples keeps reallocation
  // amortized; below that, malloc-size steps keep small chunks tight.
  if (size_ >= 64) want += size_ / 4;
  // Cap near the size the chunk will have when the head cuts it, predicted
  // from the bytes per sample so far, so a full chunk wastes little.
  const int n = num_samples();
  if (n > 0 && n < kSamplesPerChunk) {
    const size_t predicted = size_t{size_} * kSamplesPerChunk / n + 8;
    if (want > predicted) want = std::max(need, predicted);
  }
  want = std::min(RoundToMallocSize(want), kMaxBytes);
  void* p = std::realloc(buf_.get(), want);
  if (p == nullptr) return false;  // the old buffer is still intact
  (void)buf_.release();
  buf_.reset(static_cast<uint8_t*>(p));
  cap_ = static_cast<uint16_t>(want);
  return true;
}

bool XorChunk::AppendFirst(Timestamp t, uint64_t vb) {
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
  if (!Reserve(2 + UvarintLength(zz) + (v_bits + 7) / 8)) return false;
  uint8_t* p = buf_.get();
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

// Inlined, and filling one plan field by field (no plan copies), so that
// the plan lives in registers: built in memory and copied as a block, its
// narrow stores and wide loads defeat store forwarding.
ABSL_ATTRIBUTE_ALWAYS_INLINE inline void XorChunk::PlanValue(
    uint64_t vb, int n, ValuePlan* plan) const {
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

bool XorChunk::Append(Timestamp t, double v) {
  const uint64_t vb = std::bit_cast<uint64_t>(v);
  const int n = num_samples();
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
  if (!Reserve(extra)) return false;

  // All prefixes first, then the payloads, so that a decoder finds every
  // field's width with a single table lookup.
  BitWriter w(buf_.get(), size_, free_bits_);
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
  uint8_t* p = buf_.get();
  StoreCount(p, n + 1);
  return true;
}

Timestamp XorChunk::min_time() const {
  if (buf_ == nullptr) return 0;
  BitReader r(absl::string_view(reinterpret_cast<const char*>(buf_.get()) + 2,
                                size_ - 2));
  uint64_t zz = 0;
  r.ReadUvarint(&zz);  // cannot fail: we wrote it
  return ZigZagDecode(zz);
}

absl::string_view XorChunk::bytes() const {
  if (buf_ == nullptr) return absl::string_view(kEmptyChunk, 2);
  return absl::string_view(reinterpret_cast<const char*>(buf_.get()), size_);
}

}  // namespace fraisier::tsdb
