// Function calls: range functions over per-step windows, vector functions
// over per-step argument vectors, and the few that need the evaluator's
// help (timestamp, absent, absent_over_time).
#include <algorithm>
#include <cmath>
#include <utility>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "engine/base/status_macros.h"
#include "promql/evaluator.h"
#include "promql/functions.h"

namespace fraisier::promql::eval_internal {
namespace {

const Expr* Unwrap(const Expr* e) {
  while (e->kind() == NodeKind::kParen) {
    e = static_cast<const ParenExpr*>(e)->expr.get();
  }
  return e;
}

// Labels an absent()/absent_over_time() result carries: the equality
// matchers of the selector, except __name__ (and a label named twice).
// Order matters, as in Prometheus: a later non-equality (or repeated)
// matcher on a name removes it, a first equality matcher sets it.
Labels AbsentLabels(absl::Span<const Matcher> matchers) {
  LabelsBuilder b;
  absl::flat_hash_map<std::string, bool> has;
  for (const Matcher& m : matchers) {
    if (m.name() == "__name__") continue;
    if (m.type() == MatchType::kEqual && !has[m.name()]) {
      b.Set(m.name(), m.value());
      has[m.name()] = true;
    } else {
      b.Del(m.name());
    }
  }
  return b.Build();
}

}  // namespace

absl::StatusOr<EvalValue> Evaluator::EvalCall(const Call& call) {
  absl::string_view name = call.func->name;
  if (name == "timestamp" && !call.args.empty()) {
    const Expr* arg = Unwrap(call.args[0].get());
    if (arg->kind() == NodeKind::kVectorSelector) {
      return EvalVectorSelector(static_cast<const VectorSelector&>(*arg),
                                /*timestamps=*/true);
    }
  }
  if (name == "absent_over_time") return EvalAbsentOverTime(call);
  // The query-level values of Prometheus's duration-expression functions,
  // in seconds.
  if (name == "start" || name == "end" || name == "step" || name == "range") {
    double v = name == "start"  ? query_.start / 1000.0
               : name == "end"  ? query_.end / 1000.0
               : name == "step" ? query_.step / 1000.0
                                : (query_.end - query_.start) / 1000.0;
    return EvalValue(ScalarSteps{std::vector<double>(num_steps(), v)});
  }
  if ((name == "min_of" || name == "max_of") && call.args.size() == 2) {
    FR_ASSIGN_OR_RETURN(EvalValue a, Eval(*call.args[0]));
    FR_ASSIGN_OR_RETURN(EvalValue b, Eval(*call.args[1]));
    ScalarSteps out = std::get<ScalarSteps>(std::move(a));
    const ScalarSteps& other = std::get<ScalarSteps>(b);
    for (size_t i = 0; i < out.values.size(); ++i) {
      double x = out.values[i];
      double y = other.values[i];
      // As Go's math.Min/Max: NaN wins.
      out.values[i] = std::isnan(x) || std::isnan(y) ? std::nan("")
                      : name == "min_of"             ? std::min(x, y)
                                                     : std::max(x, y);
    }
    return EvalValue(std::move(out));
  }
  if (absl::StartsWith(name, "sort") && query_.start != query_.end) {
    annotations_->AddWarning(
        "PromQL warning: sort is ineffective for range queries since results "
        "are always ordered by labels");
  }
  if (const RangeFunctionInfo* info = FindRangeFunction(name)) {
    for (size_t i = 0; i < call.args.size(); ++i) {
      if (call.args[i]->type() == ValueType::kMatrix) {
        return EvalRangeFunction(call, *info, i);
      }
    }
  }
  if (VectorFunction fn = FindVectorFunction(name)) {
    return EvalVectorFunction(call, fn);
  }
  return absl::UnimplementedError(
      absl::StrCat("function \"", name, "\" is not supported"));
}

absl::StatusOr<EvalValue> Evaluator::EvalRangeFunction(
    const Call& call, const RangeFunctionInfo& info, size_t range_arg) {
  // Scalar arguments, evaluated for every step.
  std::vector<ScalarSteps> scalars;
  for (size_t i = 0; i < call.args.size(); ++i) {
    if (i == range_arg) continue;
    FR_ASSIGN_OR_RETURN(EvalValue v, Eval(*call.args[i]));
    if (auto* s = std::get_if<ScalarSteps>(&v)) scalars.push_back(*s);
  }
  int64_t range_ms = 0;
  const TimeModifiers* modifiers = nullptr;
  FR_ASSIGN_OR_RETURN(
      std::vector<RawSeries> raw,
      EvalRangeArgument(*call.args[range_arg], &range_ms, &modifiers));
  std::vector<double> step_scalars(scalars.size());
  RangeContext ctx;
  ctx.range_ms = range_ms;
  ctx.annotations = annotations_;
  ctx.pos = call.pos;
  absl::Status function_error;
  ctx.error = &function_error;
  bool non_counter_noted = false;
  ctx.non_counter_noted = &non_counter_noted;
  SeriesCounts counts;
  // Batch-capable functions: every (series, step) window is collected
  // first, then computed in runs of steps with equal scalar arguments.
  const bool batched = info.batch != nullptr;
  std::vector<absl::Span<const FPoint>> windows;
  std::vector<uint32_t> window_steps;
  std::vector<size_t> series_windows;  // first window of each series
  Matrix out;
  int64_t points = 0;
  for (RawSeries& series : raw) {
    FR_RETURN_IF_ERROR(CheckInterrupt());
    RangeSeries rs;
    rs.metric = series.metric;
    rs.drop_name = !info.keeps_metric_name;
    ctx.metric = &series.metric;
    ctx.metric_name = series.metric.MetricName();
    non_counter_noted = false;
    const std::vector<FPoint>& p = series.points;
    ctx.series_counts = nullptr;
    // Worth it when the windows together cover the series several times
    // over (long ranges, many steps); else scanning the windows is cheaper.
    if (info.uses_series_counts && !p.empty() &&
        static_cast<double>(num_steps()) * static_cast<double>(range_ms) >
            8.0 * static_cast<double>(p.back().t - p.front().t + 1)) {
      counts.Compute(p);
      ctx.series_counts = &counts;
    }
    series_windows.push_back(windows.size());
    size_t lo = 0;
    size_t hi = 0;
    for (size_t i = 0; i < num_steps(); ++i) {
      Timestamp ts = StepTime(i);
      Timestamp te = EffectiveTime(*modifiers, ts);
      // The window is left-open: (te - range, te].
      while (hi < p.size() && p[hi].t <= te) ++hi;
      while (lo < hi && p[lo].t <= te - range_ms) ++lo;
      if (lo > hi) lo = hi;
      if (batched) {
        windows.push_back(absl::MakeConstSpan(p.data() + lo, hi - lo));
        window_steps.push_back(static_cast<uint32_t>(i));
        continue;
      }
      for (size_t k = 0; k < scalars.size(); ++k) {
        step_scalars[k] = scalars[k].values[i];
      }
      // Functions see the step time; the window already reflects offset
      // and @ (predict_linear extrapolates from the step time).
      ctx.ts = ts;
      ctx.range_start = te - range_ms;
      ctx.scalars = step_scalars;
      ctx.window_begin = lo;
      std::optional<double> v =
          info.fn(ctx, absl::MakeConstSpan(p.data() + lo, hi - lo));
      FR_RETURN_IF_ERROR(function_error);
      if (v.has_value()) rs.floats.push_back(FPoint{ts, *v});
    }
    if (batched || rs.floats.empty()) continue;
    points += static_cast<int64_t>(rs.floats.size());
    out.push_back(std::move(rs));
  }
  if (batched) {
    std::vector<std::optional<double>> results(windows.size());
    ctx.metric = nullptr;
    ctx.metric_name = "";
    ctx.series_counts = nullptr;
    auto step_scalars_equal = [&](uint32_t a, uint32_t b) {
      for (const ScalarSteps& s : scalars) {
        if (!(s.values[a] == s.values[b])) return false;
      }
      return true;
    };
    for (size_t begin = 0; begin < windows.size();) {
      FR_RETURN_IF_ERROR(CheckInterrupt());
      size_t end = begin + 1;
      while (end < windows.size() &&
             step_scalars_equal(window_steps[begin], window_steps[end])) {
        ++end;
      }
      for (size_t k = 0; k < scalars.size(); ++k) {
        step_scalars[k] = scalars[k].values[window_steps[begin]];
      }
      ctx.scalars = step_scalars;
      info.batch(ctx, absl::MakeConstSpan(windows.data() + begin, end - begin),
                 results.data() + begin);
      FR_RETURN_IF_ERROR(function_error);
      begin = end;
    }
    series_windows.push_back(windows.size());
    for (size_t s = 0; s < raw.size(); ++s) {
      RangeSeries rs;
      rs.metric = raw[s].metric;
      rs.drop_name = !info.keeps_metric_name;
      for (size_t w = series_windows[s]; w < series_windows[s + 1]; ++w) {
        if (results[w].has_value()) {
          rs.floats.push_back(FPoint{StepTime(window_steps[w]), *results[w]});
        }
      }
      if (rs.floats.empty()) continue;
      points += static_cast<int64_t>(rs.floats.size());
      out.push_back(std::move(rs));
    }
  }
  FR_RETURN_IF_ERROR(AddSamples(points));
  return EvalValue(std::move(out));
}

absl::StatusOr<EvalValue> Evaluator::EvalAbsentOverTime(const Call& call) {
  int64_t range_ms = 0;
  const TimeModifiers* modifiers = nullptr;
  FR_ASSIGN_OR_RETURN(std::vector<RawSeries> raw,
                      EvalRangeArgument(*call.args[0], &range_ms, &modifiers));
  // Prometheus derives the labels from a bare selector only.
  const Expr* arg = call.args[0].get();
  Labels labels;
  if (arg->kind() == NodeKind::kMatrixSelector) {
    labels = AbsentLabels(
        static_cast<const MatrixSelector&>(*arg).selector->matchers);
  }
  RangeSeries rs;
  rs.metric = labels;
  std::vector<size_t> lo(raw.size(), 0), hi(raw.size(), 0);
  for (size_t i = 0; i < num_steps(); ++i) {
    Timestamp te = EffectiveTime(*modifiers, StepTime(i));
    bool present = false;
    for (size_t s = 0; s < raw.size(); ++s) {
      const std::vector<FPoint>& p = raw[s].points;
      while (hi[s] < p.size() && p[hi[s]].t <= te) ++hi[s];
      while (lo[s] < hi[s] && p[lo[s]].t <= te - range_ms) ++lo[s];
      if (hi[s] > lo[s]) present = true;
    }
    if (!present) rs.floats.push_back(FPoint{StepTime(i), 1});
  }
  Matrix out;
  if (!rs.floats.empty()) out.push_back(std::move(rs));
  return EvalValue(std::move(out));
}

absl::StatusOr<EvalValue> Evaluator::EvalVectorFunction(const Call& call,
                                                        VectorFunction fn) {
  std::vector<EvalValue> args;
  args.reserve(call.args.size());
  for (const ExprPtr& a : call.args) {
    FR_ASSIGN_OR_RETURN(EvalValue v, Eval(*a));
    args.push_back(std::move(v));
  }
  VectorContext ctx;
  ctx.call = &call;
  ctx.annotations = annotations_;
  DerivedLabelsMemo memo;
  ctx.memo = &memo;
  if (call.func->name == "absent" && !call.args.empty()) {
    const Expr* arg = call.args[0].get();
    if (arg->kind() == NodeKind::kVectorSelector) {
      ctx.absent_matchers = static_cast<const VectorSelector&>(*arg).matchers;
    }
  }
  std::vector<std::vector<size_t>> cursors(args.size());
  for (size_t k = 0; k < args.size(); ++k) {
    if (auto* m = std::get_if<Matrix>(&args[k]))
      cursors[k].assign(m->size(), 0);
  }
  const bool returns_scalar = call.func->return_type == ValueType::kScalar;
  ScalarSteps scalar_out;
  MatrixBuilder builder;
  std::vector<Arg> step_args(args.size());
  Vector out;
  for (size_t i = 0; i < num_steps(); ++i) {
    FR_RETURN_IF_ERROR(CheckInterrupt());
    Timestamp ts = StepTime(i);
    for (size_t k = 0; k < args.size(); ++k) {
      if (auto* m = std::get_if<Matrix>(&args[k])) {
        Vector v;
        VectorAt(*m, ts, &cursors[k], &v);
        step_args[k] = std::move(v);
      } else if (auto* s = std::get_if<ScalarSteps>(&args[k])) {
        step_args[k] = Scalar{ts, s->values[i]};
      } else {
        step_args[k] = std::get<String>(args[k]);
      }
    }
    ctx.ts = ts;
    out.clear();
    FR_RETURN_IF_ERROR(fn(ctx, step_args, &out));
    if (returns_scalar) {
      scalar_out.values.push_back(out.empty() ? std::nan("") : out[0].f);
      continue;
    }
    for (const VectorSample& s : out) builder.Add(s, ts);
  }
  if (returns_scalar) return EvalValue(std::move(scalar_out));
  FR_RETURN_IF_ERROR(AddSamples(builder.points()));
  return EvalValue(builder.Take());
}

}  // namespace fraisier::promql::eval_internal
