// The on-disk framing shared by WAL segments and checkpoint files
// (docs/wal_format.md is the specification; this is its implementation).
//
//   segment file = segment header (8 bytes) + frame*
//   segment header = "FRWL" + version (1 byte) + 3 zero bytes
//   frame = magic u32 | crc32c u32 | length u32 | type u8 | flags u8 |
//           reserved u16 | payload[length]          (little-endian)
//   batch payload = uvarint count + count * (uvarint length + bytes)
//
// One Wal::Log call is one batch frame, so a commit is covered by a single
// checksum: after a crash it is either entirely readable or detected as
// damaged, never half-applied. The CRC covers everything after the CRC field
// (length, type, flags, reserved and payload); the magic is compared exactly
// and lets a reader find the next frame after damage.
//
// Internal to engine/tsdb's WAL.
#ifndef ENGINE_TSDB_WAL_FRAME_H_
#define ENGINE_TSDB_WAL_FRAME_H_

#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "absl/types/span.h"
#include "engine/tsdb/wal_io.h"

namespace fraisier::tsdb::wal_internal {

inline constexpr size_t kSegmentHeaderSize = 8;
inline constexpr uint8_t kFormatVersion = 1;
inline constexpr size_t kFrameHeaderSize = 16;
// Bytes D9 57 41 4C on disk: a non-ASCII first byte makes the magic unlikely
// in label text, and it is never all zeros (the usual crash garbage).
inline constexpr uint32_t kFrameMagic = 0x4C4157D9;
inline constexpr uint8_t kFrameTypeBatch = 1;
// Caps one commit (and what a reader will believe a length field): large
// enough for any sane commit, small enough that a corrupt length cannot
// make the reader allocate gigabytes.
inline constexpr uint32_t kMaxFramePayload = 1u << 30;

// The 8 bytes every segment and checkpoint file starts with.
std::string SegmentHeader();

enum class HeaderCheck {
  kOk,
  kDamaged,             // short, zeroed or wrong magic: treat as corruption
  kUnsupportedVersion,  // our magic, a version this build cannot read
};
HeaderCheck CheckSegmentHeader(absl::string_view first_bytes,
                               std::string* reason);

// The payload size of a batch frame holding `records`.
uint64_t BatchPayloadSize(absl::Span<const absl::string_view> records);

// Replaces *out with one batch frame holding `records`. InvalidArgument if
// the payload would exceed kMaxFramePayload.
absl::Status EncodeBatchFrame(absl::Span<const absl::string_view> records,
                              std::string* out);

// Reads the frames of one segment or checkpoint file, up to `limit` bytes
// (the size when the read started, so concurrent appends are not seen
// half-written). Memory stays bounded by the largest frame plus one read
// chunk, whatever the file size.
//
// Thread-safety: not thread-safe; one reader per thread.
// Invariants: offset() is always at a frame boundary or at damage that
// Next() reported; views handed out point into buf_ and live until the next
// call.
class FrameReader {
 public:
  enum class Outcome { kBatch, kEnd, kCorrupt };

  FrameReader(const File* file, int64_t limit) : file_(file), limit_(limit) {}

  // Checks the segment header and moves to the first frame. On kDamaged the
  // reader stays at offset 0 so Resync() can look for frames anyway.
  absl::StatusOr<HeaderCheck> ReadHeader(std::string* reason);

  // Parses the frame at offset(). kBatch: records() holds its records and
  // offset() moves past it. kCorrupt: reason() says why; offset() stays at
  // the damage. Errors are I/O errors only.
  absl::StatusOr<Outcome> Next();

  // After kCorrupt (or a damaged header): moves offset() to the next
  // position where a complete frame with a valid checksum and batch starts,
  // or to the limit when there is none.
  absl::Status Resync();

  int64_t offset() const { return offset_; }
  int64_t limit() const { return limit_; }
  // The start of the frame last returned as kBatch.
  int64_t frame_offset() const { return frame_offset_; }
  const std::vector<absl::string_view>& records() const { return records_; }
  // Why the last Next() said kCorrupt. Like claimed_records(), valid until
  // the next call (Resync reuses it while probing candidates).
  const std::string& reason() const { return reason_; }
  // For the last kCorrupt: the record count the damaged frame claims, when
  // its header looked sane and the count was readable; 0 otherwise. Not
  // verified by a checksum, so only good for statistics.
  uint64_t claimed_records() const { return claimed_records_; }

 private:
  // A view of bytes [off, off + n) (fewer at the limit), reading as needed.
  absl::StatusOr<absl::string_view> Fill(int64_t off, size_t n);
  // Parses the frame at `off` into records_ / reason_; *size gets the frame
  // size on kBatch.
  absl::StatusOr<Outcome> ParseAt(int64_t off, int64_t* size);

  const File* const file_;
  const int64_t limit_;
  int64_t offset_ = 0;
  int64_t frame_offset_ = 0;
  std::string buf_;  // file bytes [buf_start_, buf_start_ + size)
  int64_t buf_start_ = 0;
  std::vector<absl::string_view> records_;
  std::string reason_;
  uint64_t claimed_records_ = 0;
};

}  // namespace fraisier::tsdb::wal_internal

#endif  // ENGINE_TSDB_WAL_FRAME_H_
