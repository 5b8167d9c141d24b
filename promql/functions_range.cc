// Range functions: rate and friends, the *_over_time family, deriv,
// predict_linear, resets, changes and double_exponential_smoothing, with
// Prometheus 3 semantics for float samples (promql/functions.go).
//
// Every function gets one series' points in the left-open window
// (ctx.range_start, ctx.range_start + ctx.range_ms], stale markers removed,
// and returns nullopt for "no output" (an empty window, too few points).
//
// absent_over_time: like Prometheus, the function itself only says "this
// series has samples in the window" (it returns 1 for a non-empty window).
// The evaluator must do the rest, as Prometheus's engine does: over all
// series of the argument, emit 1 at every step where no series has a sample
// in its window, with the labels absent() would derive from the argument's
// selector (equality matchers other than __name__, see absent() in
// functions_vector.cc), and nothing at steps where any series has one.
#include <algorithm>
#include <cmath>
#include <cstdint>
#include <optional>
#include <utility>
#include <vector>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "engine/model/go_quote.h"
#include "promql/eval_functions.h"
#include "promql/functions_internal.h"

namespace fraisier::promql {
namespace {

using functions_internal::AddInfo;
using functions_internal::AddWarning;
using functions_internal::FormatGoF;
using functions_internal::InvalidQuantileWarning;

using Points = absl::Span<const FPoint>;

// One step of Neumaier-compensated summation (Prometheus's kahansum.Inc):
// *sum + *c is the running total.
void KahanInc(double inc, double* sum, double* c) {
  const double t = *sum + inc;
  if (std::isinf(t)) {
    *c = 0;
  } else if (std::fabs(*sum) >= std::fabs(inc)) {
    *c += (*sum - t) + inc;
  } else {
    *c += (inc - t) + *sum;
  }
  *sum = t;
}

Timestamp WindowEnd(const RangeContext& ctx) {
  return ctx.range_start + ctx.range_ms;
}

// Go's time.Duration.Seconds() for a millisecond duration.
double RangeSeconds(int64_t range_ms) {
  const int64_t sec = range_ms / 1000;
  const int64_t nsec = (range_ms % 1000) * 1000000;
  return static_cast<double>(sec) + static_cast<double>(nsec) / 1e9;
}

double Seconds(Timestamp ms) { return static_cast<double>(ms) / 1000; }

// The "might not be a counter" info that Prometheus attaches to rate() and
// increase() on a series whose name lacks a counter suffix.
void NotePossibleNonCounter(const RangeContext& ctx) {
  if (ctx.non_counter_noted != nullptr) {
    if (*ctx.non_counter_noted) return;
    *ctx.non_counter_noted = true;
  }
  absl::string_view name = ctx.metric_name;
  if (name.empty() && ctx.metric != nullptr) name = ctx.metric->MetricName();
  if (name.empty()) return;
  for (absl::string_view suffix : {"_total", "_sum", "_count", "_bucket"}) {
    if (absl::EndsWith(name, suffix)) return;
  }
  AddInfo(ctx.annotations,
          absl::StrCat("PromQL info: metric might not be a counter, name does "
                       "not end in _total/_sum/_count/_bucket: ",
                       GoQuote(name)));
}

// rate, increase and delta: the change over the window, corrected for
// counter resets (counters only) and extrapolated towards the window
// boundaries: all the way when the first/last sample is within 1.1 average
// sample intervals of the boundary, else by half an interval; counters are
// never extrapolated below zero.
std::optional<double> ExtrapolatedRate(const RangeContext& ctx, Points points,
                                       bool is_counter, bool is_rate) {
  if (points.size() < 2) return std::nullopt;
  const FPoint& first = points.front();
  const FPoint& last = points.back();
  double result = last.f - first.f;
  // With the series' reset counts at hand, a window without resets skips
  // the scan (it would add nothing).
  const bool no_resets =
      ctx.series_counts != nullptr &&
      ctx.series_counts->resets[ctx.window_begin + points.size() - 1] ==
          ctx.series_counts->resets[ctx.window_begin];
  if (is_counter && !no_resets) {
    for (size_t i = 1; i < points.size(); ++i) {
      if (points[i].f < points[i - 1].f) result += points[i - 1].f;
    }
  }
  double to_start = Seconds(first.t - ctx.range_start);
  double to_end = Seconds(WindowEnd(ctx) - last.t);
  const double sampled = Seconds(last.t - first.t);
  const double average = sampled / static_cast<double>(points.size() - 1);
  const double threshold = average * 1.1;
  if (to_start >= threshold) to_start = average / 2;
  if (is_counter) {
    double to_zero = to_start;
    if (result > 0 && first.f >= 0) to_zero = sampled * (first.f / result);
    if (to_zero < to_start) to_start = to_zero;
  }
  if (to_end >= threshold) to_end = average / 2;
  double factor = 1.0;
  if (sampled != 0) factor = (sampled + to_start + to_end) / sampled;
  if (is_rate) factor /= RangeSeconds(ctx.range_ms);
  return result * factor;
}

std::optional<double> Rate(const RangeContext& ctx, Points points) {
  std::optional<double> v = ExtrapolatedRate(ctx, points, true, true);
  if (v.has_value()) NotePossibleNonCounter(ctx);
  return v;
}

std::optional<double> Increase(const RangeContext& ctx, Points points) {
  std::optional<double> v = ExtrapolatedRate(ctx, points, true, false);
  if (v.has_value()) NotePossibleNonCounter(ctx);
  return v;
}

std::optional<double> Delta(const RangeContext& ctx, Points points) {
  return ExtrapolatedRate(ctx, points, false, false);
}

// irate and idelta: from the last two samples only. For irate a decrease is
// a counter reset, and the rate is then the last value over the interval.
std::optional<double> InstantValue(Points points, bool is_rate) {
  if (points.size() < 2) return std::nullopt;
  const FPoint& prev = points[points.size() - 2];
  const FPoint& cur = points.back();
  const int64_t interval = cur.t - prev.t;
  if (interval == 0) return std::nullopt;
  double result = cur.f;
  // NaN compares false, so a NaN on either side gives NaN.
  if (!is_rate || !(cur.f < prev.f)) result = cur.f - prev.f;
  if (is_rate) result /= static_cast<double>(interval) / 1000;
  return result;
}

std::optional<double> Irate(const RangeContext&, Points points) {
  return InstantValue(points, true);
}

std::optional<double> Idelta(const RangeContext&, Points points) {
  return InstantValue(points, false);
}

struct Regression {
  double slope;
  double intercept;  // at intercept_time
};

// Least-squares fit of value over time (seconds relative to
// intercept_time), with compensated sums. A constant series has slope 0,
// unless the constant is infinite (then NaN, NaN).
Regression LinearRegression(Points points, Timestamp intercept_time) {
  double n = 0;
  double sum_x = 0, c_x = 0;
  double sum_y = 0, c_y = 0;
  double sum_xy = 0, c_xy = 0;
  double sum_x2 = 0, c_x2 = 0;
  const double init_y = points[0].f;
  bool const_y = true;
  for (size_t i = 0; i < points.size(); ++i) {
    const FPoint& p = points[i];
    if (const_y && i > 0 && p.f != init_y) const_y = false;
    n += 1.0;
    const double x = static_cast<double>(p.t - intercept_time) / 1e3;
    KahanInc(x, &sum_x, &c_x);
    KahanInc(p.f, &sum_y, &c_y);
    KahanInc(x * p.f, &sum_xy, &c_xy);
    KahanInc(x * x, &sum_x2, &c_x2);
  }
  if (const_y) {
    if (std::isinf(init_y)) return {std::nan(""), std::nan("")};
    return {0, init_y};
  }
  sum_x += c_x;
  sum_y += c_y;
  sum_xy += c_xy;
  sum_x2 += c_x2;
  const double cov_xy = sum_xy - sum_x * sum_y / n;
  const double var_x = sum_x2 - sum_x * sum_x / n;
  const double slope = cov_xy / var_x;
  return {slope, sum_y / n - slope * sum_x / n};
}

std::optional<double> Deriv(const RangeContext&, Points points) {
  if (points.size() < 2) return std::nullopt;
  // Relative to the first sample, for precision (Prometheus #2674).
  return LinearRegression(points, points[0].t).slope;
}

// predict_linear(v, t): the fitted value t seconds after the step's
// evaluation time (ctx.ts, not the end of an offset or @ window).
std::optional<double> PredictLinear(const RangeContext& ctx, Points points) {
  if (ctx.scalars.empty() || points.size() < 2) return std::nullopt;
  const Regression r = LinearRegression(points, ctx.ts);
  return r.slope * ctx.scalars[0] + r.intercept;
}

std::optional<double> Resets(const RangeContext& ctx, Points points) {
  if (points.empty()) return std::nullopt;
  if (ctx.series_counts != nullptr) {
    const std::vector<uint32_t>& r = ctx.series_counts->resets;
    return r[ctx.window_begin + points.size() - 1] - r[ctx.window_begin];
  }
  int resets = 0;
  for (size_t i = 1; i < points.size(); ++i) {
    if (points[i].f < points[i - 1].f) ++resets;
  }
  return resets;
}

std::optional<double> Changes(const RangeContext& ctx, Points points) {
  if (points.empty()) return std::nullopt;
  if (ctx.series_counts != nullptr) {
    const std::vector<uint32_t>& c = ctx.series_counts->changes;
    return c[ctx.window_begin + points.size() - 1] - c[ctx.window_begin];
  }
  int changes = 0;
  for (size_t i = 1; i < points.size(); ++i) {
    const double prev = points[i - 1].f;
    const double cur = points[i].f;
    if (cur != prev && !(std::isnan(cur) && std::isnan(prev))) ++changes;
  }
  return changes;
}

// The mean with compensated summation; once the running sum overflows it
// switches to an incremental mean (as Prometheus does since 3.5).
std::optional<double> AvgOverTime(const RangeContext&, Points points) {
  if (points.empty()) return std::nullopt;
  double sum = points[0].f;
  double count = 1;
  double mean = 0;
  double c = 0;
  bool incremental = false;
  for (size_t i = 1; i < points.size(); ++i) {
    const double f = points[i].f;
    count = static_cast<double>(i + 1);
    if (!incremental) {
      double new_sum = sum;
      double new_c = c;
      KahanInc(f, &new_sum, &new_c);
      if (!std::isinf(new_sum)) {
        sum = new_sum;
        c = new_c;
        continue;
      }
      incremental = true;
      mean = sum / (count - 1);
      c /= count - 1;
    }
    const double q = (count - 1) / count;
    double m = q * mean;
    double mc = q * c;
    KahanInc(f / count, &m, &mc);
    mean = m;
    c = mc;
  }
  if (incremental) return mean + c;
  return sum / count + c / count;
}

std::optional<double> SumOverTime(const RangeContext&, Points points) {
  if (points.empty()) return std::nullopt;
  double sum = 0;
  double c = 0;
  for (const FPoint& p : points) KahanInc(p.f, &sum, &c);
  if (std::isinf(sum)) return sum;
  return sum + c;
}

std::optional<double> CountOverTime(const RangeContext&, Points points) {
  if (points.empty()) return std::nullopt;
  return static_cast<double>(points.size());
}

// min/max_over_time and their ts_of_ variants. `better(cur, best)` decides
// whether cur replaces the best so far; a NaN best is always replaced, so
// NaN only wins when every value is NaN.
template <typename Better>
std::optional<double> CompareOverTime(Points points, Better better,
                                      bool return_timestamp) {
  if (points.empty()) return std::nullopt;
  double best = points[0].f;
  Timestamp best_t = points[0].t;
  for (const FPoint& p : points) {
    if (better(p.f, best) || std::isnan(best)) {
      best = p.f;
      best_t = p.t;
    }
  }
  return return_timestamp ? Seconds(best_t) : best;
}

std::optional<double> MaxOverTime(const RangeContext&, Points points) {
  return CompareOverTime(
      points, [](double cur, double best) { return cur > best; }, false);
}

std::optional<double> MinOverTime(const RangeContext&, Points points) {
  return CompareOverTime(
      points, [](double cur, double best) { return cur < best; }, false);
}

// The last of several equal extremes wins.
std::optional<double> TsOfMaxOverTime(const RangeContext&, Points points) {
  return CompareOverTime(
      points, [](double cur, double best) { return cur >= best; }, true);
}

std::optional<double> TsOfMinOverTime(const RangeContext&, Points points) {
  return CompareOverTime(
      points, [](double cur, double best) { return cur <= best; }, true);
}

std::optional<double> LastOverTime(const RangeContext&, Points points) {
  if (points.empty()) return std::nullopt;
  return points.back().f;
}

std::optional<double> FirstOverTime(const RangeContext&, Points points) {
  if (points.empty()) return std::nullopt;
  return points.front().f;
}

std::optional<double> TsOfLastOverTime(const RangeContext&, Points points) {
  if (points.empty()) return std::nullopt;
  return Seconds(points.back().t);
}

std::optional<double> TsOfFirstOverTime(const RangeContext&, Points points) {
  if (points.empty()) return std::nullopt;
  return Seconds(points.front().t);
}

std::optional<double> PresentOverTime(const RangeContext&, Points points) {
  if (points.empty()) return std::nullopt;
  return 1;
}

// See the file comment: the evaluator builds absent_over_time's output.
std::optional<double> AbsentOverTime(const RangeContext&, Points points) {
  if (points.empty()) return std::nullopt;
  return 1;
}

// Population variance with compensated running mean and sum of squares.
double Variance(Points points) {
  double count = 0;
  double mean = 0, c_mean = 0;
  double aux = 0, c_aux = 0;
  for (const FPoint& p : points) {
    count++;
    const double delta = p.f - (mean + c_mean);
    KahanInc(delta / count, &mean, &c_mean);
    KahanInc(delta * (p.f - (mean + c_mean)), &aux, &c_aux);
  }
  return (aux + c_aux) / count;
}

std::optional<double> StdvarOverTime(const RangeContext&, Points points) {
  if (points.empty()) return std::nullopt;
  return Variance(points);
}

std::optional<double> StddevOverTime(const RangeContext&, Points points) {
  if (points.empty()) return std::nullopt;
  return std::sqrt(Variance(points));
}

// The φ-quantile of `values` (sorted in place), interpolating between the
// two nearest ranks. NaN values sort first, as Prometheus's comparator
// makes them; a NaN φ gives NaN, φ < 0 gives -Inf and φ > 1 +Inf.
double Quantile(double q, std::vector<double>* values) {
  if (values->empty() || std::isnan(q)) return std::nan("");
  if (q < 0) return -INFINITY;
  if (q > 1) return INFINITY;
  std::sort(values->begin(), values->end(), [](double a, double b) {
    if (std::isnan(a)) return !std::isnan(b);
    if (std::isnan(b)) return false;
    return a < b;
  });
  const double n = static_cast<double>(values->size());
  const double rank = q * (n - 1);
  const double lower = std::max(0.0, std::floor(rank));
  const double upper = std::min(n - 1, lower + 1);
  const double weight = rank - std::floor(rank);
  return (*values)[static_cast<size_t>(lower)] * (1 - weight) +
         (*values)[static_cast<size_t>(upper)] * weight;
}

// quantile_over_time(φ, v): φ out of [0, 1] (or NaN) is allowed but flagged.
std::optional<double> QuantileOverTime(const RangeContext& ctx, Points points) {
  if (ctx.scalars.empty() || points.empty()) return std::nullopt;
  const double q = ctx.scalars[0];
  if (std::isnan(q) || q < 0 || q > 1) {
    AddWarning(ctx.annotations, InvalidQuantileWarning(q));
  }
  std::vector<double> values;
  values.reserve(points.size());
  for (const FPoint& p : points) values.push_back(p.f);
  return Quantile(q, &values);
}

// Median absolute deviation; any NaN sample makes it NaN.
std::optional<double> MadOverTime(const RangeContext&, Points points) {
  if (points.empty()) return std::nullopt;
  std::vector<double> values;
  values.reserve(points.size());
  for (const FPoint& p : points) {
    if (std::isnan(p.f)) return std::nan("");
    values.push_back(p.f);
  }
  const double median = Quantile(0.5, &values);
  for (double& v : values) v = std::fabs(v - median);
  return Quantile(0.5, &values);
}

// double_exponential_smoothing(v, sf, tf) (Holt's linear method); both
// factors must lie strictly between 0 and 1, checked only for series that
// have samples in the window, as Prometheus does.
std::optional<double> DoubleExponentialSmoothing(const RangeContext& ctx,
                                                 Points points) {
  if (ctx.scalars.size() < 2 || points.empty()) return std::nullopt;
  const double sf = ctx.scalars[0];
  const double tf = ctx.scalars[1];
  if (sf <= 0 || sf >= 1) {
    if (ctx.error != nullptr) {
      *ctx.error = absl::InvalidArgumentError(
          absl::StrCat("invalid smoothing factor. Expected: 0 < sf < 1, got: ",
                       FormatGoF(sf)));
    }
    return std::nullopt;
  }
  if (tf <= 0 || tf >= 1) {
    if (ctx.error != nullptr) {
      *ctx.error = absl::InvalidArgumentError(absl::StrCat(
          "invalid trend factor. Expected: 0 < tf < 1, got: ", FormatGoF(tf)));
    }
    return std::nullopt;
  }
  if (points.size() < 2) return std::nullopt;
  double s0 = 0;
  double s1 = points[0].f;
  double b = points[1].f - points[0].f;
  for (size_t i = 1; i < points.size(); ++i) {
    const double x = sf * points[i].f;
    // The trend: the initial difference at first, then a blend of the last
    // smoothed step and the previous trend.
    if (i > 1) b = tf * (s1 - s0) + (1 - tf) * b;
    const double y = (1 - sf) * (s1 + b);
    s0 = s1;
    s1 = x + y;
  }
  return s1;
}

// DoubleExponentialSmoothing over several windows at once: the same
// operations per window in the same order (so the same results), with the
// windows' dependency chains interleaved in kLanes lanes.
void DoubleExponentialSmoothingBatch(const RangeContext& ctx,
                                     absl::Span<const Points> windows,
                                     std::optional<double>* out) {
  constexpr size_t kLanes = 8;
  const bool valid_factors = ctx.scalars.size() >= 2 && ctx.scalars[0] > 0 &&
                             ctx.scalars[0] < 1 && ctx.scalars[1] > 0 &&
                             ctx.scalars[1] < 1;
  size_t k = 0;
  if (valid_factors) {
    const double sf = ctx.scalars[0];
    const double tf = ctx.scalars[1];
    for (; k + kLanes <= windows.size(); k += kLanes) {
      size_t common = SIZE_MAX;
      for (size_t l = 0; l < kLanes; ++l) {
        common = std::min(common, windows[k + l].size());
      }
      if (common < 2) break;
      double s0[kLanes], s1[kLanes], b[kLanes];
      for (size_t l = 0; l < kLanes; ++l) {
        const Points p = windows[k + l];
        s0[l] = 0;
        s1[l] = p[0].f;
        b[l] = p[1].f - p[0].f;
      }
      // i == 1: the trend is still the initial difference.
      for (size_t l = 0; l < kLanes; ++l) {
        const double x = sf * windows[k + l][1].f;
        const double y = (1 - sf) * (s1[l] + b[l]);
        s0[l] = s1[l];
        s1[l] = x + y;
      }
      for (size_t i = 2; i < common; ++i) {
        for (size_t l = 0; l < kLanes; ++l) {
          const double x = sf * windows[k + l][i].f;
          b[l] = tf * (s1[l] - s0[l]) + (1 - tf) * b[l];
          const double y = (1 - sf) * (s1[l] + b[l]);
          s0[l] = s1[l];
          s1[l] = x + y;
        }
      }
      // Lanes with longer windows finish alone.
      for (size_t l = 0; l < kLanes; ++l) {
        const Points p = windows[k + l];
        for (size_t i = std::max<size_t>(common, 2); i < p.size(); ++i) {
          const double x = sf * p[i].f;
          b[l] = tf * (s1[l] - s0[l]) + (1 - tf) * b[l];
          const double y = (1 - sf) * (s1[l] + b[l]);
          s0[l] = s1[l];
          s1[l] = x + y;
        }
        out[k + l] = s1[l];
      }
    }
  }
  for (; k < windows.size(); ++k) {
    out[k] = DoubleExponentialSmoothing(ctx, windows[k]);
  }
}

struct NamedRangeFunction {
  absl::string_view name;
  RangeFunctionInfo info;
};

// Prometheus 3 drops __name__ from every range function's output except
// first_over_time and last_over_time, which act like an offset.
constexpr NamedRangeFunction kRangeFunctions[] = {
    {"absent_over_time", {AbsentOverTime, false}},
    {"avg_over_time", {AvgOverTime, false}},
    {"changes", {Changes, false, /*uses_series_counts=*/true}},
    {"count_over_time", {CountOverTime, false}},
    {"delta", {Delta, false}},
    {"deriv", {Deriv, false}},
    {"double_exponential_smoothing",
     {DoubleExponentialSmoothing, false, false,
      DoubleExponentialSmoothingBatch}},
    {"first_over_time", {FirstOverTime, true}},
    {"idelta", {Idelta, false}},
    {"increase", {Increase, false, /*uses_series_counts=*/true}},
    {"irate", {Irate, false}},
    {"last_over_time", {LastOverTime, true}},
    {"mad_over_time", {MadOverTime, false}},
    {"max_over_time", {MaxOverTime, false}},
    {"min_over_time", {MinOverTime, false}},
    {"predict_linear", {PredictLinear, false}},
    {"present_over_time", {PresentOverTime, false}},
    {"quantile_over_time", {QuantileOverTime, false}},
    {"rate", {Rate, false, /*uses_series_counts=*/true}},
    {"resets", {Resets, false, /*uses_series_counts=*/true}},
    {"stddev_over_time", {StddevOverTime, false}},
    {"stdvar_over_time", {StdvarOverTime, false}},
    {"sum_over_time", {SumOverTime, false}},
    {"ts_of_first_over_time", {TsOfFirstOverTime, false}},
    {"ts_of_last_over_time", {TsOfLastOverTime, false}},
    {"ts_of_max_over_time", {TsOfMaxOverTime, false}},
    {"ts_of_min_over_time", {TsOfMinOverTime, false}},
};

}  // namespace

void SeriesCounts::Compute(absl::Span<const FPoint> points) {
  changes.resize(points.size());
  resets.resize(points.size());
  uint32_t c = 0;
  uint32_t r = 0;
  changes[0] = 0;
  resets[0] = 0;
  for (size_t i = 1; i < points.size(); ++i) {
    const double prev = points[i - 1].f;
    const double cur = points[i].f;
    if (cur != prev && !(std::isnan(cur) && std::isnan(prev))) ++c;
    if (cur < prev) ++r;
    changes[i] = c;
    resets[i] = r;
  }
}

const RangeFunctionInfo* FindRangeFunction(absl::string_view name) {
  for (const NamedRangeFunction& f : kRangeFunctions) {
    if (f.name == name) return &f.info;
  }
  return nullptr;
}

}  // namespace fraisier::promql
