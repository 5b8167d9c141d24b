// The write-ahead log of the head: every commit is appended here before it
// is acknowledged, and replayed (after the newest checkpoint) on start.
//
// On disk (docs/wal_format.md): a directory of numbered segment files
// (00000000, 00000001, ...; 128 MiB by default), each a header plus a
// sequence of checksummed frames. One Log() call is one frame, so a commit is
// all-or-nothing after a crash. Records are opaque here; wal_records.h gives
// them meaning.
//
//   FR_ASSIGN_OR_RETURN(std::unique_ptr<Wal> wal, Wal::Open(dir, options));
//   ReplayStats stats;
//   FR_RETURN_IF_ERROR(wal->Replay(apply_record, &stats));
//   ...
//   FR_RETURN_IF_ERROR(wal->Log({series_record, samples_record}));
#ifndef ENGINE_TSDB_WAL_H_
#define ENGINE_TSDB_WAL_H_

#include <condition_variable>
#include <cstdint>
#include <functional>
#include <memory>
#include <mutex>
#include <string>
#include <utility>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "absl/time/time.h"
#include "absl/types/span.h"
#include "engine/base/clock.h"

namespace fraisier::tsdb {

namespace wal_internal {
class File;
}  // namespace wal_internal

enum class FsyncPolicy {
  // Log returns after the commit is on stable storage. Concurrent callers
  // share fsyncs (group commit), so throughput grows with concurrency.
  kEveryCommit,
  // Log returns once the commit is in the OS page cache (it survives a
  // process crash, not a power loss); the first Log that finds
  // `fsync_interval` elapsed since the last fsync performs one. Sync()
  // forces one.
  kInterval,
};

struct WalOptions {
  // A segment is closed and a new one started when a commit would take it
  // past this size. A single commit larger than this gets a segment of its
  // own (segments are never split across files).
  int64_t max_segment_bytes = int64_t{128} << 20;
  FsyncPolicy fsync_policy = FsyncPolicy::kEveryCommit;
  absl::Duration fsync_interval = absl::Seconds(1);
  // Time source for kInterval; RealClock::Get() when null. Not owned; must
  // outlive the Wal.
  const Clock* clock = nullptr;
  // Test hook: runs in the group-commit leader right before each fsync,
  // without any lock held.
  std::function<void()> before_sync_for_testing;
};

// Counters since Open, for tests, benchmarks and /metrics.
struct WalMetrics {
  int64_t commits = 0;             // Log calls that wrote a frame
  int64_t records = 0;             // records in those commits
  int64_t bytes_written = 0;       // frame bytes
  int64_t commit_syncs = 0;        // fsyncs made for commits (group commit)
  double commit_sync_seconds = 0;  // time spent in those fsyncs
  int64_t segments_created = 0;
};

// One damaged region found by Open or Replay.
struct WalCorruption {
  std::string file;  // the segment or checkpoint file
  bool in_checkpoint = false;
  int segment = -1;     // segment index (or file index in the checkpoint)
  int64_t offset = 0;   // where the damage starts
  int64_t bytes = 0;    // bytes skipped (or cut)
  int64_t records = 0;  // records known to be lost here (a lower bound)
  std::string reason;
  // The tail of the last segment was cut at `offset` (Open did it); otherwise
  // the bytes were skipped and reading resumed at the next good frame.
  bool truncated = false;
};

struct ReplayStats {
  int checkpoint = -1;             // last_segment of the checkpoint used
  int64_t checkpoint_records = 0;  // records read from it
  int first_segment = -1;          // segments read after the checkpoint
  int last_segment = -1;
  int segments_read = 0;
  int64_t commits_read = 0;     // frames (checkpoint frames included)
  int64_t records_read = 0;     // records passed to the callback
  int64_t records_dropped = 0;  // lower bound, see docs/wal_format.md
  int64_t bytes_dropped = 0;
  // Gaps in the segment numbering, as [first, last] ranges. Without a
  // checkpoint the numbering must start at 0 (nothing was truncated).
  std::vector<std::pair<int, int>> missing_segments;
  // Includes the tail repair Open made, so one Replay reports all losses.
  std::vector<WalCorruption> corruptions;
};

// One Wal per directory at a time; keeping other processes out (a lock
// file) is the job of the store that owns the directory.
//
// Thread-safety: Log, Sync and NextSegment may be called concurrently from
// any number of threads. Replay, Truncate and Close are thread-safe too, but
// Replay and Truncate are meant for start-up and the checkpoint cycle: a
// Replay concurrent with Log sees the commits that finished before it began.
//
// Invariants (under mu_):
//  - seg_ is the last segment; its first seg_size_ bytes are the header
//    followed by complete frames, and nothing is written past seg_size_.
//  - written_seq_ counts frames written; every frame with sequence
//    <= synced_seq_ is on stable storage. synced_seq_ <= written_seq_.
//  - at most one thread (the leader, syncing_ == true) runs a commit fsync
//    at a time; followers wait on sync_cv_.
//  - once broken_ is not OK (a failed fsync or an unrepairable write) every
//    later Log fails with it: after a failed fsync the kernel may have
//    dropped the dirty pages, so retrying could claim durability falsely.
class Wal {
 public:
  // Opens (creating if needed) the WAL in `dir`. Removes leftover temporary
  // checkpoint directories, and cuts a damaged tail off the last segment
  // (logged, and reported by the next Replay) so that appends follow good
  // data. FailedPrecondition if the last segment was written by a newer
  // format version; InvalidArgument for bad options.
  static absl::StatusOr<std::unique_ptr<Wal>> Open(std::string dir,
                                                   WalOptions options);

  ~Wal();  // Close()s, logging an error it cannot return.
  Wal(const Wal&) = delete;
  Wal& operator=(const Wal&) = delete;

  // Appends `records` as one commit: after a crash, replay sees all of them
  // or none. Returns when durable as per the fsync policy. An empty span is
  // a no-op. InvalidArgument if the commit exceeds 1 GiB.
  absl::Status Log(absl::Span<const absl::string_view> records);

  // Makes everything logged so far durable.
  absl::Status Sync();

  // Closes the current segment (fsynced) and starts the next; returns the
  // index of the closed one, which is what WriteCheckpoint/Truncate take.
  absl::StatusOr<int> NextSegment();

  // Deletes segments <= last_segment and checkpoints older than
  // checkpoint.<last_segment>, which must exist (FailedPrecondition
  // otherwise: deleting uncheckpointed segments would lose data).
  // InvalidArgument unless last_segment < the current segment.
  absl::Status Truncate(int last_segment);

  // Calls `fn` with every record of the newest complete checkpoint, then of
  // every later segment, in order. Damage is skipped and reported in
  // *stats (may be null) and the log; see docs/wal_format.md for the rules.
  // Errors: those returned by `fn` (replay stops), I/O errors, and
  // FailedPrecondition for files of an unsupported format version.
  absl::Status Replay(std::function<absl::Status(absl::string_view)> fn,
                      ReplayStats* stats);

  // Syncs and closes. Later calls of Log, Sync and NextSegment fail with
  // FailedPrecondition. Idempotent.
  absl::Status Close();

  const std::string& dir() const { return dir_; }
  // The segment being appended to.
  int current_segment() const;
  WalMetrics metrics() const;

 private:
  struct Segment {
    int index = 0;
    std::shared_ptr<wal_internal::File> file;
  };

  Wal(std::string dir, WalOptions options);

  absl::Status OpenLastSegment();
  absl::Status CreateSegmentLocked(int index);
  absl::Status CheckUsableLocked() const;
  absl::Status WriteFrameLocked(absl::string_view frame);
  absl::Status CutLocked();
  // Returns once frame `seq` is durable, leading an fsync if nobody is.
  absl::Status WaitSyncedLocked(std::unique_lock<std::mutex>& lock,
                                int64_t seq);
  absl::Status ReplayFile(
      const std::string& path, bool in_checkpoint, int index, int64_t limit,
      const std::function<absl::Status(absl::string_view)>& fn,
      ReplayStats* stats);

  const std::string dir_;
  const WalOptions options_;
  const Clock* const clock_;

  mutable std::mutex mu_;  // std::mutex: TSan sees it (DESIGN §4)
  std::condition_variable sync_cv_;
  Segment seg_;              // guarded by mu_
  int64_t seg_size_ = 0;     // guarded by mu_
  int64_t written_seq_ = 0;  // guarded by mu_
  int64_t synced_seq_ = 0;   // guarded by mu_
  bool syncing_ = false;     // guarded by mu_
  absl::Time last_sync_;     // guarded by mu_
  absl::Status broken_;      // guarded by mu_
  bool closed_ = false;      // guarded by mu_
  WalMetrics metrics_;       // guarded by mu_
  // What Open cut off the last segment; reported by every Replay.
  std::vector<WalCorruption> open_repairs_;  // guarded by mu_
};

}  // namespace fraisier::tsdb

#endif  // ENGINE_TSDB_WAL_H_
