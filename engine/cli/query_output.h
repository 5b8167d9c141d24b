// What `ruler query instant|range` prints for a Prometheus API response:
// an aligned table (one row per sample; SERIES, [TIMESTAMP,] VALUE) or the
// response's `data` as JSON.
#ifndef ENGINE_CLI_QUERY_OUTPUT_H_
#define ENGINE_CLI_QUERY_OUTPUT_H_

#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"

namespace fraisier::cli {

enum class QueryFormat { kTable, kJson };

// "table" or "json".
absl::StatusOr<QueryFormat> ParseQueryFormat(absl::string_view text);

// Formats an /api/v1/query or /api/v1/query_range response body. An error
// response ({"status":"error"}) is InvalidArgument "<errorType>: <error>";
// a body that is not the API's JSON is Internal. The response's warnings
// are appended to *warnings.
absl::StatusOr<std::string> FormatQueryResponse(
    absl::string_view body, QueryFormat format,
    std::vector<std::string>* warnings);

}  // namespace fraisier::cli

#endif  // ENGINE_CLI_QUERY_OUTPUT_H_
