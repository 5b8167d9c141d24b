#include "rules/lint/walk.h"

namespace fraisier::rules::lint {
using promql::Expr;
using promql::NodeKind;

const Expr& StripParens(const Expr& e) {
  const Expr* cur = &e;
  while (cur->kind() == NodeKind::kParen) {
    cur = static_cast<const promql::ParenExpr*>(cur)->expr.get();
  }
  return *cur;
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
