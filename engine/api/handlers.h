// Internal to engine/api: the built-in endpoint handlers that Api routes
// to. Each returns the complete Response, errors included.
#ifndef ENGINE_API_HANDLERS_H_
#define ENGINE_API_HANDLERS_H_

#include "absl/strings/string_view.h"
#include "engine/api/api.h"
#include "engine/api/response.h"

namespace fraisier::api::internal {

// query_handlers.cc
Response HandleQuery(const ApiOptions& options, const Request& request);
Response HandleQueryRange(const ApiOptions& options, const Request& request);
Response HandleFormatQuery(const ApiOptions& options, const Request& request);
Response HandleQueryExemplars(const ApiOptions& options,
                              const Request& request);

// series_handlers.cc
Response HandleSeries(const ApiOptions& options, const Request& request);
Response HandleLabels(const ApiOptions& options, const Request& request);
// `raw_name` is the still percent-encoded path segment.
Response HandleLabelValues(const ApiOptions& options, const Request& request,
                           absl::string_view raw_name);
Response HandleMetadata(const ApiOptions& options, const Request& request);

// status_handlers.cc
Response HandleBuildInfo(const ApiOptions& options, const Request& request);
Response HandleConfig(const ApiOptions& options, const Request& request);
Response HandleFlags(const ApiOptions& options, const Request& request);
Response HandleTsdbStatus(const ApiOptions& options, const Request& request);

}  // namespace fraisier::api::internal

#endif  // ENGINE_API_HANDLERS_H_
