// Rebuilding the head on Open: completed chunks from the chunk files, then
// the newest checkpoint and the later WAL segments.
#include <algorithm>
#include <vector>

#include "absl/container/flat_hash_map.h"
#include "engine/base/logging.h"
#include "engine/base/status_macros.h"
#include "engine/tsdb/head.h"
#include "engine/tsdb/wal_records.h"

namespace fraisier::tsdb {

absl::Status Head::Replay() {
  // Completed chunks, by the series id they were written for. A series
  // learns its chunks when its series record is replayed.
  absl::flat_hash_map<uint64_t, std::vector<PersistedChunk>> chunks;
  FR_RETURN_IF_ERROR(chunk_files_->ForEachChunk(
      [&](uint64_t series_ref, uint64_t chunk_ref, Timestamp mint,
          Timestamp maxt, int /*num_samples*/) {
        chunks[series_ref].push_back(PersistedChunk{chunk_ref, mint, maxt});
        return absl::OkStatus();
      }));

  ChunkFilesStats chunk_stats = chunk_files_->stats();
  if (chunk_stats.truncations > 0) {
    // Chunks cut from a damaged tail are lost unless the WAL still holds
    // their samples (it does for chunks written after the last checkpoint).
    FR_LOG(WARNING) << "chunk files repaired: " << chunk_stats.truncations
                    << " damaged tail(s), " << chunk_stats.truncated_bytes
                    << " bytes dropped; last: " << chunk_stats.last_truncation;
  }

  // A series garbage-collected and created again has two ids in the WAL;
  // both map to the one series the labels now name.
  absl::flat_hash_map<uint64_t, uint32_t> alias;
  std::vector<RefSeries> series;
  std::vector<RefSample> samples;
  int64_t skipped_records = 0;
  int64_t orphan_samples = 0;

  auto on_record = [&](absl::string_view record) -> absl::Status {
    replayed_records_.fetch_add(1, std::memory_order_relaxed);
    switch (GetRecordType(record)) {
      case RecordType::kSeries: {
        series.clear();
        if (absl::Status st = DecodeSeries(record, &series); !st.ok()) {
          FR_LOG(WARNING) << "skipping undecodable WAL series record: " << st;
          ++skipped_records;
          return absl::OkStatus();
        }
        for (const RefSeries& rs : series) {
          if (rs.ref == 0 || rs.ref > UINT32_MAX || rs.labels.empty()) {
            ++skipped_records;
            continue;
          }
          MemSeries* s = CreateWithId(static_cast<uint32_t>(rs.ref), rs.labels);
          if (s->id != rs.ref) alias[rs.ref] = s->id;
          auto it = chunks.find(rs.ref);
          if (it == chunks.end()) continue;
          std::lock_guard<std::mutex> lock(SeriesLock(s->id));
          for (const PersistedChunk& c : it->second) {
            s->persisted.push_back(c);
            if (c.max_time > s->last_t.load(std::memory_order_relaxed)) {
              s->last_t.store(c.max_time, std::memory_order_relaxed);
            }
          }
          std::sort(s->persisted.begin(), s->persisted.end(),
                    [](const PersistedChunk& a, const PersistedChunk& b) {
                      return a.min_time < b.min_time;
                    });
          chunks.erase(it);
        }
        return absl::OkStatus();
      }
      case RecordType::kSamples: {
        samples.clear();
        if (absl::Status st = DecodeSamples(record, &samples); !st.ok()) {
          FR_LOG(WARNING) << "skipping undecodable WAL samples record: " << st;
          ++skipped_records;
          return absl::OkStatus();
        }
        for (const RefSample& rs : samples) {
          auto a = alias.find(rs.ref);
          uint64_t ref = a == alias.end() ? rs.ref : a->second;
          if (ref == 0 || ref > UINT32_MAX) {
            ++orphan_samples;
            continue;
          }
          uint32_t id = static_cast<uint32_t>(ref);
          std::lock_guard<std::mutex> lock(SeriesLock(id));
          MemSeries* s = series_.Get(id);
          if (s == nullptr) {
            ++orphan_samples;
            continue;
          }
          // Samples already in a chunk file, or logged twice (a checkpoint
          // overlaps the segments after it), are skipped quietly.
          if (rs.t <= s->last_t.load(std::memory_order_relaxed)) continue;
          AppendLocked(*s, rs.t, rs.v);
        }
        return absl::OkStatus();
      }
      default:
        ++skipped_records;
        return absl::OkStatus();
    }
  };
  FR_RETURN_IF_ERROR(wal_->Replay(on_record, &replay_stats_));

  int64_t orphan_chunks = 0;
  for (const auto& [ref, list] : chunks) orphan_chunks += list.size();
  // Replay appends were restores, not new samples.
  samples_appended_.store(0);
  series_created_.store(num_series_.load());
  FR_LOG(INFO) << "head replayed: series=" << num_series_.load()
               << " records=" << replayed_records_.load()
               << " wal_records_dropped=" << replay_stats_.records_dropped
               << " wal_bytes_dropped=" << replay_stats_.bytes_dropped
               << " skipped_records=" << skipped_records
               << " orphan_samples=" << orphan_samples
               << " orphan_chunks=" << orphan_chunks;
  for (const WalCorruption& c : replay_stats_.corruptions) {
    FR_LOG(WARNING) << "WAL damage repaired in " << c.file << " at offset "
                    << c.offset << ": " << c.reason << " (" << c.bytes
                    << " bytes, at least " << c.records << " records cut)";
  }
  return absl::OkStatus();
}

}  // namespace fraisier::tsdb
