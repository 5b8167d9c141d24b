#include "promql/token.h"

#include <string>

#include "absl/strings/str_cat.h"
#include "engine/model/go_quote.h"
#include "engine/model/utf8.h"

namespace fraisier::promql {
namespace {

bool InRange(TokenKind kind, TokenKind first, TokenKind last) {
  return static_cast<int>(kind) >= static_cast<int>(first) &&
         static_cast<int>(kind) <= static_cast<int>(last);
}

// Prometheus prints short values with %q and longer ones (over 10 bytes) with
// %.10q followed by "...", where the precision counts runes, not bytes.
std::string QuoteValue(absl::string_view value) {
  if (value.size() <= 10) return GoQuote(value);
  size_t end = 0;
  for (int runes = 0; runes < 10 && end < value.size(); ++runes) {
    const size_t width = DecodeRune(value.substr(end)).width;
    end += width > 0 ? width : 1;
  }
  return absl::StrCat(GoQuote(value.substr(0, end)), "...");
}

}  // namespace

bool IsOperator(TokenKind kind) {
  return InRange(kind, TokenKind::kSub, TokenKind::kAtan2);
}

bool IsAggregator(TokenKind kind) {
  return InRange(kind, TokenKind::kSum, TokenKind::kLimitRatio);
}

bool IsKeyword(TokenKind kind) {
  return InRange(kind, TokenKind::kOffset, TokenKind::kRange);
}

bool IsComparisonOperator(TokenKind kind) {
  switch (kind) {
    case TokenKind::kEqlc:
    case TokenKind::kNeq:
    case TokenKind::kLte:
    case TokenKind::kLss:
    case TokenKind::kGte:
    case TokenKind::kGtr:
      return true;
    default:
      return false;
  }
}

bool IsSetOperator(TokenKind kind) {
  return kind == TokenKind::kLand || kind == TokenKind::kLor ||
         kind == TokenKind::kLunless;
}

absl::string_view TokenKindText(TokenKind kind) {
  switch (kind) {
    case TokenKind::kEof:
    case TokenKind::kError:
    case TokenKind::kComment:
    case TokenKind::kIdentifier:
    case TokenKind::kMetricIdentifier:
    case TokenKind::kNumber:
    case TokenKind::kDuration:
    case TokenKind::kString:
      return "";
    case TokenKind::kLeftParen:
      return "(";
    case TokenKind::kRightParen:
      return ")";
    case TokenKind::kLeftBrace:
      return "{";
    case TokenKind::kRightBrace:
      return "}";
    case TokenKind::kLeftBracket:
      return "[";
    case TokenKind::kRightBracket:
      return "]";
    case TokenKind::kComma:
      return ",";
    case TokenKind::kAssign:
      return "=";
    case TokenKind::kColon:
      return ":";
    case TokenKind::kAt:
      return "@";
    case TokenKind::kSub:
      return "-";
    case TokenKind::kAdd:
      return "+";
    case TokenKind::kMul:
      return "*";
    case TokenKind::kMod:
      return "%";
    case TokenKind::kDiv:
      return "/";
    case TokenKind::kEqlc:
      return "==";
    case TokenKind::kNeq:
      return "!=";
    case TokenKind::kLte:
      return "<=";
    case TokenKind::kLss:
      return "<";
    case TokenKind::kGte:
      return ">=";
    case TokenKind::kGtr:
      return ">";
    case TokenKind::kEqlRegex:
      return "=~";
    case TokenKind::kNeqRegex:
      return "!~";
    case TokenKind::kPow:
      return "^";
    case TokenKind::kTrimUpper:
      return "</";
    case TokenKind::kTrimLower:
      return ">/";
    case TokenKind::kLand:
      return "and";
    case TokenKind::kLor:
      return "or";
    case TokenKind::kLunless:
      return "unless";
    case TokenKind::kAtan2:
      return "atan2";
    case TokenKind::kSum:
      return "sum";
    case TokenKind::kAvg:
      return "avg";
    case TokenKind::kCount:
      return "count";
    case TokenKind::kMin:
      return "min";
    case TokenKind::kMax:
      return "max";
    case TokenKind::kGroup:
      return "group";
    case TokenKind::kStddev:
      return "stddev";
    case TokenKind::kStdvar:
      return "stdvar";
    case TokenKind::kTopk:
      return "topk";
    case TokenKind::kBottomk:
      return "bottomk";
    case TokenKind::kCountValues:
      return "count_values";
    case TokenKind::kQuantile:
      return "quantile";
    case TokenKind::kLimitk:
      return "limitk";
    case TokenKind::kLimitRatio:
      return "limit_ratio";
    case TokenKind::kOffset:
      return "offset";
    case TokenKind::kSmoothed:
      return "smoothed";
    case TokenKind::kAnchored:
      return "anchored";
    case TokenKind::kBy:
      return "by";
    case TokenKind::kWithout:
      return "without";
    case TokenKind::kOn:
      return "on";
    case TokenKind::kIgnoring:
      return "ignoring";
    case TokenKind::kGroupLeft:
      return "group_left";
    case TokenKind::kGroupRight:
      return "group_right";
    case TokenKind::kFill:
      return "fill";
    case TokenKind::kFillLeft:
      return "fill_left";
    case TokenKind::kFillRight:
      return "fill_right";
    case TokenKind::kBool:
      return "bool";
    case TokenKind::kStart:
      return "start";
    case TokenKind::kEnd:
      return "end";
    case TokenKind::kStep:
      return "step";
    case TokenKind::kRange:
      return "range";
  }
  return "";
}

std::string TokenDescription(const Token& token) {
  // Prometheus describes a token by the text the user wrote ("AND", "Sum"),
  // so the canonical spelling is only a fallback for synthesized tokens.
  const absl::string_view text =
      token.text.empty() ? TokenKindText(token.kind) : token.text;
  switch (token.kind) {
    case TokenKind::kEof:
      return "end of input";
    case TokenKind::kError:
      return absl::StrCat("error ", token.text);
    case TokenKind::kComment:
      return absl::StrCat("comment ", QuoteValue(text));
    case TokenKind::kIdentifier:
      return absl::StrCat("identifier ", GoQuote(text));
    case TokenKind::kMetricIdentifier:
      return absl::StrCat("metric identifier ", GoQuote(text));
    case TokenKind::kNumber:
      return absl::StrCat("number ", QuoteValue(text));
    case TokenKind::kDuration:
      return absl::StrCat("duration ", QuoteValue(text));
    case TokenKind::kString:
      return absl::StrCat("string ", QuoteValue(text));
    case TokenKind::kAt:
      // Prometheus's grammar lists AT among the operators.
      return absl::StrCat("<op:", text, ">");
    default:
      break;
  }
  if (IsOperator(token.kind)) return absl::StrCat("<op:", text, ">");
  if (IsAggregator(token.kind)) return absl::StrCat("<aggr:", text, ">");
  // Preprocessors (start, end, step, range) are not keywords in Prometheus's
  // grammar, so they print like punctuation, as a quoted string.
  if (InRange(token.kind, TokenKind::kOffset, TokenKind::kBool)) {
    return absl::StrCat("<", text, ">");
  }
  return QuoteValue(text);
}

}  // namespace fraisier::promql
