// Selectors and subqueries: reading storage once per query and turning raw
// samples into per-step values (instant selectors) or per-step windows
// (range selectors, subqueries).
#include <algorithm>
#include <utility>

#include "engine/base/status_macros.h"
#include "engine/model/value.h"
#include "promql/evaluator.h"

namespace fraisier::promql::eval_internal {

absl::StatusOr<std::vector<RawSeries>> Evaluator::SelectRaw(
    const VectorSelector& vs, Timestamp mint, Timestamp maxt, bool drop_stale) {
  storage::SelectHints hints;
  hints.start = mint;
  hints.end = maxt;
  std::unique_ptr<storage::SeriesSet> set =
      querier_->Select(false, &hints, vs.matchers);
  std::vector<RawSeries> out;
  // Points gather here and are copied out at their final size: one
  // allocation per series instead of one per doubling.
  std::vector<FPoint> scratch;
  while (set->Next()) {
    FR_RETURN_IF_ERROR(CheckInterrupt());
    const storage::Series& series = set->At();
    RawSeries raw;
    raw.metric = series.labels();
    std::unique_ptr<storage::SampleIterator> it = series.Iterator();
    scratch.clear();
    if (it->Seek(mint)) {
      do {
        Sample s = it->At();
        if (s.t > maxt) break;
        if (drop_stale && IsStaleNaN(s.v)) continue;
        scratch.push_back(FPoint{s.t, s.v});
      } while (it->Next());
    }
    FR_RETURN_IF_ERROR(it->status());
    raw.points.assign(scratch.begin(), scratch.end());
    stats_->series_fetched++;
    stats_->samples_loaded += static_cast<int64_t>(raw.points.size());
    FR_RETURN_IF_ERROR(AddSamples(static_cast<int64_t>(raw.points.size())));
    out.push_back(std::move(raw));
  }
  FR_RETURN_IF_ERROR(set->status());
  return out;
}

absl::StatusOr<EvalValue> Evaluator::EvalVectorSelector(
    const VectorSelector& vs, bool timestamps) {
  const int64_t lookback = absl::ToInt64Milliseconds(options_.lookback_delta);
  Timestamp first = EffectiveTime(vs.modifiers, start_);
  Timestamp last = EffectiveTime(vs.modifiers, end_);
  // Streams each series' samples through the steps (the evaluation time
  // never decreases from step to step), without materializing them.
  const Timestamp mint = first - lookback + 1;
  storage::SelectHints hints;
  hints.start = mint;
  hints.end = last;
  // One step reads only the newest sample of each series' window.
  hints.latest_only = num_steps() == 1;
  std::unique_ptr<storage::SeriesSet> set =
      querier_->Select(false, &hints, vs.matchers);
  Matrix out;
  int64_t points = 0;
  while (set->Next()) {
    FR_RETURN_IF_ERROR(CheckInterrupt());
    const storage::Series& series = set->At();
    RangeSeries rs;
    rs.drop_name = timestamps;
    std::unique_ptr<storage::SampleIterator> it = series.Iterator();
    int64_t loaded = 0;
    bool more = it->Seek(mint);
    Sample next;  // the first sample after `latest`, while `more`
    if (more) next = it->At();
    if (more && next.t > last) more = false;
    Sample latest;
    bool have_latest = false;
    for (size_t i = 0; i < num_steps(); ++i) {
      Timestamp ts = StepTime(i);
      Timestamp te = EffectiveTime(vs.modifiers, ts);
      while (more && next.t <= te) {
        latest = next;
        have_latest = true;
        ++loaded;
        more = it->Next();
        if (more) {
          next = it->At();
          if (next.t > last) more = false;
        }
      }
      if (!have_latest) continue;
      // The lookback window is left-open: (te - lookback, te].
      if (latest.t <= te - lookback || IsStaleNaN(latest.v)) continue;
      rs.floats.push_back(
          FPoint{ts, timestamps ? latest.t / 1000.0 : latest.v});
    }
    // Samples past the last step's time are within [mint, last] only when
    // an @ modifier or offset makes `te` stop short of `last`; count them
    // as read, as a materialized selection would hold them.
    while (more) {
      ++loaded;
      more = it->Next() && it->At().t <= last;
    }
    FR_RETURN_IF_ERROR(it->status());
    stats_->series_fetched++;
    stats_->samples_loaded += loaded;
    FR_RETURN_IF_ERROR(AddSamples(loaded));
    if (rs.floats.empty()) continue;
    rs.metric = series.labels();
    points += static_cast<int64_t>(rs.floats.size());
    out.push_back(std::move(rs));
  }
  FR_RETURN_IF_ERROR(set->status());
  FR_RETURN_IF_ERROR(AddSamples(points));
  return EvalValue(std::move(out));
}

absl::StatusOr<std::vector<RawSeries>> Evaluator::EvalRangeArgument(
    const Expr& e, int64_t* range_ms, const TimeModifiers** modifiers) {
  const Expr* arg = &e;
  while (arg->kind() == NodeKind::kParen) {
    arg = static_cast<const ParenExpr*>(arg)->expr.get();
  }
  if (arg->kind() == NodeKind::kMatrixSelector) {
    const auto& ms = static_cast<const MatrixSelector&>(*arg);
    *range_ms = ms.range_ms;
    *modifiers = &ms.selector->modifiers;
    Timestamp first = EffectiveTime(ms.selector->modifiers, start_);
    Timestamp last = EffectiveTime(ms.selector->modifiers, end_);
    return SelectRaw(*ms.selector, first - ms.range_ms + 1, last,
                     /*drop_stale=*/true);
  }
  if (arg->kind() == NodeKind::kSubquery) {
    const auto& sq = static_cast<const Subquery&>(*arg);
    *range_ms = sq.range_ms;
    *modifiers = &sq.modifiers;
    std::vector<RawSeries> out;
    FR_RETURN_IF_ERROR(EvalSubqueryRaw(sq, &out).status());
    return out;
  }
  return absl::InvalidArgumentError("expected a range vector argument");
}

absl::StatusOr<EvalValue> Evaluator::EvalSubqueryRaw(
    const Subquery& sq, std::vector<RawSeries>* out) {
  int64_t step =
      sq.step_ms > 0
          ? sq.step_ms
          : absl::ToInt64Milliseconds(options_.default_subquery_step);
  if (step <= 0) step = 60 * 1000;
  Timestamp first = EffectiveTime(sq.modifiers, start_) - sq.range_ms;
  Timestamp last = EffectiveTime(sq.modifiers, end_);
  // Subquery steps are aligned to multiples of the step (Go's truncating
  // division, then one step forward if that fell before the range).
  Timestamp aligned = step * (first / step);
  if (aligned < first) aligned += step;
  if (aligned > last) return EvalValue(Matrix{});
  Evaluator inner(options_, querier_, aligned, last, step, cancel_, deadline_,
                  annotations_, stats_, query_);
  FR_ASSIGN_OR_RETURN(EvalValue value, inner.Eval(*sq.expr));
  Matrix m;
  if (auto* scalar = std::get_if<ScalarSteps>(&value)) {
    RangeSeries rs;
    for (size_t i = 0; i < scalar->values.size(); ++i) {
      rs.floats.push_back(FPoint{inner.StepTime(i), scalar->values[i]});
    }
    m.push_back(std::move(rs));
  } else if (auto* matrix = std::get_if<Matrix>(&value)) {
    m = std::move(*matrix);
  }
  FR_RETURN_IF_ERROR(FinalizeMatrix(&m));
  int64_t points = 0;
  for (RangeSeries& rs : m) {
    points += static_cast<int64_t>(rs.floats.size());
    out->push_back(RawSeries{std::move(rs.metric), std::move(rs.floats)});
  }
  FR_RETURN_IF_ERROR(AddSamples(points));
  return EvalValue(Matrix{});
}

absl::StatusOr<EvalValue> Evaluator::EvalMatrixTopLevel(const Expr& e) {
  // A range vector is only a valid result of an instant query: the raw
  // samples of each series in (t - range, t].
  int64_t range_ms = 0;
  const TimeModifiers* modifiers = nullptr;
  FR_ASSIGN_OR_RETURN(std::vector<RawSeries> raw,
                      EvalRangeArgument(e, &range_ms, &modifiers));
  Timestamp te = EffectiveTime(*modifiers, start_);
  Matrix out;
  for (RawSeries& r : raw) {
    RangeSeries rs;
    rs.metric = std::move(r.metric);
    for (const FPoint& p : r.points) {
      if (p.t > te - range_ms && p.t <= te) rs.floats.push_back(p);
    }
    if (!rs.floats.empty()) out.push_back(std::move(rs));
  }
  return EvalValue(std::move(out));
}

}  // namespace fraisier::promql::eval_internal
