// The canonical one-line text of a PromQL expression, byte for byte what
// Prometheus's Expr.String() returns. Rule files, alert annotations and API
// responses show queries in this form, so it must match exactly.
#ifndef PROMQL_PRINTER_H_
#define PROMQL_PRINTER_H_

#include <string>

#include "promql/ast.h"

namespace fraisier::promql {

// For example `sum by (job) (rate(http_requests_total{code="500"}[5m]))`.
// Parsing the result gives back an equal tree (AstEqual); only the text is
// normalised: `by ()` and `ignoring ()` disappear, matchers are sorted,
// `@ 10` prints as `@ 10.000` and `offset` follows `@`.
std::string Format(const Expr& e);

// Go's strconv.FormatFloat(v, 'f', -1, 64): shortest round-trip digits
// without an exponent ("1", "0.5", "100000000000000000000000", "NaN",
// "+Inf"). Prometheus prints numbers this way in queries and labels.
void AppendGoFloat(double v, std::string* out);
std::string FormatGoFloat(double v);

}  // namespace fraisier::promql

#endif  // PROMQL_PRINTER_H_
