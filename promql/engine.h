// The PromQL query engine: evaluates a parsed expression against any
// storage::Queryable, with Prometheus 3 semantics.
//
//   Engine engine(EngineOptions{.clock = RealClock::Get()});
//   FR_ASSIGN_OR_RETURN(QueryResult r,
//                       engine.RangeQuery(storage, *expr, start, end, step));
//
// Errors are Statuses: InvalidArgument for evaluation errors Prometheus
// reports (duplicate series, many-to-many matching, bad parameters),
// ResourceExhausted when the query would hold more than max_samples,
// DeadlineExceeded on timeout, Cancelled when the token fires. A failing
// query never crashes the process.
#ifndef PROMQL_ENGINE_H_
#define PROMQL_ENGINE_H_

#include <atomic>
#include <cstdint>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "engine/base/clock.h"
#include "engine/storage/storage.h"
#include "promql/ast.h"
#include "promql/value.h"

namespace fraisier::promql {

struct EngineOptions {
  // How far back an instant selector looks for the newest sample.
  absl::Duration lookback_delta = absl::Minutes(5);
  // Most samples a query may hold in memory at once.
  int64_t max_samples = 50'000'000;
  absl::Duration timeout = absl::Minutes(2);
  // The step of a subquery written without one (`x[30m:]`): Prometheus
  // uses the global evaluation interval (promtool's rule tests theirs).
  absl::Duration default_subquery_step = absl::Minutes(1);
  // Used only to enforce the timeout; nullptr disables it.
  const Clock* clock = nullptr;
};

// Prometheus's annotations: warnings (e.g. "metric might not be a counter")
// and infos, in the order first raised, without duplicates.
struct Annotations {
  std::vector<std::string> warnings;
  std::vector<std::string> infos;

  void AddWarning(std::string message);
  void AddInfo(std::string message);
  void Merge(const Annotations& other);
};

struct QueryStats {
  int64_t series_fetched = 0;  // series returned by Select calls
  int64_t samples_loaded = 0;  // samples read from storage
  int64_t peak_samples = 0;    // most samples held at once
  absl::Duration eval_time;
};

struct QueryResult {
  Value value;
  Annotations annotations;
  QueryStats stats;
};

// Set from any thread to stop a running query.
struct CancellationToken {
  std::atomic<bool> cancelled{false};
};

// Thread-safe: one Engine serves concurrent queries.
class Engine {
 public:
  explicit Engine(EngineOptions options) : options_(options) {}

  // Evaluates `expr` at `ts` (milliseconds).
  absl::StatusOr<QueryResult> InstantQuery(
      storage::Queryable& queryable, const Expr& expr, Timestamp ts,
      const CancellationToken* cancel = nullptr) const;

  // Evaluates `expr` at start, start+step, ... <= end. The result is a
  // Matrix (or an error for string-typed expressions, as Prometheus).
  absl::StatusOr<QueryResult> RangeQuery(
      storage::Queryable& queryable, const Expr& expr, Timestamp start,
      Timestamp end, int64_t step_ms,
      const CancellationToken* cancel = nullptr) const;

  const EngineOptions& options() const { return options_; }

 private:
  EngineOptions options_;
};

}  // namespace fraisier::promql

#endif  // PROMQL_ENGINE_H_
