// The data of /api/v1/status/tsdb: head statistics and Prometheus's
// cardinality top lists, and a way to compute them from any Queryable.
#ifndef ENGINE_API_TSDB_STATUS_H_
#define ENGINE_API_TSDB_STATUS_H_

#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "engine/model/timestamp.h"
#include "engine/storage/storage.h"

namespace fraisier::api {

struct TsdbStat {
  std::string name;
  uint64_t value = 0;
};

struct TsdbHeadStats {
  uint64_t num_series = 0;
  int64_t num_label_pairs = 0;
  int64_t chunk_count = 0;
  // An empty store reports the values of a fresh Prometheus head.
  Timestamp min_time = kMaxTimestamp;
  Timestamp max_time = kMinTimestamp;
};

struct TsdbStatus {
  TsdbHeadStats head_stats;
  // Each list holds at most the top N entries, largest value first.
  std::vector<TsdbStat> series_count_by_metric_name;      // metric -> series
  std::vector<TsdbStat> label_value_count_by_label_name;  // name -> values
  // name -> sum over its values of len(value) x series with that value.
  std::vector<TsdbStat> memory_in_bytes_by_label_name;
  std::vector<TsdbStat> series_count_by_label_value_pair;  // "n=v" -> series
};

// Computes the status from `queryable` alone, as Prometheus's
// PostingsStats does from the head index: one Select per label name plus a
// walk over every sample for the time range, so it costs a full read of the
// store; a server with a head that keeps these numbers should fill them in
// itself. chunk_count stays 0 (a Querier has no chunks). Ties in the top
// lists are broken by name.
absl::StatusOr<TsdbStatus> ComputeTsdbStatus(storage::Queryable& queryable,
                                             size_t limit = 10);

// The `data` JSON: {"headStats":{...},"seriesCountByMetricName":[...],...}.
void AppendTsdbStatusJson(const TsdbStatus& status, std::string* out);

}  // namespace fraisier::api

#endif  // ENGINE_API_TSDB_STATUS_H_
