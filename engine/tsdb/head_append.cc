// The head's Appender: validates samples as they arrive, logs the batch to
// the WAL on Commit, then applies it to the series.
#include <algorithm>
#include <shared_mutex>
#include <string>
#include <vector>

#include "absl/functional/function_ref.h"
#include "absl/strings/str_cat.h"
#include "absl/types/span.h"
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
  absl::StatusOr<storage::SeriesRef> AppendLabelViews(
      storage::SeriesRef ref, absl::Span<const Label> labels, uint64_t hash,
      Timestamp t, double v) override;
  absl::Status Commit() override;
  void Rollback() override;

 private:
  using SeriesLookup = absl::FunctionRef<absl::StatusOr<MemSeries*>()>;
  // The shared body of Append and AppendLabelViews: `lookup` finds or
  // creates the series when `ref` does not name a live one.
  absl::StatusOr<storage::SeriesRef> AppendWith(storage::SeriesRef ref,
                                                Timestamp t, double v,
                                                SeriesLookup lookup);
  // Finds the series `labels`, validating and creating it when new.
  absl::StatusOr<MemSeries*> FindOrCreate(const Labels& labels);
  // Lowers the pending counts of every batched sample's series.
  void Release();

  Head* head_;
  // The oldest timestamp this batch accepts, read from the clock once per
  // batch (as Prometheus does per appender) rather than once per sample.
  Timestamp min_valid_time_ = 0;
  bool have_min_valid_time_ = false;
  // The batch, already in WAL record form (ref = series id).
  std::vector<RefSample> pending_;
  // Series of this batch whose series record no commit has logged yet,
  // noted at Append so Commit need not revisit every series.
  std::vector<uint32_t> unlogged_;
  std::string series_record_;
  std::string samples_record_;
};

std::unique_ptr<storage::Appender> Head::NewAppender() {
  return std::make_unique<HeadAppender>(this);
}

absl::StatusOr<storage::SeriesRef> HeadAppender::Append(storage::SeriesRef ref,
                                                        const Labels& labels,
                                                        Timestamp t, double v) {
  return AppendWith(ref, t, v, [&] { return FindOrCreate(labels); });
}

absl::StatusOr<storage::SeriesRef> HeadAppender::AppendLabelViews(
    storage::SeriesRef ref, absl::Span<const Label> labels, uint64_t hash,
    Timestamp t, double v) {
  return AppendWith(ref, t, v, [&]() -> absl::StatusOr<MemSeries*> {
    if (labels.empty()) {
      return AppendErrorStatus(AppendError::kInvalidLabels,
                               "series has no labels");
    }
    // The remote-write hot path: an existing series is found by comparing
    // the views with its interned symbols, without building Labels.
    MemSeries* s = head_->series_.FindByHash(hash, [&](const MemSeries& m) {
      return SeriesHasLabelViews(m, labels, head_->symbols_);
    });
    if (s != nullptr) return s;
    // A new series (or a caller's wrong hash): the Labels path recomputes
    // the hash itself, so a wrong one can never register a duplicate.
    std::vector<LabelPair> pairs;
    pairs.reserve(labels.size());
    for (const Label& l : labels) pairs.emplace_back(l.name, l.value);
    return FindOrCreate(Labels::FromPairs(pairs));
  });
}

absl::StatusOr<MemSeries*> HeadAppender::FindOrCreate(const Labels& labels) {
  if (labels.empty()) {
    return AppendErrorStatus(AppendError::kInvalidLabels,
                             "series has no labels");
  }
  // Labels equal to an existing series' were validated when it was
  // created: validate only before creating one.
  MemSeries* s =
      head_->series_.FindByHash(labels.Hash(), [&](const MemSeries& m) {
        return SeriesHasLabels(m, labels, head_->symbols_);
      });
  if (s != nullptr) return s;
  if (absl::Status st = ValidateLabels(labels, NameValidation::kUtf8);
      !st.ok()) {
    return AppendErrorStatus(AppendError::kInvalidLabels, st.message());
  }
  return head_->GetOrCreate(labels);
}

absl::StatusOr<storage::SeriesRef> HeadAppender::AppendWith(
    storage::SeriesRef ref, Timestamp t, double v, SeriesLookup lookup) {
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
  uint32_t id = 0;
  for (int attempt = 0;; ++attempt) {
    id = ref <= UINT32_MAX ? static_cast<uint32_t>(ref) : 0;
    MemSeries* s = id != 0 ? head_->series_.Get(id) : nullptr;
    if (s == nullptr) {
      FR_ASSIGN_OR_RETURN(s, lookup());
      id = s->id;
    }
    // Checked without the series lock: last_t and last_v_bits are atomics
    // written under it, and Commit repeats the check under the lock.
    const Timestamp last_t = s->last_t.load(std::memory_order_relaxed);
    if (t < last_t) {
      head_->out_of_order_.fetch_add(1, std::memory_order_relaxed);
      return AppendErrorStatus(
          AppendError::kOutOfOrder,
          absl::StrCat("out of order sample: timestamp ", t,
                       " is older than the newest sample ", last_t));
    }
    if (t == last_t && std::bit_cast<uint64_t>(v) !=
                           s->last_v_bits.load(std::memory_order_relaxed)) {
      head_->duplicates_.fetch_add(1, std::memory_order_relaxed);
      return AppendErrorStatus(AppendError::kDuplicateTimestamp,
                               absl::StrCat("duplicate sample for timestamp ",
                                            t, " with a different value"));
    }
    // Pin the series against garbage collection, then make sure it was not
    // collected between the lookup and the pin (ApplyRetention clears the
    // table, fences, then re-reads `pending`).
    s->pending.fetch_add(1, std::memory_order_seq_cst);
    if (head_->series_.GetSeqCst(id) == s) {
      if (!s->logged.load(std::memory_order_acquire)) unlogged_.push_back(id);
      break;
    }
    // Collected meanwhile: look the labels up again (a new series), or tell
    // a caller that only gave a ref.
    s->pending.fetch_sub(1);
    if (attempt >= 8) {
      return AppendErrorStatus(AppendError::kInvalidLabels,
                               "series was removed; append by labels");
    }
    ref = 0;  // the lookup refuses an empty label set
  }
  pending_.push_back(RefSample{id, t, v});
  return id;
}

absl::Status HeadAppender::Commit() {
  if (pending_.empty()) {
    have_min_valid_time_ = false;
    return absl::OkStatus();
  }
  // Series records for series no commit has logged yet, then the samples.
  std::vector<RefSeries> new_series;
  std::vector<uint32_t>& seen = unlogged_;
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
  EncodeSamples(pending_, &samples_record_);
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
  for (const RefSample& p : pending_) {
    std::lock_guard<std::mutex> lock(
        head_->SeriesLock(static_cast<uint32_t>(p.ref)));
    MemSeries* s = head_->series_.Get(static_cast<uint32_t>(p.ref));
    if (s == nullptr) continue;  // cannot happen while pending > 0
    // A concurrent batch may have appended newer samples since Append();
    // AppendLocked rejects and counts those, as Prometheus does.
    const Timestamp before = s->last_t.load(std::memory_order_relaxed);
    head_->AppendLocked(*s, p.t, p.v);
    if (s->last_t.load(std::memory_order_relaxed) != before) ++appended;
    s->pending.fetch_sub(1, std::memory_order_relaxed);
  }
  head_->samples_appended_.fetch_add(appended, std::memory_order_relaxed);
  pending_.clear();
  unlogged_.clear();
  have_min_valid_time_ = false;
  return absl::OkStatus();
}

void HeadAppender::Release() {
  for (const RefSample& p : pending_) {
    std::lock_guard<std::mutex> lock(
        head_->SeriesLock(static_cast<uint32_t>(p.ref)));
    if (MemSeries* s = head_->series_.Get(static_cast<uint32_t>(p.ref));
        s != nullptr) {
      s->pending.fetch_sub(1, std::memory_order_relaxed);
    }
  }
  pending_.clear();
  unlogged_.clear();
  have_min_valid_time_ = false;
}

void HeadAppender::Rollback() { Release(); }

}  // namespace fraisier::tsdb
