#include "engine/api/value_json.h"

#include <string>
#include <type_traits>
#include <variant>

#include "engine/api/json.h"

namespace fraisier::api {
namespace {

void AppendPoint(Timestamp t, double v, std::string* out) {
  out->push_back('[');
  AppendSampleTimestamp(t, out);
  out->push_back(',');
  AppendSampleValue(v, out);
  out->push_back(']');
}

void AppendVector(const promql::Vector& vector, std::string* out) {
  out->push_back('[');
  bool first = true;
  for (const promql::VectorSample& s : vector) {
    if (!first) out->push_back(',');
    first = false;
    out->append("{\"metric\":");
    AppendLabelsJson(s.metric, out);
    out->append(",\"value\":");
    AppendPoint(s.t, s.f, out);
    out->push_back('}');
  }
  out->push_back(']');
}

void AppendMatrix(const promql::Matrix& matrix, std::string* out) {
  out->push_back('[');
  bool first = true;
  for (const promql::RangeSeries& s : matrix) {
    if (!first) out->push_back(',');
    first = false;
    out->append("{\"metric\":");
    AppendLabelsJson(s.metric, out);
    out->append(",\"values\":[");
    // Roughly 20 bytes per point; one reservation instead of many doublings.
    out->reserve(out->size() + s.floats.size() * 24);
    for (size_t i = 0; i < s.floats.size(); ++i) {
      if (i > 0) out->push_back(',');
      AppendPoint(s.floats[i].t, s.floats[i].f, out);
    }
    out->append("]}");
  }
  out->push_back(']');
}

// Scalars and strings go through their own MarshalJSON in Prometheus, which
// writes the time as a plain Go float (t/1000).
void AppendScalarTime(Timestamp t, std::string* out) {
  AppendJsonFloat(static_cast<double>(t) / 1000.0, out);
}

void AppendStats(const QueryStatsJson& stats, std::string* out) {
  JsonWriter w(out);
  w.BeginObject();
  w.Key("timings");
  w.BeginObject();
  w.Key("evalTotalTime");
  w.Float(absl::ToDoubleSeconds(stats.eval_total));
  w.Key("resultSortTime");
  w.Float(absl::ToDoubleSeconds(stats.result_sort));
  w.Key("queryPreparationTime");
  w.Float(absl::ToDoubleSeconds(stats.query_preparation));
  w.Key("innerEvalTime");
  w.Float(absl::ToDoubleSeconds(stats.inner_eval));
  w.Key("execQueueTime");
  w.Float(absl::ToDoubleSeconds(stats.exec_queue));
  w.Key("execTotalTime");
  w.Float(absl::ToDoubleSeconds(stats.exec_total));
  w.EndObject();
  w.Key("samples");
  w.BeginObject();
  w.Key("totalQueryableSamples");
  w.Int(stats.total_queryable_samples);
  w.Key("peakSamples");
  w.Int(stats.peak_samples);
  w.EndObject();
  w.EndObject();
}

}  // namespace

absl::string_view ResultTypeName(const promql::Value& value) {
  return std::visit(
      [](const auto& v) -> absl::string_view {
        using T = std::decay_t<decltype(v)>;
        if constexpr (std::is_same_v<T, promql::Scalar>) {
          return "scalar";
        } else if constexpr (std::is_same_v<T, promql::String>) {
          return "string";
        } else if constexpr (std::is_same_v<T, promql::Vector>) {
          return "vector";
        } else {
          return "matrix";
        }
      },
      value);
}

void AppendQueryData(const promql::Value& value, const QueryStatsJson* stats,
                     std::string* out) {
  out->append("{\"resultType\":\"");
  const absl::string_view type = ResultTypeName(value);
  out->append(type.data(), type.size());
  out->append("\",\"result\":");
  if (const auto* vector = std::get_if<promql::Vector>(&value)) {
    AppendVector(*vector, out);
  } else if (const auto* matrix = std::get_if<promql::Matrix>(&value)) {
    AppendMatrix(*matrix, out);
  } else if (const auto* scalar = std::get_if<promql::Scalar>(&value)) {
    out->push_back('[');
    AppendScalarTime(scalar->t, out);
    out->push_back(',');
    AppendScalarValue(scalar->v, out);
    out->push_back(']');
  } else {
    const auto& str = std::get<promql::String>(value);
    out->push_back('[');
    AppendScalarTime(str.t, out);
    out->push_back(',');
    AppendJsonString(str.v, out);
    out->push_back(']');
  }
  if (stats != nullptr) {
    out->append(",\"stats\":");
    AppendStats(*stats, out);
  }
  out->push_back('}');
}

}  // namespace fraisier::api
