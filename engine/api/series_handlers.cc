// /api/v1/series, /api/v1/labels, /api/v1/label/<name>/values and
// /api/v1/metadata.
#include <algorithm>
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "absl/container/btree_set.h"
#include "absl/status/status.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/strip.h"
#include "engine/api/handlers.h"
#include "engine/api/json.h"
#include "engine/api/params.h"
#include "engine/model/go_quote.h"
#include "engine/model/labels.h"
#include "engine/model/matcher.h"
#include "engine/model/utf8.h"
#include "promql/parser.h"

namespace fraisier::api::internal {
namespace {

constexpr absl::string_view kTruncated = "results truncated due to limit";

// Go's strconv.Atoi with its error texts.
absl::StatusOr<int64_t> GoAtoi(absl::string_view s) {
  auto error = [s](absl::string_view why) {
    return absl::InvalidArgumentError(
        absl::StrCat("strconv.Atoi: parsing ", GoQuote(s), ": ", why));
  };
  size_t i = 0;
  bool negative = false;
  if (i < s.size() && (s[i] == '+' || s[i] == '-')) negative = s[i++] == '-';
  if (i == s.size()) return error("invalid syntax");
  uint64_t v = 0;
  bool overflow = false;
  for (; i < s.size(); ++i) {
    if (s[i] < '0' || s[i] > '9') return error("invalid syntax");
    if (v > (uint64_t{1} << 63) / 10) overflow = true;
    v = v * 10 + static_cast<uint64_t>(s[i] - '0');
    if (v > (uint64_t{1} << 63)) overflow = true;
  }
  if (overflow || (!negative && v == (uint64_t{1} << 63))) {
    return error("value out of range");
  }
  return negative ? static_cast<int64_t>(~v + 1) : static_cast<int64_t>(v);
}

// Prometheus 3's parseLimitParam: absent is 0 (no limit).
absl::StatusOr<int64_t> LimitParam(const Request& request) {
  const absl::string_view value = FormValue(request.params, "limit");
  if (value.empty()) return 0;
  absl::StatusOr<int64_t> limit = GoAtoi(value);
  if (!limit.ok()) return limit.status();
  if (*limit < 0)
    return absl::InvalidArgumentError("limit must be non-negative");
  return limit;
}

// Prometheus's parseMatchersParam: each match[] is a selector, and each
// must have a matcher that does not match the empty string.
absl::StatusOr<std::vector<std::vector<Matcher>>> MatcherSets(
    const Request& request) {
  std::vector<std::vector<Matcher>> sets;
  for (absl::string_view s : FormValues(request.params, "match[]")) {
    absl::StatusOr<std::vector<Matcher>> set = promql::ParseMetricSelector(s);
    if (!set.ok()) return set.status();
    sets.push_back(*std::move(set));
  }
  for (const std::vector<Matcher>& set : sets) {
    if (std::none_of(set.begin(), set.end(),
                     [](const Matcher& m) { return !m.MatchesEmpty(); })) {
      return absl::InvalidArgumentError(
          "match[] must contain at least one non-empty matcher");
    }
  }
  return sets;
}

struct TimeRange {
  Timestamp start;
  Timestamp end;
};

// The optional start/end of the metadata endpoints; errors carry the whole
// bad_data message.
absl::StatusOr<TimeRange> StartEnd(const Request& request) {
  absl::StatusOr<absl::Time> start =
      ParseTimeParam(request.params, "start", MinApiTime());
  if (!start.ok()) {
    return absl::InvalidArgumentError(
        InvalidParamError("start", start.status().message()).message);
  }
  absl::StatusOr<absl::Time> end =
      ParseTimeParam(request.params, "end", MaxApiTime());
  if (!end.ok()) {
    return absl::InvalidArgumentError(
        InvalidParamError("end", end.status().message()).message);
  }
  return TimeRange{ApiTimestamp(*start), ApiTimestamp(*end)};
}

ApiError BadData(const absl::Status& status) {
  return ApiError{ErrorType::kBadData, std::string(status.message())};
}

ApiError ExecutionError(const absl::Status& status) {
  return ApiError{ErrorType::kExecution, std::string(status.message())};
}

// A sorted string list as data, cut to `limit` (0: all) with Prometheus's
// warning.
Response StringListResponse(std::vector<std::string> values, int64_t limit) {
  std::vector<std::string> warnings;
  if (limit > 0 && values.size() > static_cast<size_t>(limit)) {
    values.resize(limit);
    warnings.emplace_back(kTruncated);
  }
  std::string body = BeginSuccess();
  JsonWriter w(&body);
  w.BeginArray();
  for (const std::string& v : values) w.String(v);
  w.EndArray();
  return FinishSuccess(std::move(body), warnings);
}

// Prometheus 3's model.UnescapeName for the "U__" value-encoding escape
// that UTF-8-aware clients use in URL paths: "__" is "_", "_<hex>_" a code
// point. Anything malformed leaves the name as it was.
std::string UnescapeLabelName(absl::string_view name) {
  if (!absl::ConsumePrefix(&name, "U__")) return std::string(name);
  const std::string original = absl::StrCat("U__", name);
  std::string out;
  for (size_t i = 0; i < name.size(); ++i) {
    if (name[i] != '_') {
      out.push_back(name[i]);
      continue;
    }
    if (++i >= name.size()) return original;
    if (name[i] == '_') {
      out.push_back('_');
      continue;
    }
    uint32_t code = 0;
    size_t digits = 0;
    for (; i < name.size() && name[i] != '_'; ++i, ++digits) {
      const char c = name[i] | 0x20;  // lower case
      if (digits >= 6) return original;
      if (c >= '0' && c <= '9') {
        code = code * 16 + static_cast<uint32_t>(c - '0');
      } else if (c >= 'a' && c <= 'f') {
        code = code * 16 + static_cast<uint32_t>(c - 'a' + 10);
      } else {
        return original;
      }
    }
    if (i >= name.size()) return original;  // no closing underscore
    if (code > kMaxRune || (code >= 0xD800 && code <= 0xDFFF)) {
      return original;
    }
    AppendUtf8(static_cast<char32_t>(code), &out);
  }
  return out;
}

}  // namespace

Response HandleSeries(const ApiOptions& options, const Request& request) {
  if (FormValues(request.params, "match[]").empty()) {
    return ErrorResponse(
        ApiError{ErrorType::kBadData, "no match[] parameter provided"});
  }
  absl::StatusOr<TimeRange> range = StartEnd(request);
  if (!range.ok()) return ErrorResponse(BadData(range.status()));
  absl::StatusOr<std::vector<std::vector<Matcher>>> sets = MatcherSets(request);
  if (!sets.ok()) {
    return ErrorResponse(InvalidParamError("match[]", sets.status().message()));
  }
  absl::StatusOr<int64_t> limit = LimitParam(request);
  if (!limit.ok()) {
    return ErrorResponse(InvalidParamError("limit", limit.status().message()));
  }
  std::vector<Labels> series;
  if (range->start <= range->end) {
    absl::StatusOr<std::unique_ptr<storage::Querier>> querier =
        options.storage->NewQuerier(range->start, range->end);
    if (!querier.ok()) return ErrorResponse(ExecutionError(querier.status()));
    storage::SelectHints hints;
    hints.start = range->start;
    hints.end = range->end;
    hints.func = "series";  // Prometheus's token for "no samples needed"
    for (const std::vector<Matcher>& set : *sets) {
      std::unique_ptr<storage::SeriesSet> selected =
          (*querier)->Select(true, &hints, set);
      while (selected->Next()) series.push_back(selected->At().labels());
      if (!selected->status().ok()) {
        return ErrorResponse(ExecutionError(selected->status()));
      }
    }
  }
  // Several match[] may select the same series; Prometheus merges them.
  std::sort(series.begin(), series.end());
  series.erase(std::unique(series.begin(), series.end()), series.end());
  std::vector<std::string> warnings;
  if (*limit > 0 && series.size() > static_cast<size_t>(*limit)) {
    series.resize(*limit);
    warnings.emplace_back(kTruncated);
  }
  std::string body = BeginSuccess();
  body.push_back('[');
  for (size_t i = 0; i < series.size(); ++i) {
    if (i > 0) body.push_back(',');
    AppendLabelsJson(series[i], &body);
  }
  body.push_back(']');
  return FinishSuccess(std::move(body), warnings);
}

Response HandleLabels(const ApiOptions& options, const Request& request) {
  absl::StatusOr<TimeRange> range = StartEnd(request);
  if (!range.ok()) return ErrorResponse(BadData(range.status()));
  absl::StatusOr<std::vector<std::vector<Matcher>>> sets = MatcherSets(request);
  // Unlike /series, Prometheus reports these without the parameter name.
  if (!sets.ok()) {
    return ErrorResponse(BadData(sets.status()));
  }
  absl::StatusOr<int64_t> limit = LimitParam(request);
  if (!limit.ok()) {
    return ErrorResponse(InvalidParamError("limit", limit.status().message()));
  }
  absl::btree_set<std::string> names;
  if (range->start <= range->end) {
    absl::StatusOr<std::unique_ptr<storage::Querier>> querier =
        options.storage->NewQuerier(range->start, range->end);
    if (!querier.ok()) return ErrorResponse(ExecutionError(querier.status()));
    if (sets->empty()) sets->emplace_back();  // all series
    for (const std::vector<Matcher>& set : *sets) {
      absl::StatusOr<std::vector<std::string>> found =
          (*querier)->LabelNames(set);
      if (!found.ok()) return ErrorResponse(ExecutionError(found.status()));
      names.insert(found->begin(), found->end());
    }
  }
  return StringListResponse({names.begin(), names.end()}, *limit);
}

Response HandleLabelValues(const ApiOptions& options, const Request& request,
                           absl::string_view raw_name) {
  const std::optional<std::string> unescaped = PathUnescape(raw_name);
  const std::string name =
      UnescapeLabelName(unescaped.has_value() ? *unescaped : raw_name);
  if (!unescaped.has_value() ||
      !IsValidLabelName(name, options.label_name_validation)) {
    return ErrorResponse(
        ApiError{ErrorType::kBadData,
                 absl::StrCat("invalid label name: ", GoQuote(name))});
  }
  absl::StatusOr<TimeRange> range = StartEnd(request);
  if (!range.ok()) return ErrorResponse(BadData(range.status()));
  absl::StatusOr<std::vector<std::vector<Matcher>>> sets = MatcherSets(request);
  if (!sets.ok()) {
    return ErrorResponse(BadData(sets.status()));
  }
  absl::StatusOr<int64_t> limit = LimitParam(request);
  if (!limit.ok()) {
    return ErrorResponse(InvalidParamError("limit", limit.status().message()));
  }
  absl::btree_set<std::string> values;
  if (range->start <= range->end) {
    absl::StatusOr<std::unique_ptr<storage::Querier>> querier =
        options.storage->NewQuerier(range->start, range->end);
    if (!querier.ok()) return ErrorResponse(ExecutionError(querier.status()));
    if (sets->empty()) sets->emplace_back();  // all series
    for (const std::vector<Matcher>& set : *sets) {
      absl::StatusOr<std::vector<std::string>> found =
          (*querier)->LabelValues(name, set);
      if (!found.ok()) return ErrorResponse(ExecutionError(found.status()));
      values.insert(found->begin(), found->end());
    }
  }
  return StringListResponse({values.begin(), values.end()}, *limit);
}

// No metric metadata is kept (there are no scrape targets); answer as a
// Prometheus without targets does, after its parameter check.
Response HandleMetadata(const ApiOptions& options, const Request& request) {
  const absl::string_view limit = FormValue(request.params, "limit");
  if (!limit.empty() && !GoAtoi(limit).ok()) {
    return ErrorResponse(
        ApiError{ErrorType::kBadData, "limit must be a number"});
  }
  return SuccessResponse("{}");
}

}  // namespace fraisier::api::internal
