// The PromQL parser: text to a type-checked AST, with Prometheus 3 grammar
// and error messages.
//
//   FR_ASSIGN_OR_RETURN(ExprPtr expr, ParseExpr("rate(x[5m]) > 0"));
//
// Errors are InvalidArgument with Prometheus's text, e.g.
// `1:10: parse error: unexpected end of input in aggregation`; the line and
// the byte column are 1-based. ParseExprDetailed also returns the byte range.
//
// Budgets: the parser is a recursive descent whose recursion and whose
// resulting tree depth are both bounded by ParseOptions::max_depth, so
// hostile input cannot overflow the stack of the parser or of any later
// recursive walk over the tree. Experimental syntax (duration expressions,
// `fill` modifiers, `anchored`/`smoothed`) is rejected with Prometheus's
// "not enabled" messages.
#ifndef PROMQL_PARSER_H_
#define PROMQL_PARSER_H_

#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "engine/model/matcher.h"
#include "promql/ast.h"

namespace fraisier::promql {

struct ParseOptions {
  // Deepest tree (and deepest recursion) accepted. Each level costs well
  // under 1 KiB of stack in the parser and in later walks, so the default
  // stays far inside a 1 MiB thread stack.
  int max_depth = 256;
  // Functions and aggregators Prometheus puts behind
  // --enable-feature=promql-experimental-functions (limitk, sort_by_label,
  // mad_over_time, ...).
  bool enable_experimental_functions = false;
};

struct ParseError {
  PosRange pos;         // byte range of the offending input
  int line = 0;         // 1-based
  int column = 0;       // 1-based, in bytes
  std::string message;  // without the position prefix

  // `<line>:<column>: parse error: <message>`, Prometheus's format.
  std::string ToString() const;
};

absl::StatusOr<ExprPtr> ParseExpr(absl::string_view input,
                                  const ParseOptions& options = {});

// Like ParseExpr, returning the error with its position separately (for
// callers that map positions into a larger file, such as rule files).
// Returns nullptr and fills *error on failure.
ExprPtr ParseExprDetailed(absl::string_view input, const ParseOptions& options,
                          ParseError* error);

// Prometheus's parser.ParseMetricSelector, used for the API's match[]: the
// input must be exactly one vector selector without modifiers; any other
// token is `unexpected <token>` (e.g. `1:3: parse error: unexpected "["`).
// No type check runs, so a selector whose matchers all match the empty
// string (`{a=""}`) is returned rather than refused.
absl::StatusOr<std::vector<Matcher>> ParseMetricSelector(
    absl::string_view input);

}  // namespace fraisier::promql

#endif  // PROMQL_PARSER_H_
