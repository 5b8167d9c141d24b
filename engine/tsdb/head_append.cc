// The head's Appender: validates samples as they arrive, logs the batch to
// the WAL on Commit, then applies it to the series.
#include <algorithm>
#include <shared_mutex>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "engine/base/logging.h"
#include "engine/base/status_macros.h"
#include "engine/model/validation.h"
#include "engine/tsdb/head.h"
#include "engine/tsdb/wal_records.h"

namespace fraisier::tsdb {

using storage::AppendError;
using storage::AppendErrorStatus;

// Not thread-safe (one batch, one thread). Every sample in `pending_` has
// raised its series' `pending` count, which Commit/Rollback lower again, so
// garbage collection cannot free a series a batch still refers to.
class HeadAppender final : public storage::Appender {
 public:
  explicit HeadAppender(Head* head) : head_(head) {}
  ~HeadAppender() override { Rollback(); }

  absl::StatusOr<storage::SeriesRef> Append(storage::SeriesRef ref,
                                            const Labels& labels, Timestamp t,
                                            double v) override;
  absl::Status Commit() override;
  void Rollback() override;

 private:
  struct Pending {
    uint32_t id;
    Timestamp t;
    double v;
  };
  // Lowers the pending counts of every batched sample's series.
  void Release();

  Head* head_;
  // The oldest timestamp this batch accepts, read from the clock once per
  // batch (as Prometheus does per appender) rather than once per sample.
  Timestamp min_valid_time_ = 0;
  bool have_min_valid_time_ = false;
  std::vector<Pending> pending_;
  std::string series_record_;
  std::string samples_record_;
};

std::unique_ptr<storage::Appender> Head::NewAppender() {
  return std::make_unique<HeadAppender>(this);
}

absl::StatusOr<storage::SeriesRef> HeadAppender::Append(storage::SeriesRef ref,
                                                        const Labels& labels,
                                                        Timestamp t, double v) {
  if (!have_min_valid_time_) {
    min_valid_time_ = head_->MinValidTime();
    have_min_valid_time_ = true;
  }
  if (t < min_valid_time_) {
    head_->out_of_bounds_.fetch_add(1, std::memory_order_relaxed);
    return AppendErrorStatus(
        AppendError::kOutOfBounds,
        absl::StrCat("sample timestamp ", t,
                     " is older than the retention window allows"));
  }
  uint32_t id = ref <= UINT32_MAX ? static_cast<uint32_t>(ref) : 0;
  MemSeries* s = id != 0 ? head_->series_.Get(id) : nullptr;
  if (s == nullptr) {
    if (labels.empty()) {
      return AppendErrorStatus(AppendError::kInvalidLabels,
                               "series has no labels");
    }
    // Labels equal to an existing series' were validated when it was
    // created: validate only before creating one.
    s = head_->series_.FindByHash(labels.Hash(), [&](const MemSeries& m) {
      return SeriesHasLabels(m, labels, head_->symbols_);
    });
    if (s == nullptr) {
      if (absl::Status st = ValidateLabels(labels, NameValidation::kUtf8);
          !st.ok()) {
        return AppendErrorStatus(AppendError::kInvalidLabels, st.message());
      }
      FR_ASSIGN_OR_RETURN(s, head_->GetOrCreate(labels));
    }
    id = s->id;
  }
  {
    std::lock_guard<std::mutex> lock(head_->SeriesLock(id));
    if (head_->series_.Get(id) != s) {
      // Garbage-collected between lookup and lock: the caller's ref is stale.
      return AppendErrorStatus(AppendError::kInvalidLabels,
                               "series was removed; append by labels");
    }
    if (t < s->last_t) {
      head_->out_of_order_.fetch_add(1, std::memory_order_relaxed);
      return AppendErrorStatus(
          AppendError::kOutOfOrder,
          absl::StrCat("out of order sample: timestamp ", t,
                       " is older than the newest sample ", s->last_t));
    }
    if (t == s->last_t &&
        std::bit_cast<uint64_t>(v) != std::bit_cast<uint64_t>(s->last_v)) {
      head_->duplicates_.fetch_add(1, std::memory_order_relaxed);
      return AppendErrorStatus(AppendError::kDuplicateTimestamp,
                               absl::StrCat("duplicate sample for timestamp ",
                                            t, " with a different value"));
    }
    ++s->pending;
  }
  pending_.push_back(Pending{id, t, v});
  return id;
}

absl::Status HeadAppender::Commit() {
  if (pending_.empty()) {
    have_min_valid_time_ = false;
    return absl::OkStatus();
  }
  // Series records for series no commit has logged yet, then the samples.
  std::vector<RefSeries> new_series;
  std::vector<RefSample> samples;
  samples.reserve(pending_.size());
  std::vector<uint32_t> seen;
  for (const Pending& p : pending_) {
    samples.push_back(RefSample{p.id, p.t, p.v});
    MemSeries* s = head_->series_.Get(p.id);
    if (s != nullptr && !s->logged.load(std::memory_order_acquire)) {
      seen.push_back(p.id);
    }
  }
  std::sort(seen.begin(), seen.end());
  seen.erase(std::unique(seen.begin(), seen.end()), seen.end());
  for (uint32_t id : seen) {
    std::lock_guard<std::mutex> lock(head_->SeriesLock(id));
    if (MemSeries* s = head_->series_.Get(id); s != nullptr) {
      new_series.push_back(RefSeries{id, SeriesLabels(*s, head_->symbols_)});
    }
  }
  series_record_.clear();
  samples_record_.clear();
  std::vector<absl::string_view> records;
  if (!new_series.empty()) {
    EncodeSeries(new_series, &series_record_);
    records.push_back(series_record_);
  }
  EncodeSamples(samples, &samples_record_);
  records.push_back(samples_record_);
  { std::lock_guard<std::mutex> gate(head_->commit_gate_); }
  std::shared_lock<std::shared_mutex> in_flight(head_->commit_mu_);
  absl::Status logged = head_->wal_->Log(records);
  if (!logged.ok()) {
    Rollback();
    return logged;
  }
  for (const RefSeries& rs : new_series) {
    if (MemSeries* s = head_->series_.Get(static_cast<uint32_t>(rs.ref))) {
      s->logged.store(true, std::memory_order_release);
    }
  }
  int64_t appended = 0;
  for (const Pending& p : pending_) {
    std::lock_guard<std::mutex> lock(head_->SeriesLock(p.id));
    MemSeries* s = head_->series_.Get(p.id);
    if (s == nullptr) continue;  // cannot happen while pending > 0
    // A concurrent batch may have appended newer samples since Append();
    // AppendLocked rejects and counts those, as Prometheus does.
    const Timestamp last_t = s->last_t;
    head_->AppendLocked(*s, p.t, p.v);
    if (s->last_t != last_t) ++appended;
    --s->pending;
  }
  head_->samples_appended_.fetch_add(appended, std::memory_order_relaxed);
  pending_.clear();
  have_min_valid_time_ = false;
  return absl::OkStatus();
}

void HeadAppender::Release() {
  for (const Pending& p : pending_) {
    std::lock_guard<std::mutex> lock(head_->SeriesLock(p.id));
    if (MemSeries* s = head_->series_.Get(p.id); s != nullptr) --s->pending;
  }
  pending_.clear();
  have_min_valid_time_ = false;
}

void HeadAppender::Rollback() { Release(); }

}  // namespace fraisier::tsdb
