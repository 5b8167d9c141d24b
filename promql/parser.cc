#include "promql/parser.h"

#include <cmath>
#include <cstdint>
#include <utility>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "engine/model/go_quote.h"
#include "engine/model/matcher.h"
#include "engine/model/validation.h"
#include "promql/checker.h"
#include "promql/functions.h"
#include "promql/literals.h"
#include "promql/parser_internal.h"
#include "promql/token.h"

namespace fraisier::promql {
namespace parser_internal {
namespace {

// Binary operator precedence, lowest first, as in Prometheus's grammar.
constexpr int kPowPrecedence = 6;

int BinaryPrecedence(TokenKind kind) {
  switch (kind) {
    case TokenKind::kLor:
      return 1;
    case TokenKind::kLand:
    case TokenKind::kLunless:
      return 2;
    case TokenKind::kEqlc:
    case TokenKind::kNeq:
    case TokenKind::kLte:
    case TokenKind::kLss:
    case TokenKind::kGte:
    case TokenKind::kGtr:
      return 3;
    case TokenKind::kAdd:
    case TokenKind::kSub:
      return 4;
    case TokenKind::kMul:
    case TokenKind::kDiv:
    case TokenKind::kMod:
    case TokenKind::kAtan2:
    case TokenKind::kTrimUpper:
    case TokenKind::kTrimLower:
      return 5;
    case TokenKind::kPow:
      return kPowPrecedence;
    default:
      return 0;
  }
}

BinaryOp ToBinaryOp(TokenKind kind) {
  switch (kind) {
    case TokenKind::kAdd:
      return BinaryOp::kAdd;
    case TokenKind::kSub:
      return BinaryOp::kSub;
    case TokenKind::kMul:
      return BinaryOp::kMul;
    case TokenKind::kDiv:
      return BinaryOp::kDiv;
    case TokenKind::kMod:
      return BinaryOp::kMod;
    case TokenKind::kPow:
      return BinaryOp::kPow;
    case TokenKind::kAtan2:
      return BinaryOp::kAtan2;
    case TokenKind::kTrimUpper:
      return BinaryOp::kTrimUpper;
    case TokenKind::kTrimLower:
      return BinaryOp::kTrimLower;
    case TokenKind::kEqlc:
      return BinaryOp::kEql;
    case TokenKind::kNeq:
      return BinaryOp::kNeq;
    case TokenKind::kGtr:
      return BinaryOp::kGtr;
    case TokenKind::kLss:
      return BinaryOp::kLss;
    case TokenKind::kGte:
      return BinaryOp::kGte;
    case TokenKind::kLte:
      return BinaryOp::kLte;
    case TokenKind::kLand:
      return BinaryOp::kAnd;
    case TokenKind::kLor:
      return BinaryOp::kOr;
    default:
      return BinaryOp::kUnless;
  }
}

}  // namespace

bool IsMetricIdentifier(TokenKind kind) {
  switch (kind) {
    case TokenKind::kIdentifier:
    case TokenKind::kMetricIdentifier:
    case TokenKind::kBy:
    case TokenKind::kWithout:
    case TokenKind::kLand:
    case TokenKind::kLor:
    case TokenKind::kLunless:
    case TokenKind::kOffset:
    case TokenKind::kStart:
    case TokenKind::kEnd:
    case TokenKind::kStep:
    case TokenKind::kRange:
    case TokenKind::kAnchored:
    case TokenKind::kSmoothed:
      return true;
    default:
      return IsAggregator(kind);
  }
}

// Keywords the grammar also accepts as label names in grouping (maybe_label).
bool IsMaybeLabel(TokenKind kind) {
  switch (kind) {
    case TokenKind::kBool:
    case TokenKind::kGroupLeft:
    case TokenKind::kGroupRight:
    case TokenKind::kIgnoring:
    case TokenKind::kOn:
    case TokenKind::kAtan2:
      return true;
    default:
      return IsMetricIdentifier(kind);
  }
}

const Token& Parser::Peek(size_t ahead) {
  while (lookahead_.size() <= ahead) {
    Token t = lexer_.Next();
    if (t.kind == TokenKind::kComment) continue;
    lookahead_.push_back(t);
  }
  return lookahead_[ahead];
}

Token Parser::Next() {
  Token t = Peek();
  lookahead_.pop_front();
  switch (t.kind) {
    case TokenKind::kRightParen:
    case TokenKind::kRightBrace:
    case TokenKind::kRightBracket:
    case TokenKind::kNumber:
    case TokenKind::kDuration:
      last_closing_ = TokenEnd(t);
      break;
    default:
      break;
  }
  return t;
}

bool Parser::Fail(PosRange pos, std::string message) {
  if (!failed_) {
    failed_ = true;
    error_pos_ = pos;
    error_message_ = std::move(message);
  }
  return false;
}

bool Parser::Unexpected(absl::string_view context, absl::string_view expected) {
  const Token& t = Peek();
  if (t.kind == TokenKind::kError) {
    return Fail({t.pos, static_cast<int32_t>(input_.size())},
                std::string(t.text));
  }
  if (context.empty() && aggregation_nesting_ > 0) context = "aggregation";
  std::string message = absl::StrCat("unexpected ", TokenDescription(t));
  if (!context.empty()) absl::StrAppend(&message, " in ", context);
  if (!expected.empty()) absl::StrAppend(&message, ", expected ", expected);
  return Fail({t.pos, TokenEnd(t)}, std::move(message));
}

bool Parser::Expect(TokenKind kind, absl::string_view context,
                    absl::string_view expected) {
  if (Peek().kind != kind) return Unexpected(context, expected);
  Next();
  return true;
}

bool Parser::CheckDepth(int depth, PosRange pos) {
  if (depth <= options_.max_depth) return true;
  return Fail(pos, absl::StrCat("expression nesting is too deep: more than ",
                                options_.max_depth, " levels"));
}

ExprPtr Parser::Parse(ParseError* error) {
  Parsed result;
  bool ok = false;
  if (Peek().kind == TokenKind::kEof) {
    Fail({0, 0}, "no expression found in input");
  } else if (ParseExpression(0, &result)) {
    ok = Peek().kind == TokenKind::kEof || Unexpected("", "");
  }
  if (ok) {
    CheckError check;
    if (!CheckAst(*result.expr, input_, &check)) {
      Fail(check.pos, std::move(check.message));
      ok = false;
    }
  }
  if (ok) return std::move(result.expr);
  FillError(error);
  return nullptr;
}

void Parser::FillError(ParseError* error) const {
  error->pos = error_pos_;
  error->message = error_message_;
  // Line and column of the start, 1-based, columns in bytes.
  error->line = 1;
  int32_t line_start = 0;
  int32_t start = std::min<int32_t>(error_pos_.start, input_.size());
  for (int32_t i = 0; i < start; ++i) {
    if (input_[i] == '\n') {
      ++error->line;
      line_start = i + 1;
    }
  }
  error->column = start - line_start + 1;
}

bool Parser::ParseMetricSelector(std::vector<Matcher>* matchers,
                                 ParseError* error) {
  // Prometheus's START_METRIC_SELECTOR grammar reports any other token as
  // plain `unexpected <token>`, without a context.
  const TokenKind first = Peek().kind;
  Parsed result;
  bool ok = false;
  if (first == TokenKind::kLeftBrace || IsMetricIdentifier(first)) {
    ok = ParseSelector(&result) &&
         (Peek().kind == TokenKind::kEof || Unexpected("", ""));
  } else {
    Unexpected("", "");
  }
  if (!ok) {
    FillError(error);
    return false;
  }
  *matchers = std::move(static_cast<VectorSelector&>(*result.expr).matchers);
  return true;
}

bool Parser::ParseExpression(int min_precedence, Parsed* out) {
  if (++recursion_ > options_.max_depth) {
    const Token& t = Peek();
    return Fail({t.pos, TokenEnd(t)},
                absl::StrCat("expression nesting is too deep: more than ",
                             options_.max_depth, " levels"));
  }
  Parsed lhs;
  if (!ParseUnary(&lhs)) return false;
  while (true) {
    TokenKind kind = Peek().kind;
    int precedence = BinaryPrecedence(kind);
    if (precedence == 0 || precedence < min_precedence) break;
    Next();
    auto binary = std::make_unique<BinaryExpr>();
    binary->op = ToBinaryOp(kind);
    bool fill = false;
    if (!ParseBinaryModifiers(binary.get(), &fill)) return false;
    // ^ is right-associative; all others are left-associative.
    int next_min = kind == TokenKind::kPow ? precedence : precedence + 1;
    Parsed rhs;
    if (!ParseExpression(next_min, &rhs)) return false;
    binary->pos = {lhs.expr->pos.start, rhs.expr->pos.end};
    if (fill) {
      return Fail(binary->pos,
                  "binop fill modifiers are experimental and not enabled");
    }
    int depth = 1 + std::max(lhs.depth, rhs.depth);
    if (!CheckDepth(depth, binary->pos)) return false;
    binary->lhs = std::move(lhs.expr);
    binary->rhs = std::move(rhs.expr);
    lhs.expr = std::move(binary);
    lhs.depth = depth;
  }
  --recursion_;
  *out = std::move(lhs);
  return true;
}

bool Parser::ParseUnary(Parsed* out) {
  const Token& t = Peek();
  if (t.kind != TokenKind::kAdd && t.kind != TokenKind::kSub) {
    return ParsePrimary(out) && ParsePostfix(out);
  }
  Token op = Next();
  // Unary operators bind like multiplication: -a^b is -(a^b), -a*b is
  // (-a)*b.
  Parsed operand;
  if (!ParseExpression(kPowPrecedence, &operand)) return false;
  if (operand.expr->kind() == NodeKind::kNumberLiteral) {
    auto* number = static_cast<NumberLiteral*>(operand.expr.get());
    if (op.kind == TokenKind::kSub) number->value = -number->value;
    number->pos.start = op.pos;
    *out = std::move(operand);
    return true;
  }
  auto unary = std::make_unique<UnaryExpr>();
  unary->negate = op.kind == TokenKind::kSub;
  unary->pos = {op.pos, operand.expr->pos.end};
  out->depth = operand.depth + 1;
  if (!CheckDepth(out->depth, unary->pos)) return false;
  unary->expr = std::move(operand.expr);
  out->expr = std::move(unary);
  return true;
}

bool Parser::ParsePrimary(Parsed* out) {
  const Token& t = Peek();
  out->depth = 1;
  switch (t.kind) {
    case TokenKind::kNumber: {
      Token tok = Next();
      absl::StatusOr<double> value = ParseNumber(tok.text);
      if (!value.ok()) {
        return Fail({tok.pos, TokenEnd(tok)},
                    std::string(value.status().message()));
      }
      auto number = std::make_unique<NumberLiteral>(*value);
      number->pos = {tok.pos, TokenEnd(tok)};
      out->expr = std::move(number);
      return true;
    }
    case TokenKind::kDuration: {
      Token tok = Next();
      absl::StatusOr<int64_t> ms = ParseDurationMs(tok.text);
      if (!ms.ok()) {
        return Fail({tok.pos, TokenEnd(tok)},
                    std::string(ms.status().message()));
      }
      auto number = std::make_unique<NumberLiteral>(*ms / 1000.0);
      number->is_duration = true;
      number->pos = {tok.pos, TokenEnd(tok)};
      out->expr = std::move(number);
      return true;
    }
    case TokenKind::kString: {
      Token tok = Next();
      absl::StatusOr<std::string> value = UnquoteString(tok.text);
      if (!value.ok()) {
        return Fail({tok.pos, TokenEnd(tok)},
                    absl::StrCat("error unquoting string ", GoQuote(tok.text),
                                 ": ", value.status().message()));
      }
      auto str = std::make_unique<StringLiteral>(*std::move(value));
      str->pos = {tok.pos, TokenEnd(tok)};
      out->expr = std::move(str);
      return true;
    }
    case TokenKind::kLeftParen: {
      Token open = Next();
      Parsed inner;
      if (!ParseExpression(0, &inner)) return false;
      if (!Expect(TokenKind::kRightParen, "", "")) return false;
      auto paren = std::make_unique<ParenExpr>();
      paren->pos = {open.pos, last_closing_};
      out->depth = inner.depth + 1;
      if (!CheckDepth(out->depth, paren->pos)) return false;
      paren->expr = std::move(inner.expr);
      out->expr = std::move(paren);
      return true;
    }
    case TokenKind::kLeftBrace:
      return ParseSelector(out);
    case TokenKind::kIdentifier:
      if (Peek(1).kind == TokenKind::kLeftParen) return ParseCall(out);
      return ParseSelector(out);
    default:
      break;
  }
  if (IsAggregator(t.kind)) {
    TokenKind next = Peek(1).kind;
    if (next == TokenKind::kLeftParen || next == TokenKind::kBy ||
        next == TokenKind::kWithout) {
      return ParseAggregate(out);
    }
  }
  // start(), end(), step() and range() are (experimental) functions; the
  // bare words are metric names.
  if ((t.kind == TokenKind::kStart || t.kind == TokenKind::kEnd ||
       t.kind == TokenKind::kStep || t.kind == TokenKind::kRange) &&
      Peek(1).kind == TokenKind::kLeftParen) {
    return ParseCall(out);
  }
  if (IsMetricIdentifier(t.kind)) return ParseSelector(out);
  return Unexpected("", "");
}

}  // namespace parser_internal

std::string ParseError::ToString() const {
  return absl::StrCat(line, ":", column, ": parse error: ", message);
}

ExprPtr ParseExprDetailed(absl::string_view input, const ParseOptions& options,
                          ParseError* error) {
  parser_internal::Parser parser(input, options);
  return parser.Parse(error);
}

absl::StatusOr<std::vector<Matcher>> ParseMetricSelector(
    absl::string_view input) {
  const ParseOptions options;
  parser_internal::Parser parser(input, options);
  ParseError error;
  std::vector<Matcher> matchers;
  if (!parser.ParseMetricSelector(&matchers, &error)) {
    return absl::InvalidArgumentError(error.ToString());
  }
  return matchers;
}

absl::StatusOr<ExprPtr> ParseExpr(absl::string_view input,
                                  const ParseOptions& options) {
  ParseError error;
  ExprPtr expr = ParseExprDetailed(input, options, &error);
  if (expr == nullptr) return absl::InvalidArgumentError(error.ToString());
  return expr;
}

}  // namespace fraisier::promql
