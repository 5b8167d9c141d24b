// In-memory Series, SeriesSet and SampleIterator over plain vectors: the
// building blocks for stores that materialize results, and for tests.
#ifndef ENGINE_STORAGE_LIST_SERIES_H_
#define ENGINE_STORAGE_LIST_SERIES_H_

#include <memory>
#include <vector>

#include "engine/storage/storage.h"

namespace fraisier::storage {

// Iterates a sorted vector of samples it does not own; the vector must
// outlive the iterator.
class VectorSampleIterator final : public SampleIterator {
 public:
  explicit VectorSampleIterator(const std::vector<Sample>* samples)
      : samples_(samples) {}
  bool Next() override;
  bool Seek(Timestamp t) override;
  Sample At() const override { return (*samples_)[index_]; }

 private:
  const std::vector<Sample>* samples_;
  // Index of the current sample; -1 before the first Next()/Seek().
  ptrdiff_t index_ = -1;
};

// A series that owns its labels and its (sorted) samples.
class ListSeries final : public Series {
 public:
  ListSeries(Labels labels, std::vector<Sample> samples)
      : labels_(std::move(labels)), samples_(std::move(samples)) {}
  const Labels& labels() const override { return labels_; }
  std::unique_ptr<SampleIterator> Iterator() const override {
    return std::make_unique<VectorSampleIterator>(&samples_);
  }
  const std::vector<Sample>& samples() const { return samples_; }

 private:
  Labels labels_;
  std::vector<Sample> samples_;
};

// Yields the given series in the given order.
class ListSeriesSet final : public SeriesSet {
 public:
  explicit ListSeriesSet(std::vector<std::unique_ptr<Series>> series)
      : series_(std::move(series)) {}
  bool Next() override {
    ++index_;
    return index_ < series_.size();
  }
  const Series& At() const override { return *series_[index_]; }

 private:
  std::vector<std::unique_ptr<Series>> series_;
  size_t index_ = static_cast<size_t>(-1);
};

// A SeriesSet that yields nothing and reports `status`.
class ErrorSeriesSet final : public SeriesSet {
 public:
  explicit ErrorSeriesSet(absl::Status status) : status_(std::move(status)) {}
  bool Next() override { return false; }
  const Series& At() const override;  // never valid
  absl::Status status() const override { return status_; }

 private:
  absl::Status status_;
};

}  // namespace fraisier::storage

#endif  // ENGINE_STORAGE_LIST_SERIES_H_
