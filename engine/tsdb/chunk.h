// XOR chunks: the compressed form of a run of float samples of one series,
// as kept in the head (one open chunk per active series) and persisted in
// the chunk segment files. Gorilla-style chunks (timestamps against a
// prediction, values as XOR of the previous one), extended with an exact
// decimal code for values such as 12.5 or 1.23e9 that XOR compresses
// poorly; docs/chunk_format.md specifies the bytes.
//
// Two encodings exist. XorChunk writes encoding 2 (timestamps against the
// scrape grid, one bit for an on-time repeated value, predicted and
// Rice-coded decimal deltas); XorIterator reads both, so chunks written as
// encoding 1 by older builds stay readable.
#ifndef ENGINE_TSDB_CHUNK_H_
#define ENGINE_TSDB_CHUNK_H_

#include <bit>
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <cstring>
#include <memory>
#include <utility>

#include "absl/status/status.h"
#include "absl/strings/string_view.h"
#include "engine/model/timestamp.h"
#include "engine/model/value.h"
#include "engine/tsdb/bitstream.h"
#include "engine/tsdb/chunk_codec.h"

namespace fraisier::tsdb {

// The chunk encodings, as chunk-file records name them.
inline constexpr uint8_t kChunkEncodingXor = 1;   // read only
inline constexpr uint8_t kChunkEncodingXor2 = 2;  // what XorChunk writes

// The first timestamp of chunk bytes of either encoding (both start with
// the 2-byte count and the zig-zag varint first timestamp); false if the
// bytes hold no sample or are cut short.
bool ChunkFirstTimestamp(absl::string_view bytes, Timestamp* t);

// The head cuts a new chunk after this many samples, like Prometheus: long
// enough for the encoding to pay off, short enough that a query decodes
// little it does not need.
inline constexpr int kSamplesPerChunk = 120;

// Decodes chunk bytes (an open chunk's bytes() or a completed chunk read
// from a file). Corrupt or truncated input stops iteration with a DataLoss
// status after the samples before the damage; no input makes it read
// outside `bytes` or crash.
//
// It decodes ahead in batches of kBatch samples, keeping the decoder state
// in registers for the whole batch, which is several times faster than a
// sample per call; Next() is then an inline index increment.
//
// Not thread-safe. `bytes` must stay valid and unchanged while iterating
// (an XorChunk's bytes() change on its next Append).
class XorIterator {
 public:
  // `encoding` is kChunkEncodingXor2 (what XorChunk writes) or
  // kChunkEncodingXor; anything else is DataLoss.
  explicit XorIterator(absl::string_view bytes,
                       uint8_t encoding = kChunkEncodingXor2);

  // Moves to the next sample; false at the end or on an error.
  bool Next() {
    if (pos_ < len_) {
      ++pos_;
      return true;
    }
    return FillBatch();
  }
  // Moves to the first sample with timestamp >= t. Never moves backwards:
  // if the current sample qualifies, stays on it. False when none is left.
  bool Seek(Timestamp t);
  // The current sample; valid after Next() or Seek() returned true.
  Sample At() const { return batch_[pos_ > 0 ? pos_ - 1 : 0]; }
  // Non-OK (DataLoss) once Next() returned false because of bad bytes.
  absl::Status status() const { return status_; }
  // The sample count the chunk header claims.
  int num_samples() const { return count_; }

 private:
  static constexpr int kBatch = 16;

  // Everything needed to decode the next sample.
  struct State {
    BitReader r;
    Timestamp t = 0;
    uint64_t delta = 0;    // last timestamp delta, modulo 2^64
    uint64_t v = 0;        // last value's bits
    int64_t mantissa = 0;  // decimal state: v == mantissa * 10^exp
    int exp = -128;        // decimal exponent of v, or -128 for none
    unsigned leading = 0;  // current XOR window: leading zero bits
    unsigned sig = 64;     // current XOR window: meaningful bits
    // Encoding 2 only: the timestamp and decimal-delta predictors.
    chunk_internal::TimeState time;
    int64_t ema = 0;
    unsigned rice = 0;
    bool fresh = true;        // the next decimal delta starts a run
    bool after_late = false;  // resid != 0: the joint code's context
    bool steady = false;      // an on-time sample leaves `time` unchanged
  };

  // Decodes up to kBatch samples into batch_; false when there are none.
  bool FillBatch() { return v2_ ? FillBatch2() : FillBatch1(); }
  bool FillBatch1();
  bool FillBatch2();
  // Records the error at sample `index` (0-based); returns false.
  bool Fail(int index, absl::string_view what);
  // Slow paths on s_: the first two samples and the rarer value codes.
  bool ReadFirst();
  // Any sample after the first, field by field.
  bool ReadSample(int index);
  bool ReadValuePayload(int kind, int int_cls, int index);
  bool ComposeValue(int index);
  bool ReadRestart(int index);

  Sample batch_[kBatch] = {};
  int pos_ = 0;    // samples of batch_ handed out
  int len_ = 0;    // samples in batch_
  int count_ = 0;  // samples in the chunk
  int limit_ = 0;  // samples to decode: count_, or fewer on error
  int read_ = 0;   // samples decoded so far
  bool v2_ = true;
  State s_;
  absl::Status pending_;  // becomes status_ when Next() reaches it
  absl::Status status_;
};

// An append-only XOR chunk held in memory.
//
// Invariants: bytes() is always a complete, valid encoding 2 of the samples
// appended so far (an iterator over it sees exactly them, bit for bit); the
// encoding holds at most 65535 bytes and 65535 samples. The object is kept
// at 40 bytes plus a buffer grown in malloc-sized steps, because the head
// keeps one per active series; the buffer starts with the 6-byte
// decimal-delta predictor, followed by the encoding.
//
// Not thread-safe: the owner serializes Append against readers, and a view
// returned by bytes() is invalidated by the next Append.
class XorChunk {
 public:
  // The largest encoded size; sizes are 16-bit to keep the object small.
  static constexpr size_t kMaxBytes = 65535;

  XorChunk() = default;
  // Moving leaves the source empty.
  XorChunk(XorChunk&& other) noexcept { *this = std::move(other); }
  XorChunk& operator=(XorChunk&& other) noexcept;

  // Appends a sample. The caller guarantees that t is greater than the last
  // appended timestamp (any int64 sequence still round-trips exactly).
  // Returns false, leaving the chunk unchanged, when the chunk is full (the
  // 16-bit size or count limit; the head cuts far earlier) or out of memory.
  bool Append(Timestamp t, double v);

  int num_samples() const {
    if (buf_ == nullptr) return 0;
    uint16_t be;
    std::memcpy(&be, buf_.get() + kStateBytes, sizeof(be));  // big-endian
    return __builtin_bswap16(be);
  }
  // First and last timestamps; 0 for an empty chunk.
  Timestamp min_time() const;
  Timestamp max_time() const { return t_; }

  // The encoded chunk (encoding 2), header included; valid until the next
  // Append.
  absl::string_view bytes() const;

  XorIterator Iterator() const {
    return XorIterator(bytes(), kChunkEncodingXor2);
  }

  // Bytes owned by this chunk: the object itself plus the buffer capacity
  // (capacities are malloc block sizes; malloc's own 8-byte block header is
  // not counted).
  size_t MemoryBytes() const {
    return sizeof(*this) + (buf_ == nullptr ? 0 : kStateBytes + cap_);
  }
  size_t capacity() const { return cap_; }

 private:
  struct FreeDeleter {
    void operator()(uint8_t* p) const { std::free(p); }
  };
  struct ValuePlan;

  // The buffer's prefix: the predictor's moving average, an int48
  // (chunk_codec.h).
  static constexpr size_t kStateBytes = 6;
  static constexpr unsigned kNoExpCode = 63;

  // Every field but the buffer (bit-fields rule out std::exchange).
  void CopyStateFrom(const XorChunk& o);
  // Makes room for `extra` more encoded bytes; false if that exceeds
  // kMaxBytes.
  bool Reserve(size_t extra);
  bool AppendFirst(Timestamp t, uint64_t vb);
  void PlanChange(uint64_t vb, int n, ValuePlan* plan) const;
  void WriteChange(BitWriter& w, uint64_t vb, const ValuePlan& plan);
  uint8_t* data() const { return buf_.get() + kStateBytes; }
  int exp() const {
    return exp_code_ == kNoExpCode ? -128 : static_cast<int>(exp_code_) - 23;
  }
  void set_exp(int e) {
    exp_code_ = e == -128 ? kNoExpCode : static_cast<unsigned>(e + 23);
  }
  // As a 32-bit and a 16-bit half: copying 6 bytes through a 64-bit
  // temporary stalls on store forwarding.
  int64_t ema() const {
    uint32_t lo;
    uint16_t hi;
    std::memcpy(&lo, buf_.get(), sizeof(lo));
    std::memcpy(&hi, buf_.get() + sizeof(lo), sizeof(hi));
    return static_cast<int64_t>((uint64_t{lo} | uint64_t{hi} << 32) << 16) >>
           16;
  }
  void set_ema(int64_t e) {
    const auto lo = static_cast<uint32_t>(e);
    const auto hi = static_cast<uint16_t>(static_cast<uint64_t>(e) >> 32);
    std::memcpy(buf_.get(), &lo, sizeof(lo));
    std::memcpy(buf_.get() + sizeof(lo), &hi, sizeof(hi));
  }

  std::unique_ptr<uint8_t, FreeDeleter> buf_;  // predictor + encoding
  Timestamp t_ = 0;                            // last timestamp
  uint64_t v_ = 0;                             // last value's bits
  // The timestamp predictor (chunk_codec.h TimeState).
  int32_t step_ = 0;
  int16_t interval_off_ = 0;
  int16_t resid_ = 0;
  uint16_t size_ = 0;          // encoded bytes in use
  uint16_t cap_ = 0;           // encoded bytes allocated
  uint8_t free_bits_ : 3 = 0;  // unused low bits of the last byte
  uint8_t leading_ : 5 = 0;    // current XOR window, as in XorIterator
  uint8_t sig_ : 7 = 64;
  uint8_t off_grid_ : 1 = 0;           // TimeState::off_grid
  uint8_t exp_code_ : 6 = kNoExpCode;  // decimal exponent of v_ + 23
  uint8_t fresh_ : 1 = 1;              // the next decimal delta starts a run
  uint8_t after_late_ : 1 = 0;         // the last residual was not 0
  uint8_t rice_ = 0;                   // Rice state of the predictor
};

}  // namespace fraisier::tsdb

#endif  // ENGINE_TSDB_CHUNK_H_
