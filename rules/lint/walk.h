// Walking a parsed PromQL expression for the lint checks: every node with
// the path that leads to it, so a check can ask what a selector is inside
// of (a rate(), a count(), the right side of `and`) without re-parsing text.
#ifndef RULES_LINT_WALK_H_
#define RULES_LINT_WALK_H_

#include <vector>

#include "absl/strings/string_view.h"
#include "absl/types/span.h"
#include "promql/ast.h"
#include "promql/functions.h"

namespace fraisier::rules::lint {

// The nodes from the root down to (not including) the visited node.
using Ancestors = absl::Span<const promql::Expr* const>;

// Calls `fn(child)` for each direct child of `e`, in source order (null
// children skipped; a matrix selector's vector selector is its child);
// stops early when `fn` returns false. Returns false when stopped.
template <typename Fn>
bool ForEachChild(const promql::Expr& e, Fn&& fn);

// Calls `visit(node, ancestors)` for every node in pre-order. Recursion is
// bounded by the parser's depth limit (promql/ast.h). Templated so a walk
// allocates nothing per node (the lint walks every rule many times).
template <typename Fn>
void Walk(const promql::Expr& root, Fn&& visit);

// `e` without the parentheses around it.
const promql::Expr& StripParens(const promql::Expr& e);

// The function name of a call ("rate"); "" when `e` is not a call.
// Inline: every check asks it of every node.
inline absl::string_view CallName(const promql::Expr& e) {
  if (e.kind() != promql::NodeKind::kCall) return "";
  const auto& call = static_cast<const promql::Call&>(e);
  return call.func == nullptr ? absl::string_view() : call.func->name;
}

// The metric name a selector selects: the name before the braces or a
// `__name__="..."` matcher; "" when neither (e.g. `{__name__=~"a.*"}`).
absl::string_view MetricName(const promql::VectorSelector& selector);

// The vector selector a range function reads when its argument is a plain
// matrix selector (`rate(x[5m])`); null for subqueries and anything else.
const promql::MatrixSelector* MatrixArg(const promql::Expr& call, int index);

namespace walk_internal {

template <typename Fn>
void WalkFrom(const promql::Expr& node, std::vector<const promql::Expr*>* path,
              Fn& visit) {
  visit(node, Ancestors(*path));
  path->push_back(&node);
  ForEachChild(node, [&](const promql::Expr& child) {
    WalkFrom(child, path, visit);
    return true;
  });
  path->pop_back();
}

}  // namespace walk_internal

template <typename Fn>
bool ForEachChild(const promql::Expr& e, Fn&& fn) {
  using promql::NodeKind;
  auto call = [&fn](const promql::Expr* child) {
    return child == nullptr || fn(*child);
  };
  switch (e.kind()) {
    case NodeKind::kNumberLiteral:
    case NodeKind::kStringLiteral:
    case NodeKind::kVectorSelector:
      return true;
    case NodeKind::kMatrixSelector:
      return call(static_cast<const promql::MatrixSelector&>(e).selector.get());
    case NodeKind::kSubquery:
      return call(static_cast<const promql::Subquery&>(e).expr.get());
    case NodeKind::kParen:
      return call(static_cast<const promql::ParenExpr&>(e).expr.get());
    case NodeKind::kUnary:
      return call(static_cast<const promql::UnaryExpr&>(e).expr.get());
    case NodeKind::kBinary: {
      const auto& b = static_cast<const promql::BinaryExpr&>(e);
      return call(b.lhs.get()) && call(b.rhs.get());
    }
    case NodeKind::kAggregate: {
      const auto& a = static_cast<const promql::AggregateExpr&>(e);
      return call(a.param.get()) && call(a.expr.get());
    }
    case NodeKind::kCall:
      for (const auto& arg : static_cast<const promql::Call&>(e).args) {
        if (!call(arg.get())) return false;
      }
      return true;
  }
  return true;
}

template <typename Fn>
void Walk(const promql::Expr& root, Fn&& visit) {
  std::vector<const promql::Expr*> path;
  path.reserve(16);
  walk_internal::WalkFrom(root, &path, visit);
}

}  // namespace fraisier::rules::lint

#endif  // RULES_LINT_WALK_H_
