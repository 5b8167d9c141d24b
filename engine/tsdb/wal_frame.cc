#include "engine/tsdb/wal_frame.h"

#include <algorithm>
#include <utility>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "engine/tsdb/crc32c.h"
#include "engine/tsdb/wal_coding.h"

namespace fraisier::tsdb::wal_internal {
namespace {

constexpr char kSegmentMagic[4] = {'F', 'R', 'W', 'L'};
// Reads are at least this large so that small frames are parsed from memory.
constexpr size_t kReadChunk = 1 << 20;
// Resync scans this much at a time looking for the frame magic.
constexpr size_t kScanChunk = 64 << 10;

bool AllZero(absl::string_view bytes) {
  return std::all_of(bytes.begin(), bytes.end(), [](char c) { return c == 0; });
}

// kFrameMagic as it appears on disk, for scanning.
constexpr char kMagicBytes[4] = {'\xD9', 'W', 'A', 'L'};
constexpr absl::string_view kMagic(kMagicBytes, sizeof(kMagicBytes));
static_assert(LoadFixed32(kMagicBytes) == kFrameMagic);

// Splits a batch payload into record views; the reason on failure. A batch
// whose checksum is right but whose structure is wrong can only come from a
// writer bug, and is treated like any other damage.
bool DecodeBatchPayload(absl::string_view payload,
                        std::vector<absl::string_view>* records,
                        std::string* reason) {
  records->clear();
  Decoder d(payload);
  uint64_t count = 0;
  if (!d.ReadUvarint(&count)) {
    *reason = "malformed batch: truncated record count";
    return false;
  }
  // Each record takes at least its one-byte length.
  if (count > d.remaining()) {
    *reason = absl::StrCat("malformed batch: record count ", count,
                           " cannot fit in ", d.remaining(), " bytes");
    return false;
  }
  records->reserve(count);
  for (uint64_t i = 0; i < count; ++i) {
    absl::string_view rec;
    if (!d.ReadLengthPrefixed(&rec)) {
      *reason = absl::StrCat("malformed batch: record ", i + 1, " of ", count,
                             " truncated");
      records->clear();
      return false;
    }
    records->push_back(rec);
  }
  if (!d.done()) {
    *reason =
        absl::StrCat("malformed batch: ", d.remaining(), " trailing bytes");
    records->clear();
    return false;
  }
  return true;
}

}  // namespace

std::string SegmentHeader() {
  std::string h(kSegmentMagic, sizeof(kSegmentMagic));
  h.push_back(static_cast<char>(kFormatVersion));
  h.append(3, '\0');
  return h;
}

HeaderCheck CheckSegmentHeader(absl::string_view first_bytes,
                               std::string* reason) {
  if (first_bytes.size() < kSegmentHeaderSize) {
    *reason = absl::StrCat("segment header truncated (", first_bytes.size(),
                           " of ", kSegmentHeaderSize, " bytes)");
    return HeaderCheck::kDamaged;
  }
  const absl::string_view h = first_bytes.substr(0, kSegmentHeaderSize);
  if (h.substr(0, 4) != absl::string_view(kSegmentMagic, 4)) {
    *reason = AllZero(h) ? "segment header zeroed" : "bad segment magic";
    return HeaderCheck::kDamaged;
  }
  const uint8_t version = static_cast<uint8_t>(h[4]);
  if (version != kFormatVersion) {
    *reason = absl::StrCat("segment format version ", version,
                           " is not supported (this build reads version ",
                           kFormatVersion, ")");
    return HeaderCheck::kUnsupportedVersion;
  }
  if (!AllZero(h.substr(5))) {
    *reason = "segment header reserved bytes are not zero";
    return HeaderCheck::kDamaged;
  }
  return HeaderCheck::kOk;
}

uint64_t BatchPayloadSize(absl::Span<const absl::string_view> records) {
  uint64_t size = UvarintSize(records.size());
  for (absl::string_view r : records) size += UvarintSize(r.size()) + r.size();
  return size;
}

absl::Status EncodeBatchFrame(absl::Span<const absl::string_view> records,
                              std::string* out) {
  const uint64_t payload_size = BatchPayloadSize(records);
  if (payload_size > kMaxFramePayload) {
    return absl::InvalidArgumentError(
        absl::StrCat("wal: a commit of ", payload_size,
                     " bytes exceeds the limit of ", kMaxFramePayload));
  }
  out->clear();
  out->reserve(kFrameHeaderSize + payload_size);
  PutFixed32(out, kFrameMagic);
  PutFixed32(out, 0);  // crc, filled in below
  PutFixed32(out, static_cast<uint32_t>(payload_size));
  out->push_back(static_cast<char>(kFrameTypeBatch));
  out->append(3, '\0');  // flags, reserved
  PutUvarint(out, records.size());
  for (absl::string_view r : records) {
    PutUvarint(out, r.size());
    out->append(r.data(), r.size());
  }
  const uint32_t crc = Crc32c(absl::string_view(*out).substr(8));
  StoreFixed32(out->data() + 4, crc);
  return absl::OkStatus();
}

absl::StatusOr<absl::string_view> FrameReader::Fill(int64_t off, size_t n) {
  if (off >= limit_) return absl::string_view();
  n = static_cast<size_t>(
      std::min<int64_t>(static_cast<int64_t>(n), limit_ - off));
  const int64_t buf_end = buf_start_ + static_cast<int64_t>(buf_.size());
  if (off < buf_start_ || off + static_cast<int64_t>(n) > buf_end) {
    const size_t want = static_cast<size_t>(std::min<int64_t>(
        static_cast<int64_t>(std::max(n, kReadChunk)), limit_ - off));
    buf_.resize(want);
    absl::StatusOr<size_t> got = file_->ReadAt(off, want, buf_.data());
    if (!got.ok()) {
      buf_.clear();
      return got.status();
    }
    // A file shorter than the limit was shrunk under us; show what is there.
    buf_.resize(*got);
    buf_start_ = off;
    n = std::min(n, *got);
  }
  return absl::string_view(buf_).substr(static_cast<size_t>(off - buf_start_),
                                        n);
}

absl::StatusOr<HeaderCheck> FrameReader::ReadHeader(std::string* reason) {
  absl::StatusOr<absl::string_view> h = Fill(0, kSegmentHeaderSize);
  if (!h.ok()) return h.status();
  const HeaderCheck check = CheckSegmentHeader(*h, reason);
  offset_ = check == HeaderCheck::kOk ? kSegmentHeaderSize : 0;
  return check;
}

absl::StatusOr<FrameReader::Outcome> FrameReader::ParseAt(int64_t off,
                                                          int64_t* size) {
  records_.clear();
  reason_.clear();
  claimed_records_ = 0;
  const int64_t left = limit_ - off;
  if (left <= 0) return Outcome::kEnd;
  absl::StatusOr<absl::string_view> header = Fill(off, kFrameHeaderSize);
  if (!header.ok()) return header.status();
  if (header->size() < kFrameHeaderSize) {
    reason_ = AllZero(*header)
                  ? absl::StrCat(header->size(), " zero bytes at the end")
                  : absl::StrCat("truncated frame header (", header->size(),
                                 " of ", kFrameHeaderSize, " bytes)");
    return Outcome::kCorrupt;
  }
  const char* h = header->data();
  if (LoadFixed32(h) != kFrameMagic) {
    reason_ = AllZero(*header) ? "zero-filled bytes instead of a frame"
                               : "bad frame magic";
    return Outcome::kCorrupt;
  }
  const uint32_t stored_crc = LoadFixed32(h + 4);
  const uint32_t length = LoadFixed32(h + 8);
  const uint8_t type = static_cast<uint8_t>(h[12]);
  if (type != kFrameTypeBatch) {
    reason_ = absl::StrCat("unknown frame type ", type);
    return Outcome::kCorrupt;
  }
  if (h[13] != 0 || h[14] != 0 || h[15] != 0) {
    reason_ = "nonzero flags or reserved bytes in frame header";
    return Outcome::kCorrupt;
  }
  if (length > kMaxFramePayload) {
    reason_ = absl::StrCat("frame length ", length, " exceeds the limit");
    return Outcome::kCorrupt;
  }
  const int64_t total = static_cast<int64_t>(kFrameHeaderSize) + length;
  if (total > left) {
    reason_ =
        absl::StrCat("truncated frame: ", length, " payload bytes, ",
                     left - static_cast<int64_t>(kFrameHeaderSize), " present");
    // A torn write usually keeps the record count at the payload start.
    absl::StatusOr<absl::string_view> partial =
        Fill(off, static_cast<size_t>(std::min<int64_t>(left, 32)));
    if (!partial.ok()) return partial.status();
    Decoder d(partial->substr(std::min(partial->size(), kFrameHeaderSize)));
    uint64_t count = 0;
    if (d.ReadUvarint(&count) && count <= length) claimed_records_ = count;
    return Outcome::kCorrupt;
  }
  absl::StatusOr<absl::string_view> frame = Fill(off, total);
  if (!frame.ok()) return frame.status();
  if (static_cast<int64_t>(frame->size()) < total) {
    reason_ = "file shrank while reading";
    return Outcome::kCorrupt;
  }
  const uint32_t crc = Crc32c(frame->substr(8));
  const absl::string_view payload = frame->substr(kFrameHeaderSize);
  if (crc != stored_crc) {
    reason_ = absl::StrFormat("checksum mismatch (stored %08x, computed %08x)",
                              stored_crc, crc);
    Decoder d(payload);
    uint64_t count = 0;
    if (d.ReadUvarint(&count) && count <= length) claimed_records_ = count;
    return Outcome::kCorrupt;
  }
  if (!DecodeBatchPayload(payload, &records_, &reason_)) {
    return Outcome::kCorrupt;
  }
  *size = total;
  return Outcome::kBatch;
}

absl::StatusOr<FrameReader::Outcome> FrameReader::Next() {
  int64_t size = 0;
  absl::StatusOr<Outcome> outcome = ParseAt(offset_, &size);
  if (!outcome.ok()) return outcome.status();
  if (*outcome == Outcome::kBatch) {
    frame_offset_ = offset_;
    offset_ += size;
  }
  return *outcome;
}

absl::Status FrameReader::Resync() {
  int64_t pos = offset_ + 1;
  while (pos + static_cast<int64_t>(kFrameHeaderSize) <= limit_) {
    absl::StatusOr<absl::string_view> chunk = Fill(pos, kScanChunk);
    if (!chunk.ok()) return chunk.status();
    if (chunk->size() < kMagic.size()) break;
    const size_t i = chunk->find(kMagic);
    if (i == absl::string_view::npos) {
      // Keep the last bytes: the magic may straddle the chunk boundary.
      pos += static_cast<int64_t>(chunk->size() - (kMagic.size() - 1));
      continue;
    }
    const int64_t candidate = pos + static_cast<int64_t>(i);
    int64_t size = 0;
    absl::StatusOr<Outcome> outcome = ParseAt(candidate, &size);
    if (!outcome.ok()) return outcome.status();
    if (*outcome == Outcome::kBatch) {
      // Next() parses it again; resyncs are rare enough not to cache it.
      offset_ = candidate;
      return absl::OkStatus();
    }
    pos = candidate + 1;
  }
  offset_ = limit_;
  records_.clear();
  return absl::OkStatus();
}

}  // namespace fraisier::tsdb::wal_internal
