// Internal to the PromQL parser: the Parser class, split over
// parser.cc (token stream, expressions, operators), parser_terms.cc
// (selectors, calls, aggregations, label lists) and parser_modifiers.cc
// (ranges, subqueries, offset, @).
//
// The parser is a recursive descent over Prometheus's grammar. Error
// messages and their positions follow Prometheus's yacc parser, including
// the context it reports an error in ("in aggregation", "in label
// matching"), which is the innermost enclosing rule with an error action.
#ifndef PROMQL_PARSER_INTERNAL_H_
#define PROMQL_PARSER_INTERNAL_H_

#include <cstdint>
#include <deque>
#include <string>
#include <vector>

#include "absl/strings/string_view.h"
#include "engine/model/matcher.h"
#include "promql/ast.h"
#include "promql/lexer.h"
#include "promql/parser.h"
#include "promql/token.h"

namespace fraisier::promql::parser_internal {

inline int32_t TokenEnd(const Token& t) {
  return t.pos + static_cast<int32_t>(t.text.size());
}

// A parsed subtree and its depth, tracked so no tree deeper than the budget
// is ever built (destroying one would recurse as deep as it is).
struct Parsed {
  ExprPtr expr;
  int depth = 0;
};

// Converts seconds to milliseconds the way Prometheus does: to a
// time.Duration in nanoseconds (rounded), then truncated to milliseconds.
inline int64_t SecondsToMillis(double seconds) {
  return std::llround(seconds * 1e9) / 1000000;
}

// The largest magnitude, in seconds, that fits a time.Duration.
constexpr double kMaxDurationSeconds = 9223372036.854775807;

// Keywords the grammar also accepts as metric names (metric_identifier).
bool IsMetricIdentifier(TokenKind kind);
// Keywords the grammar also accepts as label names (maybe_label).
bool IsMaybeLabel(TokenKind kind);

// Not thread-safe; one per parse. Invariant: after the first Fail() every
// Parse* method returns false without consuming more input.
class Parser {
 public:
  Parser(absl::string_view input, const ParseOptions& options)
      : lexer_(input), input_(input), options_(options) {}

  ExprPtr Parse(ParseError* error);
  // Prometheus's ParseMetricSelector: the whole input must be one selector
  // (`up`, `up{job="x"}`, `{__name__=~"a.*"}`) without modifiers. Unlike
  // Parse, no type check runs, so `{a=""}` is accepted (the API reports
  // empty matcher sets itself). Returns false and fills *error on failure.
  bool ParseMetricSelector(std::vector<Matcher>* matchers, ParseError* error);

 private:
  // Token stream with lookahead; comments are dropped.
  const Token& Peek(size_t ahead = 0);
  Token Next();

  // Records the first error; always returns false so callers can
  // `return Fail(...)`.
  bool Fail(PosRange pos, std::string message);
  // "unexpected <token> in <context>, expected <expected>" about the next
  // token, or the lexer's own message when the next token is a lexer error.
  // An empty context means the innermost enclosing aggregation, if any.
  bool Unexpected(absl::string_view context, absl::string_view expected);
  bool Expect(TokenKind kind, absl::string_view context,
              absl::string_view expected);
  bool CheckDepth(int depth, PosRange pos);
  // Copies the recorded error into *error with its 1-based line and column.
  void FillError(ParseError* error) const;

  bool ParseExpression(int min_precedence, Parsed* out);
  bool ParseUnary(Parsed* out);
  bool ParsePrimary(Parsed* out);
  bool ParsePostfix(Parsed* e);
  bool ParseRangeOrSubquery(Parsed* e);
  bool ParseOffset(Parsed* e);
  bool ParseAt(Parsed* e);
  bool ParseAggregate(Parsed* out);
  bool ParseCall(Parsed* out);
  bool ParseArguments(std::vector<Parsed>* args);
  bool ParseSelector(Parsed* out);
  bool ParseMatchers(VectorSelector* vs);
  bool ParseGroupingLabels(std::vector<std::string>* labels);
  // Sets *fill when experimental fill modifiers were skipped over; they are
  // reported once the whole binary expression is known, as Prometheus does.
  bool ParseBinaryModifiers(BinaryExpr* b, bool* fill);
  // A number or duration token (after an optional sign) in seconds, for
  // ranges, steps and offsets. `context`/`expected` name the error.
  bool ParseDurationSeconds(absl::string_view context,
                            absl::string_view expected, double* seconds,
                            PosRange* pos);
  // "experimental duration expression is not enabled" at the next token or
  // at `pos`.
  bool RejectDurationExpression();
  bool RejectDurationExpression(PosRange pos);

  Lexer lexer_;
  absl::string_view input_;
  const ParseOptions& options_;
  std::deque<Token> lookahead_;
  int32_t last_closing_ = 0;  // end of the last ) ] } number or duration
  int recursion_ = 0;
  int aggregation_nesting_ = 0;  // enclosing aggregations: error context
  bool failed_ = false;
  PosRange error_pos_;
  std::string error_message_;
};

}  // namespace fraisier::promql::parser_internal

#endif  // PROMQL_PARSER_INTERNAL_H_
