// The embedded time-series store: an in-memory head of series with open
// XOR chunks, completed chunks in memory-mapped segment files, an inverted
// index, and a write-ahead log that makes every acknowledged sample
// durable. Implements storage::Storage.
//
// Directory layout under HeadOptions::dir:
//   wal/      WAL segments and checkpoints (docs/wal_format.md)
//   chunks/   completed chunks (docs/chunk_files_format.md)
//
// Durability: Commit() returns after the batch is in the WAL (and fsync'd
// under FsyncPolicy::kEveryCommit). Open() rebuilds the head from the chunk
// files, the newest checkpoint and the later WAL segments. Checkpoint()
// bounds replay time and WAL size; ApplyRetention() drops old data by whole
// files. Time comes from the injected Clock; nothing here reads the system
// clock or runs a background thread — the server calls Checkpoint() and
// ApplyRetention() on its own schedule.
#ifndef ENGINE_TSDB_HEAD_H_
#define ENGINE_TSDB_HEAD_H_

#include <array>
#include <atomic>
#include <cstdint>
#include <memory>
#include <mutex>
#include <shared_mutex>
#include <string>

#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "engine/base/clock.h"
#include "engine/model/symbol_table.h"
#include "engine/storage/storage.h"
#include "engine/tsdb/chunk_files.h"
#include "engine/tsdb/head_series.h"
#include "engine/tsdb/index.h"
#include "engine/tsdb/wal.h"

namespace fraisier::tsdb {

struct HeadOptions {
  std::string dir;
  const Clock* clock = nullptr;  // required
  FsyncPolicy fsync_policy = FsyncPolicy::kEveryCommit;
  absl::Duration fsync_interval = absl::Seconds(1);
  // Data older than this is dropped (by whole chunk files) and appends
  // older than now - retention are refused as out of bounds.
  absl::Duration retention = absl::Hours(24 * 15);
  int64_t retention_bytes = 0;  // 0: no size limit
  // 0: unlimited. Otherwise creating more active series is refused with
  // AppendError::kSeriesLimit instead of exhausting memory.
  int64_t max_series = 0;
  int64_t max_segment_bytes = int64_t{128} << 20;  // WAL and chunk files
};

// Counters; a snapshot, read with Head::stats().
struct HeadStats {
  int64_t series = 0;
  int64_t series_created = 0;
  int64_t series_removed = 0;
  int64_t samples_appended = 0;
  int64_t out_of_order = 0;
  int64_t duplicates = 0;  // same timestamp, different value
  int64_t out_of_bounds = 0;
  int64_t series_limit = 0;
  int64_t chunks_persisted = 0;
  int64_t replayed_records = 0;
  int64_t replay_dropped_records = 0;
  int64_t chunk_file_truncations = 0;  // damaged chunk-file tails repaired
  int64_t chunk_file_truncated_bytes = 0;
};

// Thread-safety: every public method is thread-safe. Appenders and
// queriers it hands out are single-threaded objects.
// Invariants: a series' samples are strictly increasing in time; a series
// is in `series_` by id iff it is in the index; a series' `newest_chunk` is
// 0 or a record of `chunk_files_` written (or found at replay) for it, and
// its back-pointers lead through that series' older chunks in decreasing
// time order until 0 or a file that retention deleted.
class Head : public storage::Storage {
 public:
  static absl::StatusOr<std::unique_ptr<Head>> Open(HeadOptions options);
  ~Head() override;

  std::unique_ptr<storage::Appender> NewAppender() override;
  absl::StatusOr<std::unique_ptr<storage::Querier>> NewQuerier(
      Timestamp mint, Timestamp maxt) override;

  // Writes a checkpoint of the live head and truncates the WAL before it.
  absl::Status Checkpoint();
  // Drops data older than retention (and, with retention_bytes, the oldest
  // chunk files beyond the size) and garbage-collects empty series.
  absl::Status ApplyRetention();

  HeadStats stats() const;
  const ReplayStats& replay_stats() const { return replay_stats_; }
  WalMetrics wal_metrics() const { return wal_->metrics(); }
  // Approximate heap bytes of series, open chunks, index and symbols;
  // independent of how many persisted chunks each series has.
  size_t MemoryBytes() const;

 private:
  friend class HeadAppender;
  friend class HeadQuerier;

  explicit Head(HeadOptions options);

  static constexpr size_t kLockStripes = 16384;
  std::mutex& SeriesLock(uint32_t id) const {
    return series_locks_[id & (kLockStripes - 1)];
  }

  // Finds or creates the series for `labels` (validated by the caller).
  absl::StatusOr<MemSeries*> GetOrCreate(const Labels& labels);
  // Creates a series with a known id during replay.
  MemSeries* CreateWithId(uint32_t id, const Labels& labels);
  // Allocates the series `id` and makes it visible by id and in the index.
  // Called with the label hash's stripe held (SeriesTable::FindOrCreate).
  MemSeries* Register(uint32_t id, uint64_t hash, const Labels& labels);
  // Appends one sample to `s`, cutting and persisting the open chunk when
  // full. Requires SeriesLock(s->id). Returns the AppendError, if any.
  storage::AppendError AppendLocked(MemSeries& s, Timestamp t, double v);
  absl::Status PersistOpenChunkLocked(MemSeries& s);
  // Replay helpers (head_replay.cc).
  absl::Status Replay();
  // Sets s's newest sample (last_t and last_v_bits) from its newest
  // persisted chunk, when no open sample is newer: appends compare a
  // resent sample's value against it. Requires the series lock.
  void RestoreNewestFromChunk(MemSeries& s, ChunkRef ref, Timestamp max_time);
  absl::Status ReplayRecord(absl::string_view record);
  // Oldest timestamp an append may carry.
  Timestamp MinValidTime() const;

  const HeadOptions options_;
  SymbolTable symbols_;
  SeriesTable series_;
  MemIndex index_;
  std::unique_ptr<ChunkFiles> chunk_files_;
  std::unique_ptr<Wal> wal_;
  mutable std::unique_ptr<std::mutex[]> series_locks_;
  std::mutex maintenance_mu_;  // one Checkpoint/ApplyRetention at a time
  // A commit is "in flight" from its WAL write until its samples are in the
  // series; Checkpoint() must not cut the WAL in that window, or the batch
  // would be in neither the checkpoint nor a kept segment. Commits hold
  // commit_mu_ shared; the checkpoint's cut holds it exclusively. The gate
  // keeps a steady stream of commits from starving the cut (glibc's rwlock
  // prefers readers).
  std::shared_mutex commit_mu_;
  std::mutex commit_gate_;
  ReplayStats replay_stats_;
  std::vector<MemSeries*> graveyard_;  // removed series; maintenance_mu_

  std::atomic<int64_t> num_series_{0};
  std::atomic<int64_t> series_created_{0};
  std::atomic<int64_t> series_removed_{0};
  std::atomic<int64_t> samples_appended_{0};
  std::atomic<int64_t> out_of_order_{0};
  std::atomic<int64_t> duplicates_{0};
  std::atomic<int64_t> out_of_bounds_{0};
  std::atomic<int64_t> series_limit_{0};
  std::atomic<int64_t> chunks_persisted_{0};
  std::atomic<int64_t> replayed_records_{0};
};

}  // namespace fraisier::tsdb

#endif  // ENGINE_TSDB_HEAD_H_
