#include "engine/cli/query_output.h"

#include <algorithm>
#include <utility>

#include "absl/status/status.h"
#include "absl/strings/str_cat.h"
#include "engine/model/go_quote.h"
#include "nlohmann/json.hpp"

namespace fraisier::cli {
namespace {

// ordered_json keeps the API's key order (resultType before result) in
// --format=json.
using json = nlohmann::ordered_json;

// nlohmann::json throws on a missing key or a wrong type; these accessors
// check first so nothing escapes.
const json* Member(const json& j, const char* key) {
  if (!j.is_object()) return nullptr;
  auto it = j.find(key);
  return it == j.end() ? nullptr : &*it;
}

std::string StringOr(const json* j, absl::string_view fallback) {
  return j != nullptr && j->is_string() ? j->get<std::string>()
                                        : std::string(fallback);
}

std::string Dump(const json& j) {
  return j.dump(-1, ' ', false, json::error_handler_t::replace);
}

// `name{a="x", b="y"}`, as Prometheus prints a metric.
std::string MetricText(const json* metric) {
  std::string name;
  std::vector<std::pair<std::string, std::string>> labels;
  if (metric != nullptr && metric->is_object()) {
    for (auto it = metric->begin(); it != metric->end(); ++it) {
      std::string value = it.value().is_string() ? it.value().get<std::string>()
                                                 : Dump(it.value());
      if (it.key() == "__name__") {
        name = std::move(value);
      } else {
        labels.emplace_back(it.key(), std::move(value));
      }
    }
  }
  std::sort(labels.begin(), labels.end());
  std::string out = name;
  if (!labels.empty() || name.empty()) {
    out += "{";
    for (size_t i = 0; i < labels.size(); ++i) {
      absl::StrAppend(&out, i == 0 ? "" : ", ", labels[i].first, "=",
                      GoQuote(labels[i].second));
    }
    out += "}";
  }
  return out;
}

// A [timestamp, "value"] pair as two cells.
std::pair<std::string, std::string> PointCells(const json& point) {
  if (!point.is_array() || point.size() != 2) return {"?", "?"};
  return {Dump(point[0]),
          point[1].is_string() ? point[1].get<std::string>() : Dump(point[1])};
}

std::string Table(const std::vector<std::vector<std::string>>& rows) {
  std::vector<size_t> width;
  for (const auto& row : rows) {
    width.resize(std::max(width.size(), row.size()), 0);
    for (size_t c = 0; c < row.size(); ++c) {
      width[c] = std::max(width[c], row[c].size());
    }
  }
  std::string out;
  for (const auto& row : rows) {
    for (size_t c = 0; c < row.size(); ++c) {
      out += row[c];
      if (c + 1 < row.size())
        out += std::string(width[c] - row[c].size() + 2, ' ');
    }
    out += "\n";
  }
  return out;
}

absl::StatusOr<std::string> FormatTable(const json& data) {
  const std::string type = StringOr(Member(data, "resultType"), "");
  const json* result = Member(data, "result");
  if (result == nullptr) return absl::InternalError("response without result");
  std::vector<std::vector<std::string>> rows;
  if (type == "vector") {
    rows.push_back({"SERIES", "VALUE"});
    for (const json& sample : *result) {
      const json* point = Member(sample, "value");
      rows.push_back({MetricText(Member(sample, "metric")),
                      point == nullptr ? "?" : PointCells(*point).second});
    }
  } else if (type == "matrix") {
    rows.push_back({"SERIES", "TIMESTAMP", "VALUE"});
    for (const json& series : *result) {
      const std::string metric = MetricText(Member(series, "metric"));
      const json* values = Member(series, "values");
      if (values == nullptr || !values->is_array()) continue;
      for (const json& point : *values) {
        auto [t, v] = PointCells(point);
        rows.push_back({metric, t, v});
      }
    }
  } else if (type == "scalar" || type == "string") {
    auto [t, v] = PointCells(*result);
    rows.push_back({"TIMESTAMP", "VALUE"});
    rows.push_back({t, v});
  } else {
    return absl::InternalError(
        absl::StrCat("unknown resultType \"", type, "\""));
  }
  return Table(rows);
}

}  // namespace

absl::StatusOr<QueryFormat> ParseQueryFormat(absl::string_view text) {
  if (text == "table") return QueryFormat::kTable;
  if (text == "json") return QueryFormat::kJson;
  return absl::InvalidArgumentError(
      absl::StrCat("unknown format \"", text, "\" (expected table or json)"));
}

absl::StatusOr<std::string> FormatQueryResponse(
    absl::string_view body, QueryFormat format,
    std::vector<std::string>* warnings) {
  json doc = json::parse(body.begin(), body.end(), nullptr,
                         /*allow_exceptions=*/false);
  if (doc.is_discarded() || !doc.is_object()) {
    return absl::InternalError(
        absl::StrCat("the server's response is not Prometheus API JSON: ",
                     body.substr(0, 200)));
  }
  if (const json* w = Member(doc, "warnings"); w != nullptr && w->is_array()) {
    for (const json& text : *w)
      warnings->push_back(StringOr(&text, Dump(text)));
  }
  if (StringOr(Member(doc, "status"), "") != "success") {
    return absl::InvalidArgumentError(
        absl::StrCat(StringOr(Member(doc, "errorType"), "error"), ": ",
                     StringOr(Member(doc, "error"), Dump(doc))));
  }
  const json* data = Member(doc, "data");
  if (data == nullptr) return absl::InternalError("response without data");
  if (format == QueryFormat::kJson) return Dump(*data) + "\n";
  return FormatTable(*data);
}

}  // namespace fraisier::cli
