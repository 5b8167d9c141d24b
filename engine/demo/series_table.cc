#include "engine/demo/series_table.h"

#include <algorithm>

#include "absl/strings/str_cat.h"

namespace fraisier::demo {
namespace {

// Go's strconv.FormatFloat(v, 'f', -1, 64) for the bucket bounds we use,
// which is how client libraries print `le`: 0.005, 1, 2.5, +Inf.
std::string FormatBound(double bound) { return absl::StrCat(bound); }

LabelPairs WithName(absl::string_view name, LabelPairs labels) {
  labels.emplace_back("__name__", std::string(name));
  // Remote-write wants labels sorted by name; "__name__" sorts first.
  std::sort(labels.begin(), labels.end());
  return labels;
}

}  // namespace

int SeriesTable::Add(absl::string_view name, LabelPairs labels) {
  series_.push_back(WithName(name, std::move(labels)));
  values_.push_back(0);
  return static_cast<int>(series_.size() - 1);
}

int SeriesTable::Find(absl::string_view name, const LabelPairs& labels) const {
  const LabelPairs wanted = WithName(name, labels);
  for (size_t i = 0; i < series_.size(); ++i) {
    if (series_[i] == wanted) return static_cast<int>(i);
  }
  return -1;
}

std::vector<ingest::RemoteWriteSeries> SeriesTable::Snapshot(
    int64_t t_ms) const {
  std::vector<ingest::RemoteWriteSeries> out;
  out.reserve(series_.size());
  for (size_t i = 0; i < series_.size(); ++i) {
    out.push_back({series_[i], {{t_ms, values_[i]}}});
  }
  return out;
}

Histogram::Histogram(SeriesTable* table, absl::string_view name,
                     const LabelPairs& labels, std::vector<double> bounds)
    : table_(table), bounds_(std::move(bounds)) {
  const std::string bucket = absl::StrCat(name, "_bucket");
  for (double bound : bounds_) {
    LabelPairs with_le = labels;
    with_le.emplace_back("le", FormatBound(bound));
    buckets_.push_back(table_->Add(bucket, std::move(with_le)));
  }
  LabelPairs inf = labels;
  inf.emplace_back("le", "+Inf");
  buckets_.push_back(table_->Add(bucket, std::move(inf)));
  sum_ = table_->Add(absl::StrCat(name, "_sum"), labels);
  count_ = table_->Add(absl::StrCat(name, "_count"), labels);
}

void Histogram::Observe(double value) {
  for (size_t i = 0; i < bounds_.size(); ++i) {
    if (value <= bounds_[i]) table_->Inc(buckets_[i], 1);
  }
  table_->Inc(buckets_.back(), 1);
  table_->Inc(sum_, value);
  table_->Inc(count_, 1);
}

std::vector<double> DefaultLatencyBuckets() {
  return {0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10};
}

}  // namespace fraisier::demo
