// The static type checker that runs after a successful parse, reproducing
// Prometheus's checkAST errors in Prometheus's order. Internal to the
// parser; exposed for its tests.
#ifndef PROMQL_CHECKER_H_
#define PROMQL_CHECKER_H_

#include <string>

#include "absl/strings/string_view.h"
#include "promql/ast.h"

namespace fraisier::promql {

struct CheckError {
  PosRange pos;
  std::string message;
};

// Checks `expr` (parsed from `input`, whose bytes locate operator positions)
// and normalizes what Prometheus normalizes while checking: a set
// operator's one-to-one matching becomes many-to-many, and the vector
// matching of a binary expression that is not vector-to-vector is dropped.
// Returns false and fills *error at the first problem. Recursive; the tree
// depth is bounded by the parser.
bool CheckAst(Expr& expr, absl::string_view input, CheckError* error);

}  // namespace fraisier::promql

#endif  // PROMQL_CHECKER_H_
