#include <algorithm>
#include <array>
#include <bit>
#include <cmath>
#include <cstdint>

#include "absl/strings/str_cat.h"
#include "engine/tsdb/chunk.h"
#include "engine/tsdb/chunk_codec.h"

namespace fraisier::tsdb {
namespace {

using chunk_internal::Compose;
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
using chunk_internal::kValueCodes;
using chunk_internal::kXorNew;
using chunk_internal::kXorReuse;
using chunk_internal::UnshiftNonZero;

// The decoder's fast path: a table indexed by the next 10 bits of a sample
// gives the lengths of all its prefixes and the widths of its payloads in
// one load, for the common shapes (timestamp classes up to 8 bits; a
// repeated value, a decimal delta up to 16 bits, or an XOR in the current
// window). One dependent load per sample keeps the loop's critical path
// short; every other shape takes the general path.
enum SampleShape : uint8_t {
  kShapeGeneral,
  kShapeDecimal,
  kShapeXorReuse,
  kShapeXorNew
};

struct SampleEntry {
  SampleShape shape;
  uint8_t prefix;     // bits of all prefixes
  uint8_t dod_width;  // timestamp payload bits
  uint8_t dod_shift;  // right shift extracting it (63 when width is 0)
  uint8_t int_shift;  // same for the decimal delta (63 for a repeat)
  uint8_t total;      // prefix and payload bits (XOR: without the payload)
  uint8_t dod_nz;     // 1 unless the delta-of-delta is 0
  uint8_t changed;    // 1 for a decimal delta, 0 for a repeat
};

constexpr int kTableBits = 10;

constexpr std::array<SampleEntry, 1 << kTableBits> MakeSampleTable() {
  std::array<SampleEntry, 1 << kTableBits> t{};
  for (int i = 0; i < (1 << kTableBits); ++i) {
    int pos = 0;  // bits of i consumed
    // Counts leading ones of i from pos, up to `max`; false if it runs out.
    auto ones = [&](int max, int* count, int* len) {
      int c = 0;
      while (c < max && pos + c < kTableBits &&
             ((i >> (kTableBits - 1 - pos - c)) & 1)) {
        ++c;
      }
      *count = c;
      *len = c < max ? c + 1 : c;
      if (pos + *len > kTableBits) return false;
      pos += *len;
      return true;
    };
    int dod_cls, kind, int_cls = 0, len;
    SampleEntry& e = t[i];
    e.shape = kShapeGeneral;
    if (!ones(kDodCode.n - 1, &dod_cls, &len) || dod_cls > 3) continue;
    if (!ones(kValueCodes.n - 1, &kind, &len)) continue;
    const unsigned dod_width = kDodCode.widths[dod_cls];
    unsigned int_width = 0;
    if (kind == kDecDelta) {
      if (!ones(kIntCode.n - 1, &int_cls, &len) || int_cls > 2) continue;
      int_width = kIntCode.widths[int_cls];
    } else if (kind == kDecRestart) {
      continue;
    }
    e.shape = kind == kXorReuse ? kShapeXorReuse
              : kind == kXorNew ? kShapeXorNew
                                : kShapeDecimal;
    e.prefix = static_cast<uint8_t>(pos);
    e.dod_width = static_cast<uint8_t>(dod_width);
    e.dod_shift = static_cast<uint8_t>(dod_width == 0 ? 63 : 64 - dod_width);
    e.int_shift = static_cast<uint8_t>(int_width == 0 ? 63 : 64 - int_width);
    e.total = static_cast<uint8_t>(pos + dod_width + int_width);
    e.dod_nz = dod_cls != 0;
    e.changed = kind == kDecDelta;
  }
  return t;
}

constexpr auto kSampleTable = MakeSampleTable();

}  // namespace

// ------------------------------------------------------------- XorIterator

XorIterator::XorIterator(absl::string_view bytes, uint8_t encoding)
    : v2_(encoding == kChunkEncodingXor2) {
  if (encoding != kChunkEncodingXor && encoding != kChunkEncodingXor2) {
    pending_ = absl::DataLossError(
        absl::StrCat("xor chunk: unknown encoding ", encoding));
    return;
  }
  if (bytes.size() < 2) {
    pending_ = absl::DataLossError(absl::StrCat(
        "xor chunk: ", bytes.size(), " bytes, shorter than its 2-byte header"));
    return;
  }
  count_ =
      (static_cast<uint8_t>(bytes[0]) << 8) | static_cast<uint8_t>(bytes[1]);
  limit_ = count_;
  s_.r = BitReader(bytes.substr(2));
}

bool XorIterator::Fail(int index, absl::string_view what) {
  limit_ = index;
  pending_ = absl::DataLossError(absl::StrCat("xor chunk: sample ", index + 1,
                                              " of ", count_, ": ", what));
  return false;
}

bool XorIterator::ReadFirst() {
  uint64_t zz;
  if (!s_.r.ReadUvarint(&zz)) return Fail(0, "timestamp overflows");
  s_.t = ZigZagDecode(zz);
  if (s_.r.Read(1) == 0) {
    s_.v = s_.r.ReadWide(64);
    s_.exp = kNoExp;
    return true;
  }
  s_.exp =
      static_cast<int>(static_cast<int64_t>(s_.r.Read(kExpBits) << 58) >> 58);
  s_.mantissa = s_.r.ReadClass(kIntCode);
  if (s_.exp < kMinExp || s_.exp > kMaxExp) {
    return Fail(0, "bad decimal exponent");
  }
  return ComposeValue(0);
}

bool XorIterator::ComposeValue(int index) {
  if (!(std::fabs(static_cast<double>(s_.mantissa)) < kMantissaLimit)) {
    return Fail(index, "decimal mantissa out of range");
  }
  s_.v = std::bit_cast<uint64_t>(Compose(s_.mantissa, s_.exp));
  return true;
}

bool XorIterator::ReadValuePayload(int kind, int int_cls, int index) {
  BitReader& r = s_.r;
  switch (kind) {
    case kSame:
      return true;
    case kDecDelta:
      if (s_.exp == kNoExp)
        return Fail(index, "decimal delta without exponent");
      // |delta| < 2^51 (52-bit class) and |mantissa| < 2^50: no overflow.
      s_.mantissa += static_cast<int64_t>(
          UnshiftNonZero(r.ReadClassValue(kIntCode, int_cls)));
      return ComposeValue(index);
    case kDecRestart:
      return ReadRestart(index);
    case kXorNew: {
      const uint64_t h = r.Read(11);
      const unsigned lead = static_cast<unsigned>(h >> 6);
      unsigned sig = static_cast<unsigned>(h & 63);
      if (sig == 0) sig = 64;
      if (lead + sig > 64) return Fail(index, "bad XOR window");
      s_.leading = lead;
      s_.sig = sig;
      [[fallthrough]];
    }
    default:  // kXorReuse
      s_.v ^= r.ReadWide(s_.sig) << (64 - s_.leading - s_.sig);
      s_.exp = kNoExp;
      return true;
  }
}

bool XorIterator::ReadRestart(int index) {
  BitReader& r = s_.r;
  const int e =
      static_cast<int>(static_cast<int64_t>(r.Read(kExpBits) << 58) >> 58);
  const bool absolute = r.Read(1) != 0;
  const int64_t d = r.ReadClass(kIntCode);
  if (e < kMinExp || e > kMaxExp) return Fail(index, "bad decimal exponent");
  if (absolute) {
    s_.mantissa = d;
  } else {
    int64_t prev;
    if (!Decompose(s_.v, e, &prev)) return Fail(index, "bad decimal restart");
    // |prev| < 2^50 and |d| < 2^51 (52-bit class): no overflow.
    s_.mantissa = prev + d;
  }
  s_.exp = e;
  s_.fresh = true;
  return ComposeValue(index);
}

bool XorIterator::ReadSample(int index) {
  BitReader& r = s_.r;
  int dod_cls = 0;
  if (index == 1) {
    if (!r.ReadUvarint(&s_.delta)) return Fail(1, "timestamp overflows");
  } else {
    dod_cls = r.ReadClassPrefix(kDodCode);
  }
  const int kind = r.ReadClassPrefix(kValueCodes);
  const int int_cls = kind == kDecDelta ? r.ReadClassPrefix(kIntCode) : 0;
  if (dod_cls != 0) {
    s_.delta += UnshiftNonZero(r.ReadClassValue(kDodCode, dod_cls));
  }
  s_.t = static_cast<Timestamp>(static_cast<uint64_t>(s_.t) + s_.delta);
  return ReadValuePayload(kind, int_cls, index);
}

bool XorIterator::FillBatch1() {
  pos_ = len_ = 0;
  if (read_ >= limit_) {
    status_ = pending_;
    return false;
  }
  const int end = std::min(kBatch, limit_ - read_);
  int n = 0;
  // The first two samples have their own formats.
  while (read_ + n < 2 && n < end) {
    if (!(read_ + n == 0 ? ReadFirst() : ReadSample(1))) break;
    if (s_.r.overrun()) {
      Fail(read_ + n, "truncated");
      break;
    }
    batch_[n++] = Sample{s_.t, std::bit_cast<double>(s_.v)};
  }
  // The steady state, on a local copy of the state so that it stays in
  // registers (the general path copies it back and forth).
  State s = s_;
  while (n < end && read_ + n < limit_) {
    // 56 bits hold every table-decoded sample except a wide XOR.
    s.r.Ensure(56);
    const uint64_t w = s.r.Window();
    const SampleEntry e = kSampleTable[w >> (64 - kTableBits)];
    const uint64_t x = w << e.prefix;
    const int64_t dod_mask = -static_cast<int64_t>(e.dod_nz);
    const int64_t dod = (static_cast<int64_t>(x) >> e.dod_shift) & dod_mask;
    bool fast = false;
    if (e.shape == kShapeDecimal && s.exp != kNoExp) {
      // A repeat and a decimal delta share this path without a branch
      // (series mix them unpredictably): a repeat adds 0 to the mantissa,
      // which recomposes to the same bits.
      const int64_t d = static_cast<int64_t>(x << e.dod_width) >> e.int_shift;
      const int64_t m = s.mantissa + ((d + (d >= 0 ? 1 : 0)) &
                                      -static_cast<int64_t>(e.changed));
      // |m| < 2^50 as one unsigned comparison; else the general path fails.
      if (static_cast<uint64_t>(m + (kMantissaLimitInt - 1)) <=
              static_cast<uint64_t>(2 * kMantissaLimitInt - 2) &&
          s.r.CanSkip(e.total)) {
        s.r.Skip(e.total);
        s.mantissa = m;
        s.v = std::bit_cast<uint64_t>(Compose(m, s.exp));
        fast = true;
      }
    } else if (e.shape == kShapeDecimal && e.changed == 0) {  // XOR repeat
      if (s.r.CanSkip(e.total)) {
        s.r.Skip(e.total);
        fast = true;
      }
    } else if (e.shape == kShapeXorReuse && e.total + s.sig <= 56 &&
               s.r.CanSkip(e.total + s.sig)) {
      const uint64_t bits = (x << e.dod_width) >> (64 - s.sig);
      s.r.Skip(e.total + s.sig);
      s.v ^= bits << (64 - s.leading - s.sig);
      s.exp = kNoExp;
      fast = true;
    } else if (e.shape == kShapeXorNew) {
      // 11 bits of window (5 leading, 6 length) after the prefixes and the
      // timestamp payload, all inside the 56 loaded bits.
      const auto h = static_cast<unsigned>((x << e.dod_width) >> 53);
      const unsigned lead = h >> 6;
      const unsigned sig = (h & 63) == 0 ? 64 : h & 63;
      if (lead + sig <= 64 && s.r.CanSkip(e.total + 11)) {
        s.r.Skip(e.total + 11);
        s.v ^= s.r.ReadWide(sig) << (64 - lead - sig);
        s.leading = lead;
        s.sig = sig;
        s.exp = kNoExp;
        fast = !s.r.overrun();
        if (!fast) {
          Fail(read_ + n, "truncated");
          break;
        }
      }
    }
    if (fast) {
      s.delta += (static_cast<uint64_t>(dod) + (dod >= 0 ? 1 : 0)) & dod_mask;
      s.t = static_cast<Timestamp>(static_cast<uint64_t>(s.t) + s.delta);
    } else {
      s_ = s;
      const bool ok = ReadSample(read_ + n);
      s = s_;
      if (!ok) break;
      if (s.r.overrun()) {
        Fail(read_ + n, "truncated");
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

bool XorIterator::Seek(Timestamp t) {
  if (pos_ == 0 && !Next()) return false;
  // Skip whole batches whose last sample is still too early.
  while (batch_[len_ - 1].t < t) {
    pos_ = len_;
    if (!Next()) return false;
  }
  while (batch_[pos_ - 1].t < t) ++pos_;
  return true;
}

}  // namespace fraisier::tsdb
