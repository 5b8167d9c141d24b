// Implementations of PromQL functions, as the evaluator calls them.
//
// Two shapes:
// - Range functions (rate, increase, *_over_time, deriv, ...) take one
//   series' window of points at one step and return at most one value; the
//   evaluator loops over series and steps, so they stay pure and cheap.
// - Vector functions (abs, clamp, label_replace, histogram_quantile, sort,
//   absent, time, ...) take the evaluated arguments of one step and write
//   the output vector.
#ifndef PROMQL_EVAL_FUNCTIONS_H_
#define PROMQL_EVAL_FUNCTIONS_H_

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "absl/container/flat_hash_map.h"
#include "absl/status/status.h"
#include "absl/strings/string_view.h"
#include "absl/types/span.h"
#include "engine/model/labels.h"
#include "promql/ast.h"
#include "promql/engine.h"
#include "promql/value.h"

namespace fraisier::promql {

struct SeriesCounts;

// What a range function knows about the step it computes.
struct RangeContext {
  Timestamp ts = 0;           // evaluation time of the step
  Timestamp range_start = 0;  // window is (range_start, ts], left-open
  int64_t range_ms = 0;
  const Labels* metric = nullptr;  // the series, for annotations
  // Scalar arguments other than the range vector, in call order (e.g.
  // quantile_over_time's φ, predict_linear's t, double_exponential_
  // smoothing's sf and tf), already evaluated for this step.
  absl::Span<const double> scalars;
  Annotations* annotations = nullptr;
  // Whether the selected metric name looks like a counter, for the
  // "might not be a counter" annotations (rate on a non-counter name).
  absl::string_view metric_name;
  PosRange pos;  // the call, for annotation positions
  // Where a function reports an evaluation error (Prometheus panics inside
  // the function, e.g. double_exponential_smoothing's "invalid smoothing
  // factor"): it sets *error and returns nullopt; the evaluator then fails
  // the query with *error. May be null (the error is then dropped).
  absl::Status* error = nullptr;

  // Optional per-series help from the evaluator (null/unset when called
  // directly, e.g. by unit tests; functions then scan the window). Both are
  // reset for every series.
  //
  // Counts over the whole series the window lies in: for k >= 1,
  // changes[k] and resets[k] are the numbers of i in [1, k] whose point
  // differs from (changes: `!=`, NaN equal to NaN) or is below (resets)
  // point i-1; index 0 holds 0. Only for functions whose
  // RangeFunctionInfo::uses_series_counts is set.
  const SeriesCounts* series_counts = nullptr;
  size_t window_begin = 0;  // index of the window's first point in the series
  // Whether the "might not be a counter" info was already raised for this
  // series (it depends only on the series' name).
  bool* non_counter_noted = nullptr;
};

struct SeriesCounts {
  std::vector<uint32_t> changes;
  std::vector<uint32_t> resets;

  // Fills both for `points` (size >= 1).
  void Compute(absl::Span<const FPoint> points);
};

// Returns the value for one series at one step, or nullopt for no output.
// `points` are the series' samples in the window, sorted, stale markers
// already removed.
using RangeFunction = std::optional<double> (*)(
    const RangeContext& ctx, absl::Span<const FPoint> points);

// Several windows of one call at once (for functions whose per-window work
// is one long dependency chain: computing independent windows together lets
// the CPU overlap them). Must give exactly what `fn` gives window by window:
// out[k] for windows[k]. The windows may come from different series and
// steps: of `ctx`, only scalars (equal for all windows), error and
// annotations are meaningful.
using RangeBatchFunction = void (*)(
    const RangeContext& ctx, absl::Span<const absl::Span<const FPoint>> windows,
    std::optional<double>* out);

struct RangeFunctionInfo {
  RangeFunction fn;
  // Prometheus 3 keeps __name__ for a few (last_over_time, first_over_time,
  // ...); the rest drop it (lazily, see VectorSample::drop_name).
  bool keeps_metric_name;
  // The function reads RangeContext::series_counts when set.
  bool uses_series_counts = false;
  RangeBatchFunction batch = nullptr;
};

// Evaluated arguments of one step: one entry per call argument. Instant
// vectors arrive as Vector, scalars as Scalar, strings as String. (Range
// vector arguments only occur for range functions.)
using Arg = std::variant<Scalar, String, Vector>;

// What a vector function derived from an input series' labels (its output
// labels, a parsed number, a flag), kept across the steps of one call, as
// Prometheus's EvalNodeHelper caches label sets: the evaluator hands every
// step the same series, so derived labels are computed once per series.
// Keyed by the input's hash and checked by equality (a colliding label set
// is just not cached). Valid only while the function's other arguments stay
// the same, which holds within a call for string arguments.
class DerivedLabelsMemo {
 public:
  struct Entry {
    Labels output;
    double number = 0;
    bool flag = false;
  };

  // The entry stored for `input`, or nullptr.
  const Entry* Find(const Labels& input) const {
    auto it = entries_.find(input.Hash());
    if (it == entries_.end() || !(it->second.first == input)) return nullptr;
    return &it->second.second;
  }
  void Insert(const Labels& input, Entry entry) {
    entries_.try_emplace(input.Hash(), input, std::move(entry));
  }

 private:
  absl::flat_hash_map<uint64_t, std::pair<Labels, Entry>> entries_;
};

struct VectorContext {
  Timestamp ts = 0;
  const Call* call = nullptr;  // the call node, for positions/expressions
  Annotations* annotations = nullptr;
  // For absent(): the label matchers of the argument selector (equality
  // matchers give the labels of the output sample); empty otherwise.
  absl::Span<const Matcher> absent_matchers;
  // Per-call memo; null when the function is called directly (e.g. by unit
  // tests), and functions then derive labels at every call.
  DerivedLabelsMemo* memo = nullptr;
};

// Writes the step's output to *out (cleared by the caller). Errors are
// evaluation errors (InvalidArgument with Prometheus's text).
using VectorFunction = absl::Status (*)(const VectorContext& ctx,
                                        absl::Span<const Arg> args,
                                        Vector* out);

// The implementation of `name`, or nullptr when it is not of that shape.
const RangeFunctionInfo* FindRangeFunction(absl::string_view name);
VectorFunction FindVectorFunction(absl::string_view name);

// Functions that ignore their argument's sample values and work on
// timestamps (timestamp()) need the samples' own timestamps; the evaluator
// keeps VectorSample::t as the sample's timestamp for selector results
// and as the step time everywhere else.

}  // namespace fraisier::promql

#endif  // PROMQL_EVAL_FUNCTIONS_H_
