// Tokens of the PromQL lexer. The set and the way tokens describe themselves
// in "unexpected ..." errors follow Prometheus's lexer, so error messages
// read the same as Prometheus's.
#ifndef PROMQL_TOKEN_H_
#define PROMQL_TOKEN_H_

#include <cstdint>
#include <string>

#include "absl/strings/string_view.h"

namespace fraisier::promql {

enum class TokenKind : uint8_t {
  kEof,
  kError,  // text holds the lexer's error message
  kComment,
  kIdentifier,        // label or metric name without ':'
  kMetricIdentifier,  // metric name containing ':'
  kNumber,            // 1, 0x1f, 1e3, .5, Inf, NaN (sign is a separate token)
  kDuration,          // 5m, 1h30m, 10ms
  kString,            // text includes the quotes: "a", 'a', `a`

  kLeftParen,
  kRightParen,
  kLeftBrace,
  kRightBrace,
  kLeftBracket,
  kRightBracket,
  kComma,
  kAssign,  // '=' in label matchers
  kColon,
  kAt,

  // Operators.
  kSub,
  kAdd,
  kMul,
  kMod,
  kDiv,
  kEqlc,  // ==
  kNeq,   // !=
  kLte,
  kLss,
  kGte,
  kGtr,
  kEqlRegex,  // =~
  kNeqRegex,  // !~
  kPow,
  kTrimUpper,  // </  (native histograms: keep the part below the bound)
  kTrimLower,  // >/  (native histograms: keep the part above the bound)
  kLand,       // and
  kLor,        // or
  kLunless,    // unless
  kAtan2,

  // Aggregators.
  kSum,
  kAvg,
  kCount,
  kMin,
  kMax,
  kGroup,
  kStddev,
  kStdvar,
  kTopk,
  kBottomk,
  kCountValues,
  kQuantile,
  kLimitk,
  kLimitRatio,

  // Keywords.
  kOffset,
  kSmoothed,  // experimental: recognised only to reject it clearly
  kAnchored,  // experimental
  kBy,
  kWithout,
  kOn,
  kIgnoring,
  kGroupLeft,
  kGroupRight,
  kFill,       // experimental
  kFillLeft,   // experimental
  kFillRight,  // experimental
  kBool,

  // Preprocessors (`@ start()`, `@ end()`; step and range are experimental).
  kStart,
  kEnd,
  kStep,
  kRange,
};

struct Token {
  TokenKind kind = TokenKind::kEof;
  int32_t pos = 0;         // byte offset of the first character in the input
  absl::string_view text;  // the token's bytes; for kError, the message
};

bool IsOperator(TokenKind kind);    // kSub..kAtan2
bool IsAggregator(TokenKind kind);  // kSum..kLimitRatio
bool IsKeyword(TokenKind kind);     // kOffset..kRange
bool IsComparisonOperator(TokenKind kind);
bool IsSetOperator(TokenKind kind);

// The canonical spelling of fixed tokens ("(", "+", "sum", "group_left"),
// empty for kinds whose text varies (identifiers, numbers, strings, ...).
absl::string_view TokenKindText(TokenKind kind);

// How Prometheus names a token in "unexpected <desc>" errors:
//   end of input | identifier "foo" | number "1" | string "\"abc\""
//   duration "5m" | "(" | "," | <op:+> | <aggr:sum> | <by>
// Long texts of numbers, strings and durations are cut as Go's %.10q does.
std::string TokenDescription(const Token& token);

}  // namespace fraisier::promql

#endif  // PROMQL_TOKEN_H_
