// Bit-level writing and reading for the XOR chunk encoding.
//
// Bits are stored most significant first: the first bit written is the top
// bit of the first byte. Unused low bits of the last byte are zero.
//
// BitWriter is a transient cursor over a buffer somebody else owns (the
// chunk keeps its own size fields, so the long-lived object stays small).
// BitReader is bounds-checked everywhere: it never reads a byte outside the
// view it was given, and reports truncation instead of failing, because it
// decodes bytes that may come from a damaged file.
//
// Neither class is thread-safe; both are cheap to copy.
#ifndef ENGINE_TSDB_BITSTREAM_H_
#define ENGINE_TSDB_BITSTREAM_H_

#include <bit>
#include <cstddef>
#include <cstdint>
#include <cstring>

#include "absl/base/attributes.h"
#include "absl/strings/string_view.h"

namespace fraisier::tsdb {

// Number of bytes a LEB128 varint of `v` takes (1..10).
inline int UvarintLength(uint64_t v) {
  int n = 1;
  while (v >= 0x80) {
    v >>= 7;
    ++n;
  }
  return n;
}

// Zig-zag maps small magnitudes of either sign to small unsigned numbers.
inline uint64_t ZigZagEncode(int64_t v) {
  return (static_cast<uint64_t>(v) << 1) ^ static_cast<uint64_t>(v >> 63);
}
inline int64_t ZigZagDecode(uint64_t v) {
  return static_cast<int64_t>((v >> 1) ^ (~(v & 1) + 1));
}

// A prefix code for signed integers, for values that are usually small:
// class j is written as j one bits, then a zero bit unless j is the last
// class, then the value in widths[j]-bit two's complement (width 0 holds
// only 0). The last class must be wide enough for every value written.
struct ClassCode {
  int n;              // number of classes, 2..7
  uint8_t widths[7];  // increasing
};

// True if `v` fits `width`-bit two's complement.
constexpr bool FitsSigned(int64_t v, unsigned width) {
  if (width == 0) return v == 0;
  if (width >= 64) return true;
  const int64_t half = int64_t{1} << (width - 1);
  return v >= -half && v < half;
}

constexpr int ClassOf(const ClassCode& code, int64_t v) {
  int j = 0;
  while (j + 1 < code.n && !FitsSigned(v, code.widths[j])) ++j;
  return j;
}

constexpr unsigned ClassPrefixLen(const ClassCode& code, int j) {
  return j + 1 < code.n ? j + 1 : j;
}

// Bits that ClassOf's class j takes for a value.
constexpr unsigned ClassBits(const ClassCode& code, int j) {
  return ClassPrefixLen(code, j) + code.widths[j];
}

// Appends bits at the end of `data`, which must have room for every bit
// written (the caller computes the exact size first and grows its buffer).
// Bits gather in a register and go out a byte at a time; Finish() writes
// the last partial byte.
class BitWriter {
 public:
  // `size` bytes are in use; the last of them has `free_bits` (0..7) unused
  // low bits, which must be zero.
  BitWriter(uint8_t* data, size_t size, unsigned free_bits)
      : data_(data), size_(size) {
    if (free_bits > 0) {
      --size_;  // rewritten by Finish()
      acc_ = data_[size_] >> free_bits;
      acc_bits_ = 8 - free_bits;
    }
  }

  // Writes the low `n` bits of `v`, 0 <= n <= 64. Inlined: a sample's
  // fields are several calls.
  ABSL_ATTRIBUTE_ALWAYS_INLINE void WriteBits(uint64_t v, unsigned n) {
    if (n > 56) {
      WriteWide(v, n);
      return;
    }
    if (n == 0) return;
    v &= ~uint64_t{0} >> (64 - n);
    if (acc_bits_ + n > 64) Flush();  // leaves < 8 bits, so n <= 56 fits
    acc_ = (acc_ << n) | v;
    acc_bits_ += n;
  }

  // More than 56 bits: two writes, so the accumulator never overflows.
  ABSL_ATTRIBUTE_NOINLINE void WriteWide(uint64_t v, unsigned n) {
    WriteBits(v >> 32, n - 32);
    WriteBits(v, 32);
  }

  // LEB128, 7 bits per byte, low groups first.
  void WriteUvarint(uint64_t v) {
    while (v >= 0x80) {
      WriteBits((v & 0x7F) | 0x80, 8);
      v >>= 7;
    }
    WriteBits(v, 8);
  }

  // The prefix of class `j` of `code` (j from ClassOf).
  void WriteClassPrefix(const ClassCode& code, int j) {
    const unsigned ones = static_cast<unsigned>(j);
    const unsigned len = ClassPrefixLen(code, j);
    WriteBits(((uint64_t{1} << ones) - 1) << (len - ones), len);
  }
  // The value bits of class `j`.
  void WriteClassValue(const ClassCode& code, int j, int64_t v) {
    WriteBits(static_cast<uint64_t>(v), code.widths[j]);
  }
  void WriteClass(const ClassCode& code, int j, int64_t v) {
    WriteClassPrefix(code, j);
    WriteClassValue(code, j, v);
  }

  // Writes out everything, padding the last byte with zero bits. The
  // writer must not be used afterwards except for size() and free_bits().
  void Finish() {
    Flush();
    free_ = 0;
    if (acc_bits_ > 0) {
      free_ = 8 - acc_bits_;
      data_[size_++] = static_cast<uint8_t>(acc_ << free_);
      acc_bits_ = 0;
    }
  }

  // Valid after Finish().
  size_t size() const { return size_; }
  unsigned free_bits() const { return free_; }

 private:
  void Flush() {
    while (acc_bits_ >= 8) {
      acc_bits_ -= 8;
      data_[size_++] = static_cast<uint8_t>(acc_ >> acc_bits_);
    }
  }

  uint8_t* data_;
  size_t size_;
  uint64_t acc_ = 0;  // pending bits in the low acc_bits_ bits
  unsigned acc_bits_ = 0;
  unsigned free_ = 0;
};

// Reads bits from a byte view. Bits past the end of the view read as zero
// and make overrun() true, so a decoder can check once per sample instead
// of once per read; it never touches a byte outside the view. The hot
// methods are forced inline so that a decoder's local copy of the reader
// lives in registers.
class BitReader {
 public:
  BitReader() = default;
  explicit BitReader(absl::string_view bytes)
      : next_(reinterpret_cast<const uint8_t*>(bytes.data())),
        end_(next_ + bytes.size()) {}

  // True once a read went past the end of the data: the zero padding sits
  // at the end of the loaded bits, so some of it has been consumed.
  bool overrun() const { return avail_ < pad_bits_; }

  // The next `n` bits (1 <= n <= 56) in the low bits, not consumed.
  ABSL_ATTRIBUTE_ALWAYS_INLINE uint64_t Peek(unsigned n) {
    if (avail_ < n) Refill();
    return buf_ >> (64 - n);
  }

  // Makes at least `n` (<= 56) bits available to Window().
  ABSL_ATTRIBUTE_ALWAYS_INLINE void Ensure(unsigned n) {
    if (avail_ < n) Refill();
  }
  // True if consuming `n` loaded bits stays within the real data.
  bool CanSkip(unsigned n) const { return avail_ >= n + pad_bits_; }
  // The loaded bits, left-aligned; only the top `n` of an Ensure(n) count.
  uint64_t Window() const { return buf_; }

  // Consumes `n` bits (0 <= n <= 56) that a Peek of at least n has loaded.
  ABSL_ATTRIBUTE_ALWAYS_INLINE void Skip(unsigned n) {
    buf_ <<= n;
    avail_ -= n;
  }

  // Reads `n` bits, 1 <= n <= 56.
  ABSL_ATTRIBUTE_ALWAYS_INLINE uint64_t Read(unsigned n) {
    const uint64_t v = Peek(n);
    Skip(n);
    return v;
  }

  // Reads `n` bits, 1 <= n <= 64 (two reads keep every shift below 64).
  ABSL_ATTRIBUTE_ALWAYS_INLINE uint64_t ReadWide(unsigned n) {
    if (n <= 56) return Read(n);
    const uint64_t hi = Read(n - 32);
    return (hi << 32) | Read(32);
  }

  // The class of a value written by BitWriter::WriteClass with `code`.
  ABSL_ATTRIBUTE_ALWAYS_INLINE int ReadClassPrefix(const ClassCode& code) {
    const unsigned max_prefix = static_cast<unsigned>(code.n - 1);
    const uint64_t peek = Peek(max_prefix);
    int j = std::countl_one(peek << (64 - max_prefix));
    if (j > code.n - 1) j = code.n - 1;
    Skip(ClassPrefixLen(code, j));
    return j;
  }

  // The value that follows a class prefix, sign-extended.
  ABSL_ATTRIBUTE_ALWAYS_INLINE int64_t ReadClassValue(const ClassCode& code,
                                                      int cls) {
    const unsigned width = code.widths[cls];
    if (width == 0) return 0;
    const uint64_t raw = ReadWide(width);
    // Arithmetic right shift is defined in C++20.
    return static_cast<int64_t>(raw << (64 - width)) >> (64 - width);
  }

  ABSL_ATTRIBUTE_ALWAYS_INLINE int64_t ReadClass(const ClassCode& code) {
    return ReadClassValue(code, ReadClassPrefix(code));
  }

  // LEB128 as written by BitWriter::WriteUvarint; false on a value that
  // does not fit 64 bits (truncation shows in overrun()).
  bool ReadUvarint(uint64_t* out) {
    uint64_t v = 0;
    for (unsigned shift = 0; shift < 70; shift += 7) {
      const uint64_t byte = Read(8);
      if (shift == 63 && byte > 1) return false;  // overflows uint64
      v |= (byte & 0x7F) << shift;
      if ((byte & 0x80) == 0) {
        *out = v;
        return true;
      }
    }
    return false;  // more than 10 bytes
  }

 private:
  // Big-endian 8-byte load; memcpy keeps it free of alignment UB.
  static uint64_t LoadBE64(const uint8_t* p) {
    uint64_t v;
    std::memcpy(&v, p, sizeof(v));
    return __builtin_bswap64(v);
  }

  // Tops buf_ up to at least 56 bits. Bits of buf_ below the counted ones
  // are zero or the true following bits (the fast path loads whole words
  // but counts only complete bytes), so OR-ing the same bytes in again is
  // harmless. Past the end it loads zero bytes and counts them.
  ABSL_ATTRIBUTE_ALWAYS_INLINE void Refill() {
    if (end_ - next_ >= 8) {
      buf_ |= LoadBE64(next_) >> avail_;  // avail_ < 56 on every call path
      next_ += (63 - avail_) >> 3;
      avail_ |= 56;
      return;
    }
    while (avail_ <= 56) {
      uint64_t byte = 0;
      if (next_ < end_) {
        byte = *next_++;
      } else {
        pad_bits_ += 8;
      }
      buf_ |= byte << (56 - avail_);
      avail_ += 8;
    }
  }

  const uint8_t* next_ = nullptr;  // first byte not yet (fully) in buf_
  const uint8_t* end_ = nullptr;
  uint64_t buf_ = 0;       // the next bits, left-aligned
  unsigned avail_ = 0;     // how many of buf_'s top bits are loaded
  unsigned pad_bits_ = 0;  // zero bits loaded past the end (a suffix)
};

}  // namespace fraisier::tsdb

#endif  // ENGINE_TSDB_BITSTREAM_H_
