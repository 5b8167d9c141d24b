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

int MaxDepth(const std::vector<Parsed>& args) {
  int depth = 0;
  for (const Parsed& a : args) depth = std::max(depth, a.depth);
  return depth;
}

}  // namespace

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

bool Parser::ParseBinaryModifiers(BinaryExpr* b, bool* fill) {
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
  // fill(v), fill_left(v), fill_right(v): the lexer makes these keywords
  // only before '('. Skip their argument lists; the caller rejects them.
  *fill = false;
  while (Peek().kind == TokenKind::kFill ||
         Peek().kind == TokenKind::kFillLeft ||
         Peek().kind == TokenKind::kFillRight) {
    Next();
    if (!Expect(TokenKind::kLeftParen, "", "")) return false;
    for (int depth = 1; depth > 0;) {
      TokenKind kind = Peek().kind;
      if (kind == TokenKind::kEof || kind == TokenKind::kError) {
        return Unexpected("", "");
      }
      if (kind == TokenKind::kLeftParen) ++depth;
      if (kind == TokenKind::kRightParen) --depth;
      Next();
    }
    *fill = true;
  }
  return true;
}

}  // namespace fraisier::promql::parser_internal
