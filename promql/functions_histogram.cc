// Histogram functions on classic (bucket-series) histograms:
// histogram_quantile, histogram_quantiles and histogram_fraction, as in
// Prometheus's promql/quantile.go. Native histograms are out of scope, so
// histogram_count/sum/avg/stddev/stdvar (native-only in Prometheus) return
// nothing for float input.
//
// Float samples are grouped into histograms by their labels without `le`
// (the metric name included); `le` is each bucket's upper bound, parsed as
// Go's strconv.ParseFloat does. Outputs carry the group's labels and drop
// __name__ lazily (drop_name), so two histograms that differ only in name
// collide when the name goes, as in Prometheus.
#include <algorithm>
#include <cerrno>
#include <cfloat>
#include <cmath>
#include <cstdlib>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "absl/container/flat_hash_map.h"
#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "engine/model/go_quote.h"
#include "engine/model/labels.h"
#include "engine/model/value.h"
#include "promql/eval_functions.h"
#include "promql/functions_internal.h"

namespace fraisier::promql {
namespace {

using functions_internal::AddInfo;
using functions_internal::AddWarning;
using functions_internal::CheckUnique;
using functions_internal::FormatGoG;
using functions_internal::InvalidQuantileWarning;
using functions_internal::ScalarArg;
using functions_internal::StringArg;
using functions_internal::VectorArg;
using functions_internal::VectorFunctionEntry;

constexpr absl::string_view kBucketLabel = "le";

// Relative differences between adjacent buckets below this are taken as
// floating point noise and ignored (Prometheus's smallDeltaTolerance).
constexpr double kSmallDeltaTolerance = 1e-12;

bool IsDigit(char c) { return c >= '0' && c <= '9'; }
bool IsHexDigit(char c) { return absl::ascii_isxdigit(c); }

// Go's strconv.ParseFloat(s, 64): decimal ("1", ".5", "1e3"), hexadecimal
// with a binary exponent ("0x1p-2"), "inf"/"infinity" with an optional sign
// and "nan", case-insensitively. Out-of-range values ("1e400") are errors,
// as in Go. (Go also allows '_' between digits of hexadecimal numbers; that
// is not accepted here.)
std::optional<double> ParseGoFloat(absl::string_view s) {
  absl::string_view rest = s;
  bool negative = false;
  if (!rest.empty() && (rest[0] == '+' || rest[0] == '-')) {
    negative = rest[0] == '-';
    rest.remove_prefix(1);
  }
  if (absl::EqualsIgnoreCase(rest, "inf") ||
      absl::EqualsIgnoreCase(rest, "infinity")) {
    return negative ? -INFINITY : INFINITY;
  }
  if (absl::EqualsIgnoreCase(s, "nan")) return std::nan("");
  // Check the syntax; strtod then does the (correctly rounded) conversion.
  size_t i = 0;
  const bool hex =
      rest.size() >= 2 && rest[0] == '0' && (rest[1] == 'x' || rest[1] == 'X');
  if (hex) i = 2;
  bool digits = false;
  bool dot = false;
  for (; i < rest.size(); ++i) {
    const char c = rest[i];
    if (hex ? IsHexDigit(c) : IsDigit(c)) {
      digits = true;
    } else if (c == '.' && !dot) {
      dot = true;
    } else {
      break;
    }
  }
  if (!digits) return std::nullopt;
  if (i < rest.size() || hex) {
    const char e = i < rest.size() ? absl::ascii_tolower(rest[i]) : '\0';
    if (e != (hex ? 'p' : 'e')) return std::nullopt;
    ++i;
    if (i < rest.size() && (rest[i] == '+' || rest[i] == '-')) ++i;
    const size_t exp_start = i;
    while (i < rest.size() && IsDigit(rest[i])) ++i;
    if (i == exp_start || i != rest.size()) return std::nullopt;
  }
  const std::string text(s);
  errno = 0;
  char* end = nullptr;
  const double v = std::strtod(text.c_str(), &end);
  if (end != text.c_str() + text.size()) return std::nullopt;
  if (errno == ERANGE && std::isinf(v)) return std::nullopt;
  return v;
}

struct Bucket {
  double upper_bound;
  double count;
};

struct ClassicHistogram {
  Labels metric;  // the bucket labels without `le`
  std::vector<Bucket> buckets;
};

std::string BadBucketLabelWarning(absl::string_view metric_name,
                                  absl::string_view le) {
  std::string msg = absl::StrCat(
      "PromQL warning: bucket label \"le\" is missing or has a malformed "
      "value of ",
      GoQuote(le));
  if (!metric_name.empty()) {
    absl::StrAppend(&msg, " for metric name ", GoQuote(metric_name));
  }
  return msg;
}

std::string ForcedMonotonicityInfo(absl::string_view metric_name) {
  std::string msg =
      "PromQL info: input to histogram_quantile needed to be fixed for "
      "monotonicity (see "
      "https://prometheus.io/docs/prometheus/latest/querying/functions/"
      "#histogram_quantile)";
  if (!metric_name.empty()) {
    absl::StrAppend(&msg, " for metric name ", GoQuote(metric_name));
  }
  return msg;
}

// Groups the samples of `in` into classic histograms, in order of first
// appearance. Samples without a parsable `le` are skipped with a warning.
// With a memo, the labels without `le` and the parsed bound of each bucket
// series are derived once per call (entry: output, number = bound, flag =
// `le` parsed).
std::vector<ClassicHistogram> GroupBuckets(const Vector& in,
                                           Annotations* annotations,
                                           DerivedLabelsMemo* memo) {
  std::vector<ClassicHistogram> groups;
  absl::flat_hash_map<Labels, size_t> index;
  LabelsBuilder builder;
  for (const VectorSample& s : in) {
    const DerivedLabelsMemo::Entry* e =
        memo != nullptr ? memo->Find(s.metric) : nullptr;
    DerivedLabelsMemo::Entry fresh;
    if (e == nullptr) {
      std::optional<double> upper = ParseGoFloat(s.metric.Get(kBucketLabel));
      fresh.flag = upper.has_value();
      if (fresh.flag) {
        fresh.number = *upper;
        builder.Reset(s.metric);
        builder.Del(kBucketLabel);
        fresh.output = builder.Build();
      }
      if (memo != nullptr) memo->Insert(s.metric, fresh);
      e = &fresh;
    }
    if (!e->flag) {
      AddWarning(annotations,
                 BadBucketLabelWarning(s.metric.MetricName(),
                                       s.metric.Get(kBucketLabel)));
      continue;
    }
    auto [it, inserted] = index.try_emplace(e->output, groups.size());
    if (inserted) groups.push_back(ClassicHistogram{e->output, {}});
    groups[it->second].buckets.push_back(Bucket{e->number, s.f});
  }
  return groups;
}

void SortBuckets(std::vector<Bucket>* buckets) {
  std::stable_sort(
      buckets->begin(), buckets->end(), [](const Bucket& a, const Bucket& b) {
        // NaN bounds last, to keep the order strict.
        if (std::isnan(a.upper_bound)) return false;
        return std::isnan(b.upper_bound) || a.upper_bound < b.upper_bound;
      });
}

// Merges buckets with the same upper bound (sorted input).
void CoalesceBuckets(std::vector<Bucket>* buckets) {
  size_t out = 0;
  for (size_t i = 1; i < buckets->size(); ++i) {
    if ((*buckets)[i].upper_bound == (*buckets)[out].upper_bound) {
      (*buckets)[out].count += (*buckets)[i].count;
    } else {
      (*buckets)[++out] = (*buckets)[i];
    }
  }
  buckets->resize(out + 1);
}

// Prometheus's util/almost.Equal.
bool AlmostEqual(double a, double b, double epsilon) {
  if (IsStaleNaN(a) || IsStaleNaN(b)) return IsStaleNaN(a) && IsStaleNaN(b);
  if (std::isnan(a) && std::isnan(b)) return true;
  if (a == b) return true;
  const double abs_sum = std::fabs(a) + std::fabs(b);
  const double diff = std::fabs(a - b);
  if (a == 0 || b == 0 || abs_sum < DBL_MIN) return diff < epsilon * DBL_MIN;
  return diff / std::min(abs_sum, DBL_MAX) < epsilon;
}

// Ignores numerically insignificant differences between adjacent buckets
// (either direction), then lifts any remaining decrease to the previous
// count. Returns whether a real decrease had to be lifted.
bool EnsureMonotonic(std::vector<Bucket>* buckets) {
  bool forced = false;
  double prev = (*buckets)[0].count;
  for (size_t i = 1; i < buckets->size(); ++i) {
    const double cur = (*buckets)[i].count;
    if (cur == prev) continue;
    if (AlmostEqual(prev, cur, kSmallDeltaTolerance)) {
      (*buckets)[i].count = prev;
      continue;
    }
    if (cur < prev) {
      (*buckets)[i].count = prev;
      forced = true;
      continue;
    }
    prev = cur;
  }
  return forced;
}

struct QuantileResult {
  double value;
  bool forced_monotonic;
};

// The φ-quantile of a classic histogram, interpolating linearly within the
// bucket it falls in; the lowest bucket starts at 0 when its upper bound is
// positive (else its upper bound is the answer), and a quantile in the +Inf
// bucket is the second-highest upper bound. NaN without a +Inf bucket,
// with fewer than two buckets or no observations.
QuantileResult BucketQuantile(double q, std::vector<Bucket> buckets) {
  if (std::isnan(q)) return {std::nan(""), false};
  if (q < 0) return {-INFINITY, false};
  if (q > 1) return {INFINITY, false};
  SortBuckets(&buckets);
  if (!std::isinf(buckets.back().upper_bound) ||
      buckets.back().upper_bound < 0) {
    return {std::nan(""), false};
  }
  CoalesceBuckets(&buckets);
  const bool forced = EnsureMonotonic(&buckets);
  const size_t n = buckets.size();
  if (n < 2) return {std::nan(""), false};
  const double observations = buckets.back().count;
  if (observations == 0) return {std::nan(""), false};
  double rank = q * observations;
  // Go's sort.Search over the buckets below +Inf.
  size_t lo = 0;
  size_t hi = n - 1;
  while (lo < hi) {
    const size_t mid = (lo + hi) / 2;
    if (!(buckets[mid].count >= rank)) {
      lo = mid + 1;
    } else {
      hi = mid;
    }
  }
  const size_t b = lo;
  if (b == n - 1) return {buckets[n - 2].upper_bound, forced};
  if (b == 0 && buckets[0].upper_bound <= 0) {
    return {buckets[0].upper_bound, forced};
  }
  double start = 0;
  const double end = buckets[b].upper_bound;
  double count = buckets[b].count;
  if (b > 0) {
    start = buckets[b - 1].upper_bound;
    count -= buckets[b - 1].count;
    rank -= buckets[b - 1].count;
  }
  return {start + (end - start) * (rank / count), forced};
}

// The estimated fraction of observations in [lower, upper], interpolating
// linearly within buckets. The lowest bucket starts at 0 when its upper
// bound is positive, else at -Inf; observations in a bucket of infinite
// width count as lying at its infinite end. NaN without a +Inf bucket,
// without observations or for a NaN bound; 0 when lower >= upper.
double BucketFraction(double lower, double upper, std::vector<Bucket> buckets) {
  SortBuckets(&buckets);
  if (!std::isinf(buckets.back().upper_bound) ||
      buckets.back().upper_bound < 0) {
    return std::nan("");
  }
  CoalesceBuckets(&buckets);
  const double count = buckets.back().count;
  if (count == 0 || std::isnan(lower) || std::isnan(upper)) {
    return std::nan("");
  }
  if (lower >= upper) return 0;
  double rank = 0;
  double lower_rank = 0;
  double upper_rank = 0;
  bool lower_set = false;
  bool upper_set = false;
  double lower_bound = buckets[0].upper_bound <= 0 ? -INFINITY : 0;
  for (size_t i = 0; i < buckets.size(); ++i) {
    if (i > 0) lower_bound = buckets[i - 1].upper_bound;
    const double upper_bound = buckets[i].upper_bound;
    const double bucket_count = buckets[i].count;
    auto interpolate = [&](double v) {
      if (std::isinf(lower_bound)) return bucket_count;
      return rank + (bucket_count - rank) * (v - lower_bound) /
                        (upper_bound - lower_bound);
    };
    if (!lower_set && lower_bound >= lower) {
      lower_rank = rank;
      lower_set = true;
    }
    if (!upper_set && lower_bound >= upper) {
      upper_rank = rank;
      upper_set = true;
    }
    if (lower_set && upper_set) break;
    if (!lower_set && lower_bound < lower && upper_bound > lower) {
      lower_rank = interpolate(lower);
      lower_set = true;
    }
    if (!upper_set && lower_bound < upper && upper_bound > upper) {
      upper_rank = interpolate(upper);
      upper_set = true;
    }
    if (lower_set && upper_set) break;
    rank = bucket_count;
  }
  if (!lower_set || lower_rank > count) lower_rank = count;
  if (!upper_set || upper_rank > count) upper_rank = count;
  return (upper_rank - lower_rank) / count;
}

// Go's labels.FormatOpenMetricsFloat: "%g" but always with a '.' or an
// exponent ("1.0", "0.5", "1e-05"), and "0.0", "NaN", "+Inf", "-Inf".
std::string FormatOpenMetricsFloat(double v) {
  if (v == 0) return "0.0";
  std::string s = FormatGoG(v);
  if (std::isnan(v) || std::isinf(v)) return s;
  if (s.find_first_of(".e") == std::string::npos) s += ".0";
  return s;
}

// histogram_quantile(φ, buckets): an invalid φ is flagged (and still
// evaluated: -Inf, +Inf or NaN), even when there are no buckets.
absl::Status HistogramQuantile(const VectorContext& ctx,
                               absl::Span<const Arg> args, Vector* out) {
  absl::StatusOr<double> q = ScalarArg(args, 0);
  if (!q.ok()) return q.status();
  absl::StatusOr<const Vector*> in = VectorArg(args, 1);
  if (!in.ok()) return in.status();
  if (std::isnan(*q) || *q < 0 || *q > 1) {
    AddWarning(ctx.annotations, InvalidQuantileWarning(*q));
  }
  for (ClassicHistogram& h : GroupBuckets(**in, ctx.annotations, ctx.memo)) {
    const QuantileResult r = BucketQuantile(*q, std::move(h.buckets));
    if (r.forced_monotonic) {
      AddInfo(ctx.annotations, ForcedMonotonicityInfo(h.metric.MetricName()));
    }
    out->push_back(VectorSample{std::move(h.metric), ctx.ts, r.value, true});
  }
  return absl::OkStatus();
}

// histogram_quantiles(buckets, label, φ...): one output per histogram and
// φ, with `label` set to φ in OpenMetrics float format.
absl::Status HistogramQuantiles(const VectorContext& ctx,
                                absl::Span<const Arg> args, Vector* out) {
  absl::StatusOr<const Vector*> in = VectorArg(args, 0);
  if (!in.ok()) return in.status();
  absl::StatusOr<absl::string_view> label = StringArg(args, 1);
  if (!label.ok()) return label.status();
  std::vector<double> qs;
  for (size_t i = 2; i < args.size(); ++i) {
    absl::StatusOr<double> q = ScalarArg(args, i);
    if (!q.ok()) return q.status();
    if (std::isnan(*q) || *q < 0 || *q > 1) {
      AddWarning(ctx.annotations, InvalidQuantileWarning(*q));
    }
    qs.push_back(*q);
  }
  const std::vector<ClassicHistogram> groups =
      GroupBuckets(**in, ctx.annotations, ctx.memo);
  LabelsBuilder builder;
  for (double q : qs) {
    const std::string q_text = FormatOpenMetricsFloat(q);
    for (const ClassicHistogram& h : groups) {
      const QuantileResult r = BucketQuantile(q, h.buckets);
      if (r.forced_monotonic) {
        AddInfo(ctx.annotations, ForcedMonotonicityInfo(h.metric.MetricName()));
      }
      builder.Reset(h.metric);
      builder.Set(*label, q_text);
      out->push_back(VectorSample{builder.Build(), ctx.ts, r.value, true});
    }
  }
  return CheckUnique(*out);
}

// histogram_fraction(lower, upper, buckets).
absl::Status HistogramFraction(const VectorContext& ctx,
                               absl::Span<const Arg> args, Vector* out) {
  absl::StatusOr<double> lower = ScalarArg(args, 0);
  if (!lower.ok()) return lower.status();
  absl::StatusOr<double> upper = ScalarArg(args, 1);
  if (!upper.ok()) return upper.status();
  absl::StatusOr<const Vector*> in = VectorArg(args, 2);
  if (!in.ok()) return in.status();
  for (ClassicHistogram& h : GroupBuckets(**in, ctx.annotations, ctx.memo)) {
    const double f = BucketFraction(*lower, *upper, std::move(h.buckets));
    out->push_back(VectorSample{std::move(h.metric), ctx.ts, f, true});
  }
  return absl::OkStatus();
}

// histogram_count, _sum, _avg, _stddev, _stdvar: defined on native
// histograms only; float samples are ignored, so the result is empty.
absl::Status NativeOnly(const VectorContext&, absl::Span<const Arg> args,
                        Vector*) {
  return VectorArg(args, 0).status();
}

constexpr VectorFunctionEntry kHistogramFunctions[] = {
    {"histogram_avg", NativeOnly},
    {"histogram_count", NativeOnly},
    {"histogram_fraction", HistogramFraction},
    {"histogram_quantile", HistogramQuantile},
    {"histogram_quantiles", HistogramQuantiles},
    {"histogram_stddev", NativeOnly},
    {"histogram_stdvar", NativeOnly},
    {"histogram_sum", NativeOnly},
};

}  // namespace

absl::Span<const VectorFunctionEntry> functions_internal::HistogramFunctions() {
  return kHistogramFunctions;
}

}  // namespace fraisier::promql
