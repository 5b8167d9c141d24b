// Completed chunks on disk: append-only segment files in one directory,
// served memory-mapped, so resident memory holds only what the head indexes
// plus the open chunks. docs/chunk_files_format.md specifies the bytes.
//
// Lifecycle: Open() lists the segment files and checks their format
// version; the head then calls ForEachChunk() once to learn every chunk
// (which also repairs a torn tail of the last segment, left by a crash
// mid-write). Writes always go to a fresh segment after Open, so recovered
// segments never change. Retention deletes whole segments, by time or by
// total size.
//
// Chains: every record carries the ChunkRef of the same series' previous
// chunk (0 for none), so a series' chunks form a singly linked list from
// its newest chunk backwards in time. The head keeps only the newest ref
// per series in memory and walks the list through the mappings to read
// older chunks. A link always points to a smaller ref (an older segment or
// an earlier offset of the same segment), so walks terminate; a link into a
// segment that retention deleted, or past a repaired tail, is reported by
// Read (NotFound / DataLoss) and never dereferenced.
#ifndef ENGINE_TSDB_CHUNK_FILES_H_
#define ENGINE_TSDB_CHUNK_FILES_H_

#include <atomic>
#include <cstdint>
#include <map>
#include <memory>
#include <mutex>
#include <shared_mutex>
#include <string>

#include "absl/functional/function_ref.h"
#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "engine/model/timestamp.h"
#include "engine/tsdb/chunk.h"

namespace fraisier::tsdb {

// Where a chunk lives: the segment's sequence number in the upper 32 bits,
// the record's byte offset in the file in the lower 32. 0 is never a valid
// ref (segment numbers start at 1, records at offset 8): it means "none".
using ChunkRef = uint64_t;

inline ChunkRef MakeChunkRef(uint32_t segment, uint32_t offset) {
  return (static_cast<uint64_t>(segment) << 32) | offset;
}
inline uint32_t ChunkRefSegment(ChunkRef ref) {
  return static_cast<uint32_t>(ref >> 32);
}
inline uint32_t ChunkRefOffset(ChunkRef ref) {
  return static_cast<uint32_t>(ref);
}

struct ChunkFilesOptions {
  // A segment is cut before it would grow past this; at most 4 GiB - 1
  // (offsets are 32-bit), at least 4 KiB.
  int64_t max_segment_bytes = int64_t{128} << 20;
};

// What the files hold and what recovery found.
struct ChunkFilesStats {
  int64_t segments = 0;
  int64_t total_bytes = 0;
  int64_t chunks_written = 0;  // by Write since Open
  int64_t chunks_scanned = 0;  // by the last ForEachChunk
  // Torn or corrupt tails cut off the last segment by ForEachChunk.
  int64_t truncations = 0;
  int64_t truncated_bytes = 0;
  std::string last_truncation;  // "file at offset N: reason"
  int64_t segments_deleted = 0;
};

// A chunk read from a segment. Keeps the segment's mapping alive, so the
// bytes stay readable even if retention deletes the file meanwhile.
// Immutable; safe to share between threads.
class ChunkHandle {
 public:
  ChunkHandle() = default;

  absl::string_view bytes() const { return bytes_; }
  uint64_t series_ref() const { return series_ref_; }
  // The same series' previous chunk, 0 for none. Always smaller than the
  // ref this handle was read from.
  ChunkRef prev_ref() const { return prev_ref_; }
  Timestamp min_time() const { return min_time_; }
  Timestamp max_time() const { return max_time_; }
  uint8_t encoding() const { return encoding_; }

 private:
  friend class ChunkFiles;

  std::shared_ptr<const void> mapping_;
  absl::string_view bytes_;
  uint64_t series_ref_ = 0;
  ChunkRef prev_ref_ = 0;
  Timestamp min_time_ = 0;
  Timestamp max_time_ = 0;
  uint8_t encoding_ = 0;
};

// (series_ref, chunk_ref, mint, maxt, num_samples); a non-OK status stops
// the iteration and is returned.
using ChunkCallback = absl::FunctionRef<absl::Status(
    uint64_t series_ref, ChunkRef ref, Timestamp mint, Timestamp maxt,
    int num_samples)>;

// Thread-safety: all methods may be called concurrently. Writers serialize
// on one mutex (writes are short pwrites; cutting a segment also fsyncs the
// finished one); Read only takes a shared lock to find the segment and then
// reads the mapping, so it never waits for a write's system call.
// ForEachChunk and the Delete methods hold the writer mutex throughout, so a
// ForEachChunk callback must not call Write or the Delete methods.
//
// Invariants: a segment's published size only covers complete records that
// were written before the size was published, so Read never sees a partial
// record and never touches bytes beyond the end of a file; only the newest
// segment created since Open is written to; ChunkRefs stay valid until
// their segment is deleted; every record's prev_ref is 0 or smaller than
// its own ref.
class ChunkFiles {
 public:
  // FailedPrecondition if a segment has a valid magic but another format
  // version (files of an older build are refused, never repaired).
  static absl::StatusOr<std::unique_ptr<ChunkFiles>> Open(
      std::string dir, ChunkFilesOptions options = {});
  ~ChunkFiles();
  ChunkFiles(const ChunkFiles&) = delete;
  ChunkFiles& operator=(const ChunkFiles&) = delete;

  // Appends a chunk record linked to `prev_ref` (the series' previous
  // chunk, 0 for none); the data is readable through the returned ref as
  // soon as this returns (durable only after Sync or a segment cut).
  // `encoding` names the chunk encoding of the data (chunk.h); records are
  // smallest when `mint` is the data's first timestamp, as it is for the
  // head's chunks. InvalidArgument if `prev_ref` is not older than the new
  // record (the caller must pass a ref an earlier Write returned or a scan
  // reported).
  absl::StatusOr<ChunkRef> Write(uint64_t series_ref, ChunkRef prev_ref,
                                 Timestamp mint, Timestamp maxt,
                                 absl::string_view chunk_bytes,
                                 uint8_t encoding = kChunkEncodingXor2);

  // The chunk at `ref`, CRC-checked. NotFound if its segment was deleted,
  // DataLoss if the bytes there are not a valid record.
  absl::StatusOr<ChunkHandle> Read(ChunkRef ref) const;

  // True if the segment holding `ref` still exists.
  bool Contains(ChunkRef ref) const;

  // Makes everything written so far durable (fdatasync of the segment being
  // written; finished segments were synced when they were cut). The WAL may
  // be truncated only after this.
  absl::Status Sync();

  // Calls `callback` for every chunk in write order, verifying each
  // record's CRC. A torn or corrupt tail of the newest segment found at
  // Open is cut off at the last good record and counted in stats();
  // corruption anywhere else returns DataLoss naming the file and offset
  // (after the callbacks for the chunks before it).
  absl::Status ForEachChunk(ChunkCallback callback);

  // Deletes whole segments whose chunks all end before `t` (the segment
  // being written is cut first if it qualifies). Returns how many.
  absl::StatusOr<int> DeleteSegmentsBefore(Timestamp t);
  // Deletes the oldest segments until at most `max_bytes` remain (never the
  // segment being written). Returns how many.
  absl::StatusOr<int> DeleteOldestUntil(int64_t max_bytes);

  // Bytes of all segment files.
  int64_t TotalBytes() const;
  ChunkFilesStats stats() const;

 private:
  struct Segment;

  ChunkFiles(std::string dir, ChunkFilesOptions options);

  absl::Status CutLocked();
  absl::Status ScanLocked(Segment& seg, bool repair, ChunkCallback* callback);
  absl::Status DeleteLocked(uint32_t index);
  std::shared_ptr<Segment> FindSegment(uint32_t index) const;

  const std::string dir_;
  const ChunkFilesOptions options_;

  // Serializes Write, Sync's segment choice, ForEachChunk, Delete*.
  std::mutex write_mu_;
  std::shared_ptr<Segment> active_;  // being written; guarded by write_mu_
  uint32_t next_index_ = 1;          // guarded by write_mu_
  uint32_t last_recovered_ = 0;      // newest segment found at Open
  std::string scratch_;              // record buffer; guarded by write_mu_

  // Guards the map (not the segments' contents). Taken after write_mu_.
  mutable std::shared_mutex map_mu_;
  std::map<uint32_t, std::shared_ptr<Segment>> segments_;

  std::atomic<int64_t> total_bytes_{0};
  mutable std::mutex stats_mu_;
  ChunkFilesStats stats_;  // guarded by stats_mu_ (sizes come from atomics)
};

}  // namespace fraisier::tsdb

#endif  // ENGINE_TSDB_CHUNK_FILES_H_
