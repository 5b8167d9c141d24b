// Drives promql::Engine for the promqltest runner.
#ifndef PROMQL_PROMQLTEST_ENGINE_ADAPTER_H_
#define PROMQL_PROMQLTEST_ENGINE_ADAPTER_H_

#include <cstdint>

#include "promql/engine.h"
#include "promql/promqltest/runner.h"

namespace fraisier::promql::promqltest {

// The engine options Prometheus's test engine uses where ours has them:
// 5m lookback, a 100s timeout (on the real clock).
EngineOptions TestEngineOptions();

// Thread-safe, like the Engine it wraps.
class EngineAdapter final : public QueryEngine {
 public:
  explicit EngineAdapter(EngineOptions options = TestEngineOptions())
      : engine_(options) {}

  absl::StatusOr<QueryResult> InstantQuery(storage::Queryable& q,
                                           const Expr& expr,
                                           Timestamp ts) override {
    return engine_.InstantQuery(q, expr, ts);
  }
  absl::StatusOr<QueryResult> RangeQuery(storage::Queryable& q,
                                         const Expr& expr, Timestamp start,
                                         Timestamp end,
                                         int64_t step_ms) override {
    return engine_.RangeQuery(q, expr, start, end, step_ms);
  }

 private:
  Engine engine_;
};

}  // namespace fraisier::promql::promqltest

#endif  // PROMQL_PROMQLTEST_ENGINE_ADAPTER_H_
