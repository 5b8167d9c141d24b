#include "promql/promqltest/ast_walk.h"

#include <string>
#include <vector>

#include "absl/container/flat_hash_set.h"
#include "promql/functions.h"

namespace fraisier::promql::promqltest {
namespace {

// The direct children of `e`.
std::vector<const Expr*> Children(const Expr& e) {
  std::vector<const Expr*> out;
  auto add = [&out](const auto& ptr) {
    if (ptr != nullptr) out.push_back(ptr.get());
  };
  switch (e.kind()) {
    case NodeKind::kNumberLiteral:
    case NodeKind::kStringLiteral:
    case NodeKind::kVectorSelector:
      break;
    case NodeKind::kMatrixSelector:
      add(static_cast<const MatrixSelector&>(e).selector);
      break;
    case NodeKind::kSubquery:
      add(static_cast<const Subquery&>(e).expr);
      break;
    case NodeKind::kParen:
      add(static_cast<const ParenExpr&>(e).expr);
      break;
    case NodeKind::kUnary:
      add(static_cast<const UnaryExpr&>(e).expr);
      break;
    case NodeKind::kBinary:
      add(static_cast<const BinaryExpr&>(e).lhs);
      add(static_cast<const BinaryExpr&>(e).rhs);
      break;
    case NodeKind::kAggregate:
      add(static_cast<const AggregateExpr&>(e).expr);
      add(static_cast<const AggregateExpr&>(e).param);
      break;
    case NodeKind::kCall:
      for (const ExprPtr& arg : static_cast<const Call&>(e).args) add(arg);
      break;
  }
  return out;
}

template <typename Fn>
void ForEachChild(const Expr& e, Fn&& fn) {
  for (const Expr* child : Children(e)) fn(*child);
}

// The tree is owned by the caller, who passed it mutably.
template <typename Fn>
void ForEachChild(Expr& e, Fn&& fn) {
  for (const Expr* child : Children(e)) fn(const_cast<Expr&>(*child));
}

void Collect(const Expr& e, std::vector<const VectorSelector*>* out) {
  if (e.kind() == NodeKind::kVectorSelector) {
    out->push_back(static_cast<const VectorSelector*>(&e));
  }
  ForEachChild(e, [out](const Expr& child) { Collect(child, out); });
}

void CollectCalls(const Expr& e, std::vector<std::string>* out) {
  if (e.kind() == NodeKind::kCall) {
    const FunctionInfo* f = static_cast<const Call&>(e).func;
    if (f != nullptr) out->emplace_back(f->name);
  }
  ForEachChild(e, [out](const Expr& child) { CollectCalls(child, out); });
}

bool IsAtModifierUnsafe(const Call& call) {
  static const auto* const kUnsafe = new absl::flat_hash_set<std::string>{
      "days_in_month",
      "day_of_month",
      "day_of_week",
      "day_of_year",
      "hour",
      "minute",
      "month",
      "year",
      "predict_linear",
      "time",
      "timestamp",
      // Query-level values: they change with the query's own range.
      "start",
      "end",
      "step",
      "range",
  };
  return call.func != nullptr && kUnsafe->contains(call.func->name);
}

void SetAt(TimeModifiers& m, Timestamp ts) {
  if (!m.has_at()) m.at_ms = ts;
}

// `under_at` is true inside a subquery that has an @ (Prometheus's
// hasAtModifier(path)).
void Rewrite(Expr& e, Timestamp ts, bool under_at, bool* unsafe) {
  if (!under_at) {
    switch (e.kind()) {
      case NodeKind::kVectorSelector:
        SetAt(static_cast<VectorSelector&>(e).modifiers, ts);
        break;
      case NodeKind::kMatrixSelector:
        SetAt(static_cast<MatrixSelector&>(e).selector->modifiers, ts);
        break;
      case NodeKind::kSubquery:
        SetAt(static_cast<Subquery&>(e).modifiers, ts);
        break;
      case NodeKind::kCall:
        if (IsAtModifierUnsafe(static_cast<Call&>(e))) *unsafe = true;
        break;
      default:
        break;
    }
  }
  const bool child_under_at =
      under_at || (e.kind() == NodeKind::kSubquery &&
                   static_cast<Subquery&>(e).modifiers.has_at());
  ForEachChild(
      e, [&](Expr& child) { Rewrite(child, ts, child_under_at, unsafe); });
}

}  // namespace

std::vector<const VectorSelector*> CollectSelectors(const Expr& e) {
  std::vector<const VectorSelector*> out;
  Collect(e, &out);
  return out;
}

std::vector<std::string> CollectFunctions(const Expr& e) {
  std::vector<std::string> out;
  CollectCalls(e, &out);
  return out;
}

bool SetAtModifiers(Expr& e, Timestamp ts) {
  bool unsafe = false;
  Rewrite(e, ts, /*under_at=*/false, &unsafe);
  return !unsafe;
}

}  // namespace fraisier::promql::promqltest
