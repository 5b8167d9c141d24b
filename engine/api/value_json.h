// Query results as the `data` of /api/v1/query and /api/v1/query_range:
//
//   {"resultType":"vector","result":[{"metric":{...},"value":[t,"v"]}]}
//   {"resultType":"matrix","result":[{"metric":{...},"values":[[t,"v"]]}]}
//   {"resultType":"scalar","result":[t,"v"]}
//   {"resultType":"string","result":[t,"s"]}
//
// plus "stats" when asked for. The number formats differ by result type
// exactly as in Prometheus (see json.h): vector and matrix points use
// AppendSampleTimestamp/AppendSampleValue, scalars and strings Go's plain
// float encoding for the time and 'f' for the value.
#ifndef ENGINE_API_VALUE_JSON_H_
#define ENGINE_API_VALUE_JSON_H_

#include <cstdint>
#include <string>

#include "absl/time/time.h"
#include "promql/engine.h"
#include "promql/value.h"

namespace fraisier::api {

// "vector", "matrix", "scalar" or "string".
absl::string_view ResultTypeName(const promql::Value& value);

// Prometheus's stats.QueryStats: timings in seconds and sample counts.
struct QueryStatsJson {
  absl::Duration eval_total;
  absl::Duration result_sort;
  absl::Duration query_preparation;
  absl::Duration inner_eval;
  absl::Duration exec_queue;
  absl::Duration exec_total;
  int64_t total_queryable_samples = 0;
  int64_t peak_samples = 0;
};

// Appends the whole `data` object; `stats` may be null.
void AppendQueryData(const promql::Value& value, const QueryStatsJson* stats,
                     std::string* out);

}  // namespace fraisier::api

#endif  // ENGINE_API_VALUE_JSON_H_
