// /api/v1/status/{buildinfo,config,flags,tsdb}.
#include <algorithm>
#include <string>
#include <utility>
#include <vector>

#include "engine/api/handlers.h"
#include "engine/api/json.h"
#include "engine/api/tsdb_status.h"

namespace fraisier::api::internal {

Response HandleBuildInfo(const ApiOptions& options, const Request& request) {
  const BuildInfo& info = options.build_info;
  std::string data;
  JsonWriter w(&data);
  w.BeginObject();
  w.Key("version");
  w.String(info.version);
  w.Key("revision");
  w.String(info.revision);
  w.Key("branch");
  w.String(info.branch);
  w.Key("buildUser");
  w.String(info.build_user);
  w.Key("buildDate");
  w.String(info.build_date);
  w.Key("goVersion");
  w.String(info.go_version);
  w.EndObject();
  return SuccessResponse(data);
}

Response HandleConfig(const ApiOptions& options, const Request& request) {
  std::string data;
  JsonWriter w(&data);
  w.BeginObject();
  w.Key("yaml");
  w.String(options.config_yaml ? options.config_yaml() : std::string());
  w.EndObject();
  return SuccessResponse(data);
}

Response HandleFlags(const ApiOptions& options, const Request& request) {
  std::vector<std::pair<std::string, std::string>> flags;
  if (options.flags) flags = options.flags();
  // Prometheus serves a Go map, which encodes sorted by key; a repeated
  // name keeps its last value, as a map assignment would.
  std::stable_sort(
      flags.begin(), flags.end(),
      [](const auto& a, const auto& b) { return a.first < b.first; });
  std::string data;
  JsonWriter w(&data);
  w.BeginObject();
  for (size_t i = 0; i < flags.size(); ++i) {
    if (i + 1 < flags.size() && flags[i + 1].first == flags[i].first) continue;
    w.Key(flags[i].first);
    w.String(flags[i].second);
  }
  w.EndObject();
  return SuccessResponse(data);
}

Response HandleTsdbStatus(const ApiOptions& options, const Request& request) {
  absl::StatusOr<TsdbStatus> status = options.tsdb_status
                                          ? options.tsdb_status()
                                          : ComputeTsdbStatus(*options.storage);
  if (!status.ok()) {
    return ErrorResponse(
        ApiError{ErrorType::kInternal, std::string(status.status().message())});
  }
  std::string data;
  AppendTsdbStatusJson(*status, &data);
  return SuccessResponse(data);
}

}  // namespace fraisier::api::internal
