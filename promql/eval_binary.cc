// Binary operators: arithmetic, comparisons (filtering or `bool`), set
// operators, and vector matching (one-to-one, many-to-one, one-to-many).
#include <cmath>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "absl/container/flat_hash_map.h"
#include "absl/container/flat_hash_set.h"
#include "absl/strings/str_cat.h"
#include "engine/base/status_macros.h"
#include "promql/evaluator.h"

namespace fraisier::promql::eval_internal {
namespace {

// Applies `op` to two floats; for comparisons `*keep` says whether the
// comparison held (the value is then the left operand).
double Apply(BinaryOp op, double l, double r, bool* keep) {
  *keep = true;
  switch (op) {
    case BinaryOp::kAdd:
      return l + r;
    case BinaryOp::kSub:
      return l - r;
    case BinaryOp::kMul:
      return l * r;
    case BinaryOp::kDiv:
      return l / r;
    case BinaryOp::kMod:
      return std::fmod(l, r);
    case BinaryOp::kPow:
      return std::pow(l, r);
    case BinaryOp::kAtan2:
      return std::atan2(l, r);
    case BinaryOp::kEql:
      *keep = l == r;
      return l;
    case BinaryOp::kNeq:
      *keep = l != r;
      return l;
    case BinaryOp::kGtr:
      *keep = l > r;
      return l;
    case BinaryOp::kLss:
      *keep = l < r;
      return l;
    case BinaryOp::kGte:
      *keep = l >= r;
      return l;
    case BinaryOp::kLte:
      *keep = l <= r;
      return l;
    case BinaryOp::kTrimUpper:
    case BinaryOp::kTrimLower:
      // Trimming applies to native histograms; floats pass through.
      return l;
    default:
      *keep = false;
      return 0;
  }
}

bool DropsName(BinaryOp op, bool return_bool) {
  return !IsComparison(op) || return_bool;
}

// The label set that identifies a match group.
Labels Signature(const Labels& l, const VectorMatching& m) {
  LabelsBuilder b(l);
  if (m.on) {
    b.Keep(m.matching_labels);
  } else {
    b.Del("__name__");
    for (const std::string& name : m.matching_labels) b.Del(name);
  }
  return b.Build();
}

// The labels of a vector-vector result, as Prometheus's resultMetric.
Labels ResultMetric(const Labels& lhs, const Labels& rhs, const BinaryExpr& b) {
  const VectorMatching& m = *b.matching;
  LabelsBuilder lb(lhs);
  if (m.card == Cardinality::kOneToOne) {
    if (m.on) {
      lb.Keep(m.matching_labels);
    } else {
      for (const std::string& name : m.matching_labels) lb.Del(name);
    }
  }
  for (const std::string& name : m.include) {
    absl::string_view v = rhs.Get(name);
    if (v.empty()) {
      lb.Del(name);
    } else {
      lb.Set(name, v);
    }
  }
  return lb.Build();
}

struct SideVector {
  Vector samples;
  std::vector<Labels> sigs;
};

}  // namespace

absl::StatusOr<EvalValue> Evaluator::EvalBinary(const BinaryExpr& b) {
  FR_ASSIGN_OR_RETURN(EvalValue lv, Eval(*b.lhs));
  FR_ASSIGN_OR_RETURN(EvalValue rv, Eval(*b.rhs));
  auto* ls = std::get_if<ScalarSteps>(&lv);
  auto* rs = std::get_if<ScalarSteps>(&rv);
  if (ls != nullptr && rs != nullptr) {
    ScalarSteps out;
    out.values.resize(ls->values.size());
    for (size_t i = 0; i < out.values.size(); ++i) {
      bool keep = true;
      double v = Apply(b.op, ls->values[i], rs->values[i], &keep);
      out.values[i] = IsComparison(b.op) ? (keep ? 1.0 : 0.0) : v;
    }
    return EvalValue(std::move(out));
  }
  if (ls != nullptr || rs != nullptr) {
    // Vector and scalar: the scalar applies to every sample.
    bool scalar_left = ls != nullptr;
    ScalarSteps& scalar = scalar_left ? *ls : *rs;
    Matrix m = std::move(std::get<Matrix>(scalar_left ? rv : lv));
    const bool drop = DropsName(b.op, b.return_bool);
    Matrix out;
    for (RangeSeries& s : m) {
      RangeSeries r;
      r.metric = std::move(s.metric);
      r.drop_name = s.drop_name || drop;
      for (const FPoint& p : s.floats) {
        size_t step = static_cast<size_t>((p.t - start_) / interval_);
        double sv = scalar.values[step];
        double l = scalar_left ? sv : p.f;
        double rr = scalar_left ? p.f : sv;
        bool keep = true;
        double v = Apply(b.op, l, rr, &keep);
        if (IsComparison(b.op)) {
          if (b.return_bool) {
            v = keep ? 1.0 : 0.0;
          } else if (!keep) {
            continue;
          } else {
            v = p.f;  // the vector's own value passes the filter
          }
        }
        r.floats.push_back(FPoint{p.t, v});
      }
      if (!r.floats.empty()) out.push_back(std::move(r));
    }
    return EvalValue(std::move(out));
  }

  // Vector and vector, step by step.
  Matrix& lm = std::get<Matrix>(lv);
  Matrix& rm = std::get<Matrix>(rv);
  const VectorMatching& matching = *b.matching;
  std::vector<Labels> lsig(lm.size()), rsig(rm.size());
  for (size_t i = 0; i < lm.size(); ++i)
    lsig[i] = Signature(lm[i].metric, matching);
  for (size_t i = 0; i < rm.size(); ++i)
    rsig[i] = Signature(rm[i].metric, matching);
  std::vector<size_t> lcur(lm.size(), 0), rcur(rm.size(), 0);
  MatrixBuilder builder;
  const bool one_to_many = matching.card == Cardinality::kOneToMany;
  // Without group_x labels the result labels depend on the "many" side
  // series only: computed once per series.
  const bool cache_result_metric = matching.include.empty();
  std::vector<std::optional<Labels>> result_metric(
      cache_result_metric ? (one_to_many ? rm.size() : lm.size()) : 0);
  for (size_t step = 0; step < num_steps(); ++step) {
    FR_RETURN_IF_ERROR(CheckInterrupt());
    Timestamp ts = StepTime(step);
    // Indices of the series that have a point at this step.
    std::vector<std::pair<size_t, double>> lhs, rhs;
    for (size_t i = 0; i < lm.size(); ++i) {
      auto& p = lm[i].floats;
      while (lcur[i] < p.size() && p[lcur[i]].t < ts) ++lcur[i];
      if (lcur[i] < p.size() && p[lcur[i]].t == ts)
        lhs.push_back({i, p[lcur[i]].f});
    }
    for (size_t i = 0; i < rm.size(); ++i) {
      auto& p = rm[i].floats;
      while (rcur[i] < p.size() && p[rcur[i]].t < ts) ++rcur[i];
      if (rcur[i] < p.size() && p[rcur[i]].t == ts)
        rhs.push_back({i, p[rcur[i]].f});
    }
    if (IsSetOperator(b.op)) {
      absl::flat_hash_set<uint64_t> rsigs;
      for (auto& [i, v] : rhs) rsigs.insert(rsig[i].Hash());
      if (b.op == BinaryOp::kOr) {
        absl::flat_hash_set<uint64_t> lsigs;
        for (auto& [i, v] : lhs) {
          lsigs.insert(lsig[i].Hash());
          builder.Add(VectorSample{lm[i].metric, ts, v, lm[i].drop_name}, ts);
        }
        for (auto& [i, v] : rhs) {
          if (!lsigs.contains(rsig[i].Hash())) {
            builder.Add(VectorSample{rm[i].metric, ts, v, rm[i].drop_name}, ts);
          }
        }
      } else {
        bool want = b.op == BinaryOp::kAnd;
        for (auto& [i, v] : lhs) {
          if (rsigs.contains(lsig[i].Hash()) == want) {
            builder.Add(VectorSample{lm[i].metric, ts, v, lm[i].drop_name}, ts);
          }
        }
      }
      continue;
    }
    // The "one" side is indexed by signature; it must be unique.
    const auto& many = one_to_many ? rhs : lhs;
    const auto& one = one_to_many ? lhs : rhs;
    const Matrix& many_m = one_to_many ? rm : lm;
    const Matrix& one_m = one_to_many ? lm : rm;
    const std::vector<Labels>& many_sig = one_to_many ? rsig : lsig;
    const std::vector<Labels>& one_sig = one_to_many ? lsig : rsig;
    absl::flat_hash_map<uint64_t, size_t> one_by_sig;
    for (size_t k = 0; k < one.size(); ++k) {
      auto [it, inserted] = one_by_sig.emplace(one_sig[one[k].first].Hash(), k);
      if (!inserted) {
        return absl::InvalidArgumentError(absl::StrCat(
            "found duplicate series for the match group ",
            one_sig[one[k].first].ToString(), " on the ",
            one_to_many ? "left" : "right", " hand-side of the operation: [",
            one_m[one[it->second].first].metric.ToString(), ", ",
            one_m[one[k].first].metric.ToString(),
            "];many-to-many matching not allowed: matching labels must be "
            "unique on one side"));
      }
    }
    absl::flat_hash_set<uint64_t> matched;  // one-to-one: many side unique
    absl::flat_hash_set<uint64_t> emitted;  // group_x: unique results
    for (auto& [mi, mv] : many) {
      auto it = one_by_sig.find(many_sig[mi].Hash());
      if (it == one_by_sig.end()) continue;
      auto [oi, ov] = one[it->second];
      double l = one_to_many ? ov : mv;
      double r = one_to_many ? mv : ov;
      // Checked before filtering: a comparison that happens to drop the
      // extra matches is still an ambiguous match.
      if (matching.card == Cardinality::kOneToOne &&
          !matched.insert(many_sig[mi].Hash()).second) {
        return absl::InvalidArgumentError(
            "multiple matches for labels: many-to-one matching must be "
            "explicit (group_left/group_right)");
      }
      bool keep = true;
      double v = Apply(b.op, l, r, &keep);
      if (IsComparison(b.op)) {
        if (b.return_bool) {
          v = keep ? 1.0 : 0.0;
        } else if (!keep) {
          continue;
        }
      }
      const Labels& many_metric = many_m[mi].metric;
      const Labels& one_metric = one_m[oi].metric;
      Labels metric;
      if (cache_result_metric) {
        std::optional<Labels>& cached = result_metric[mi];
        if (!cached.has_value()) {
          cached = ResultMetric(many_metric, one_metric, b);
        }
        metric = *cached;
      } else {
        metric = ResultMetric(many_metric, one_metric, b);
      }
      if (!emitted.insert(metric.Hash()).second) {
        return absl::InvalidArgumentError(
            "multiple matches for labels: grouping labels must ensure unique "
            "matches");
      }
      bool drop = many_m[mi].drop_name || DropsName(b.op, b.return_bool);
      builder.Add(VectorSample{std::move(metric), ts, v, drop}, ts);
    }
  }
  FR_RETURN_IF_ERROR(AddSamples(builder.points()));
  return EvalValue(builder.Take());
}

}  // namespace fraisier::promql::eval_internal
