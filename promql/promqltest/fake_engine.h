// A stand-in QueryEngine for the runner's tests: it evaluates number and
// string literals, vector selectors (5m lookback, stale markers, offset and
// @) and matrix selectors, and builds range queries from instant steps.
// Tests hook `instant_override` to return canned results or errors for
// particular queries.
#ifndef PROMQL_PROMQLTEST_FAKE_ENGINE_H_
#define PROMQL_PROMQLTEST_FAKE_ENGINE_H_

#include <atomic>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <utility>

#include "absl/status/statusor.h"
#include "absl/strings/str_cat.h"
#include "engine/model/value.h"
#include "engine/storage/storage.h"
#include "promql/printer.h"
#include "promql/promqltest/runner.h"

namespace fraisier::promql::promqltest {

class FakeEngine final : public QueryEngine {
 public:
  // Called first with the query's printed text; a value is the answer.
  std::function<std::optional<absl::StatusOr<QueryResult>>(
      const std::string& text, Timestamp ts)>
      instant_override;
  std::atomic<int> instant_calls{0};
  std::atomic<int> range_calls{0};

  absl::StatusOr<QueryResult> InstantQuery(storage::Queryable& q,
                                           const Expr& expr,
                                           Timestamp ts) override {
    ++instant_calls;
    if (instant_override) {
      if (auto r = instant_override(Format(expr), ts)) return *r;
    }
    QueryResult result;
    absl::StatusOr<Value> v = Eval(q, expr, ts);
    if (!v.ok()) return v.status();
    result.value = *std::move(v);
    return result;
  }

  absl::StatusOr<QueryResult> RangeQuery(storage::Queryable& q,
                                         const Expr& expr, Timestamp start,
                                         Timestamp end,
                                         int64_t step_ms) override {
    ++range_calls;
    if (step_ms <= 0) return absl::InvalidArgumentError("zero step");
    std::map<Labels, RangeSeries> series;
    QueryResult out;
    for (Timestamp t = start; t <= end; t += step_ms) {
      absl::StatusOr<QueryResult> r = InstantQuery(q, expr, t);
      if (!r.ok()) return r.status();
      out.annotations.warnings.insert(out.annotations.warnings.end(),
                                      r->annotations.warnings.begin(),
                                      r->annotations.warnings.end());
      if (auto* s = std::get_if<Scalar>(&r->value)) {
        series[Labels()].floats.push_back({t, s->v});
      } else if (auto* v = std::get_if<Vector>(&r->value)) {
        for (const VectorSample& s : *v) {
          RangeSeries& rs = series[s.metric];
          rs.metric = s.metric;
          rs.floats.push_back({t, s.f});
        }
      } else {
        return absl::InvalidArgumentError(
            "invalid expression type for range query");
      }
    }
    Matrix m;
    for (auto& [labels, s] : series) m.push_back(std::move(s));
    out.value = std::move(m);
    return out;
  }

 private:
  static absl::StatusOr<std::vector<std::pair<Labels, std::vector<Sample>>>>
  Select(storage::Queryable& q, const VectorSelector& vs, Timestamp mint,
         Timestamp maxt) {
    auto querier = q.NewQuerier(mint, maxt);
    if (!querier.ok()) return querier.status();
    auto set = (*querier)->Select(true, nullptr, vs.matchers);
    std::vector<std::pair<Labels, std::vector<Sample>>> out;
    while (set->Next()) {
      std::vector<Sample> samples;
      auto it = set->At().Iterator();
      while (it->Next()) samples.push_back(it->At());
      out.emplace_back(set->At().labels(), std::move(samples));
    }
    return out;
  }

  static Timestamp RefTime(const TimeModifiers& m, Timestamp ts) {
    return (m.at_ms.has_value() ? *m.at_ms : ts) - m.offset_ms;
  }

  absl::StatusOr<Value> Eval(storage::Queryable& q, const Expr& expr,
                             Timestamp ts) {
    switch (expr.kind()) {
      case NodeKind::kNumberLiteral:
        return Value(Scalar{ts, static_cast<const NumberLiteral&>(expr).value});
      case NodeKind::kStringLiteral:
        return Value(String{ts, static_cast<const StringLiteral&>(expr).value});
      case NodeKind::kParen:
        return Eval(q, *static_cast<const ParenExpr&>(expr).expr, ts);
      case NodeKind::kVectorSelector: {
        const auto& vs = static_cast<const VectorSelector&>(expr);
        const Timestamp t = RefTime(vs.modifiers, ts);
        auto sel = Select(q, vs, t - 5 * 60'000 + 1, t);
        if (!sel.ok()) return sel.status();
        Vector out;
        for (auto& [labels, samples] : *sel) {
          if (samples.empty() || IsStaleNaN(samples.back().v)) continue;
          out.push_back({labels, ts, samples.back().v, false});
        }
        return Value(std::move(out));
      }
      case NodeKind::kMatrixSelector: {
        const auto& ms = static_cast<const MatrixSelector&>(expr);
        const Timestamp t = RefTime(ms.selector->modifiers, ts);
        auto sel = Select(q, *ms.selector, t - ms.range_ms + 1, t);
        if (!sel.ok()) return sel.status();
        Matrix out;
        for (auto& [labels, samples] : *sel) {
          RangeSeries rs{labels, {}, false};
          for (const Sample& s : samples) {
            if (!IsStaleNaN(s.v)) rs.floats.push_back({s.t, s.v});
          }
          if (!rs.floats.empty()) out.push_back(std::move(rs));
        }
        return Value(std::move(out));
      }
      default:
        return absl::UnimplementedError(
            absl::StrCat("fake engine cannot evaluate ", Format(expr)));
    }
  }
};

}  // namespace fraisier::promql::promqltest

#endif  // PROMQL_PROMQLTEST_FAKE_ENGINE_H_
