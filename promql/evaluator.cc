#include "promql/evaluator.h"

#include <algorithm>
#include <cmath>
#include <iterator>
#include <utility>

#include "absl/strings/str_cat.h"
#include "engine/base/status_macros.h"
#include "promql/printer.h"

namespace fraisier::promql::eval_internal {

void MatrixBuilder::Add(const VectorSample& s, Timestamp ts) {
  uint64_t key = s.metric.Hash() ^ (s.drop_name ? 0x9e3779b97f4a7c15ULL : 0);
  std::vector<size_t>& slots = index_[key];
  for (size_t i : slots) {
    RangeSeries& series = matrix_[i];
    if (series.drop_name == s.drop_name && series.metric == s.metric) {
      series.floats.push_back(FPoint{ts, s.f});
      ++points_;
      return;
    }
  }
  slots.push_back(matrix_.size());
  matrix_.push_back(RangeSeries{s.metric, {FPoint{ts, s.f}}, s.drop_name});
  ++points_;
}

void VectorAt(const Matrix& m, Timestamp ts, std::vector<size_t>* cursors,
              Vector* out) {
  out->clear();
  for (size_t i = 0; i < m.size(); ++i) {
    const std::vector<FPoint>& points = m[i].floats;
    size_t& c = (*cursors)[i];
    while (c < points.size() && points[c].t < ts) ++c;
    if (c < points.size() && points[c].t == ts) {
      out->push_back(
          VectorSample{m[i].metric, ts, points[c].f, m[i].drop_name});
    }
  }
}

namespace {

Labels WithoutName(const Labels& l) {
  LabelsBuilder b(l);
  b.Del("__name__");
  return b.Build();
}

}  // namespace

absl::Status FinalizeMatrix(Matrix* m) {
  bool any = false;
  for (RangeSeries& s : *m) {
    if (s.drop_name) {
      s.metric = WithoutName(s.metric);
      s.drop_name = false;
      any = true;
    }
  }
  if (!any) return absl::OkStatus();
  // Dropping names may give two series the same labels. Prometheus merges
  // them when their points never share a timestamp and fails otherwise.
  absl::flat_hash_map<uint64_t, std::vector<size_t>> seen;
  std::vector<bool> merged(m->size(), false);
  for (size_t i = 0; i < m->size(); ++i) {
    std::vector<size_t>& slots = seen[(*m)[i].metric.Hash()];
    size_t target = m->size();
    for (size_t j : slots) {
      if ((*m)[j].metric == (*m)[i].metric) target = j;
    }
    if (target == m->size()) {
      slots.push_back(i);
      continue;
    }
    std::vector<FPoint>& into = (*m)[target].floats;
    std::vector<FPoint> combined;
    combined.reserve(into.size() + (*m)[i].floats.size());
    std::merge(into.begin(), into.end(), (*m)[i].floats.begin(),
               (*m)[i].floats.end(), std::back_inserter(combined),
               [](const FPoint& a, const FPoint& b) { return a.t < b.t; });
    for (size_t k = 1; k < combined.size(); ++k) {
      if (combined[k].t == combined[k - 1].t) {
        return absl::InvalidArgumentError(
            "vector cannot contain metrics with the same labelset");
      }
    }
    into = std::move(combined);
    merged[i] = true;
  }
  size_t out = 0;
  for (size_t i = 0; i < m->size(); ++i) {
    if (merged[i]) continue;
    if (out != i) (*m)[out] = std::move((*m)[i]);
    ++out;
  }
  m->resize(out);
  return absl::OkStatus();
}

absl::Status FinalizeVector(Vector* v) {
  bool any = false;
  for (VectorSample& s : *v) {
    if (s.drop_name) {
      s.metric = WithoutName(s.metric);
      s.drop_name = false;
      any = true;
    }
  }
  if (!any) return absl::OkStatus();
  absl::flat_hash_map<uint64_t, std::vector<size_t>> seen;
  for (size_t i = 0; i < v->size(); ++i) {
    std::vector<size_t>& slots = seen[(*v)[i].metric.Hash()];
    for (size_t j : slots) {
      if ((*v)[j].metric == (*v)[i].metric) {
        return absl::InvalidArgumentError(
            "vector cannot contain metrics with the same labelset");
      }
    }
    slots.push_back(i);
  }
  return absl::OkStatus();
}

std::string FormatValueLabel(double v) { return FormatGoFloat(v); }

absl::Status Evaluator::CheckInterrupt() {
  if (cancel_ != nullptr && cancel_->cancelled.load()) {
    return absl::CancelledError("query was canceled");
  }
  if (options_.clock != nullptr && (++checks_ & 63) == 0 &&
      options_.clock->Now() > deadline_) {
    return absl::DeadlineExceededError(
        "query timed out in expression evaluation");
  }
  return absl::OkStatus();
}

absl::Status Evaluator::AddSamples(int64_t n) {
  current_samples_ += n;
  if (current_samples_ > stats_->peak_samples) {
    stats_->peak_samples = current_samples_;
  }
  if (current_samples_ > options_.max_samples) {
    return absl::ResourceExhaustedError(
        "query processing would load too many samples into memory in query "
        "execution");
  }
  return absl::OkStatus();
}

Timestamp Evaluator::EffectiveTime(const TimeModifiers& m, Timestamp ts) const {
  Timestamp t = ts;
  if (m.at_ms.has_value()) {
    t = *m.at_ms;
  } else if (m.at_modifier == AtModifier::kStart) {
    t = query_.start;
  } else if (m.at_modifier == AtModifier::kEnd) {
    t = query_.end;
  }
  return t - m.offset_ms;
}

absl::StatusOr<EvalValue> Evaluator::Eval(const Expr& e) {
  FR_RETURN_IF_ERROR(CheckInterrupt());
  switch (e.kind()) {
    case NodeKind::kNumberLiteral: {
      double v = static_cast<const NumberLiteral&>(e).value;
      return EvalValue(ScalarSteps{std::vector<double>(num_steps(), v)});
    }
    case NodeKind::kStringLiteral:
      return EvalValue(
          String{start_, static_cast<const StringLiteral&>(e).value});
    case NodeKind::kParen:
      return Eval(*static_cast<const ParenExpr&>(e).expr);
    case NodeKind::kUnary:
      return EvalUnary(static_cast<const UnaryExpr&>(e));
    case NodeKind::kVectorSelector:
      return EvalVectorSelector(static_cast<const VectorSelector&>(e),
                                /*timestamps=*/false);
    case NodeKind::kMatrixSelector:
    case NodeKind::kSubquery:
      return EvalMatrixTopLevel(e);
    case NodeKind::kCall:
      return EvalCall(static_cast<const Call&>(e));
    case NodeKind::kAggregate:
      return EvalAggregate(static_cast<const AggregateExpr&>(e));
    case NodeKind::kBinary:
      return EvalBinary(static_cast<const BinaryExpr&>(e));
  }
  return absl::InternalError("unknown expression kind");
}

absl::StatusOr<EvalValue> Evaluator::EvalUnary(const UnaryExpr& u) {
  FR_ASSIGN_OR_RETURN(EvalValue inner, Eval(*u.expr));
  if (!u.negate) return inner;
  if (auto* scalar = std::get_if<ScalarSteps>(&inner)) {
    for (double& v : scalar->values) v = -v;
    return inner;
  }
  Matrix& m = std::get<Matrix>(inner);
  for (RangeSeries& s : m) {
    for (FPoint& p : s.floats) p.f = -p.f;
    s.drop_name = true;
  }
  return inner;
}

}  // namespace fraisier::promql::eval_internal
