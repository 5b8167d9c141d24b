#include "engine/storage/memory_storage.h"

#include <algorithm>
#include <bit>
#include <cstdint>
#include <mutex>
#include <string>
#include <utility>

#include "absl/container/btree_set.h"
#include "absl/strings/str_cat.h"
#include "engine/storage/list_series.h"

namespace fraisier::storage {
namespace {

bool SameValue(double a, double b) {
  return std::bit_cast<uint64_t>(a) == std::bit_cast<uint64_t>(b);
}

// Index of the first sample with timestamp >= t.
size_t LowerBound(const std::vector<Sample>& samples, Timestamp t) {
  return std::lower_bound(
             samples.begin(), samples.end(), t,
             [](const Sample& s, Timestamp ts) { return s.t < ts; }) -
         samples.begin();
}

bool MatchesAll(const Labels& labels, absl::Span<const Matcher> matchers) {
  for (const Matcher& m : matchers) {
    if (!m.MatchesLabels(labels)) return false;
  }
  return true;
}

bool HasSampleIn(const std::vector<Sample>& samples, Timestamp mint,
                 Timestamp maxt) {
  size_t i = LowerBound(samples, mint);
  return i < samples.size() && samples[i].t <= maxt;
}

}  // namespace

class MemoryAppender final : public Appender {
 public:
  explicit MemoryAppender(MemoryStorage* store) : store_(store) {}

  absl::StatusOr<SeriesRef> Append(SeriesRef /*ref*/, const Labels& labels,
                                   Timestamp t, double v) override {
    if (labels.empty()) {
      return AppendErrorStatus(AppendError::kInvalidLabels, "empty label set");
    }
    const Sample sample{t, v};
    SeriesRef ref = 0;
    {
      std::shared_lock lock(store_->mu_);
      auto it = store_->by_labels_.find(labels);
      if (it != store_->by_labels_.end()) {
        ref = it->second;
        if (absl::Status s =
                store_->CheckSample(*store_->series_[ref - 1], sample);
            !s.ok()) {
          return s;
        }
      }
    }
    MemoryStorage::SeriesData& pending = pending_[labels];
    if (pending.labels.empty()) pending.labels = labels;
    if (absl::Status s = store_->CheckSample(pending, sample); !s.ok()) {
      return s;
    }
    MemoryStorage::InsertSample(pending, sample);
    return ref;
  }

  absl::Status Commit() override {
    absl::Status first_error;
    {
      std::unique_lock lock(store_->mu_);
      for (auto& [labels, pending] : pending_) {
        SeriesRef ref = store_->GetOrCreateLocked(labels);
        MemoryStorage::SeriesData& series = *store_->series_[ref - 1];
        for (const Sample& sample : pending.samples) {
          absl::Status s = store_->CheckSample(series, sample);
          if (s.ok()) {
            MemoryStorage::InsertSample(series, sample);
          } else if (first_error.ok()) {
            first_error = s;
          }
        }
      }
    }
    pending_.clear();
    return first_error;
  }

  void Rollback() override { pending_.clear(); }

 private:
  MemoryStorage* store_;
  absl::btree_map<Labels, MemoryStorage::SeriesData> pending_;
};

class MemoryQuerier final : public Querier {
 public:
  MemoryQuerier(MemoryStorage* store, Timestamp mint, Timestamp maxt)
      : store_(store), mint_(mint), maxt_(maxt) {}

  std::unique_ptr<SeriesSet> Select(
      bool /*sorted*/, const SelectHints* /*hints*/,
      absl::Span<const Matcher> matchers) override {
    // by_labels_ is ordered by labels, so the result is always sorted.
    std::vector<std::unique_ptr<Series>> out;
    std::shared_lock lock(store_->mu_);
    for (const auto& [labels, ref] : store_->by_labels_) {
      if (!MatchesAll(labels, matchers)) continue;
      const std::vector<Sample>& samples = store_->series_[ref - 1]->samples;
      size_t begin = LowerBound(samples, mint_);
      size_t end = begin;
      while (end < samples.size() && samples[end].t <= maxt_) ++end;
      if (begin == end) continue;
      out.push_back(std::make_unique<ListSeries>(
          labels,
          std::vector<Sample>(samples.begin() + begin, samples.begin() + end)));
    }
    return std::make_unique<ListSeriesSet>(std::move(out));
  }

  absl::StatusOr<std::vector<std::string>> LabelValues(
      absl::string_view name, absl::Span<const Matcher> matchers) override {
    absl::btree_set<std::string> values;
    std::shared_lock lock(store_->mu_);
    for (const auto& [labels, ref] : store_->by_labels_) {
      absl::string_view value = labels.Get(name);
      if (value.empty() || !MatchesAll(labels, matchers)) continue;
      if (!HasSampleIn(store_->series_[ref - 1]->samples, mint_, maxt_)) {
        continue;
      }
      values.emplace(value);
    }
    return std::vector<std::string>(values.begin(), values.end());
  }

  absl::StatusOr<std::vector<std::string>> LabelNames(
      absl::Span<const Matcher> matchers) override {
    absl::btree_set<std::string> names;
    std::shared_lock lock(store_->mu_);
    for (const auto& [labels, ref] : store_->by_labels_) {
      if (!MatchesAll(labels, matchers)) continue;
      if (!HasSampleIn(store_->series_[ref - 1]->samples, mint_, maxt_)) {
        continue;
      }
      for (const Label& l : labels) names.emplace(l.name);
    }
    return std::vector<std::string>(names.begin(), names.end());
  }

 private:
  MemoryStorage* store_;
  Timestamp mint_;
  Timestamp maxt_;
};

std::unique_ptr<Appender> MemoryStorage::NewAppender() {
  return std::make_unique<MemoryAppender>(this);
}

absl::StatusOr<std::unique_ptr<Querier>> MemoryStorage::NewQuerier(
    Timestamp mint, Timestamp maxt) {
  return std::make_unique<MemoryQuerier>(this, mint, maxt);
}

void MemoryStorage::Clear() {
  std::unique_lock lock(mu_);
  series_.clear();
  by_labels_.clear();
}

size_t MemoryStorage::NumSeries() const {
  std::shared_lock lock(mu_);
  size_t n = 0;
  for (const auto& s : series_) n += s->samples.empty() ? 0 : 1;
  return n;
}

size_t MemoryStorage::NumSamples() const {
  std::shared_lock lock(mu_);
  size_t n = 0;
  for (const auto& s : series_) n += s->samples.size();
  return n;
}

absl::Status MemoryStorage::CheckSample(const SeriesData& series,
                                        const Sample& sample) const {
  const std::vector<Sample>& samples = series.samples;
  if (samples.empty()) return absl::OkStatus();
  if (!options_.allow_out_of_order && sample.t < samples.back().t) {
    return AppendErrorStatus(
        AppendError::kOutOfOrder,
        absl::StrCat("out of order sample at ", sample.t, " for ",
                     series.labels.ToString(), " (newest is ", samples.back().t,
                     ")"));
  }
  size_t i = LowerBound(samples, sample.t);
  if (i < samples.size() && samples[i].t == sample.t &&
      !SameValue(samples[i].v, sample.v)) {
    return AppendErrorStatus(
        AppendError::kDuplicateTimestamp,
        absl::StrCat("duplicate sample for timestamp ", sample.t, " for ",
                     series.labels.ToString()));
  }
  return absl::OkStatus();
}

void MemoryStorage::InsertSample(SeriesData& series, const Sample& sample) {
  std::vector<Sample>& samples = series.samples;
  if (samples.empty() || samples.back().t < sample.t) {
    samples.push_back(sample);
    return;
  }
  size_t i = LowerBound(samples, sample.t);
  if (i < samples.size() && samples[i].t == sample.t) return;  // same value
  samples.insert(samples.begin() + i, sample);
}

SeriesRef MemoryStorage::GetOrCreateLocked(const Labels& labels) {
  auto [it, inserted] = by_labels_.try_emplace(labels, 0);
  if (inserted) {
    series_.push_back(std::make_unique<SeriesData>(SeriesData{labels, {}}));
    it->second = series_.size();
  }
  return it->second;
}

}  // namespace fraisier::storage
