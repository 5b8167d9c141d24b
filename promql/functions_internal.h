// Internal to the function implementations (functions_*.cc): helpers they
// share and the per-file tables FindVectorFunction consults. Not for use
// outside promql/functions_*.cc.
#ifndef PROMQL_FUNCTIONS_INTERNAL_H_
#define PROMQL_FUNCTIONS_INTERNAL_H_

#include <cstddef>
#include <string>
#include <utility>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "absl/types/span.h"
#include "promql/eval_functions.h"

namespace fraisier::promql::functions_internal {

struct VectorFunctionEntry {
  absl::string_view name;
  VectorFunction fn;
};

// The vector functions each file implements.
absl::Span<const VectorFunctionEntry> MathFunctions();       // _vector.cc
absl::Span<const VectorFunctionEntry> LabelFunctions();      // _labels.cc
absl::Span<const VectorFunctionEntry> HistogramFunctions();  // _histogram.cc
absl::Span<const VectorFunctionEntry> TimeFunctions();       // _time.cc

// Annotations, with the semantics of Annotations::AddWarning/AddInfo (in the
// order first raised, without duplicates; nullptr is ignored). They append
// to the public lists directly so that this library does not need the
// engine's object code to link.
void AddWarning(Annotations* annotations, std::string message);
void AddInfo(Annotations* annotations, std::string message);

// Go's strconv.FormatFloat(v, 'g', -1, 64), which fmt's %g also produces:
// the shortest digits that round-trip, in exponent form ("1e+06", "1e-05")
// when the decimal exponent is < -4 or >= 6, else plain ("0.25",
// "123456"); "NaN", "+Inf", "-Inf".
std::string FormatGoG(double v);

// Go's fmt %f (six decimals): "0.500000"; "NaN", "+Inf", "-Inf".
std::string FormatGoF(double v);

// "PromQL warning: quantile value should be between 0 and 1, got <q>".
std::string InvalidQuantileWarning(double q);

// Go's math.Max / math.Min, including their NaN, infinity and signed-zero
// rules (which std::fmax/fmin and std::max/min do not follow).
double GoMax(double x, double y);
double GoMin(double x, double y);

// Natural order as Prometheus's sort_by_label uses it (facette/natsort):
// the strings are walked byte by byte; where both have a digit, the digit
// runs (leading zeros skipped) compare as numbers (a longer run is bigger,
// equal lengths compare bytewise), everything else compares bytewise, and a
// string that ends first is smaller. Returns -1, 0 or 1; 0 also for
// different strings that are naturally equal ("01" and "1").
int NaturalCompare(absl::string_view a, absl::string_view b);

// "vector cannot contain metrics with the same labelset" (InvalidArgument)
// when two samples of `v` have the same labels, as Prometheus reports for a
// function whose output repeats a label set at one step.
absl::Status CheckUnique(const Vector& v);

// Typed access to the evaluated arguments. A wrong type or a missing
// argument is an internal error (the parser's type checker prevents it).
absl::StatusOr<const Vector*> VectorArg(absl::Span<const Arg> args, size_t i);
absl::StatusOr<double> ScalarArg(absl::Span<const Arg> args, size_t i);
absl::StatusOr<absl::string_view> StringArg(absl::Span<const Arg> args,
                                            size_t i);

}  // namespace fraisier::promql::functions_internal

#endif  // PROMQL_FUNCTIONS_INTERNAL_H_
