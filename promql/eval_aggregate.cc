// Aggregation operators, evaluated step by step over groups.
#include <algorithm>
#include <cmath>
#include <limits>
#include <string>
#include <utility>
#include <vector>

#include "absl/cleanup/cleanup.h"
#include "absl/container/flat_hash_map.h"
#include "absl/container/inlined_vector.h"
#include "absl/hash/hash.h"
#include "absl/strings/str_cat.h"
#include "absl/types/span.h"
#include "engine/base/status_macros.h"
#include "engine/model/validation.h"
#include "promql/evaluator.h"

namespace fraisier::promql::eval_internal {
namespace {

// Kahan-Babuska-Neumaier summation, as Prometheus uses for sum and avg.
struct KahanSum {
  double sum = 0;
  double c = 0;
  void Add(double v) {
    double t = sum + v;
    if (std::isinf(t)) {
      c = 0;
    } else if (std::fabs(sum) >= std::fabs(v)) {
      c += (sum - t) + v;
    } else {
      c += (v - t) + sum;
    }
    sum = t;
  }
  double Value() const { return sum + c; }
};

// Prometheus's quantile over a set of values (linear interpolation).
double Quantile(double q, std::vector<double> values) {
  if (values.empty() || std::isnan(q)) return std::nan("");
  if (q < 0) return -INFINITY;
  if (q > 1) return INFINITY;
  // NaN sorts first, as Go's sort.Float64s orders it.
  std::sort(values.begin(), values.end(), [](double a, double b) {
    return a < b || (std::isnan(a) && !std::isnan(b));
  });
  double n = static_cast<double>(values.size());
  double rank = q * (n - 1);
  size_t lower = static_cast<size_t>(std::max(0.0, std::floor(rank)));
  size_t upper = static_cast<size_t>(std::min(n - 1, lower + 1.0));
  double weight = rank - std::floor(rank);
  return values[lower] * (1 - weight) + values[upper] * weight;
}

// Whether label `name` is part of the group key of `a`.
bool InGroupKey(absl::string_view name, const AggregateExpr& a) {
  const bool listed =
      std::find(a.grouping.begin(), a.grouping.end(), name) != a.grouping.end();
  return a.without ? !listed && name != kMetricNameLabel : listed;
}

uint64_t HashLabelViews(absl::Span<const Label> labels) {
  uint64_t h = labels.size();
  for (const Label& l : labels) {
    h = absl::HashOf(h, l.name, l.value);
  }
  return h;
}

struct Group {
  Labels labels;
  std::vector<std::pair<size_t, double>> members;  // (series, value)
};

}  // namespace

absl::StatusOr<EvalValue> Evaluator::EvalAggregate(const AggregateExpr& a) {
  ScalarSteps param;
  std::string label_param;
  if (a.param != nullptr) {
    FR_ASSIGN_OR_RETURN(EvalValue pv, Eval(*a.param));
    if (auto* s = std::get_if<ScalarSteps>(&pv)) {
      param = std::move(*s);
    } else if (auto* str = std::get_if<String>(&pv)) {
      label_param = str->v;
    }
  }
  if (a.op == AggregateOp::kCountValues &&
      !IsValidLabelName(label_param, NameValidation::kUtf8)) {
    return absl::InvalidArgumentError(
        absl::StrCat("invalid label name \"", label_param, "\""));
  }
  FR_ASSIGN_OR_RETURN(EvalValue inner, Eval(*a.expr));
  Matrix& m = std::get<Matrix>(inner);
  // Group membership is per series, computed once, from views of each
  // series' key labels (all in one buffer): a Labels is built per group,
  // not per series.
  std::vector<Label> key_views;
  std::vector<size_t> key_begin(m.size() + 1, 0);
  std::vector<uint64_t> group_hash(m.size());
  for (size_t i = 0; i < m.size(); ++i) {
    key_begin[i] = key_views.size();
    for (const Label l : m[i].metric) {
      if (InGroupKey(l.name, a)) key_views.push_back(l);
    }
    key_begin[i + 1] = key_views.size();
  }
  const auto key_of = [&](size_t i) {
    return absl::MakeConstSpan(key_views).subspan(
        key_begin[i], key_begin[i + 1] - key_begin[i]);
  };
  for (size_t i = 0; i < m.size(); ++i)
    group_hash[i] = HashLabelViews(key_of(i));
  const bool by_name =
      !a.without && std::find(a.grouping.begin(), a.grouping.end(),
                              "__name__") != a.grouping.end();
  if (a.op == AggregateOp::kQuantile && !param.values.empty()) {
    for (double q : param.values) {
      if (std::isnan(q) || q < 0 || q > 1) {
        annotations_->AddWarning(absl::StrCat(
            "PromQL warning: quantile value should be between 0 and 1, got ",
            FormatValueLabel(q)));
        break;
      }
    }
  }
  // Dense group ids, assigned once per query: group_of[i] indexes groups.
  std::vector<Group> groups;
  std::vector<size_t> group_of(m.size());
  {
    // group id -> a member whose key views stand for the group's key.
    std::vector<size_t> representative;
    absl::flat_hash_map<uint64_t, absl::InlinedVector<size_t, 1>> by_hash;
    std::vector<LabelPair> pairs;
    for (size_t i = 0; i < m.size(); ++i) {
      auto& slots = by_hash[group_hash[i]];
      const absl::Span<const Label> key = key_of(i);
      size_t id = groups.size();
      for (size_t g : slots) {
        const absl::Span<const Label> other = key_of(representative[g]);
        if (std::equal(key.begin(), key.end(), other.begin(), other.end())) {
          id = g;
          break;
        }
      }
      if (id == groups.size()) {
        slots.push_back(id);
        representative.push_back(i);
        pairs.clear();
        for (const Label& l : key) pairs.emplace_back(l.name, l.value);
        // A subset of a sorted, unique label set is sorted and unique too.
        groups.push_back(Group{Labels::FromSortedUnique(pairs), {}});
      }
      group_of[i] = id;
    }
  }
  std::vector<size_t> step_groups;  // groups present at a step, in order
  std::vector<size_t> cursors(m.size(), 0);
  MatrixBuilder builder;
  for (size_t step = 0; step < num_steps(); ++step) {
    FR_RETURN_IF_ERROR(CheckInterrupt());
    Timestamp ts = StepTime(step);
    double p = param.values.empty() ? 0 : param.values[step];
    if ((a.op == AggregateOp::kTopk || a.op == AggregateOp::kBottomk ||
         a.op == AggregateOp::kLimitk) &&
        std::isnan(p)) {
      return absl::InvalidArgumentError("Parameter value is NaN");
    }
    if (a.op == AggregateOp::kLimitRatio && std::isnan(p)) {
      return absl::InvalidArgumentError("Ratio value is NaN");
    }
    step_groups.clear();
    for (size_t i = 0; i < m.size(); ++i) {
      auto& pts = m[i].floats;
      while (cursors[i] < pts.size() && pts[cursors[i]].t < ts) ++cursors[i];
      if (cursors[i] >= pts.size() || pts[cursors[i]].t != ts) continue;
      Group& g = groups[group_of[i]];
      if (g.members.empty()) step_groups.push_back(group_of[i]);
      g.members.push_back({i, pts[cursors[i]].f});
    }
    for (size_t group_id : step_groups) {
      Group& g = groups[group_id];
      // Members are this step's only; the group is reused at the next.
      absl::Cleanup clear_members = [&g] { g.members.clear(); };
      // Grouping by __name__ keeps a name the inputs were due to drop; the
      // result then drops it too (Prometheus 3's delayed name removal).
      bool drop_name = false;
      if (by_name) {
        for (auto& [i, v] : g.members) drop_name |= m[i].drop_name;
      }
      auto emit = [&](double v) {
        builder.Add(VectorSample{g.labels, ts, v, drop_name}, ts);
      };
      switch (a.op) {
        case AggregateOp::kSum: {
          KahanSum s;
          for (auto& [i, v] : g.members) s.Add(v);
          emit(s.Value());
          break;
        }
        case AggregateOp::kAvg: {
          KahanSum s;
          for (auto& [i, v] : g.members) s.Add(v);
          double n = static_cast<double>(g.members.size());
          double sum = s.Value();
          if (std::isinf(sum)) {
            // The sum overflowed or met an Inf: an incremental mean, which
            // keeps an infinite mean unless an opposite Inf or NaN arrives.
            double mean = 0;
            double count = 0;
            for (auto& [i, v] : g.members) {
              count += 1;
              if (std::isinf(mean) &&
                  ((std::isinf(v) && (mean > 0) == (v > 0)) ||
                   (!std::isinf(v) && !std::isnan(v)))) {
                continue;
              }
              mean += v / count - mean / count;
            }
            emit(mean);
          } else {
            emit(sum / n);
          }
          break;
        }
        case AggregateOp::kCount:
          emit(static_cast<double>(g.members.size()));
          break;
        case AggregateOp::kGroup:
          emit(1);
          break;
        case AggregateOp::kMin:
        case AggregateOp::kMax: {
          double best = g.members[0].second;
          for (auto& [i, v] : g.members) {
            if (std::isnan(best) ||
                (a.op == AggregateOp::kMin ? v < best : v > best)) {
              best = v;
            }
          }
          emit(best);
          break;
        }
        case AggregateOp::kStddev:
        case AggregateOp::kStdvar: {
          double count = 0, mean = 0, m2 = 0;
          for (auto& [i, v] : g.members) {
            count += 1;
            double delta = v - mean;
            mean += delta / count;
            m2 += delta * (v - mean);
          }
          double var = m2 / count;
          emit(a.op == AggregateOp::kStdvar ? var : std::sqrt(var));
          break;
        }
        case AggregateOp::kQuantile: {
          std::vector<double> values;
          for (auto& [i, v] : g.members) values.push_back(v);
          emit(Quantile(p, std::move(values)));
          break;
        }
        case AggregateOp::kCountValues: {
          absl::flat_hash_map<std::string, double> counts;
          std::vector<std::string> order;
          for (auto& [i, v] : g.members) {
            std::string key = FormatValueLabel(v);
            if (counts[key]++ == 0) order.push_back(key);
          }
          for (const std::string& key : order) {
            LabelsBuilder lb(g.labels);
            lb.Set(label_param, key);
            builder.Add(VectorSample{lb.Build(), ts, counts[key], drop_name},
                        ts);
          }
          break;
        }
        case AggregateOp::kTopk:
        case AggregateOp::kBottomk: {
          if (p < 1) break;
          size_t k = p >= static_cast<double>(g.members.size())
                         ? g.members.size()
                         : static_cast<size_t>(p);
          bool top = a.op == AggregateOp::kTopk;
          // NaN sorts last for both directions, as Prometheus.
          std::stable_sort(g.members.begin(), g.members.end(),
                           [top](const auto& x, const auto& y) {
                             if (std::isnan(x.second)) return false;
                             if (std::isnan(y.second)) return true;
                             return top ? x.second > y.second
                                        : x.second < y.second;
                           });
          for (size_t j = 0; j < k; ++j) {
            size_t i = g.members[j].first;
            builder.Add(VectorSample{m[i].metric, ts, g.members[j].second,
                                     m[i].drop_name},
                        ts);
          }
          break;
        }
        case AggregateOp::kLimitk: {
          if (p < 1) break;
          size_t k = p >= static_cast<double>(g.members.size())
                         ? g.members.size()
                         : static_cast<size_t>(p);
          for (size_t j = 0; j < k; ++j) {
            size_t i = g.members[j].first;
            builder.Add(VectorSample{m[i].metric, ts, g.members[j].second,
                                     m[i].drop_name},
                        ts);
          }
          break;
        }
        case AggregateOp::kLimitRatio: {
          double ratio = std::clamp(p, -1.0, 1.0);
          for (auto& [i, v] : g.members) {
            // A stable per-series choice: the same series are kept at every
            // step, and limit_ratio(r) and limit_ratio(r-1) complement.
            double h =
                static_cast<double>(m[i].metric.Hash()) /
                static_cast<double>(std::numeric_limits<uint64_t>::max());
            bool keep = ratio >= 0 ? h < ratio : h >= 1 + ratio;
            if (keep) {
              builder.Add(VectorSample{m[i].metric, ts, v, m[i].drop_name}, ts);
            }
          }
          break;
        }
      }
    }
  }
  FR_RETURN_IF_ERROR(AddSamples(builder.points()));
  return EvalValue(builder.Take());
}

}  // namespace fraisier::promql::eval_internal
