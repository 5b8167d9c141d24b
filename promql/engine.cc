#include "promql/engine.h"

#include <algorithm>
#include <memory>
#include <utility>

#include "absl/numeric/int128.h"
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

// The time range the selectors of an expression read (Prometheus's
// FindMinMaxTimes), so that the querier only snapshots that data: a
// selector evaluated over [start - before, end - after] with offset o reads
// (start - before - o - range, end - after - o], where range is the matrix
// range or the lookback delta, and a subquery `[R:] offset O` evaluates its
// expression over [start - before - O - R, end - after - O]. An @ modifier
// anywhere makes the range unbounded.
struct SelectRange {
  bool any = false;  // a selector was seen
  absl::int128 min = 0;
  absl::int128 max = 0;
  bool unbounded = false;
};

void CollectSelectRange(const Expr& e, absl::int128 before, absl::int128 after,
                        int64_t lookback_ms, SelectRange* r) {
  auto selector = [&](const VectorSelector& vs, int64_t range_ms) {
    if (vs.modifiers.has_at()) r->unbounded = true;
    const absl::int128 o = vs.modifiers.offset_ms;
    const absl::int128 lo = -before - o - range_ms;
    const absl::int128 hi = -after - o;
    r->min = r->any ? std::min(r->min, lo) : lo;
    r->max = r->any ? std::max(r->max, hi) : hi;
    r->any = true;
  };
  switch (e.kind()) {
    case NodeKind::kNumberLiteral:
    case NodeKind::kStringLiteral:
      return;
    case NodeKind::kVectorSelector:
      selector(static_cast<const VectorSelector&>(e), lookback_ms);
      return;
    case NodeKind::kMatrixSelector: {
      const auto& ms = static_cast<const MatrixSelector&>(e);
      selector(*ms.selector, ms.range_ms);
      return;
    }
    case NodeKind::kSubquery: {
      const auto& sq = static_cast<const Subquery&>(e);
      if (sq.modifiers.has_at()) r->unbounded = true;
      CollectSelectRange(*sq.expr,
                         before + sq.modifiers.offset_ms + sq.range_ms,
                         after + sq.modifiers.offset_ms, lookback_ms, r);
      return;
    }
    case NodeKind::kParen:
      CollectSelectRange(*static_cast<const ParenExpr&>(e).expr, before, after,
                         lookback_ms, r);
      return;
    case NodeKind::kUnary:
      CollectSelectRange(*static_cast<const UnaryExpr&>(e).expr, before, after,
                         lookback_ms, r);
      return;
    case NodeKind::kBinary: {
      const auto& b = static_cast<const BinaryExpr&>(e);
      CollectSelectRange(*b.lhs, before, after, lookback_ms, r);
      CollectSelectRange(*b.rhs, before, after, lookback_ms, r);
      return;
    }
    case NodeKind::kAggregate: {
      const auto& a = static_cast<const AggregateExpr&>(e);
      CollectSelectRange(*a.expr, before, after, lookback_ms, r);
      if (a.param != nullptr) {
        CollectSelectRange(*a.param, before, after, lookback_ms, r);
      }
      return;
    }
    case NodeKind::kCall:
      for (const ExprPtr& arg : static_cast<const Call&>(e).args) {
        CollectSelectRange(*arg, before, after, lookback_ms, r);
      }
      return;
  }
  r->unbounded = true;  // a node kind added later: stay safe
}

// The querier for evaluating `expr` over [start, end].
absl::StatusOr<std::unique_ptr<storage::Querier>> NewQuerierFor(
    storage::Queryable& queryable, const Expr& expr, Timestamp start,
    Timestamp end, const EngineOptions& options) {
  SelectRange r;
  CollectSelectRange(expr, 0, 0,
                     absl::ToInt64Milliseconds(options.lookback_delta), &r);
  if (r.unbounded) return queryable.NewQuerier(kMinTimestamp, kMaxTimestamp);
  if (!r.any) return queryable.NewQuerier(start, end);  // no selector
  auto clamp = [](absl::int128 v) {
    return static_cast<Timestamp>(std::clamp<absl::int128>(
        v, absl::int128(kMinTimestamp), absl::int128(kMaxTimestamp)));
  };
  return queryable.NewQuerier(clamp(r.min + start), clamp(r.max + end));
}

}  // namespace

absl::StatusOr<QueryResult> Engine::InstantQuery(
    storage::Queryable& queryable, const Expr& expr, Timestamp ts,
    const CancellationToken* cancel) const {
  absl::Time started = Now(options_);
  QueryResult result;
  FR_ASSIGN_OR_RETURN(std::unique_ptr<storage::Querier> querier,
                      NewQuerierFor(queryable, expr, ts, ts, options_));
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
                      NewQuerierFor(queryable, expr, start, end, options_));
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
