// Checks on aggregations: a division inside sum()/avg()/... whose
// denominator can be zero turns the whole aggregate into NaN or Inf.
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "promql/ast.h"
#include "promql/printer.h"
#include "rules/lint/check.h"
#include "rules/lint/walk.h"

namespace fraisier::rules::lint {
namespace {

using promql::BinaryOp;
using promql::Expr;
using promql::NodeKind;

// Aggregations whose result one NaN or Inf input spoils (min, max, count,
// topk and friends skip or merely rank it).
bool NanSpoils(promql::AggregateOp op) {
  switch (op) {
    case promql::AggregateOp::kSum:
    case promql::AggregateOp::kAvg:
    case promql::AggregateOp::kStddev:
    case promql::AggregateOp::kStdvar:
      return true;
    default:
      return false;
  }
}

const promql::NumberLiteral* AsNumber(const Expr& e) {
  const Expr& inner = StripParens(e);
  if (inner.kind() != NodeKind::kNumberLiteral) return nullptr;
  return static_cast<const promql::NumberLiteral*>(&inner);
}

// False only when the denominator provably cannot be zero.
bool MayBeZero(const Expr& denominator) {
  const Expr& e = StripParens(denominator);
  switch (e.kind()) {
    case NodeKind::kNumberLiteral:
      return static_cast<const promql::NumberLiteral&>(e).value == 0;
    case NodeKind::kUnary:
      return MayBeZero(*static_cast<const promql::UnaryExpr&>(e).expr);
    case NodeKind::kAggregate: {
      auto op = static_cast<const promql::AggregateExpr&>(e).op;
      return op != promql::AggregateOp::kCount &&
             op != promql::AggregateOp::kGroup;  // both are >= 1
    }
    case NodeKind::kCall: {
      const auto& call = static_cast<const promql::Call&>(e);
      absl::string_view fn = CallName(e);
      if (fn == "time" || fn == "absent" || fn == "absent_over_time") {
        return false;
      }
      if ((fn == "clamp_min" || fn == "vector") && !call.args.empty()) {
        const promql::NumberLiteral* n = AsNumber(*call.args.back());
        return n == nullptr || !(fn == "vector" ? n->value != 0 : n->value > 0);
      }
      return true;
    }
    case NodeKind::kBinary: {
      const auto& b = static_cast<const promql::BinaryExpr&>(e);
      if (b.op == BinaryOp::kAnd) return MayBeZero(*b.lhs);
      if (!promql::IsComparison(b.op) || b.return_bool) return true;
      const promql::NumberLiteral* n = AsNumber(*b.rhs);
      if (n == nullptr) return true;
      const double c = n->value;
      switch (b.op) {
        case BinaryOp::kGtr:
          return !(c >= 0);
        case BinaryOp::kGte:
          return !(c > 0);
        case BinaryOp::kLss:
          return !(c <= 0);
        case BinaryOp::kLte:
          return !(c < 0);
        case BinaryOp::kNeq:
          return c != 0;
        case BinaryOp::kEql:
          return c == 0;
        default:
          return true;
      }
    }
    default:
      return true;
  }
}

// The first division under `e` (not under a nested aggregation, which is
// checked on its own) whose zero denominator reaches the aggregation.
// `filtered`: a comparison above drops NaN results on the way up.
const promql::BinaryExpr* RiskyDivision(const Expr& e, bool filtered) {
  switch (e.kind()) {
    case NodeKind::kAggregate:
      return nullptr;
    case NodeKind::kBinary: {
      const auto& b = static_cast<const promql::BinaryExpr&>(e);
      if ((b.op == BinaryOp::kDiv || b.op == BinaryOp::kMod) && !filtered &&
          b.type() == promql::ValueType::kVector && MayBeZero(*b.rhs)) {
        return &b;
      }
      if (b.op == BinaryOp::kAnd || b.op == BinaryOp::kUnless) {
        return RiskyDivision(*b.lhs, filtered);  // rhs values are unused
      }
      // NaN compares false, except with !=.
      const bool filters = promql::IsComparison(b.op) && !b.return_bool &&
                           b.op != BinaryOp::kNeq;
      if (const auto* d = RiskyDivision(*b.lhs, filtered || filters)) return d;
      return RiskyDivision(*b.rhs, filtered || filters);
    }
    default: {
      const promql::BinaryExpr* found = nullptr;
      ForEachChild(e, [&](const Expr& child) {
        found = RiskyDivision(child, filtered);
        return found == nullptr;
      });
      return found;
    }
  }
}

void CheckDivisionInAggregation(const RuleSpec& rule, const LintContext&,
                                std::vector<std::string>* messages) {
  if (rule.parsed == nullptr) return;
  Walk(*rule.parsed, [&](const Expr& e, Ancestors) {
    if (e.kind() != NodeKind::kAggregate) return;
    const auto& agg = static_cast<const promql::AggregateExpr&>(e);
    if (!NanSpoils(agg.op)) return;
    const promql::BinaryExpr* div = RiskyDivision(*agg.expr, false);
    if (div == nullptr) return;
    absl::string_view op = promql::AggregateOpText(agg.op);
    messages->push_back(absl::StrCat(
        "`", promql::Format(*div), "` inside ", op,
        "() gives NaN (0/0) or Inf (x/0) wherever the denominator is 0, and "
        "one such value makes the whole ",
        op,
        "() NaN or Inf; aggregate first and divide the aggregates "
        "(e.g. sum(a) / sum(b)), or drop zero denominators with "
        "`/ (b > 0)`"));
  });
}

}  // namespace

std::vector<CheckDef> AggregationChecks() {
  return {
      {"division-nan-in-aggregation", Severity::kWarning,
       "a division that can yield NaN or Inf inside sum()/avg()/stddev()",
       CheckDivisionInAggregation},
  };
}

}  // namespace fraisier::rules::lint
