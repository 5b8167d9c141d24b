#include "rules/lint/walk.h"

#include "promql/functions.h"

namespace fraisier::rules::lint {
namespace {

using promql::Expr;
using promql::NodeKind;

void WalkFrom(const Expr& node, std::vector<const Expr*>* path,
              const std::function<void(const Expr&, Ancestors)>& visit) {
  visit(node, Ancestors(*path));
  path->push_back(&node);
  for (const Expr* child : Children(node)) WalkFrom(*child, path, visit);
  path->pop_back();
}

}  // namespace

void Walk(const Expr& root,
          const std::function<void(const Expr&, Ancestors)>& visit) {
  std::vector<const Expr*> path;
  WalkFrom(root, &path, visit);
}

std::vector<const Expr*> Children(const Expr& e) {
  std::vector<const Expr*> out;
  auto add = [&out](const Expr* child) {
    if (child != nullptr) out.push_back(child);
  };
  switch (e.kind()) {
    case NodeKind::kNumberLiteral:
    case NodeKind::kStringLiteral:
    case NodeKind::kVectorSelector:
      break;
    case NodeKind::kMatrixSelector:
      add(static_cast<const promql::MatrixSelector&>(e).selector.get());
      break;
    case NodeKind::kSubquery:
      add(static_cast<const promql::Subquery&>(e).expr.get());
      break;
    case NodeKind::kParen:
      add(static_cast<const promql::ParenExpr&>(e).expr.get());
      break;
    case NodeKind::kUnary:
      add(static_cast<const promql::UnaryExpr&>(e).expr.get());
      break;
    case NodeKind::kBinary: {
      const auto& b = static_cast<const promql::BinaryExpr&>(e);
      add(b.lhs.get());
      add(b.rhs.get());
      break;
    }
    case NodeKind::kAggregate: {
      const auto& a = static_cast<const promql::AggregateExpr&>(e);
      add(a.param.get());
      add(a.expr.get());
      break;
    }
    case NodeKind::kCall:
      for (const auto& arg : static_cast<const promql::Call&>(e).args) {
        add(arg.get());
      }
      break;
  }
  return out;
}

const Expr& StripParens(const Expr& e) {
  const Expr* cur = &e;
  while (cur->kind() == NodeKind::kParen) {
    cur = static_cast<const promql::ParenExpr*>(cur)->expr.get();
  }
  return *cur;
}

absl::string_view CallName(const Expr& e) {
  if (e.kind() != NodeKind::kCall) return "";
  const promql::Call& call = static_cast<const promql::Call&>(e);
  return call.func == nullptr ? absl::string_view() : call.func->name;
}

absl::string_view MetricName(const promql::VectorSelector& selector) {
  if (!selector.name.empty()) return selector.name;
  for (const Matcher& m : selector.matchers) {
    if (m.name() == "__name__" && m.type() == MatchType::kEqual) {
      return m.value();
    }
  }
  return "";
}

const promql::MatrixSelector* MatrixArg(const Expr& call, int index) {
  if (call.kind() != NodeKind::kCall) return nullptr;
  const auto& args = static_cast<const promql::Call&>(call).args;
  if (index < 0 || index >= static_cast<int>(args.size())) return nullptr;
  const Expr& arg = StripParens(*args[index]);
  if (arg.kind() != NodeKind::kMatrixSelector) return nullptr;
  return static_cast<const promql::MatrixSelector*>(&arg);
}

}  // namespace fraisier::rules::lint
