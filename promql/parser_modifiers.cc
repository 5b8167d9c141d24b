#include <cmath>
#include <cstdint>
#include <utility>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "engine/model/go_quote.h"
#include "engine/model/matcher.h"
#include "engine/model/validation.h"
#include "promql/functions.h"
#include "promql/literals.h"
#include "promql/parser_internal.h"
#include "promql/token.h"

namespace fraisier::promql::parser_internal {
namespace {

// True for tokens that start or continue a duration expression, which only
// Prometheus's experimental promql-duration-expr feature accepts.
bool StartsDurationExpression(const Token& t) {
  // Outside brackets min_of and max_of lex as identifiers.
  return t.kind == TokenKind::kLeftParen || t.kind == TokenKind::kStep ||
         t.kind == TokenKind::kRange || t.kind == TokenKind::kMin ||
         t.kind == TokenKind::kMax ||
         (t.kind == TokenKind::kIdentifier &&
          (t.text == "min_of" || t.text == "max_of"));
}

bool ContinuesDurationExpression(TokenKind kind) {
  return kind == TokenKind::kAdd || kind == TokenKind::kSub ||
         kind == TokenKind::kMul || kind == TokenKind::kDiv ||
         kind == TokenKind::kMod || kind == TokenKind::kPow;
}

// The modifiers an offset or @ applies to, or null
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

}  // namespace

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
  return RejectDurationExpression({t.pos, TokenEnd(t)});
}

bool Parser::RejectDurationExpression(PosRange pos) {
  return Fail(pos, "experimental duration expression is not enabled");
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
  if (StartsDurationExpression(t)) {
    // step(), range(), min(a, b) and max(a, b) are experimental; a bare
    // keyword is a syntax error at the token after it, as in Prometheus.
    if (t.kind == TokenKind::kLeftParen ||
        Peek(1).kind == TokenKind::kLeftParen) {
      return RejectDurationExpression();
    }
    if (t.kind != TokenKind::kIdentifier) Next();
    return Unexpected(context, expected);
  }
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
  // Prometheus reports duration arithmetic at its left operand.
  if (ContinuesDurationExpression(Peek().kind)) {
    return RejectDurationExpression(range_pos);
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
    if (vs->modifiers.has_at()) {
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
      return RejectDurationExpression(step_pos);
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

}  // namespace fraisier::promql::parser_internal
