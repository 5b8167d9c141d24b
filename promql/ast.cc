#include "promql/ast.h"

#include <algorithm>
#include <cmath>

#include "promql/functions.h"

namespace fraisier::promql {

absl::string_view DocumentedType(ValueType type) {
  switch (type) {
    case ValueType::kNone:
      return "none";
    case ValueType::kScalar:
      return "scalar";
    case ValueType::kVector:
      return "instant vector";
    case ValueType::kMatrix:
      return "range vector";
    case ValueType::kString:
      return "string";
  }
  return "none";
}

absl::string_view BinaryOpText(BinaryOp op) {
  switch (op) {
    case BinaryOp::kAdd:
      return "+";
    case BinaryOp::kSub:
      return "-";
    case BinaryOp::kMul:
      return "*";
    case BinaryOp::kDiv:
      return "/";
    case BinaryOp::kMod:
      return "%";
    case BinaryOp::kPow:
      return "^";
    case BinaryOp::kAtan2:
      return "atan2";
    case BinaryOp::kTrimUpper:
      return "</";
    case BinaryOp::kTrimLower:
      return ">/";
    case BinaryOp::kEql:
      return "==";
    case BinaryOp::kNeq:
      return "!=";
    case BinaryOp::kGtr:
      return ">";
    case BinaryOp::kLss:
      return "<";
    case BinaryOp::kGte:
      return ">=";
    case BinaryOp::kLte:
      return "<=";
    case BinaryOp::kAnd:
      return "and";
    case BinaryOp::kOr:
      return "or";
    case BinaryOp::kUnless:
      return "unless";
  }
  return "?";
}

bool IsComparison(BinaryOp op) {
  switch (op) {
    case BinaryOp::kEql:
    case BinaryOp::kNeq:
    case BinaryOp::kGtr:
    case BinaryOp::kLss:
    case BinaryOp::kGte:
    case BinaryOp::kLte:
      return true;
    default:
      return false;
  }
}

bool IsSetOperator(BinaryOp op) {
  return op == BinaryOp::kAnd || op == BinaryOp::kOr || op == BinaryOp::kUnless;
}

absl::string_view AggregateOpText(AggregateOp op) {
  switch (op) {
    case AggregateOp::kSum:
      return "sum";
    case AggregateOp::kAvg:
      return "avg";
    case AggregateOp::kCount:
      return "count";
    case AggregateOp::kMin:
      return "min";
    case AggregateOp::kMax:
      return "max";
    case AggregateOp::kGroup:
      return "group";
    case AggregateOp::kStddev:
      return "stddev";
    case AggregateOp::kStdvar:
      return "stdvar";
    case AggregateOp::kTopk:
      return "topk";
    case AggregateOp::kBottomk:
      return "bottomk";
    case AggregateOp::kCountValues:
      return "count_values";
    case AggregateOp::kQuantile:
      return "quantile";
    case AggregateOp::kLimitk:
      return "limitk";
    case AggregateOp::kLimitRatio:
      return "limit_ratio";
  }
  return "?";
}

bool AggregateTakesParam(AggregateOp op) {
  switch (op) {
    case AggregateOp::kTopk:
    case AggregateOp::kBottomk:
    case AggregateOp::kCountValues:
    case AggregateOp::kQuantile:
    case AggregateOp::kLimitk:
    case AggregateOp::kLimitRatio:
      return true;
    default:
      return false;
  }
}

ValueType BinaryExpr::type() const {
  if (lhs->type() == ValueType::kScalar && rhs->type() == ValueType::kScalar) {
    return ValueType::kScalar;
  }
  return ValueType::kVector;
}

ValueType Call::type() const { return func->return_type; }

namespace {

// Children may be null in hand-built or partially built trees; two null
// children are equal, a null and a non-null one are not.
bool EqualPtr(const Expr* a, const Expr* b) {
  if (a == nullptr || b == nullptr) return a == b;
  return AstEqual(*a, *b);
}

bool EqualNumbers(double a, double b) {
  if (std::isnan(a) || std::isnan(b)) return std::isnan(a) && std::isnan(b);
  // -0 and 0 print differently ("-0" vs "0") and divide differently, so
  // they are different trees.
  return a == b && std::signbit(a) == std::signbit(b);
}

bool EqualModifiers(const TimeModifiers& a, const TimeModifiers& b) {
  return a.offset_ms == b.offset_ms && a.at_ms == b.at_ms &&
         a.at_modifier == b.at_modifier;
}

// Matchers compare as a multiset: their order carries no meaning, and the
// printer sorts them, so a formatted query reparses in another order.
bool EqualMatcherSets(const std::vector<Matcher>& a,
                      const std::vector<Matcher>& b) {
  if (a.size() != b.size()) return false;
  std::vector<std::string> x, y;
  for (const Matcher& m : a) x.push_back(m.ToString());
  for (const Matcher& m : b) y.push_back(m.ToString());
  std::sort(x.begin(), x.end());
  std::sort(y.begin(), y.end());
  return x == y;
}

bool EqualSelectors(const VectorSelector& a, const VectorSelector& b) {
  return a.name == b.name && EqualMatcherSets(a.matchers, b.matchers) &&
         EqualModifiers(a.modifiers, b.modifiers);
}

bool EqualMatching(const std::optional<VectorMatching>& a,
                   const std::optional<VectorMatching>& b) {
  if (!a.has_value() || !b.has_value()) return a.has_value() == b.has_value();
  return a->card == b->card && a->on == b->on &&
         a->matching_labels == b->matching_labels && a->include == b->include;
}

bool EqualFunctions(const FunctionInfo* a, const FunctionInfo* b) {
  if (a == b) return true;
  if (a == nullptr || b == nullptr) return false;
  // Trees built by hand may point at a private FunctionInfo.
  return a->name == b->name;
}

}  // namespace

bool AstEqual(const Expr& a, const Expr& b) {
  if (a.kind() != b.kind()) return false;
  switch (a.kind()) {
    case NodeKind::kNumberLiteral:
      return EqualNumbers(static_cast<const NumberLiteral&>(a).value,
                          static_cast<const NumberLiteral&>(b).value);
    case NodeKind::kStringLiteral:
      return static_cast<const StringLiteral&>(a).value ==
             static_cast<const StringLiteral&>(b).value;
    case NodeKind::kVectorSelector:
      return EqualSelectors(static_cast<const VectorSelector&>(a),
                            static_cast<const VectorSelector&>(b));
    case NodeKind::kMatrixSelector: {
      const auto& x = static_cast<const MatrixSelector&>(a);
      const auto& y = static_cast<const MatrixSelector&>(b);
      return x.range_ms == y.range_ms &&
             EqualPtr(x.selector.get(), y.selector.get());
    }
    case NodeKind::kSubquery: {
      const auto& x = static_cast<const Subquery&>(a);
      const auto& y = static_cast<const Subquery&>(b);
      return x.range_ms == y.range_ms && x.step_ms == y.step_ms &&
             EqualModifiers(x.modifiers, y.modifiers) &&
             EqualPtr(x.expr.get(), y.expr.get());
    }
    case NodeKind::kParen:
      return EqualPtr(static_cast<const ParenExpr&>(a).expr.get(),
                      static_cast<const ParenExpr&>(b).expr.get());
    case NodeKind::kUnary: {
      const auto& x = static_cast<const UnaryExpr&>(a);
      const auto& y = static_cast<const UnaryExpr&>(b);
      return x.negate == y.negate && EqualPtr(x.expr.get(), y.expr.get());
    }
    case NodeKind::kBinary: {
      const auto& x = static_cast<const BinaryExpr&>(a);
      const auto& y = static_cast<const BinaryExpr&>(b);
      return x.op == y.op && x.return_bool == y.return_bool &&
             EqualMatching(x.matching, y.matching) &&
             EqualPtr(x.lhs.get(), y.lhs.get()) &&
             EqualPtr(x.rhs.get(), y.rhs.get());
    }
    case NodeKind::kAggregate: {
      const auto& x = static_cast<const AggregateExpr&>(a);
      const auto& y = static_cast<const AggregateExpr&>(b);
      return x.op == y.op && x.without == y.without &&
             x.grouping == y.grouping &&
             EqualPtr(x.param.get(), y.param.get()) &&
             EqualPtr(x.expr.get(), y.expr.get());
    }
    case NodeKind::kCall: {
      const auto& x = static_cast<const Call&>(a);
      const auto& y = static_cast<const Call&>(b);
      if (!EqualFunctions(x.func, y.func) || x.args.size() != y.args.size()) {
        return false;
      }
      for (size_t i = 0; i < x.args.size(); ++i) {
        if (!EqualPtr(x.args[i].get(), y.args[i].get())) return false;
      }
      return true;
    }
  }
  return false;
}

namespace {

int DepthOf(const Expr* e) { return e == nullptr ? 0 : AstDepth(*e); }

}  // namespace

int AstDepth(const Expr& e) {
  int child = 0;
  switch (e.kind()) {
    case NodeKind::kNumberLiteral:
    case NodeKind::kStringLiteral:
    case NodeKind::kVectorSelector:
      break;
    case NodeKind::kMatrixSelector:
      child = DepthOf(static_cast<const MatrixSelector&>(e).selector.get());
      break;
    case NodeKind::kSubquery:
      child = DepthOf(static_cast<const Subquery&>(e).expr.get());
      break;
    case NodeKind::kParen:
      child = DepthOf(static_cast<const ParenExpr&>(e).expr.get());
      break;
    case NodeKind::kUnary:
      child = DepthOf(static_cast<const UnaryExpr&>(e).expr.get());
      break;
    case NodeKind::kBinary: {
      const auto& b = static_cast<const BinaryExpr&>(e);
      child = std::max(DepthOf(b.lhs.get()), DepthOf(b.rhs.get()));
      break;
    }
    case NodeKind::kAggregate: {
      const auto& agg = static_cast<const AggregateExpr&>(e);
      child = std::max(DepthOf(agg.param.get()), DepthOf(agg.expr.get()));
      break;
    }
    case NodeKind::kCall:
      for (const ExprPtr& arg : static_cast<const Call&>(e).args) {
        child = std::max(child, DepthOf(arg.get()));
      }
      break;
  }
  return child + 1;
}

}  // namespace fraisier::promql
