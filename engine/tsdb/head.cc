#include "engine/tsdb/head.h"

#include <algorithm>
#include <bit>
#include <utility>
#include <vector>

#include "absl/strings/str_cat.h"
#include "engine/base/logging.h"
#include "engine/base/status_macros.h"
#include "engine/tsdb/checkpoint.h"
#include "engine/tsdb/wal_records.h"

namespace fraisier::tsdb {

using storage::AppendError;

Head::Head(HeadOptions options)
    : options_(std::move(options)),
      series_locks_(std::make_unique<std::mutex[]>(kLockStripes)) {}

Head::~Head() {
  uint32_t limit = series_.id_limit();
  for (uint32_t id = 1; id < limit; ++id) delete series_.Get(id);
  for (MemSeries* s : graveyard_) delete s;
}

absl::StatusOr<std::unique_ptr<Head>> Head::Open(HeadOptions options) {
  if (options.clock == nullptr) {
    return absl::InvalidArgumentError("HeadOptions.clock is required");
  }
  if (options.dir.empty()) {
    return absl::InvalidArgumentError("HeadOptions.dir is required");
  }
  std::unique_ptr<Head> head(new Head(std::move(options)));
  const HeadOptions& o = head->options_;
  ChunkFilesOptions chunk_options;
  chunk_options.max_segment_bytes = o.max_segment_bytes;
  FR_ASSIGN_OR_RETURN(head->chunk_files_,
                      ChunkFiles::Open(o.dir + "/chunks", chunk_options));
  WalOptions wal_options;
  wal_options.max_segment_bytes = o.max_segment_bytes;
  wal_options.fsync_policy = o.fsync_policy;
  wal_options.fsync_interval = o.fsync_interval;
  wal_options.clock = o.clock;
  FR_ASSIGN_OR_RETURN(head->wal_, Wal::Open(o.dir + "/wal", wal_options));
  FR_RETURN_IF_ERROR(head->Replay());
  return head;
}

Timestamp Head::MinValidTime() const {
  return options_.clock->NowMillis() -
         absl::ToInt64Milliseconds(options_.retention);
}

MemSeries* Head::Register(uint32_t id, uint64_t hash, const Labels& labels) {
  auto* m = new MemSeries(id, hash, InternLabels(labels, symbols_),
                          static_cast<uint16_t>(labels.size()));
  series_.Put(id, m);
  index_.Add(id, labels);
  num_series_.fetch_add(1, std::memory_order_relaxed);
  return m;
}

absl::StatusOr<MemSeries*> Head::GetOrCreate(const Labels& labels) {
  uint64_t hash = labels.Hash();
  bool created = false;
  MemSeries* s = series_.FindOrCreate(
      hash,
      [&](const MemSeries& m) { return SeriesHasLabels(m, labels, symbols_); },
      [&]() -> MemSeries* {
        if (options_.max_series > 0 &&
            num_series_.load(std::memory_order_relaxed) >=
                options_.max_series) {
          return nullptr;
        }
        series_created_.fetch_add(1, std::memory_order_relaxed);
        return Register(series_.NextId(), hash, labels);
      },
      &created);
  if (s == nullptr) {
    series_limit_.fetch_add(1, std::memory_order_relaxed);
    return storage::AppendErrorStatus(
        AppendError::kSeriesLimit,
        absl::StrCat("limit of ", options_.max_series,
                     " active series reached; refusing new series ",
                     labels.ToString()));
  }
  return s;
}

MemSeries* Head::CreateWithId(uint32_t id, const Labels& labels) {
  if (MemSeries* existing = series_.Get(id); existing != nullptr) {
    return existing;
  }
  uint64_t hash = labels.Hash();
  bool created = false;
  MemSeries* s = series_.FindOrCreate(
      hash,
      [&](const MemSeries& m) { return SeriesHasLabels(m, labels, symbols_); },
      [&]() -> MemSeries* { return Register(id, hash, labels); }, &created);
  series_.ReserveId(id);
  s->logged.store(true, std::memory_order_relaxed);
  return s;
}

AppendError Head::AppendLocked(MemSeries& s, Timestamp t, double v) {
  const Timestamp last_t = s.last_t.load(std::memory_order_relaxed);
  if (t <= last_t) {
    if (t == last_t) {
      // Prometheus accepts a resent sample silently; only a different value
      // at the same timestamp is an error. Compare bits: NaN == NaN here.
      if (std::bit_cast<uint64_t>(v) ==
          s.last_v_bits.load(std::memory_order_relaxed)) {
        return AppendError::kNone;
      }
      duplicates_.fetch_add(1, std::memory_order_relaxed);
      return AppendError::kDuplicateTimestamp;
    }
    out_of_order_.fetch_add(1, std::memory_order_relaxed);
    return AppendError::kOutOfOrder;
  }
  if (s.open.num_samples() >= kSamplesPerChunk) {
    absl::Status st = PersistOpenChunkLocked(s);
    if (!st.ok()) FR_LOG(ERROR) << "persisting a chunk failed: " << st;
  }
  if (!s.open.Append(t, v)) {
    // The open chunk is full beyond what persisting allowed; cut it now.
    absl::Status st = PersistOpenChunkLocked(s);
    if (!st.ok() || !s.open.Append(t, v)) {
      FR_LOG(ERROR) << "cannot append to series " << s.id << ": " << st;
      return AppendError::kOutOfBounds;
    }
  }
  s.last_t.store(t, std::memory_order_relaxed);
  s.last_v_bits.store(std::bit_cast<uint64_t>(v), std::memory_order_relaxed);
  // samples_appended_ is counted by the caller once per batch: a shared
  // atomic increment per sample costs more than the rest of this function.
  return AppendError::kNone;
}

absl::Status Head::PersistOpenChunkLocked(MemSeries& s) {
  if (s.open.num_samples() == 0) return absl::OkStatus();
  Timestamp mint = s.open.min_time();
  Timestamp maxt = s.open.max_time();
  FR_ASSIGN_OR_RETURN(
      uint64_t ref,
      chunk_files_->Write(s.id, s.newest_chunk, mint, maxt, s.open.bytes()));
  s.newest_chunk = ref;
  s.newest_chunk_max_time = maxt;
  s.open = XorChunk();
  chunks_persisted_.fetch_add(1, std::memory_order_relaxed);
  return absl::OkStatus();
}

absl::Status Head::Checkpoint() {
  std::lock_guard<std::mutex> maintenance(maintenance_mu_);
  // Everything logged before the cut is either in a chunk file or in an
  // open chunk, and the snapshot below is taken after the cut.
  int last_segment = 0;
  {
    std::lock_guard<std::mutex> gate(commit_gate_);
    std::unique_lock<std::shared_mutex> no_commits(commit_mu_);
    FR_ASSIGN_OR_RETURN(last_segment, wal_->NextSegment());
  }
  absl::Status status = WriteCheckpoint(
      wal_->dir(), last_segment, [this](RecordSink& sink) -> absl::Status {
        constexpr size_t kBatch = 1000;
        std::vector<RefSeries> series;
        std::vector<RefSample> samples;
        std::string record;
        auto flush = [&]() -> absl::Status {
          if (!series.empty()) {
            record.clear();
            EncodeSeries(series, &record);
            FR_RETURN_IF_ERROR(sink.Add(record));
            series.clear();
          }
          if (!samples.empty()) {
            record.clear();
            EncodeSamples(samples, &record);
            FR_RETURN_IF_ERROR(sink.Add(record));
            samples.clear();
          }
          return absl::OkStatus();
        };
        uint32_t limit = series_.id_limit();
        for (uint32_t id = 1; id < limit; ++id) {
          std::lock_guard<std::mutex> lock(SeriesLock(id));
          MemSeries* s = series_.Get(id);
          if (s == nullptr) continue;
          series.push_back(RefSeries{id, SeriesLabels(*s, symbols_)});
          XorIterator it = s->open.Iterator();
          while (it.Next()) {
            samples.push_back(RefSample{id, it.At().t, it.At().v});
          }
          if (series.size() >= kBatch || samples.size() >= 8 * kBatch) {
            FR_RETURN_IF_ERROR(flush());
          }
        }
        return flush();
      });
  FR_RETURN_IF_ERROR(status);
  // Chunks cut before the snapshot left their samples out of it: make them
  // durable before dropping the WAL that still holds those samples.
  FR_RETURN_IF_ERROR(chunk_files_->Sync());
  return wal_->Truncate(last_segment);
}

absl::Status Head::ApplyRetention() {
  std::lock_guard<std::mutex> maintenance(maintenance_mu_);
  const Timestamp cutoff = MinValidTime();
  if (options_.retention_bytes > 0) {
    FR_RETURN_IF_ERROR(
        chunk_files_->DeleteOldestUntil(options_.retention_bytes).status());
  }
  std::vector<uint32_t> removed_ids;
  std::vector<MemSeries*> removed;
  uint32_t limit = series_.id_limit();
  for (uint32_t id = 1; id < limit; ++id) {
    std::lock_guard<std::mutex> lock(SeriesLock(id));
    MemSeries* s = series_.Get(id);
    if (s == nullptr) continue;
    // Older chunks of the chain end before the newest one, so once it has
    // expired or its file is gone the whole chain has; queries stop at a
    // link into a deleted file by themselves.
    if (s->newest_chunk != 0 && (s->newest_chunk_max_time < cutoff ||
                                 !chunk_files_->Contains(s->newest_chunk))) {
      s->newest_chunk = 0;
      s->newest_chunk_max_time = kMinTimestamp;
    }
    if (s->open.num_samples() > 0 && s->open.max_time() < cutoff) {
      s->open = XorChunk();
    }
    if (s->empty() && s->pending.load() == 0) {
      // An appender raises `pending` before re-reading the table, and we
      // clear the table before re-reading `pending`; all four are seq_cst,
      // so one of us sees the other (see HeadAppender::Append).
      series_.PutSeqCst(id, nullptr);
      if (s->pending.load(std::memory_order_seq_cst) != 0) {
        series_.Put(id, s);
        continue;
      }
      series_.RemoveHash(*s);
      removed_ids.push_back(id);
      removed.push_back(s);
    }
  }
  if (!removed_ids.empty()) index_.Remove(removed_ids);
  // An appender may still hold a pointer it read just before the removal;
  // it finds out on its re-check within nanoseconds. Freeing one retention
  // round later keeps that pointer valid meanwhile.
  for (MemSeries* s : graveyard_) delete s;
  graveyard_ = std::move(removed);
  num_series_.fetch_sub(static_cast<int64_t>(graveyard_.size()));
  series_removed_.fetch_add(static_cast<int64_t>(graveyard_.size()));
  return chunk_files_->DeleteSegmentsBefore(cutoff).status();
}

HeadStats Head::stats() const {
  HeadStats s;
  s.series = num_series_.load();
  s.series_created = series_created_.load();
  s.series_removed = series_removed_.load();
  s.samples_appended = samples_appended_.load();
  s.out_of_order = out_of_order_.load();
  s.duplicates = duplicates_.load();
  s.out_of_bounds = out_of_bounds_.load();
  s.series_limit = series_limit_.load();
  s.chunks_persisted = chunks_persisted_.load();
  s.replayed_records = replayed_records_.load();
  s.replay_dropped_records = replay_stats_.records_dropped;
  ChunkFilesStats chunk_stats = chunk_files_->stats();
  s.chunk_file_truncations = chunk_stats.truncations;
  s.chunk_file_truncated_bytes = chunk_stats.truncated_bytes;
  return s;
}

size_t Head::MemoryBytes() const {
  size_t bytes = index_.MemoryBytes() + symbols_.MemoryBytes();
  uint32_t limit = series_.id_limit();
  // The id table's blocks.
  bytes += ((limit >> SeriesTable::kBlockBits) + 1) * SeriesTable::kBlockSize *
           sizeof(void*);
  for (uint32_t id = 1; id < limit; ++id) {
    std::lock_guard<std::mutex> lock(SeriesLock(id));
    const MemSeries* s = series_.Get(id);
    if (s == nullptr) continue;
    // Persisted chunks cost nothing here: only the newest one's ref is in
    // MemSeries, the rest is reached through the chunk files' mappings.
    bytes += sizeof(MemSeries) + s->num_labels * 2 * sizeof(uint32_t) +
             s->open.capacity();
  }
  return bytes;
}

}  // namespace fraisier::tsdb
