// AST walks the promqltest runner needs: what a query selects and calls,
// and Prometheus's @-modifier rewrite of instant evals
// (promqltest/test.go atModifierTestCases).
#ifndef PROMQL_PROMQLTEST_AST_WALK_H_
#define PROMQL_PROMQLTEST_AST_WALK_H_

#include <string>
#include <vector>

#include "engine/model/timestamp.h"
#include "promql/ast.h"

namespace fraisier::promql::promqltest {

// Every vector selector of `e`, including those inside matrix selectors.
std::vector<const VectorSelector*> CollectSelectors(const Expr& e);

// The names of the functions `e` calls, in walk order, with repeats.
std::vector<std::string> CollectFunctions(const Expr& e);

// Sets `@ ts` on every vector selector, matrix selector and subquery that
// has no @ yet and is not inside a subquery that has one (after the
// rewrite), as Prometheus does. Returns false, leaving the rewrite
// meaningless, when the query calls a function whose result depends on the
// evaluation time even with step-invariant arguments (time, timestamp,
// predict_linear, the date functions) outside such a subquery: Prometheus
// skips the @ variants then.
bool SetAtModifiers(Expr& e, Timestamp ts);

}  // namespace fraisier::promql::promqltest

#endif  // PROMQL_PROMQLTEST_AST_WALK_H_
