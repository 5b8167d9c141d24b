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

#include <optional>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/strings/string_view.h"
#include "absl/types/span.h"
#include "engine/model/labels.h"
#include "promql/ast.h"
#include "promql/engine.h"
#include "promql/value.h"

namespace fraisier::promql {

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
};

// Returns the value for one series at one step, or nullopt for no output.
// `points` are the series' samples in the window, sorted, stale markers
// already removed.
using RangeFunction = std::optional<double> (*)(
    const RangeContext& ctx, absl::Span<const FPoint> points);

struct RangeFunctionInfo {
  RangeFunction fn;
  // Prometheus 3 keeps __name__ for a few (last_over_time, first_over_time,
  // ...); the rest drop it (lazily, see VectorSample::drop_name).
  bool keeps_metric_name;
};

// Evaluated arguments of one step: one entry per call argument. Instant
// vectors arrive as Vector, scalars as Scalar, strings as String. (Range
// vector arguments only occur for range functions.)
using Arg = std::variant<Scalar, String, Vector>;

struct VectorContext {
  Timestamp ts = 0;
  const Call* call = nullptr;  // the call node, for positions/expressions
  Annotations* annotations = nullptr;
  // For absent(): the label matchers of the argument selector (equality
  // matchers give the labels of the output sample); empty otherwise.
  absl::Span<const Matcher> absent_matchers;
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
