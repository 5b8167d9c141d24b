// Test helpers for the parser's tests: a structural dump of a tree, the
// byte ranges of its nodes, and matcher sorting for round-trip comparisons.
#ifndef PROMQL_PARSER_TEST_UTIL_H_
#define PROMQL_PARSER_TEST_UTIL_H_

#include <string>

#include "promql/ast.h"

namespace fraisier::promql::test_util {

// A one-line structural dump:
//   numbers         1, -0.5, NaN, dur:300 (written as a duration)
//   strings         "a\n"
//   selectors       vs(foo; a="b") -- the __name__ matcher implied by a
//                   written name is checked and left out; modifiers follow
//                   as ` @<ms>`, ` @start()`, ` offset=<ms>ms`
//   ranges          matrix(vs(foo), 300000ms)
//   subqueries      subquery(expr, 600000ms:5000ms) + modifiers
//   operators       +(lhs, rhs), ==bool[1:1 on(a) include(b)](lhs, rhs)
//   unary           neg(e), pos(e);   parentheses   paren(e)
//   aggregations    sum by(a)(expr), topk(param, expr)
//   calls           fn:rate(args)
std::string Dump(const Expr& e);

// Byte ranges of all nodes in pre-order: "0-4 0-2 3-4".
std::string Positions(const Expr& e);

// Sorts every selector's matchers by their text, the order Format prints.
void SortMatchers(Expr& e);

}  // namespace fraisier::promql::test_util

#endif  // PROMQL_PARSER_TEST_UTIL_H_
