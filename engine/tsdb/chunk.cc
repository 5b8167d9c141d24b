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

using chunk_internal::ChangeKind;
using chunk_internal::Decompose;
using chunk_internal::FindExponent;
using chunk_internal::FirstStep;
using chunk_internal::kChangeCode;
using chunk_internal::kChangeCodeLen;
using chunk_internal::kChangeDelta;
using chunk_internal::kChangeRestart;
using chunk_internal::kChangeXorNew;
using chunk_internal::kChangeXorReuse;
using chunk_internal::kExpBits;
using chunk_internal::kIntCode;
using chunk_internal::kMantissaLimit;
using chunk_internal::kMantissaLimitInt;
using chunk_internal::kMaxExp;
using chunk_internal::kMinExp;
using chunk_internal::kNoExp;
using chunk_internal::kResidualCode;
using chunk_internal::kRiceEscape;
using chunk_internal::kScale;
using chunk_internal::NextTimeState;
using chunk_internal::PredictedDelta;
using chunk_internal::PredictTime;
using chunk_internal::RecoverMantissa;
using chunk_internal::RiceBits;
using chunk_internal::RiceParameter;
using chunk_internal::ShiftNonZero;
using chunk_internal::TimeState;
using chunk_internal::UpdatePredictor;

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

bool ChunkFirstTimestamp(absl::string_view bytes, Timestamp* t) {
  if (bytes.size() < 3 || (bytes[0] == 0 && bytes[1] == 0)) return false;
  BitReader r(bytes.substr(2));
  uint64_t zz = 0;
  if (!r.ReadUvarint(&zz) || r.overrun()) return false;
  *t = ZigZagDecode(zz);
  return true;
}

// How a changed value is written (PlanChange's choice).
struct XorChunk::ValuePlan {
  ChangeKind kind = kChangeXorNew;
  unsigned bits = 0;  // code and payload
  int cls = 0;        // class of `num` in kIntCode (fresh delta, restart)
  int64_t num = 0;    // delta or restart number (see chunk_format.md)
  uint64_t rice = 0;  // Rice value of a predicted delta
  unsigned k = 0;     // its parameter
  int exp = kNoExp;   // exponent after this sample
  bool absolute = false;
  unsigned lead = 0, sig = 0, trail = 0;  // new XOR window
};

XorChunk& XorChunk::operator=(XorChunk&& other) noexcept {
  if (this == &other) return *this;
  buf_ = std::move(other.buf_);
  CopyStateFrom(other);
  other.CopyStateFrom(XorChunk());
  return *this;
}

void XorChunk::CopyStateFrom(const XorChunk& o) {
  t_ = o.t_;
  v_ = o.v_;
  step_ = o.step_;
  interval_off_ = o.interval_off_;
  resid_ = o.resid_;
  size_ = o.size_;
  cap_ = o.cap_;
  free_bits_ = o.free_bits_;
  leading_ = o.leading_;
  sig_ = o.sig_;
  off_grid_ = o.off_grid_;
  exp_code_ = o.exp_code_;
  fresh_ = o.fresh_;
  after_late_ = o.after_late_;
  rice_ = o.rice_;
}

bool XorChunk::Reserve(size_t extra) {
  const size_t need = size_t{size_} + extra;
  if (buf_ != nullptr && need <= cap_) return true;
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
  want =
      std::min(RoundToMallocSize(want + kStateBytes) - kStateBytes, kMaxBytes);
  void* p = std::realloc(buf_.get(), want + kStateBytes);
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
  uint8_t* p = data();
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
  step_ = interval_off_ = resid_ = 0;
  off_grid_ = after_late_ = 0;
  leading_ = 0;
  sig_ = 64;
  set_exp(e);
  set_ema(0);
  rice_ = 0;
  fresh_ = 1;
  return true;
}

// Chooses the cheapest code for a value that differs from v_. Inlined and
// filling one plan field by field (no plan copies), so that the plan lives
// in registers.
ABSL_ATTRIBUTE_ALWAYS_INLINE inline void XorChunk::PlanChange(
    uint64_t vb, int n, ValuePlan* plan) const {
  const int exp = this->exp();
  const int mode = exp != kNoExp ? 1 : 0;
  // XOR: reuse the window when it fits and is cheaper than a tight one.
  const uint64_t x = vb ^ v_;
  const unsigned lead = std::min(std::countl_zero(x), 31);
  const unsigned trail = std::countr_zero(x);
  const unsigned sig = 64 - lead - trail;
  ChangeKind xor_kind = kChangeXorNew;
  unsigned xor_bits = kChangeCodeLen[mode][kChangeXorNew] + 5 + 6 + sig;
  const unsigned reuse_bits = kChangeCodeLen[mode][kChangeXorReuse] + sig_;
  if (lead >= leading_ && trail >= 64u - leading_ - sig_ &&
      reuse_bits <= xor_bits) {
    xor_kind = kChangeXorReuse;
    xor_bits = reuse_bits;
  }

  // Decimal: a delta at the current exponent, else a restart at a finer
  // exponent near it (the previous value stays decimal there), else, only
  // at a few sample counts to bound the cost, a full exponent search.
  bool dec = false;
  ChangeKind dec_kind = kChangeDelta;
  int dec_exp = kNoExp;
  int64_t num = 0;
  bool absolute = false;
  int64_t m = 0;
  if (mode == 1) {
    // v_ is decimal at exp (the invariant), so its mantissa needs no check.
    const int64_t prev = RecoverMantissa(v_, exp);
    if (Decompose(vb, exp, &m)) {
      dec = true;
      dec_exp = exp;
      num = m - prev;
    } else {
      // Same real number with one more digit: still decimal, exactly.
      int64_t scaled = prev;
      for (int e = exp - 1; e >= std::max(kMinExp, exp - 3); --e) {
        scaled *= 10;
        if (!(std::abs(scaled) < kMantissaLimitInt)) break;
        if (Decompose(vb, e, &m)) {
          dec = true;
          dec_kind = kChangeRestart;
          dec_exp = e;
          num = m - scaled;
          break;
        }
      }
    }
  }
  int e;
  if (!dec &&
      ((n & (n - 1)) == 0 || !std::isfinite(std::bit_cast<double>(v_))) &&
      FindExponent(vb, &e, &m)) {
    dec = true;
    dec_kind = kChangeRestart;
    dec_exp = e;
    int64_t prev;
    if (Decompose(v_, e, &prev)) {
      num = m - prev;
    } else {
      num = m;
      absolute = true;
    }
  }
  if (dec) {
    unsigned dec_bits = kChangeCodeLen[mode][dec_kind];
    int cls = 0;
    uint64_t u = 0;
    unsigned k = 0;
    if (dec_kind == kChangeDelta && fresh_ == 0) {
      u = ZigZagEncode(num - PredictedDelta(ema()));
      k = RiceParameter(rice_);
      dec_bits += RiceBits(u, k);
    } else {
      cls =
          ClassOf(kIntCode, dec_kind == kChangeDelta ? ShiftNonZero(num) : num);
      dec_bits += ClassBits(kIntCode, cls) +
                  (dec_kind == kChangeRestart ? kExpBits + 1 : 0);
    }
    // Keep the decimal code unless XOR is much cheaper: XOR forgets the
    // exponent, and regaining it costs a restart.
    if (dec_bits <= xor_bits + kDecimalBias) {
      plan->kind = dec_kind;
      plan->bits = dec_bits;
      plan->cls = cls;
      plan->num = num;
      plan->rice = u;
      plan->k = k;
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

// Writes the code and payload of a changed value and updates the value
// state.
ABSL_ATTRIBUTE_ALWAYS_INLINE inline void XorChunk::WriteChange(
    BitWriter& w, uint64_t vb, const ValuePlan& plan) {
  const int mode = exp() != kNoExp ? 1 : 0;
  w.WriteBits(kChangeCode[mode][plan.kind], kChangeCodeLen[mode][plan.kind]);
  unsigned rice = rice_;
  switch (plan.kind) {
    case kChangeDelta:
      if (fresh_ != 0) {
        w.WriteClass(kIntCode, plan.cls, ShiftNonZero(plan.num));
      } else {
        const uint64_t q = plan.rice >> plan.k;
        if (q < kRiceEscape) {
          // q one bits and a zero (q < kRiceEscape).
          w.WriteBits(((uint64_t{1} << q) - 1) << 1,
                      static_cast<unsigned>(q) + 1);
        } else {
          const uint64_t v = q - kRiceEscape + 1;
          const auto width = static_cast<unsigned>(std::bit_width(v));
          w.WriteBits((uint64_t{1} << kRiceEscape) - 1, kRiceEscape);
          w.WriteBits(0, width - 1);
          w.WriteBits(v, width);
        }
        w.WriteBits(plan.rice, plan.k);  // the low k bits (k <= 53)
      }
      {
        int64_t ema = this->ema();
        UpdatePredictor(plan.num, plan.rice, fresh_ != 0, &ema, &rice);
        set_ema(ema);
      }
      rice_ = static_cast<uint8_t>(rice);
      fresh_ = 0;
      break;
    case kChangeRestart:
      w.WriteBits(static_cast<uint64_t>(plan.exp), kExpBits);
      w.WriteBits(plan.absolute ? 1 : 0, 1);
      w.WriteClass(kIntCode, plan.cls, plan.num);
      fresh_ = 1;
      break;
    case kChangeXorReuse:
      w.WriteBits((vb ^ v_) >> (64 - leading_ - sig_), sig_);
      fresh_ = 1;
      break;
    case kChangeXorNew:
      w.WriteBits(plan.lead, 5);
      w.WriteBits(plan.sig & 63, 6);  // 64 meaningful bits are stored as 0
      w.WriteBits((vb ^ v_) >> plan.trail, plan.sig);
      leading_ = static_cast<uint8_t>(plan.lead);
      sig_ = static_cast<uint8_t>(plan.sig);
      fresh_ = 1;
      break;
  }
  set_exp(plan.kind == kChangeXorReuse || plan.kind == kChangeXorNew
              ? kNoExp
              : plan.exp);
}

bool XorChunk::Append(Timestamp t, double v) {
  const uint64_t vb = std::bit_cast<uint64_t>(v);
  const int n = num_samples();
  if (n == 0) return AppendFirst(t, vb);
  if (n == 0xFFFF) return false;

  // Timestamps: sample 1 stores its delta; later samples the residual
  // against the predicted time (chunk_codec.h). Modulo 2^64, so that even
  // the extreme int64 range round-trips.
  const auto tu = static_cast<uint64_t>(t);
  const auto t_prev = static_cast<uint64_t>(t_);
  const uint64_t delta = tu - t_prev;
  TimeState next;
  uint64_t resid = 0;
  int res_cls = 0;
  unsigned ts_bits;
  if (n == 1) {
    next = FirstStep(delta);
    ts_bits = 8 * UvarintLength(delta);
  } else {
    TimeState prev;
    prev.step = step_;
    prev.interval_off = interval_off_;
    prev.resid = resid_;
    prev.off_grid = off_grid_ != 0;
    const uint64_t predicted = PredictTime(t_prev, prev);
    resid = tu - predicted;
    next = NextTimeState(prev, t_prev, tu, predicted);
    ts_bits = 0;  // an on-time sample says so in the joint prefix below
    if (resid != 0) {
      res_cls =
          ClassOf(kResidualCode, ShiftNonZero(static_cast<int64_t>(resid)));
      ts_bits = ClassBits(kResidualCode, res_cls);
    }
  }
  const bool same = vb == v_;
  ValuePlan plan;
  if (!same) PlanChange(vb, n, &plan);
  // The joint prefix of on-time/late and same/changed. After an on-time
  // sample: 0 on time and same, 10 on time and changed, 11 late; after a
  // late one (lateness comes in runs): 0 late, 10 on time and same, 11 on
  // time and changed. A late sample continues with its residual and a
  // same/changed bit; sample 1 has only that bit.
  const bool late = n >= 2 && resid != 0;
  uint64_t prefix = 0;
  unsigned prefix_bits = 0;
  if (n >= 2) {
    if (late) {
      prefix = after_late_ != 0 ? 0b0 : 0b11;
      prefix_bits = after_late_ != 0 ? 1 : 2;
    } else if (after_late_ != 0) {
      prefix = same ? 0b10 : 0b11;
      prefix_bits = 2;
    } else {
      prefix = same ? 0b0 : 0b10;
      prefix_bits = same ? 1 : 2;
    }
  }
  const bool flag = n == 1 || late;  // the same/changed bit follows
  const unsigned bits =
      prefix_bits + ts_bits + (flag ? 1 : 0) + (same ? 0 : plan.bits);
  const size_t extra = bits <= free_bits_ ? 0 : (bits - free_bits_ + 7) / 8;
  if (!Reserve(extra)) return false;

  BitWriter w(data(), size_, free_bits_);
  if (n == 1) w.WriteUvarint(delta);
  w.WriteBits(prefix, prefix_bits);
  if (late) {
    w.WriteClass(kResidualCode, res_cls,
                 ShiftNonZero(static_cast<int64_t>(resid)));
  }
  if (flag) w.WriteBits(same ? 0 : 1, 1);
  if (!same) WriteChange(w, vb, plan);
  w.Finish();
  size_ = static_cast<uint16_t>(w.size());
  free_bits_ = static_cast<uint8_t>(w.free_bits());
  t_ = t;
  v_ = vb;
  step_ = next.step;
  interval_off_ = next.interval_off;
  resid_ = next.resid;
  off_grid_ = next.off_grid ? 1 : 0;
  after_late_ = late ? 1 : 0;
  StoreCount(data(), n + 1);
  return true;
}

Timestamp XorChunk::min_time() const {
  if (buf_ == nullptr) return 0;
  BitReader r(
      absl::string_view(reinterpret_cast<const char*>(data()) + 2, size_ - 2));
  uint64_t zz = 0;
  r.ReadUvarint(&zz);  // cannot fail: we wrote it
  return ZigZagDecode(zz);
}

absl::string_view XorChunk::bytes() const {
  if (buf_ == nullptr) return absl::string_view(kEmptyChunk, 2);
  return absl::string_view(reinterpret_cast<const char*>(data()), size_);
}

}  // namespace fraisier::tsdb
