// An in-memory Storage: sorted float samples per series, no persistence, no
// chunk encoding. It backs the promqltest runner and unit tests that need a
// real Queryable/Appendable without the TSDB.
//
//   MemoryStorage store;
//   std::unique_ptr<Appender> app = store.NewAppender();
//   FR_RETURN_IF_ERROR(app->Append(0, labels, 1000, 1.5).status());
//   FR_RETURN_IF_ERROR(app->Commit());
//
// Thread-safety: MemoryStorage is thread-safe (a shared mutex: queriers read
// under a shared lock, commits write under an exclusive one). Appenders and
// queriers are used by one thread at a time, as storage.h requires.
//
// Visibility: a Querier copies the samples of the series it selects at
// Select time, so what it returns is a consistent snapshot of each Select
// call; batches committed between NewQuerier and Select are visible.
#ifndef ENGINE_STORAGE_MEMORY_STORAGE_H_
#define ENGINE_STORAGE_MEMORY_STORAGE_H_

#include <cstddef>
#include <memory>
#include <shared_mutex>
#include <vector>

#include "absl/container/btree_map.h"
#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/types/span.h"
#include "engine/model/labels.h"
#include "engine/model/matcher.h"
#include "engine/model/value.h"
#include "engine/storage/storage.h"

namespace fraisier::storage {

struct MemoryStorageOptions {
  // Accept samples older than a series' newest one (they are inserted in
  // order). When false such samples are refused with kOutOfOrder, as the
  // TSDB head does.
  bool allow_out_of_order = true;
};

class MemoryStorage final : public Storage {
 public:
  MemoryStorage() : MemoryStorage(MemoryStorageOptions{}) {}
  explicit MemoryStorage(MemoryStorageOptions options) : options_(options) {}
  MemoryStorage(const MemoryStorage&) = delete;
  MemoryStorage& operator=(const MemoryStorage&) = delete;

  std::unique_ptr<Appender> NewAppender() override;
  absl::StatusOr<std::unique_ptr<Querier>> NewQuerier(Timestamp mint,
                                                      Timestamp maxt) override;

  // Removes every series and sample. Appenders opened before keep their
  // pending batch, which a later Commit adds as usual.
  void Clear();

  // Number of series that have at least one sample.
  size_t NumSeries() const;
  // Number of samples over all series.
  size_t NumSamples() const;

 private:
  friend class MemoryAppender;
  friend class MemoryQuerier;

  struct SeriesData {
    Labels labels;
    std::vector<Sample> samples;  // sorted by t, timestamps unique
  };

  // Checks that `sample` may be added to `series` under the options;
  // OK when it may (including an exact duplicate, which is a no-op).
  absl::Status CheckSample(const SeriesData& series,
                           const Sample& sample) const;
  // Adds `sample` (which passed CheckSample) in timestamp order.
  static void InsertSample(SeriesData& series, const Sample& sample);
  // The ref of `labels`, creating the (empty) series when absent. Requires
  // mu_ held exclusively.
  SeriesRef GetOrCreateLocked(const Labels& labels);

  const MemoryStorageOptions options_;
  mutable std::shared_mutex mu_;
  // Refs are 1-based indexes into series_. Appenders ignore ref hints and
  // look series up by labels, so refs never go stale across Clear().
  std::vector<std::unique_ptr<SeriesData>> series_;
  absl::btree_map<Labels, SeriesRef> by_labels_;
};

}  // namespace fraisier::storage

#endif  // ENGINE_STORAGE_MEMORY_STORAGE_H_
