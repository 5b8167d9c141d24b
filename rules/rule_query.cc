#include "rules/rule_query.h"

#include <variant>

namespace fraisier::rules {

QueryFunc EngineQueryFunc(const promql::Engine& engine,
                          storage::Queryable& store) {
  return [&engine, &store](const promql::Expr& expr,
                           absl::Time ts) -> absl::StatusOr<promql::Vector> {
    const Timestamp t = absl::ToUnixMillis(ts);
    absl::StatusOr<promql::QueryResult> result =
        engine.InstantQuery(store, expr, t);
    if (!result.ok()) return result.status();
    if (auto* v = std::get_if<promql::Vector>(&result->value)) {
      return std::move(*v);
    }
    if (auto* s = std::get_if<promql::Scalar>(&result->value)) {
      return promql::Vector{{Labels(), t, s->v, false}};
    }
    return absl::InvalidArgumentError("rule result is not a vector or scalar");
  };
}

}  // namespace fraisier::rules
