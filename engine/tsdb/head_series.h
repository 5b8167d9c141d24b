// In-memory series of the head: the compact per-series record and the table
// that finds a series by id (lock-free) or by label hash (striped locks).
#ifndef ENGINE_TSDB_HEAD_SERIES_H_
#define ENGINE_TSDB_HEAD_SERIES_H_

#include <array>
#include <atomic>
#include <cstdint>
#include <memory>
#include <mutex>
#include <vector>

#include "absl/container/flat_hash_map.h"
#include "absl/functional/function_ref.h"
#include "absl/types/span.h"
#include "engine/model/labels.h"
#include "engine/model/symbol_table.h"
#include "engine/model/timestamp.h"
#include "engine/tsdb/chunk.h"

namespace fraisier::tsdb {

// One series. Kept small because the head holds one per active series:
// labels are interned symbol pairs, the open chunk is a compact buffer, and
// the completed chunks stay on disk: the series holds only the ref of the
// newest one, whose record links to the one before (chunk_files.h), so its
// size does not depend on how many chunks it has.
//
// Thread-safety: id, hash and symbols are immutable after construction.
// Every other field is guarded by the head's lock stripe for `id`
// (Head::SeriesLock). `logged` is atomic: appenders read it to decide
// whether the series record must go to the WAL with their commit.
struct MemSeries {
  MemSeries(uint32_t series_id, uint64_t label_hash,
            std::unique_ptr<uint32_t[]> label_symbols, uint16_t labels)
      : id(series_id),
        num_labels(labels),
        hash(label_hash),
        symbols(std::move(label_symbols)) {}

  const uint32_t id;
  const uint16_t num_labels;
  // Set once the series record is durable in the WAL (or was replayed).
  std::atomic<bool> logged{false};
  // Samples appended to an open batch but not yet committed or rolled
  // back; garbage collection keeps a series while this is non-zero.
  // Atomic because Append raises it without the series lock.
  std::atomic<uint32_t> pending{0};
  const uint64_t hash;
  // name0, value0, name1, value1, ... sorted by name.
  const std::unique_ptr<uint32_t[]> symbols;

  XorChunk open;  // samples not yet in chunk files
  // The newest persisted chunk (0: none) and its last timestamp. Every
  // chunk reachable from it by back-pointers is older, and all of them are
  // older than the open chunk's samples. Retention resets it to 0 once the
  // newest chunk expires or its file is gone; the chain on disk then
  // becomes unreachable and its files go by whole-file retention.
  uint64_t newest_chunk = 0;
  Timestamp newest_chunk_max_time = kMinTimestamp;
  // The newest sample, open or persisted. Written only under the series
  // lock; atomic so Append can pre-check ordering without taking the lock
  // (Commit repeats the check under it).
  std::atomic<Timestamp> last_t{kMinTimestamp};
  std::atomic<uint64_t> last_v_bits{0};

  bool empty() const { return newest_chunk == 0 && open.num_samples() == 0; }
};

// Interns a label set into the sorted symbol pairs MemSeries stores.
std::unique_ptr<uint32_t[]> InternLabels(const Labels& labels,
                                         SymbolTable& symbols);
// The labels of `s`, materialized from the symbol table.
Labels SeriesLabels(const MemSeries& s, const SymbolTable& symbols);
// Whether `s` has exactly `labels` (compares strings, allocates nothing).
bool SeriesHasLabels(const MemSeries& s, const Labels& labels,
                     const SymbolTable& symbols);
// The same for label views (sorted, unique names), as remote-write
// decoding yields them.
bool SeriesHasLabelViews(const MemSeries& s, absl::Span<const Label> labels,
                         const SymbolTable& symbols);

// Finds series by dense id and by label hash.
//
// Thread-safety: Get() is lock-free and may run concurrently with
// everything. Put(), Remove() and the hash operations are thread-safe; the
// hash map is striped so appends of different series rarely contend.
// Invariant: an id maps to at most one series for the table's lifetime
// (ids are never reused); the table does not own the series.
class SeriesTable {
 public:
  static constexpr uint32_t kBlockBits = 16;
  static constexpr uint32_t kBlockSize = 1u << kBlockBits;
  static constexpr uint32_t kNumBlocks = 1u << (32 - kBlockBits);

  SeriesTable();
  ~SeriesTable();
  SeriesTable(const SeriesTable&) = delete;
  SeriesTable& operator=(const SeriesTable&) = delete;

  MemSeries* Get(uint32_t id) const {
    std::atomic<MemSeries*>* block =
        blocks_[id >> kBlockBits].load(std::memory_order_acquire);
    if (block == nullptr) return nullptr;
    return block[id & (kBlockSize - 1)].load(std::memory_order_acquire);
  }
  // Publishes `s` under s->id (nullptr clears the slot).
  void Put(uint32_t id, MemSeries* s);
  // Get/Put with sequentially consistent ordering, for the handshake
  // between garbage collection and appenders pinning a series.
  MemSeries* GetSeqCst(uint32_t id) const {
    std::atomic<MemSeries*>* block =
        blocks_[id >> kBlockBits].load(std::memory_order_acquire);
    if (block == nullptr) return nullptr;
    return block[id & (kBlockSize - 1)].load(std::memory_order_seq_cst);
  }
  void PutSeqCst(uint32_t id, MemSeries* s);

  // Finds a series with `hash` for which `matches` is true, or nullptr.
  MemSeries* FindByHash(uint64_t hash,
                        absl::FunctionRef<bool(const MemSeries&)> matches);
  // Returns the existing series with `hash` that `matches`, or registers
  // the one `create` returns (which may return nullptr to refuse, e.g. at
  // the series limit). `*created` tells which happened. Atomic with respect
  // to concurrent calls for the same hash.
  MemSeries* FindOrCreate(uint64_t hash,
                          absl::FunctionRef<bool(const MemSeries&)> matches,
                          absl::FunctionRef<MemSeries*()> create,
                          bool* created);
  // Forgets the hash entry of `s` (it stays reachable by id until Put(id,
  // nullptr)).
  void RemoveHash(const MemSeries& s);

  // Allocates the next unused id (ids start at 1; 0 means "none").
  uint32_t NextId() { return next_id_.fetch_add(1); }
  // Makes sure future ids are greater than `id` (after replay).
  void ReserveId(uint32_t id);
  uint32_t id_limit() const { return next_id_.load(); }

 private:
  static constexpr int kStripes = 1024;
  struct Stripe {
    std::mutex mu;
    // Most hashes have one series; true collisions go to `more`.
    absl::flat_hash_map<uint64_t, MemSeries*> first;
    absl::flat_hash_map<uint64_t, std::vector<MemSeries*>> more;
  };

  std::atomic<MemSeries*>* EnsureBlock(uint32_t id);

  std::unique_ptr<std::atomic<std::atomic<MemSeries*>*>[]> blocks_;
  std::mutex blocks_mu_;  // serializes block allocation
  std::unique_ptr<Stripe[]> stripes_;
  std::atomic<uint32_t> next_id_{1};
};

}  // namespace fraisier::tsdb

#endif  // ENGINE_TSDB_HEAD_SERIES_H_
