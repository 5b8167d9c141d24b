// Checks a query's outcome against an eval command's expectations with
// Prometheus's rules (promqltest/test.go): compareResult, checkAnnotations
// and checkExpectedFailure. Each returns OK on a match and otherwise an
// error whose message says what differs, in Prometheus's wording.
#ifndef PROMQL_PROMQLTEST_COMPARE_H_
#define PROMQL_PROMQLTEST_COMPARE_H_

#include <string>

#include "absl/status/status.h"
#include "absl/strings/string_view.h"
#include "promql/engine.h"
#include "promql/promqltest/script.h"
#include "promql/value.h"

namespace fraisier::promql::promqltest {

// Relative error allowed for sample values.
inline constexpr double kDefaultEpsilon = 0.000001;

// Prometheus's util/almost.Equal: stale markers equal only each other, any
// two other NaNs are equal, otherwise the values differ by less than
// epsilon relative to their magnitude (absolute near zero).
bool AlmostEqual(double a, double b, double epsilon = kDefaultEpsilon);

// A float as Go's %v prints it ("1", "0.5", "1e+06", "NaN", "+Inf").
std::string FormatFloat(double v);

// Removes __name__ from samples and series marked drop_name, as the
// engine's caller sees them.
void DropMarkedNames(Value& value);

// The value, one series per line (at most `max_lines`, then a count of the
// rest), as failure reports print it.
std::string FormatValue(const Value& value, int max_lines = 20);

// Compares `result` with the expected result of `cmd` (Prometheus's
// compareResult). For matrices the expected points sit at
// cmd.start + i*cmd.step_ms.
absl::Status CompareResult(const EvalCommand& cmd, const Value& result);

// Checks warnings and infos against the expect (no_)warn/(no_)info lines
// and the deprecated eval_warn/eval_info forms.
absl::Status CheckAnnotations(const EvalCommand& cmd, absl::string_view expr,
                              const Annotations& annotations);

// For an eval expected to fail: whether `error` (the query's error message)
// is the failure expected.
absl::Status CheckExpectedFailure(const EvalCommand& cmd,
                                  absl::string_view error);

// Prometheus's assertMatrixSorted: series in labels order.
absl::Status CheckMatrixSorted(const Matrix& matrix);

}  // namespace fraisier::promql::promqltest

#endif  // PROMQL_PROMQLTEST_COMPARE_H_
