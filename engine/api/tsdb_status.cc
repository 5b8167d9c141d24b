#include "engine/api/tsdb_status.h"

#include <algorithm>
#include <memory>
#include <string>
#include <utility>

#include "absl/container/flat_hash_map.h"
#include "absl/container/flat_hash_set.h"
#include "absl/strings/str_cat.h"
#include "engine/api/json.h"
#include "engine/base/status_macros.h"
#include "engine/model/labels.h"
#include "engine/model/matcher.h"

namespace fraisier::api {
namespace {

// The `limit` largest entries, largest first, ties by name.
std::vector<TsdbStat> Top(std::vector<TsdbStat> stats, size_t limit) {
  auto larger = [](const TsdbStat& a, const TsdbStat& b) {
    if (a.value != b.value) return a.value > b.value;
    return a.name < b.name;
  };
  if (stats.size() > limit) {
    std::partial_sort(stats.begin(), stats.begin() + limit, stats.end(),
                      larger);
    stats.resize(limit);
  } else {
    std::sort(stats.begin(), stats.end(), larger);
  }
  return stats;
}

void AppendStats(const std::vector<TsdbStat>& stats, JsonWriter* w) {
  w->BeginArray();
  for (const TsdbStat& s : stats) {
    w->BeginObject();
    w->Key("name");
    w->String(s.name);
    w->Key("value");
    w->Uint(s.value);
    w->EndObject();
  }
  w->EndArray();
}

}  // namespace

absl::StatusOr<TsdbStatus> ComputeTsdbStatus(storage::Queryable& queryable,
                                             size_t limit) {
  FR_ASSIGN_OR_RETURN(std::unique_ptr<storage::Querier> querier,
                      queryable.NewQuerier(kMinTimestamp, kMaxTimestamp));
  FR_ASSIGN_OR_RETURN(std::vector<std::string> names, querier->LabelNames({}));
  TsdbStatus status;
  std::vector<TsdbStat> metrics, value_counts, memory, pairs;
  // Every series has at least one label, so visiting each label name's
  // series reaches all of them; the set keeps them from counting twice.
  absl::flat_hash_set<Labels> seen;
  storage::SelectHints hints;
  hints.func = "series";  // Prometheus's token for "labels only"
  for (const std::string& name : names) {
    FR_ASSIGN_OR_RETURN(Matcher present,
                        Matcher::Create(MatchType::kRegexMatch, name, ".+"));
    std::unique_ptr<storage::SeriesSet> set =
        querier->Select(false, &hints, {present});
    absl::flat_hash_map<std::string, uint64_t> series_per_value;
    while (set->Next()) {
      const storage::Series& series = set->At();
      ++series_per_value[series.labels().Get(name)];
      if (!seen.insert(series.labels()).second) continue;
      // New series: its time range (the first and the last sample).
      std::unique_ptr<storage::SampleIterator> it = series.Iterator();
      bool any = false;
      Timestamp last = 0;
      while (it->Next()) {
        const Timestamp t = it->At().t;
        if (!any) {
          status.head_stats.min_time = std::min(status.head_stats.min_time, t);
          any = true;
        }
        last = t;
      }
      FR_RETURN_IF_ERROR(it->status());
      if (any) {
        status.head_stats.max_time = std::max(status.head_stats.max_time, last);
      }
    }
    FR_RETURN_IF_ERROR(set->status());
    if (series_per_value.empty()) continue;
    value_counts.push_back({name, series_per_value.size()});
    status.head_stats.num_label_pairs +=
        static_cast<int64_t>(series_per_value.size());
    uint64_t bytes = 0;
    for (const auto& [value, count] : series_per_value) {
      bytes += value.size() * count;
      pairs.push_back({absl::StrCat(name, "=", value), count});
      if (name == kMetricNameLabel) metrics.push_back({value, count});
    }
    memory.push_back({name, bytes});
  }
  status.head_stats.num_series = seen.size();
  status.series_count_by_metric_name = Top(std::move(metrics), limit);
  status.label_value_count_by_label_name = Top(std::move(value_counts), limit);
  status.memory_in_bytes_by_label_name = Top(std::move(memory), limit);
  status.series_count_by_label_value_pair = Top(std::move(pairs), limit);
  return status;
}

void AppendTsdbStatusJson(const TsdbStatus& status, std::string* out) {
  JsonWriter w(out);
  w.BeginObject();
  w.Key("headStats");
  w.BeginObject();
  w.Key("numSeries");
  w.Uint(status.head_stats.num_series);
  w.Key("numLabelPairs");
  w.Int(status.head_stats.num_label_pairs);
  w.Key("chunkCount");
  w.Int(status.head_stats.chunk_count);
  w.Key("minTime");
  w.Int(status.head_stats.min_time);
  w.Key("maxTime");
  w.Int(status.head_stats.max_time);
  w.EndObject();
  w.Key("seriesCountByMetricName");
  AppendStats(status.series_count_by_metric_name, &w);
  w.Key("labelValueCountByLabelName");
  AppendStats(status.label_value_count_by_label_name, &w);
  w.Key("memoryInBytesByLabelName");
  AppendStats(status.memory_in_bytes_by_label_name, &w);
  w.Key("seriesCountByLabelValuePair");
  AppendStats(status.series_count_by_label_value_pair, &w);
  w.EndObject();
}

}  // namespace fraisier::api
