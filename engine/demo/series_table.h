// The demo workload's metrics as a scraped target would expose them: every
// series with its current value, counters only ever growing. A snapshot is
// what Prometheus would remote-write after a scrape: one sample per series,
// labels sorted by name.
#ifndef ENGINE_DEMO_SERIES_TABLE_H_
#define ENGINE_DEMO_SERIES_TABLE_H_

#include <cstdint>
#include <string>
#include <utility>
#include <vector>

#include "absl/strings/string_view.h"
#include "engine/ingest/remote_write_encoder.h"

namespace fraisier::demo {

using LabelPairs = std::vector<std::pair<std::string, std::string>>;

// Not thread-safe; one workload owns it.
class SeriesTable {
 public:
  // Adds a series; returns its id. `labels` exclude __name__.
  int Add(absl::string_view name, LabelPairs labels);

  void Set(int id, double value) { values_[id] = value; }
  // Counters: `delta` < 0 is ignored, so a counter never goes down.
  void Inc(int id, double delta) {
    if (delta > 0) values_[id] += delta;
  }
  double Get(int id) const { return values_[id]; }

  // The id of the series with exactly these labels, or -1.
  int Find(absl::string_view name, const LabelPairs& labels) const;
  size_t size() const { return series_.size(); }

  // Every series with one sample (t_ms, current value).
  std::vector<ingest::RemoteWriteSeries> Snapshot(int64_t t_ms) const;

 private:
  std::vector<LabelPairs> series_;  // sorted, __name__ included
  std::vector<double> values_;
};

// A classic Prometheus histogram in a SeriesTable: cumulative
// <name>_bucket{le=...} series (+Inf included), <name>_sum and
// <name>_count.
class Histogram {
 public:
  Histogram() = default;
  // `bounds` ascending, without +Inf.
  Histogram(SeriesTable* table, absl::string_view name,
            const LabelPairs& labels, std::vector<double> bounds);

  void Observe(double value);

 private:
  SeriesTable* table_ = nullptr;
  std::vector<double> bounds_;
  std::vector<int> buckets_;  // one per bound, then +Inf
  int sum_ = -1;
  int count_ = -1;
};

// Prometheus's default buckets (.005 ... 10 seconds), for request latency.
std::vector<double> DefaultLatencyBuckets();

}  // namespace fraisier::demo

#endif  // ENGINE_DEMO_SERIES_TABLE_H_
