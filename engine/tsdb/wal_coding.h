// Byte-level helpers shared by the WAL frame format and the WAL record
// encodings: little-endian fixed-width integers, LEB128 varints (the same
// encoding as Go's binary.PutUvarint) and zigzag for signed deltas.
//
// Readers work on a Decoder that never reads past its end, so callers can
// feed them arbitrary bytes. Stateless helpers; a Decoder is used by one
// thread at a time.
#ifndef ENGINE_TSDB_WAL_CODING_H_
#define ENGINE_TSDB_WAL_CODING_H_

#include <cstddef>
#include <cstdint>
#include <cstring>
#include <string>

#include "absl/strings/string_view.h"

namespace fraisier::tsdb::wal_internal {

inline void PutFixed32(std::string* out, uint32_t v) {
  char b[4];
  for (int i = 0; i < 4; ++i) b[i] = static_cast<char>(v >> (8 * i));
  out->append(b, 4);
}

inline void PutFixed64(std::string* out, uint64_t v) {
  char b[8];
  for (int i = 0; i < 8; ++i) b[i] = static_cast<char>(v >> (8 * i));
  out->append(b, 8);
}

// Requires 4 (or 8) readable bytes at `p`.
constexpr uint32_t LoadFixed32(const char* p) {
  uint32_t v = 0;
  for (int i = 3; i >= 0; --i) v = (v << 8) | static_cast<unsigned char>(p[i]);
  return v;
}

constexpr uint64_t LoadFixed64(const char* p) {
  uint64_t v = 0;
  for (int i = 7; i >= 0; --i) v = (v << 8) | static_cast<unsigned char>(p[i]);
  return v;
}

inline void StoreFixed32(char* p, uint32_t v) {
  for (int i = 0; i < 4; ++i) p[i] = static_cast<char>(v >> (8 * i));
}

inline void StoreFixed64(char* p, uint64_t v) {
  for (int i = 0; i < 8; ++i) p[i] = static_cast<char>(v >> (8 * i));
}

// Writes the varint at `p` (room for 10 bytes needed); returns its end.
inline char* EncodeUvarint(char* p, uint64_t v) {
  while (v >= 0x80) {
    *p++ = static_cast<char>((v & 0x7f) | 0x80);
    v >>= 7;
  }
  *p++ = static_cast<char>(v);
  return p;
}

inline void PutUvarint(std::string* out, uint64_t v) {
  char b[10];
  out->append(b, EncodeUvarint(b, v) - b);
}

inline size_t UvarintSize(uint64_t v) {
  size_t n = 1;
  while (v >= 0x80) {
    v >>= 7;
    ++n;
  }
  return n;
}

// Zigzag maps small negative and positive deltas to small unsigned values.
// Done in unsigned arithmetic so that every int64 (and every wrapped delta)
// round-trips without signed overflow.
inline uint64_t ZigZag(uint64_t v) {
  return (v << 1) ^ (0 - (v >> 63));  // (v >> 63) is the sign bit
}
inline uint64_t UnZigZag(uint64_t v) { return (v >> 1) ^ (0 - (v & 1)); }

// A bounds-checked cursor over untrusted bytes.
class Decoder {
 public:
  explicit Decoder(absl::string_view data) : data_(data) {}

  size_t offset() const { return pos_; }
  size_t remaining() const { return data_.size() - pos_; }
  bool done() const { return pos_ == data_.size(); }

  bool ReadByte(uint8_t* v) {
    if (remaining() < 1) return false;
    *v = static_cast<uint8_t>(data_[pos_++]);
    return true;
  }

  bool ReadFixed64(uint64_t* v) {
    if (remaining() < 8) return false;
    *v = LoadFixed64(data_.data() + pos_);
    pos_ += 8;
    return true;
  }

  // False on truncation and on encodings longer than 10 bytes or overflowing
  // 64 bits; the cursor does not move on failure.
  bool ReadUvarint(uint64_t* v) {
    // Fast path: small deltas and lengths take one byte.
    if (pos_ < data_.size() && static_cast<uint8_t>(data_[pos_]) < 0x80) {
      *v = static_cast<uint8_t>(data_[pos_++]);
      return true;
    }
    uint64_t result = 0;
    for (size_t i = 0; i < 10; ++i) {
      if (pos_ + i >= data_.size()) return false;
      const uint8_t b = static_cast<uint8_t>(data_[pos_ + i]);
      // The tenth byte may only contribute the single remaining bit.
      if (i == 9 && b > 1) return false;
      result |= static_cast<uint64_t>(b & 0x7f) << (7 * i);
      if (b < 0x80) {
        pos_ += i + 1;
        *v = result;
        return true;
      }
    }
    return false;
  }

  // A uvarint length followed by that many bytes; the view points into the
  // decoded data.
  bool ReadLengthPrefixed(absl::string_view* v) {
    const size_t start = pos_;
    uint64_t n = 0;
    if (!ReadUvarint(&n)) return false;
    if (n > remaining()) {
      pos_ = start;
      return false;
    }
    *v = data_.substr(pos_, n);
    pos_ += n;
    return true;
  }

 private:
  absl::string_view data_;
  size_t pos_ = 0;
};

}  // namespace fraisier::tsdb::wal_internal

#endif  // ENGINE_TSDB_WAL_CODING_H_
