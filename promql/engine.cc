#include "promql/engine.h"

#include <algorithm>
#include <utility>

#include "absl/strings/str_cat.h"
#include "engine/base/status_macros.h"
#include "promql/evaluator.h"

namespace fraisier::promql {

using eval_internal::Evaluator;
using eval_internal::EvalValue;
using eval_internal::ScalarSteps;

void Annotations::AddWarning(std::string message) {
  if (std::find(warnings.begin(), warnings.end(), message) == warnings.end()) {
    warnings.push_back(std::move(message));
  }
}

void Annotations::AddInfo(std::string message) {
  if (std::find(infos.begin(), infos.end(), message) == infos.end()) {
    infos.push_back(std::move(message));
  }
}

void Annotations::Merge(const Annotations& other) {
  for (const std::string& w : other.warnings) AddWarning(w);
  for (const std::string& i : other.infos) AddInfo(i);
}

namespace {

// Query time comes from the injected clock; without one, stats carry zero.
absl::Time Now(const EngineOptions& options) {
  return options.clock == nullptr ? absl::UnixEpoch() : options.clock->Now();
}

absl::Time Deadline(const EngineOptions& options) {
  if (options.clock == nullptr) return absl::InfiniteFuture();
  return options.clock->Now() + options.timeout;
}

}  // namespace

absl::StatusOr<QueryResult> Engine::InstantQuery(
    storage::Queryable& queryable, const Expr& expr, Timestamp ts,
    const CancellationToken* cancel) const {
  absl::Time started = Now(options_);
  QueryResult result;
  FR_ASSIGN_OR_RETURN(std::unique_ptr<storage::Querier> querier,
                      queryable.NewQuerier(kMinTimestamp, kMaxTimestamp));
  Evaluator ev(options_, querier.get(), ts, ts, 1, cancel, Deadline(options_),
               &result.annotations, &result.stats,
               Evaluator::QueryTimes{ts, ts, 0});
  FR_ASSIGN_OR_RETURN(EvalValue value, ev.Eval(expr));
  if (auto* scalar = std::get_if<ScalarSteps>(&value)) {
    result.value = Scalar{ts, scalar->values.empty() ? 0 : scalar->values[0]};
  } else if (auto* str = std::get_if<String>(&value)) {
    result.value = String{ts, str->v};
  } else {
    Matrix& m = std::get<Matrix>(value);
    if (expr.type() == ValueType::kMatrix) {
      FR_RETURN_IF_ERROR(eval_internal::FinalizeMatrix(&m));
      result.value = std::move(m);
    } else {
      Vector v;
      v.reserve(m.size());
      for (RangeSeries& s : m) {
        if (s.floats.empty()) continue;
        v.push_back(
            VectorSample{std::move(s.metric), ts, s.floats[0].f, s.drop_name});
      }
      FR_RETURN_IF_ERROR(eval_internal::FinalizeVector(&v));
      result.value = std::move(v);
    }
  }
  result.stats.eval_time = Now(options_) - started;
  return result;
}

absl::StatusOr<QueryResult> Engine::RangeQuery(
    storage::Queryable& queryable, const Expr& expr, Timestamp start,
    Timestamp end, int64_t step_ms, const CancellationToken* cancel) const {
  if (step_ms <= 0) {
    return absl::InvalidArgumentError(
        "zero or negative query resolution step widths are not accepted");
  }
  if (end < start) {
    return absl::InvalidArgumentError("end timestamp must not be before start");
  }
  if (expr.type() != ValueType::kScalar && expr.type() != ValueType::kVector) {
    return absl::InvalidArgumentError(
        absl::StrCat("invalid expression type \"", DocumentedType(expr.type()),
                     "\" for range query, must be Scalar or instant Vector"));
  }
  absl::Time started = Now(options_);
  QueryResult result;
  FR_ASSIGN_OR_RETURN(std::unique_ptr<storage::Querier> querier,
                      queryable.NewQuerier(kMinTimestamp, kMaxTimestamp));
  Evaluator ev(options_, querier.get(), start, end, step_ms, cancel,
               Deadline(options_), &result.annotations, &result.stats,
               Evaluator::QueryTimes{start, end, step_ms});
  FR_ASSIGN_OR_RETURN(EvalValue value, ev.Eval(expr));
  Matrix m;
  if (auto* scalar = std::get_if<ScalarSteps>(&value)) {
    RangeSeries rs;
    for (size_t i = 0; i < scalar->values.size(); ++i) {
      rs.floats.push_back(FPoint{ev.StepTime(i), scalar->values[i]});
    }
    m.push_back(std::move(rs));
  } else {
    m = std::move(std::get<Matrix>(value));
  }
  FR_RETURN_IF_ERROR(eval_internal::FinalizeMatrix(&m));
  std::sort(m.begin(), m.end(), [](const RangeSeries& a, const RangeSeries& b) {
    return Labels::Compare(a.metric, b.metric) < 0;
  });
  result.value = std::move(m);
  result.stats.eval_time = Now(options_) - started;
  return result;
}

}  // namespace fraisier::promql
