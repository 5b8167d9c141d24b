// Rebuilding the head on Open: completed chunks from the chunk files, then
// the newest checkpoint and the later WAL segments.
#include <algorithm>
#include <bit>
#include <vector>

#include "absl/container/flat_hash_map.h"
#include "engine/base/logging.h"
#include "engine/base/status_macros.h"
#include "engine/tsdb/head.h"
#include "engine/tsdb/wal_records.h"

namespace fraisier::tsdb {
namespace {

// The newest chunk found in the chunk files for one series id.
struct ChainHead {
  ChunkRef ref = 0;
  Timestamp max_time = kMinTimestamp;
  int64_t chunks = 0;  // records seen for the id (for the orphan count)
};

}  // namespace

void Head::RestoreNewestFromChunk(MemSeries& s, ChunkRef ref,
                                  Timestamp max_time) {
  s.last_t.store(max_time, std::memory_order_relaxed);
  absl::StatusOr<ChunkHandle> handle = chunk_files_->Read(ref);
  if (!handle.ok()) return;
  XorIterator it(handle->bytes(), handle->encoding());
  while (it.Next()) {
    if (it.At().t == max_time) {
      s.last_v_bits.store(std::bit_cast<uint64_t>(it.At().v),
                          std::memory_order_relaxed);
      return;
    }
  }
}

absl::Status Head::Replay() {
  // The newest completed chunk per series id it was written for: files are
  // scanned in write order, which is time order per series, so the last
  // record seen heads the series' chain. Only what survived tail repair is
  // scanned, so no head points past a repaired tail (and the links behind
  // a surviving record point to records older than it, which survived
  // too). A series learns its chain when its series record is replayed.
  absl::flat_hash_map<uint64_t, ChainHead> chains;
  uint64_t max_chunk_series = 0;
  FR_RETURN_IF_ERROR(chunk_files_->ForEachChunk(
      [&](uint64_t series_ref, uint64_t chunk_ref, Timestamp /*mint*/,
          Timestamp maxt, int /*num_samples*/) {
        ChainHead& c = chains[series_ref];
        c.ref = chunk_ref;
        c.max_time = maxt;
        ++c.chunks;
        max_chunk_series = std::max(max_chunk_series, series_ref);
        return absl::OkStatus();
      }));
  // Ids of series that were garbage-collected (and dropped from the WAL by
  // a checkpoint) may still name chunks on disk: never hand them out again,
  // or a new series would inherit those chunks at the next replay.
  if (max_chunk_series > 0 && max_chunk_series <= UINT32_MAX) {
    series_.ReserveId(static_cast<uint32_t>(max_chunk_series));
  }

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
  int64_t orphan_chunks = 0;

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
          auto it = chains.find(rs.ref);
          if (it == chains.end()) continue;
          const ChainHead chain = it->second;
          chains.erase(it);
          std::lock_guard<std::mutex> lock(SeriesLock(s->id));
          if (s->newest_chunk != 0 &&
              chain.max_time <= s->newest_chunk_max_time) {
            // A second id of the same labels (see `alias`) whose chain is
            // not the newer one. Chains cannot be merged on disk; the older
            // id's data was all expired when its series was collected, so
            // it stays unreachable, as it was before the restart.
            orphan_chunks += chain.chunks;
            continue;
          }
          // The newer id of an alias replaces the older one's chain, and
          // any replayed open samples of it, which are older still.
          if (s->open.num_samples() > 0 &&
              s->open.min_time() <= chain.max_time) {
            s->open = XorChunk();
          }
          s->newest_chunk = chain.ref;
          s->newest_chunk_max_time = chain.max_time;
          if (s->open.num_samples() > 0) {
            s->last_t.store(s->open.max_time(), std::memory_order_relaxed);
          } else {
            RestoreNewestFromChunk(*s, chain.ref, chain.max_time);
          }
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

  for (const auto& [ref, chain] : chains) orphan_chunks += chain.chunks;
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
