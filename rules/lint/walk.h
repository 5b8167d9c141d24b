// Walking a parsed PromQL expression for the lint checks: every node with
// the path that leads to it, so a check can ask what a selector is inside
// of (a rate(), a count(), the right side of `and`) without re-parsing text.
#ifndef RULES_LINT_WALK_H_
#define RULES_LINT_WALK_H_

#include <functional>
#include <vector>

#include "absl/strings/string_view.h"
#include "absl/types/span.h"
#include "promql/ast.h"

namespace fraisier::rules::lint {

// The nodes from the root down to (not including) the visited node.
using Ancestors = absl::Span<const promql::Expr* const>;

// Calls `visit` for every node in pre-order. A matrix selector's vector
// selector is visited as its child. Recursion is bounded by the parser's
// depth limit (promql/ast.h).
void Walk(const promql::Expr& root,
          const std::function<void(const promql::Expr&, Ancestors)>& visit);

// The direct children of `e`, in source order (null children skipped).
std::vector<const promql::Expr*> Children(const promql::Expr& e);

// `e` without the parentheses around it.
const promql::Expr& StripParens(const promql::Expr& e);

// The function name of a call ("rate"); "" when `e` is not a call.
absl::string_view CallName(const promql::Expr& e);

// The metric name a selector selects: the name before the braces or a
// `__name__="..."` matcher; "" when neither (e.g. `{__name__=~"a.*"}`).
absl::string_view MetricName(const promql::VectorSelector& selector);

// The vector selector a range function reads when its argument is a plain
// matrix selector (`rate(x[5m])`); null for subqueries and anything else.
const promql::MatrixSelector* MatrixArg(const promql::Expr& call, int index);

}  // namespace fraisier::rules::lint

#endif  // RULES_LINT_WALK_H_
