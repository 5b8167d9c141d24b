// The request/response types of the API and Prometheus's response
// envelope:
//
//   {"status":"success","data":<data>[,"warnings":[...]][,"infos":[...]]}
//   {"status":"error","errorType":"bad_data","error":"<message>"}
//
// Handlers added later (/api/v1/rules, /api/v1/alerts) build their bodies
// with SuccessResponse/ErrorResponse so every endpoint shares one envelope.
#ifndef ENGINE_API_RESPONSE_H_
#define ENGINE_API_RESPONSE_H_

#include <string>
#include <utility>
#include <vector>

#include "absl/status/status.h"
#include "absl/strings/string_view.h"
#include "absl/types/span.h"
#include "engine/api/params.h"
#include "promql/engine.h"

namespace fraisier::api {

// One HTTP request, already taken apart by the transport.
struct Request {
  std::string method;  // "GET", "POST", "OPTIONS", ...
  // The path without the query string, still percent-encoded as received
  // (the label name in /api/v1/label/<name>/values is unescaped here).
  std::string path;
  // URL query and form body, decoded, in Go's order: body first (see
  // params.h; AppendUrlEncoded builds this from the raw strings).
  Params params;
  // The Origin header, "" when absent: API responses then carry
  // Prometheus's CORS headers (any origin is allowed, its default).
  std::string origin;
  // Set by the transport when the client goes away; may be null.
  const promql::CancellationToken* cancel = nullptr;
};

struct Response {
  int status = 200;
  // Empty for bodiless responses (204).
  std::string content_type = "application/json";
  // Headers besides Content-Type (e.g. Allow on 405).
  std::vector<std::pair<std::string, std::string>> headers;
  std::string body;
};

// Prometheus's errorType values.
enum class ErrorType {
  kTimeout,
  kCanceled,
  kExecution,
  kBadData,
  kInternal,
  kUnavailable,
  kNotFound,
};

absl::string_view ErrorTypeName(ErrorType type);  // "bad_data", ...
// The HTTP status Prometheus 2.42 answers with: bad_data 400, execution
// 422, canceled and timeout 503, not_found 404, anything else 500.
int ErrorHttpStatus(ErrorType type);

struct ApiError {
  ErrorType type = ErrorType::kInternal;
  std::string message;
};

// Prometheus's invalidParamError: bad_data `invalid parameter "<name>":
// <message>`.
ApiError InvalidParamError(absl::string_view name, absl::string_view message);

// Maps a query's failure to Prometheus's classes: Cancelled -> canceled,
// DeadlineExceeded -> timeout, Internal/DataLoss/Unknown/Unavailable (the
// store failed) -> internal, anything else (evaluation errors, too many
// samples) -> execution.
ApiError QueryError(const absl::Status& status);

Response ErrorResponse(const ApiError& error);

// A success envelope around `data_json` (already JSON). Prometheus 3 sends
// at most ten warnings and ten infos, then "N more warning annotations
// omitted"; the fields are left out when empty.
Response SuccessResponse(absl::string_view data_json,
                         absl::Span<const std::string> warnings = {},
                         absl::Span<const std::string> infos = {});

// For large bodies: BeginSuccess returns `{"status":"success","data":` to
// append the data to in place, FinishSuccess closes the envelope.
std::string BeginSuccess();
Response FinishSuccess(std::string body,
                       absl::Span<const std::string> warnings = {},
                       absl::Span<const std::string> infos = {});

// Go's router answers: 404 "404 page not found", 405 "Method Not Allowed"
// (text/plain, with Allow, e.g. "GET, OPTIONS, POST"), and 204 with no
// body for OPTIONS.
Response NotFoundResponse();
Response MethodNotAllowedResponse(absl::string_view allow);
Response NoContentResponse();

// Prometheus's httputil.SetCORS for the default --web.cors.origin ".*":
// nothing without an Origin header, else the Access-Control-* headers.
void AddCorsHeaders(absl::string_view origin, Response* response);

}  // namespace fraisier::api

#endif  // ENGINE_API_RESPONSE_H_
