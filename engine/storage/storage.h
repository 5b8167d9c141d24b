// The storage interfaces. The PromQL engine and the rules engine talk to
// the store only through these, so they never depend on engine/tsdb and can
// run against any implementation (the embedded head, a test fixture, later
// a remote store).
//
// Thread-safety: Queryable/Appendable implementations are thread-safe. An
// Appender, a Querier and everything a Querier returns are used by one
// thread at a time.
#ifndef ENGINE_STORAGE_STORAGE_H_
#define ENGINE_STORAGE_STORAGE_H_

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "absl/types/span.h"
#include "engine/model/labels.h"
#include "engine/model/matcher.h"
#include "engine/model/timestamp.h"
#include "engine/model/value.h"

namespace fraisier::storage {

// Identifies a series inside one store; 0 means "not known yet". A ref
// returned by Append may be passed back to skip the label lookup.
using SeriesRef = uint64_t;

// Why an append was refused. Remote-write answers 400 for these (the data
// is bad, retrying will not help) except kSeriesLimit, which is 429-worthy.
enum class AppendError {
  kNone,
  kOutOfOrder,          // older than the series' newest sample
  kDuplicateTimestamp,  // same timestamp, different value
  kOutOfBounds,         // older than the head accepts (retention window)
  kSeriesLimit,         // creating the series would exceed the limit
  kInvalidLabels,       // empty, unsorted, duplicate or invalid names
};

// A Status carrying `kind` (readable with GetAppendError) and `message`.
absl::Status AppendErrorStatus(AppendError kind, absl::string_view message);
// kNone for OK statuses and statuses not made by AppendErrorStatus.
AppendError GetAppendError(const absl::Status& status);
absl::string_view AppendErrorName(AppendError kind);  // "out_of_order", ...

// Batches samples; nothing is visible to queriers or durable before
// Commit() returns OK. Not thread-safe.
class Appender {
 public:
  virtual ~Appender() = default;

  // Adds a sample to the series `labels`; `ref` is a hint from an earlier
  // Append of the same series (0 if unknown). Returns the series' ref.
  // `labels` must be sorted and valid; a refused sample leaves the batch
  // usable and the rest of it unaffected.
  virtual absl::StatusOr<SeriesRef> Append(SeriesRef ref, const Labels& labels,
                                           Timestamp t, double v) = 0;
  // Append for a series given as label views, e.g. pointing into a decoded
  // remote-write request, so a store can find an existing series without
  // building (allocating) a Labels. `labels` must be sorted by name with
  // unique names and non-empty values; `hash` is what Labels::Hash() would
  // give for them. A store may use `hash` only to look series up: a wrong
  // hash may cost a miss, never a wrong series. The default builds Labels
  // and calls Append.
  virtual absl::StatusOr<SeriesRef> AppendLabelViews(
      SeriesRef ref, absl::Span<const Label> labels, uint64_t hash, Timestamp t,
      double v);
  // Makes the batch visible and, per the store's fsync policy, durable.
  virtual absl::Status Commit() = 0;
  // Drops the batch.
  virtual void Rollback() = 0;
};

// Walks one series' samples in timestamp order. Not thread-safe.
class SampleIterator {
 public:
  virtual ~SampleIterator() = default;
  // Moves to the next sample; false when there is none.
  virtual bool Next() = 0;
  // Moves to the first sample with timestamp >= t, never backwards: if the
  // current sample already qualifies, stays. False when there is none.
  virtual bool Seek(Timestamp t) = 0;
  // The current sample; valid after Next() or Seek() returned true.
  virtual Sample At() const = 0;
  // Non-OK if iteration stopped on an error (e.g. a corrupt chunk).
  virtual absl::Status status() const { return absl::OkStatus(); }
};

class Series {
 public:
  virtual ~Series() = default;
  virtual const Labels& labels() const = 0;
  // A fresh iterator over the samples within the querier's time range.
  virtual std::unique_ptr<SampleIterator> Iterator() const = 0;
};

// The result of a Select. Not thread-safe.
class SeriesSet {
 public:
  virtual ~SeriesSet() = default;
  virtual bool Next() = 0;
  // Valid after Next() returned true, until the next call to Next().
  virtual const Series& At() const = 0;
  virtual absl::Status status() const { return absl::OkStatus(); }
};

// What the query engine knows about how a Select will be used; stores may
// use it to read less. Times in milliseconds.
struct SelectHints {
  Timestamp start = kMinTimestamp;
  Timestamp end = kMaxTimestamp;
  int64_t step_ms = 0;
  int64_t range_ms = 0;
  std::string func;  // surrounding function or aggregation, if any
  // Only the newest sample in [start, end] will be read (an instant vector
  // selector evaluated at one time): a store may return each series with
  // just that sample instead of all of them.
  bool latest_only = false;
};

// A read view over [mint, maxt]. Not thread-safe.
class Querier {
 public:
  virtual ~Querier() = default;
  // The series matching all `matchers` (at least one must not match the
  // empty string); sorted by labels when `sorted`.
  virtual std::unique_ptr<SeriesSet> Select(
      bool sorted, const SelectHints* hints,
      absl::Span<const Matcher> matchers) = 0;
  // Sorted, distinct values of `name` among series matching `matchers`
  // (all series when empty).
  virtual absl::StatusOr<std::vector<std::string>> LabelValues(
      absl::string_view name, absl::Span<const Matcher> matchers) = 0;
  // Sorted, distinct label names among series matching `matchers`.
  virtual absl::StatusOr<std::vector<std::string>> LabelNames(
      absl::Span<const Matcher> matchers) = 0;
};

class Queryable {
 public:
  virtual ~Queryable() = default;
  virtual absl::StatusOr<std::unique_ptr<Querier>> NewQuerier(
      Timestamp mint, Timestamp maxt) = 0;
};

class Appendable {
 public:
  virtual ~Appendable() = default;
  virtual std::unique_ptr<Appender> NewAppender() = 0;
};

class Storage : public Queryable, public Appendable {};

}  // namespace fraisier::storage

#endif  // ENGINE_STORAGE_STORAGE_H_
