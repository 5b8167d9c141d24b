#include "promql/parser.h"

#include <cmath>
#include <cstdint>
#include <deque>
#include <limits>
#include <utility>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "engine/model/go_quote.h"
#include "engine/model/matcher.h"
#include "engine/model/validation.h"
#include "promql/checker.h"
#include "promql/functions.h"
#include "promql/lexer.h"
#include "promql/literals.h"
#include "promql/token.h"

namespace fraisier::promql {
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

AggregateOp ToAggregateOp(TokenKind kind) {
  switch (kind) {
    case TokenKind::kSum:
      return AggregateOp::kSum;
    case TokenKind::kAvg:
      return AggregateOp::kAvg;
    case TokenKind::kCount:
      return AggregateOp::kCount;
    case TokenKind::kMin:
      return AggregateOp::kMin;
    case TokenKind::kMax:
      return AggregateOp::kMax;
    case TokenKind::kGroup:
      return AggregateOp::kGroup;
    case TokenKind::kStddev:
      return AggregateOp::kStddev;
    case TokenKind::kStdvar:
      return AggregateOp::kStdvar;
    case TokenKind::kTopk:
      return AggregateOp::kTopk;
    case TokenKind::kBottomk:
      return AggregateOp::kBottomk;
    case TokenKind::kCountValues:
      return AggregateOp::kCountValues;
    case TokenKind::kQuantile:
      return AggregateOp::kQuantile;
    case TokenKind::kLimitk:
      return AggregateOp::kLimitk;
    default:
      return AggregateOp::kLimitRatio;
  }
}

// Keywords the grammar also accepts as metric names (metric_identifier).
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

bool IsMatchOp(TokenKind kind) {
  return kind == TokenKind::kAssign || kind == TokenKind::kNeq ||
         kind == TokenKind::kEqlRegex || kind == TokenKind::kNeqRegex;
}

MatchType ToMatchType(TokenKind kind) {
  switch (kind) {
    case TokenKind::kNeq:
      return MatchType::kNotEqual;
    case TokenKind::kEqlRegex:
      return MatchType::kRegexMatch;
    case TokenKind::kNeqRegex:
      return MatchType::kRegexNoMatch;
    default:
      return MatchType::kEqual;
  }
}

int32_t TokenEnd(const Token& t) {
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
int64_t SecondsToMillis(double seconds) {
  return std::llround(seconds * 1e9) / 1000000;
}

// The largest magnitude, in seconds, that fits a time.Duration.
constexpr double kMaxDurationSeconds = 9223372036.854775807;

class Parser {
 public:
  Parser(absl::string_view input, const ParseOptions& options)
      : lexer_(input), input_(input), options_(options) {}

  ExprPtr Parse(ParseError* error);

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
  bool ParseBinaryModifiers(BinaryExpr* b);
  // A number or duration token (after an optional sign) in seconds, for
  // ranges, steps and offsets. `context`/`expected` name the error.
  bool ParseDurationSeconds(absl::string_view context,
                            absl::string_view expected, double* seconds,
                            PosRange* pos);
  bool RejectDurationExpression();

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
  return nullptr;
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
    if (!ParseBinaryModifiers(binary.get())) return false;
    // ^ is right-associative; all others are left-associative.
    int next_min = kind == TokenKind::kPow ? precedence : precedence + 1;
    Parsed rhs;
    if (!ParseExpression(next_min, &rhs)) return false;
    binary->pos = {lhs.expr->pos.start, rhs.expr->pos.end};
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
  if ((t.kind == TokenKind::kStep || t.kind == TokenKind::kRange) &&
      Peek(1).kind == TokenKind::kLeftParen) {
    return Fail({t.pos, TokenEnd(t)},
                "experimental duration expression is not enabled");
  }
  if (IsMetricIdentifier(t.kind)) return ParseSelector(out);
  return Unexpected("", "");
}

bool Parser::ParsePostfix(Parsed* e) {
  while (true) {
    const Token& t = Peek();
    switch (t.kind) {
      case TokenKind::kLeftBracket:
        if (!ParseRangeOrSubquery(e)) return false;
        break;
      case TokenKind::kOffset:
        if (!ParseOffset(e)) return false;
        break;
      case TokenKind::kAt:
        if (!ParseAt(e)) return false;
        break;
      case TokenKind::kAnchored:
      case TokenKind::kSmoothed:
        return Fail(
            e->expr->pos,
            absl::StrCat(t.text, " modifier is experimental and not enabled"));
      default:
        return true;
    }
  }
}

bool Parser::RejectDurationExpression() {
  const Token& t = Peek();
  return Fail({t.pos, TokenEnd(t)},
              "experimental duration expression is not enabled");
}

// True for tokens that start or continue a duration expression, which only
// Prometheus's experimental promql-duration-expr feature accepts.
bool StartsDurationExpression(TokenKind kind) {
  return kind == TokenKind::kLeftParen || kind == TokenKind::kStep ||
         kind == TokenKind::kRange || kind == TokenKind::kMin ||
         kind == TokenKind::kMax;
}

bool ContinuesDurationExpression(TokenKind kind) {
  return kind == TokenKind::kAdd || kind == TokenKind::kSub ||
         kind == TokenKind::kMul || kind == TokenKind::kDiv ||
         kind == TokenKind::kMod || kind == TokenKind::kPow;
}

bool Parser::ParseDurationSeconds(absl::string_view context,
                                  absl::string_view expected, double* seconds,
                                  PosRange* pos) {
  int32_t start = Peek().pos;
  bool negate = false;
  if (Peek().kind == TokenKind::kAdd || Peek().kind == TokenKind::kSub) {
    negate = Next().kind == TokenKind::kSub;
  }
  const Token& t = Peek();
  if (StartsDurationExpression(t.kind)) return RejectDurationExpression();
  if (t.kind == TokenKind::kNumber) {
    Token tok = Next();
    absl::StatusOr<double> value = ParseNumber(tok.text);
    if (!value.ok()) {
      return Fail({tok.pos, TokenEnd(tok)},
                  std::string(value.status().message()));
    }
    *seconds = *value;
  } else if (t.kind == TokenKind::kDuration) {
    Token tok = Next();
    absl::StatusOr<int64_t> ms = ParseDurationMs(tok.text);
    if (!ms.ok()) {
      return Fail({tok.pos, TokenEnd(tok)}, std::string(ms.status().message()));
    }
    *seconds = *ms / 1000.0;
  } else {
    return Unexpected(context, expected);
  }
  if (negate) *seconds = -*seconds;
  *pos = {start, last_closing_};
  if (std::isnan(*seconds) || *seconds > kMaxDurationSeconds ||
      *seconds < -kMaxDurationSeconds) {
    return Fail(*pos, "duration out of range");
  }
  return true;
}

bool Parser::ParseRangeOrSubquery(Parsed* e) {
  Token open = Next();
  constexpr absl::string_view kExpected =
      "number, duration, step(), or range()";
  double range = 0;
  PosRange range_pos;
  if (!ParseDurationSeconds("subquery or range selector", kExpected, &range,
                            &range_pos)) {
    return false;
  }
  if (ContinuesDurationExpression(Peek().kind)) {
    return RejectDurationExpression();
  }
  if (range <= 0) return Fail(range_pos, "duration must be greater than 0");

  if (Peek().kind == TokenKind::kRightBracket) {
    Token close = Next();
    PosRange bracket = {open.pos, TokenEnd(close)};
    if (e->expr->kind() != NodeKind::kVectorSelector) {
      return Fail(bracket, "ranges only allowed for vector selectors");
    }
    auto* vs = static_cast<VectorSelector*>(e->expr.get());
    if (vs->modifiers.offset_ms != 0) {
      return Fail(bracket, "no offset modifiers allowed before range");
    }
    if (vs->modifiers.at_ms.has_value()) {
      return Fail(bracket, "no @ modifiers allowed before range");
    }
    auto matrix = std::make_unique<MatrixSelector>();
    matrix->pos = {vs->pos.start, last_closing_};
    matrix->range_ms = SecondsToMillis(range);
    matrix->selector.reset(static_cast<VectorSelector*>(e->expr.release()));
    e->expr = std::move(matrix);
    e->depth += 1;
    return CheckDepth(e->depth, e->expr->pos);
  }
  if (Peek().kind != TokenKind::kColon) {
    return Unexpected("subquery or range", "\":\" or \"]\"");
  }
  Next();
  double step = 0;
  if (Peek().kind != TokenKind::kRightBracket) {
    PosRange step_pos;
    if (!ParseDurationSeconds("subquery selector",
                              "number, duration, step(), range(), or \"]\"",
                              &step, &step_pos)) {
      return false;
    }
    if (ContinuesDurationExpression(Peek().kind)) {
      return RejectDurationExpression();
    }
    if (step <= 0) return Fail(step_pos, "duration must be greater than 0");
    if (Peek().kind != TokenKind::kRightBracket) {
      return Unexpected("subquery selector", "\"]\"");
    }
  }
  Next();
  auto subquery = std::make_unique<Subquery>();
  subquery->pos = {e->expr->pos.start, last_closing_};
  subquery->range_ms = SecondsToMillis(range);
  subquery->step_ms = SecondsToMillis(step);
  subquery->expr = std::move(e->expr);
  e->expr = std::move(subquery);
  e->depth += 1;
  return CheckDepth(e->depth, e->expr->pos);
}

// The modifiers and the end position an offset or @ applies to, or null
// when the expression takes no modifiers.
TimeModifiers* ModifiersOf(Expr* e) {
  switch (e->kind()) {
    case NodeKind::kVectorSelector:
      return &static_cast<VectorSelector*>(e)->modifiers;
    case NodeKind::kMatrixSelector:
      return &static_cast<MatrixSelector*>(e)->selector->modifiers;
    case NodeKind::kSubquery:
      return &static_cast<Subquery*>(e)->modifiers;
    default:
      return nullptr;
  }
}

bool Parser::ParseOffset(Parsed* e) {
  Next();
  double seconds = 0;
  PosRange pos;
  if (!ParseDurationSeconds("offset", "number, duration, step(), or range()",
                            &seconds, &pos)) {
    return false;
  }
  TimeModifiers* modifiers = ModifiersOf(e->expr.get());
  if (modifiers == nullptr) {
    return Fail(e->expr->pos,
                "offset modifier must be preceded by an instant vector "
                "selector or range vector selector or a subquery");
  }
  if (modifiers->offset_ms != 0) {
    return Fail(e->expr->pos, "offset may not be set multiple times");
  }
  modifiers->offset_ms = SecondsToMillis(seconds);
  e->expr->pos.end = last_closing_;
  // `offset` does not associate: a second one right after is a syntax error.
  if (Peek().kind == TokenKind::kOffset) {
    return Unexpected("offset", "number, duration, step(), or range()");
  }
  return true;
}

bool Parser::ParseAt(Parsed* e) {
  Next();
  const Token& t = Peek();
  AtModifier preprocessor = AtModifier::kNone;
  double ts = 0;
  if (t.kind == TokenKind::kStart || t.kind == TokenKind::kEnd) {
    preprocessor =
        t.kind == TokenKind::kStart ? AtModifier::kStart : AtModifier::kEnd;
    // An error after start/end is reported in the @ context, as Prometheus's
    // parser unwinds to it.
    if (Peek(1).kind != TokenKind::kLeftParen ||
        Peek(2).kind != TokenKind::kRightParen) {
      Next();
      if (Peek().kind == TokenKind::kLeftParen) Next();
      return Unexpected("@", "timestamp");
    }
    Next();
    Next();
    Next();
  } else {
    bool negate = false;
    if (t.kind == TokenKind::kAdd || t.kind == TokenKind::kSub) {
      negate = Next().kind == TokenKind::kSub;
    }
    const Token& v = Peek();
    if (v.kind == TokenKind::kNumber) {
      Token tok = Next();
      absl::StatusOr<double> value = ParseNumber(tok.text);
      if (!value.ok()) {
        return Fail({tok.pos, TokenEnd(tok)},
                    std::string(value.status().message()));
      }
      ts = *value;
    } else if (v.kind == TokenKind::kDuration) {
      Token tok = Next();
      absl::StatusOr<int64_t> ms = ParseDurationMs(tok.text);
      if (!ms.ok()) {
        return Fail({tok.pos, TokenEnd(tok)},
                    std::string(ms.status().message()));
      }
      ts = *ms / 1000.0;
    } else {
      return Unexpected("@", "timestamp");
    }
    if (negate) ts = -ts;
    constexpr double kLimit = 9223372036854775807.0;
    if (std::isinf(ts) || std::isnan(ts) || ts >= kLimit || ts <= -kLimit) {
      std::string shown = std::isnan(ts)   ? "NaN"
                          : std::isinf(ts) ? (ts > 0 ? "+Inf" : "-Inf")
                                           : absl::StrFormat("%f", ts);
      return Fail(
          e->expr->pos,
          absl::StrCat("timestamp out of bounds for @ modifier: ", shown));
    }
  }
  TimeModifiers* modifiers = ModifiersOf(e->expr.get());
  if (modifiers == nullptr) {
    return Fail(e->expr->pos,
                "@ modifier must be preceded by an instant vector selector "
                "or range vector selector or a subquery");
  }
  if (modifiers->has_at()) {
    return Fail(e->expr->pos, "@ <timestamp> may not be set multiple times");
  }
  if (preprocessor != AtModifier::kNone) {
    modifiers->at_modifier = preprocessor;
  } else {
    modifiers->at_ms = std::llround(ts * 1000);
  }
  e->expr->pos.end = last_closing_;
  return true;
}

bool Parser::ParseArguments(std::vector<Parsed>* args) {
  if (!Expect(TokenKind::kLeftParen, "", "")) return false;
  if (Peek().kind == TokenKind::kRightParen) {
    Next();
    return true;
  }
  while (true) {
    Parsed arg;
    if (!ParseExpression(0, &arg)) return false;
    args->push_back(std::move(arg));
    if (Peek().kind == TokenKind::kComma) {
      Token comma = Next();
      if (Peek().kind == TokenKind::kRightParen) {
        return Fail({comma.pos, TokenEnd(comma)},
                    "trailing commas not allowed in function call args");
      }
      continue;
    }
    return Expect(TokenKind::kRightParen, "", "");
  }
}

int MaxDepth(const std::vector<Parsed>& args) {
  int depth = 0;
  for (const Parsed& a : args) depth = std::max(depth, a.depth);
  return depth;
}

bool Parser::ParseAggregate(Parsed* out) {
  Token op = Next();
  auto agg = std::make_unique<AggregateExpr>();
  agg->op = ToAggregateOp(op.kind);
  bool grouped = false;
  if (Peek().kind == TokenKind::kBy || Peek().kind == TokenKind::kWithout) {
    agg->without = Next().kind == TokenKind::kWithout;
    if (!ParseGroupingLabels(&agg->grouping)) return false;
    grouped = true;
  }
  if (Peek().kind != TokenKind::kLeftParen) {
    return Unexpected("aggregation", "");
  }
  std::vector<Parsed> args;
  ++aggregation_nesting_;
  bool ok = ParseArguments(&args);
  --aggregation_nesting_;
  if (!ok) return false;
  if (!grouped &&
      (Peek().kind == TokenKind::kBy || Peek().kind == TokenKind::kWithout)) {
    int32_t saved_closing = last_closing_;
    agg->without = Next().kind == TokenKind::kWithout;
    if (!ParseGroupingLabels(&agg->grouping)) return false;
    last_closing_ = std::max(saved_closing, last_closing_);
  }
  agg->pos = {op.pos, last_closing_};
  if (args.empty()) {
    return Fail(agg->pos, "no arguments for aggregate expression provided");
  }
  size_t want = 1;
  if (AggregateTakesParam(agg->op)) {
    if (!options_.enable_experimental_functions &&
        (agg->op == AggregateOp::kLimitk ||
         agg->op == AggregateOp::kLimitRatio)) {
      return Fail(agg->pos,
                  absl::StrCat(AggregateOpText(agg->op),
                               "() is experimental and must be enabled with "
                               "--enable-feature=promql-experimental-"
                               "functions"));
    }
    want = 2;
  }
  if (args.size() != want) {
    return Fail(agg->pos,
                absl::StrFormat("wrong number of arguments for aggregate "
                                "expression provided, expected %d, got %d",
                                want, args.size()));
  }
  out->depth = MaxDepth(args) + 1;
  if (!CheckDepth(out->depth, agg->pos)) return false;
  if (want == 2) agg->param = std::move(args[0].expr);
  agg->expr = std::move(args[want - 1].expr);
  out->expr = std::move(agg);
  return true;
}

bool Parser::ParseCall(Parsed* out) {
  Token name = Next();
  std::vector<Parsed> args;
  if (!ParseArguments(&args)) return false;
  auto call = std::make_unique<Call>();
  call->pos = {name.pos, last_closing_};
  PosRange name_pos = {name.pos, TokenEnd(name)};
  call->func = LookupFunction(name.text);
  if (call->func == nullptr) {
    return Fail(name_pos, absl::StrCat("unknown function with name ",
                                       GoQuote(name.text)));
  }
  if (call->func->experimental && !options_.enable_experimental_functions) {
    return Fail(name_pos, absl::StrCat("function ", GoQuote(name.text),
                                       " is not enabled"));
  }
  out->depth = MaxDepth(args) + 1;
  if (!CheckDepth(out->depth, call->pos)) return false;
  for (Parsed& arg : args) call->args.push_back(std::move(arg.expr));
  out->expr = std::move(call);
  return true;
}

bool Parser::ParseSelector(Parsed* out) {
  auto vs = std::make_unique<VectorSelector>();
  int32_t start = Peek().pos;
  int32_t end = start;
  if (Peek().kind != TokenKind::kLeftBrace) {
    Token name = Next();
    vs->name = std::string(name.text);
    end = TokenEnd(name);
  }
  if (Peek().kind == TokenKind::kLeftBrace) {
    if (!ParseMatchers(vs.get())) return false;
    end = last_closing_;
  }
  if (!vs->name.empty()) {
    absl::StatusOr<Matcher> name_matcher =
        Matcher::Create(MatchType::kEqual, "__name__", vs->name);
    if (!name_matcher.ok()) {
      return Fail({start, end}, std::string(name_matcher.status().message()));
    }
    vs->matchers.push_back(*std::move(name_matcher));
  }
  vs->pos = {start, end};
  out->expr = std::move(vs);
  out->depth = 1;
  return true;
}

bool Parser::ParseMatchers(VectorSelector* vs) {
  constexpr absl::string_view kContext = "label matching";
  Next();  // {
  if (Peek().kind == TokenKind::kRightBrace) {
    Next();
    return true;
  }
  while (true) {
    const Token& t = Peek();
    std::string name;
    PosRange name_pos = {t.pos, TokenEnd(t)};
    bool quoted = false;
    if (t.kind == TokenKind::kString) {
      absl::StatusOr<std::string> unquoted = UnquoteString(t.text);
      if (!unquoted.ok()) {
        return Fail(name_pos,
                    absl::StrCat("error unquoting string ", GoQuote(t.text),
                                 ": ", unquoted.status().message()));
      }
      name = *std::move(unquoted);
      quoted = true;
    } else if (t.kind == TokenKind::kIdentifier || IsMaybeLabel(t.kind)) {
      name = std::string(t.text);
    } else {
      return Unexpected(kContext, "identifier or \"}\"");
    }
    Next();
    if (quoted && !IsMatchOp(Peek().kind)) {
      // A lone quoted string names the metric: {"my.metric"}.
      absl::StatusOr<Matcher> m =
          Matcher::Create(MatchType::kEqual, "__name__", name);
      if (!m.ok()) return Fail(name_pos, std::string(m.status().message()));
      vs->matchers.push_back(*std::move(m));
    } else {
      if (!IsMatchOp(Peek().kind)) {
        return Unexpected(kContext, "label matching operator");
      }
      TokenKind op = Next().kind;
      if (Peek().kind != TokenKind::kString) {
        return Unexpected(kContext, "string");
      }
      Token value_token = Next();
      absl::StatusOr<std::string> value = UnquoteString(value_token.text);
      PosRange whole = {name_pos.start, TokenEnd(value_token)};
      if (!value.ok()) {
        return Fail(
            {value_token.pos, TokenEnd(value_token)},
            absl::StrCat("error unquoting string ", GoQuote(value_token.text),
                         ": ", value.status().message()));
      }
      absl::StatusOr<Matcher> m =
          Matcher::Create(ToMatchType(op), name, *value);
      if (!m.ok()) return Fail(whole, std::string(m.status().message()));
      vs->matchers.push_back(*std::move(m));
    }
    if (Peek().kind == TokenKind::kComma) {
      Next();
      if (Peek().kind == TokenKind::kRightBrace) {
        Next();
        return true;
      }
      continue;
    }
    if (Peek().kind == TokenKind::kRightBrace) {
      Next();
      return true;
    }
    return Unexpected(kContext, "\",\" or \"}\"");
  }
}

bool Parser::ParseGroupingLabels(std::vector<std::string>* labels) {
  constexpr absl::string_view kContext = "grouping opts";
  if (Peek().kind != TokenKind::kLeftParen) {
    return Unexpected(kContext, "\"(\"");
  }
  Next();
  if (Peek().kind == TokenKind::kRightParen) {
    Next();
    return true;
  }
  while (true) {
    const Token& t = Peek();
    PosRange pos = {t.pos, TokenEnd(t)};
    std::string label;
    if (t.kind == TokenKind::kString) {
      absl::StatusOr<std::string> unquoted = UnquoteString(t.text);
      if (!unquoted.ok()) {
        return Fail(
            pos, absl::StrCat("error unquoting string ", GoQuote(t.text), ": ",
                              unquoted.status().message()));
      }
      label = *std::move(unquoted);
    } else if (IsMaybeLabel(t.kind)) {
      label = std::string(t.text);
    } else {
      return Unexpected(kContext, "label");
    }
    if (!IsValidLabelName(label, NameValidation::kUtf8)) {
      return Fail(pos, absl::StrCat("invalid label name for grouping: ",
                                    GoQuote(label)));
    }
    Next();
    labels->push_back(std::move(label));
    if (Peek().kind == TokenKind::kComma) {
      Next();
      if (Peek().kind == TokenKind::kRightParen) {
        Next();
        return true;
      }
      continue;
    }
    if (Peek().kind == TokenKind::kRightParen) {
      Next();
      return true;
    }
    return Unexpected(kContext, "\",\" or \")\"");
  }
}

bool Parser::ParseBinaryModifiers(BinaryExpr* b) {
  b->matching.emplace();
  if (Peek().kind == TokenKind::kBool) {
    Next();
    b->return_bool = true;
  }
  if (Peek().kind == TokenKind::kOn || Peek().kind == TokenKind::kIgnoring) {
    b->matching->on = Next().kind == TokenKind::kOn;
    if (!ParseGroupingLabels(&b->matching->matching_labels)) return false;
    TokenKind kind = Peek().kind;
    if (kind == TokenKind::kGroupLeft || kind == TokenKind::kGroupRight) {
      Next();
      b->matching->card = kind == TokenKind::kGroupLeft
                              ? Cardinality::kManyToOne
                              : Cardinality::kOneToMany;
      if (Peek().kind == TokenKind::kLeftParen &&
          !ParseGroupingLabels(&b->matching->include)) {
        return false;
      }
    }
  }
  const Token& t = Peek();
  if (t.kind == TokenKind::kFill || t.kind == TokenKind::kFillLeft ||
      t.kind == TokenKind::kFillRight) {
    return Fail({t.pos, TokenEnd(t)},
                "binop fill modifiers are experimental and not enabled");
  }
  return true;
}

}  // namespace

std::string ParseError::ToString() const {
  return absl::StrCat(line, ":", column, ": parse error: ", message);
}

ExprPtr ParseExprDetailed(absl::string_view input, const ParseOptions& options,
                          ParseError* error) {
  Parser parser(input, options);
  return parser.Parse(error);
}

absl::StatusOr<ExprPtr> ParseExpr(absl::string_view input,
                                  const ParseOptions& options) {
  ParseError error;
  ExprPtr expr = ParseExprDetailed(input, options, &error);
  if (expr == nullptr) return absl::InvalidArgumentError(error.ToString());
  return expr;
}

}  // namespace fraisier::promql
