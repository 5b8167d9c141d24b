// Internal to the engine: evaluates an AST over the steps of a query.
//
// Every expression evaluates to an EvalValue for all steps at once: vector
// expressions to a Matrix whose points sit on step timestamps, scalars to
// one value per step, strings to a String. Selectors read storage once per
// query (one Select over the whole time range), and per-step work walks the
// selected samples with moving indices, so a range query never re-runs a
// selector per step.
#ifndef PROMQL_EVALUATOR_H_
#define PROMQL_EVALUATOR_H_

#include <functional>
#include <memory>
#include <string>
#include <variant>
#include <vector>

#include "absl/container/flat_hash_map.h"
#include "absl/status/statusor.h"
#include "engine/storage/storage.h"
#include "promql/ast.h"
#include "promql/engine.h"
#include "promql/eval_functions.h"
#include "promql/value.h"

namespace fraisier::promql::eval_internal {

// A scalar over the steps: values[i] belongs to step i.
struct ScalarSteps {
  std::vector<double> values;
};

// Raw samples of one series, for range-vector arguments.
struct RawSeries {
  Labels metric;
  std::vector<FPoint> points;  // sorted, stale markers removed
};

using EvalValue = std::variant<Matrix, ScalarSteps, String>;

// Not thread-safe: one per query.
class Evaluator {
 public:
  // The query's own range, which start()/end()/step()/range() and
  // `@ start()`/`@ end()` refer to even inside subqueries.
  struct QueryTimes {
    Timestamp start = 0;
    Timestamp end = 0;
    int64_t step = 0;  // 0 for instant queries
  };

  Evaluator(const EngineOptions& options, storage::Querier* querier,
            Timestamp start, Timestamp end, int64_t interval,
            const CancellationToken* cancel, absl::Time deadline,
            Annotations* annotations, QueryStats* stats, QueryTimes query)
      : options_(options),
        query_(query),
        querier_(querier),
        start_(start),
        end_(end),
        interval_(interval),
        cancel_(cancel),
        deadline_(deadline),
        annotations_(annotations),
        stats_(stats) {}

  absl::StatusOr<EvalValue> Eval(const Expr& e);

  // Number of steps and the timestamp of step i.
  size_t num_steps() const {
    return static_cast<size_t>((end_ - start_) / interval_) + 1;
  }
  Timestamp StepTime(size_t i) const {
    return start_ + static_cast<int64_t>(i) * interval_;
  }
  Timestamp start() const { return start_; }
  Timestamp end() const { return end_; }
  int64_t interval() const { return interval_; }

 private:
  absl::Status CheckInterrupt();
  absl::Status AddSamples(int64_t n);
  void ReleaseSamples(int64_t n) { current_samples_ -= n; }

  // The evaluation time of a selector at step time `ts` under `m`.
  Timestamp EffectiveTime(const TimeModifiers& m, Timestamp ts) const;

  absl::StatusOr<EvalValue> EvalVectorSelector(const VectorSelector& vs,
                                               bool timestamps);
  // The samples of the series `vs` selects in [mint, maxt], without stale
  // markers when `drop_stale`.
  absl::StatusOr<std::vector<RawSeries>> SelectRaw(const VectorSelector& vs,
                                                   Timestamp mint,
                                                   Timestamp maxt,
                                                   bool drop_stale = false);
  absl::StatusOr<EvalValue> EvalMatrixTopLevel(const Expr& e);
  // Range-vector argument: the raw series plus the offset/@ handling.
  absl::StatusOr<std::vector<RawSeries>> EvalRangeArgument(
      const Expr& e, int64_t* range_ms, const TimeModifiers** modifiers);
  absl::StatusOr<EvalValue> EvalSubqueryRaw(const Subquery& sq,
                                            std::vector<RawSeries>* out);
  absl::StatusOr<EvalValue> EvalCall(const Call& call);
  absl::StatusOr<EvalValue> EvalRangeFunction(const Call& call,
                                              const RangeFunctionInfo& info,
                                              size_t range_arg);
  absl::StatusOr<EvalValue> EvalVectorFunction(const Call& call,
                                               VectorFunction fn);
  absl::StatusOr<EvalValue> EvalAbsentOverTime(const Call& call);
  absl::StatusOr<EvalValue> EvalAggregate(const AggregateExpr& a);
  absl::StatusOr<EvalValue> EvalBinary(const BinaryExpr& b);
  absl::StatusOr<EvalValue> EvalUnary(const UnaryExpr& u);

  const EngineOptions& options_;
  const QueryTimes query_;
  storage::Querier* querier_;
  Timestamp start_;
  Timestamp end_;
  int64_t interval_;
  const CancellationToken* cancel_;
  absl::Time deadline_;
  Annotations* annotations_;
  QueryStats* stats_;
  int64_t current_samples_ = 0;
  int64_t checks_ = 0;
};

// Collects per-step output vectors into a Matrix, one series per distinct
// (labels, drop_name).
class MatrixBuilder {
 public:
  void Add(const VectorSample& s, Timestamp ts);
  Matrix Take() { return std::move(matrix_); }
  int64_t points() const { return points_; }

 private:
  absl::flat_hash_map<uint64_t, std::vector<size_t>> index_;
  Matrix matrix_;
  int64_t points_ = 0;
};

// The vector of `m` at step time `ts`, given per-series cursors that only
// move forward (cursors.size() == m.size(), start at 0).
void VectorAt(const Matrix& m, Timestamp ts, std::vector<size_t>* cursors,
              Vector* out);

// Removes __name__ from samples marked drop_name and fails when two series
// end up with the same labels.
absl::Status FinalizeMatrix(Matrix* m);
absl::Status FinalizeVector(Vector* v);

// Float formatting as Go's strconv.FormatFloat(v, 'f', -1, 64) (for
// count_values), and labels-without helpers shared by operators.
std::string FormatValueLabel(double v);

}  // namespace fraisier::promql::eval_internal

#endif  // PROMQL_EVALUATOR_H_
