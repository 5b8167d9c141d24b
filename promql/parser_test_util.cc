#include "promql/parser_test_util.h"

#include <algorithm>
#include <charconv>
#include <cmath>
#include <string>
#include <vector>

#include "absl/strings/escaping.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "engine/model/matcher.h"
#include "promql/functions.h"

namespace fraisier::promql::test_util {
namespace {

std::string Num(double v) {
  if (std::isnan(v)) return "NaN";
  if (std::isinf(v)) return v > 0 ? "+Inf" : "-Inf";
  char buf[64];
  auto res = std::to_chars(buf, buf + sizeof(buf), v);
  return std::string(buf, res.ptr);
}

std::string Modifiers(const TimeModifiers& m) {
  std::string out;
  if (m.at_ms.has_value()) absl::StrAppend(&out, " @", *m.at_ms);
  if (m.at_modifier == AtModifier::kStart) out.append(" @start()");
  if (m.at_modifier == AtModifier::kEnd) out.append(" @end()");
  if (m.offset_ms != 0) absl::StrAppend(&out, " offset=", m.offset_ms, "ms");
  return out;
}

absl::string_view CardText(Cardinality c) {
  switch (c) {
    case Cardinality::kOneToOne:
      return "1:1";
    case Cardinality::kManyToOne:
      return "n:1";
    case Cardinality::kOneToMany:
      return "1:n";
    case Cardinality::kManyToMany:
      return "n:n";
  }
  return "?";
}

void AppendPositions(const Expr& e, std::vector<std::string>* out) {
  out->push_back(absl::StrCat(e.pos.start, "-", e.pos.end));
  switch (e.kind()) {
    case NodeKind::kMatrixSelector:
      AppendPositions(*static_cast<const MatrixSelector&>(e).selector, out);
      break;
    case NodeKind::kSubquery:
      AppendPositions(*static_cast<const Subquery&>(e).expr, out);
      break;
    case NodeKind::kParen:
      AppendPositions(*static_cast<const ParenExpr&>(e).expr, out);
      break;
    case NodeKind::kUnary:
      AppendPositions(*static_cast<const UnaryExpr&>(e).expr, out);
      break;
    case NodeKind::kBinary:
      AppendPositions(*static_cast<const BinaryExpr&>(e).lhs, out);
      AppendPositions(*static_cast<const BinaryExpr&>(e).rhs, out);
      break;
    case NodeKind::kAggregate: {
      const auto& a = static_cast<const AggregateExpr&>(e);
      if (a.param != nullptr) AppendPositions(*a.param, out);
      AppendPositions(*a.expr, out);
      break;
    }
    case NodeKind::kCall:
      for (const ExprPtr& arg : static_cast<const Call&>(e).args) {
        AppendPositions(*arg, out);
      }
      break;
    default:
      break;
  }
}

}  // namespace

std::string Dump(const Expr& e) {
  switch (e.kind()) {
    case NodeKind::kNumberLiteral: {
      const auto& n = static_cast<const NumberLiteral&>(e);
      return absl::StrCat(n.is_duration ? "dur:" : "", Num(n.value));
    }
    case NodeKind::kStringLiteral:
      return absl::StrCat(
          "\"", absl::CHexEscape(static_cast<const StringLiteral&>(e).value),
          "\"");
    case NodeKind::kVectorSelector: {
      const auto& vs = static_cast<const VectorSelector&>(e);
      std::vector<std::string> matchers;
      size_t n = vs.matchers.size();
      std::string problem;
      if (!vs.name.empty()) {
        if (n == 0 || vs.matchers[n - 1].name() != "__name__" ||
            vs.matchers[n - 1].value() != vs.name ||
            vs.matchers[n - 1].type() != MatchType::kEqual) {
          problem = " !missing-name-matcher";
        } else {
          --n;
        }
      }
      for (size_t i = 0; i < n; ++i) {
        matchers.push_back(vs.matchers[i].ToString());
      }
      return absl::StrCat("vs(", vs.name, matchers.empty() ? "" : "; ",
                          absl::StrJoin(matchers, ", "), ")", problem,
                          Modifiers(vs.modifiers));
    }
    case NodeKind::kMatrixSelector: {
      const auto& m = static_cast<const MatrixSelector&>(e);
      return absl::StrCat("matrix(", Dump(*m.selector), ", ", m.range_ms,
                          "ms)");
    }
    case NodeKind::kSubquery: {
      const auto& s = static_cast<const Subquery&>(e);
      return absl::StrCat("subquery(", Dump(*s.expr), ", ", s.range_ms,
                          "ms:", s.step_ms, "ms)", Modifiers(s.modifiers));
    }
    case NodeKind::kParen:
      return absl::StrCat("paren(",
                          Dump(*static_cast<const ParenExpr&>(e).expr), ")");
    case NodeKind::kUnary: {
      const auto& u = static_cast<const UnaryExpr&>(e);
      return absl::StrCat(u.negate ? "neg(" : "pos(", Dump(*u.expr), ")");
    }
    case NodeKind::kBinary: {
      const auto& b = static_cast<const BinaryExpr&>(e);
      std::string out(BinaryOpText(b.op));
      if (b.return_bool) out.append("bool");
      if (b.matching.has_value()) {
        const VectorMatching& m = *b.matching;
        absl::StrAppend(&out, "[", CardText(m.card));
        if (m.on) {
          absl::StrAppend(&out, " on(", absl::StrJoin(m.matching_labels, ","),
                          ")");
        } else if (!m.matching_labels.empty()) {
          absl::StrAppend(&out, " ignoring(",
                          absl::StrJoin(m.matching_labels, ","), ")");
        }
        if (!m.include.empty()) {
          absl::StrAppend(&out, " include(", absl::StrJoin(m.include, ","),
                          ")");
        }
        out.append("]");
      }
      absl::StrAppend(&out, "(", Dump(*b.lhs), ", ", Dump(*b.rhs), ")");
      return out;
    }
    case NodeKind::kAggregate: {
      const auto& a = static_cast<const AggregateExpr&>(e);
      std::string out(AggregateOpText(a.op));
      if (a.without || !a.grouping.empty()) {
        absl::StrAppend(&out, a.without ? " without(" : " by(",
                        absl::StrJoin(a.grouping, ","), ")");
      }
      out.append("(");
      if (a.param != nullptr) absl::StrAppend(&out, Dump(*a.param), ", ");
      absl::StrAppend(&out, Dump(*a.expr), ")");
      return out;
    }
    case NodeKind::kCall: {
      const auto& c = static_cast<const Call&>(e);
      std::vector<std::string> args;
      for (const ExprPtr& arg : c.args) args.push_back(Dump(*arg));
      return absl::StrCat("fn:", c.func->name, "(", absl::StrJoin(args, ", "),
                          ")");
    }
  }
  return "?";
}

std::string Positions(const Expr& e) {
  std::vector<std::string> out;
  AppendPositions(e, &out);
  return absl::StrJoin(out, " ");
}

// Format sorts matchers, as Prometheus's String() does, so a reparsed
// selector lists them in sorted order. Sort them the same way on both sides
// of the round-trip comparison; nothing else is normalised.
void SortMatchers(Expr& e) {
  switch (e.kind()) {
    case NodeKind::kVectorSelector: {
      auto& vs = static_cast<VectorSelector&>(e);
      std::sort(vs.matchers.begin(), vs.matchers.end(),
                [](const Matcher& a, const Matcher& b) {
                  return a.ToString() < b.ToString();
                });
      break;
    }
    case NodeKind::kMatrixSelector:
      SortMatchers(*static_cast<MatrixSelector&>(e).selector);
      break;
    case NodeKind::kSubquery:
      SortMatchers(*static_cast<Subquery&>(e).expr);
      break;
    case NodeKind::kParen:
      SortMatchers(*static_cast<ParenExpr&>(e).expr);
      break;
    case NodeKind::kUnary:
      SortMatchers(*static_cast<UnaryExpr&>(e).expr);
      break;
    case NodeKind::kBinary:
      SortMatchers(*static_cast<BinaryExpr&>(e).lhs);
      SortMatchers(*static_cast<BinaryExpr&>(e).rhs);
      break;
    case NodeKind::kAggregate: {
      auto& a = static_cast<AggregateExpr&>(e);
      if (a.param != nullptr) SortMatchers(*a.param);
      SortMatchers(*a.expr);
      break;
    }
    case NodeKind::kCall:
      for (ExprPtr& arg : static_cast<Call&>(e).args) SortMatchers(*arg);
      break;
    default:
      break;
  }
}

}  // namespace fraisier::promql::test_util
