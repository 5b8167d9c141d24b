#include "engine/api/response.h"

#include <algorithm>
#include <string>

#include "absl/strings/str_cat.h"
#include "engine/api/json.h"

namespace fraisier::api {
namespace {

// Prometheus 3's annotations.AsStrings(query, 10, 10).
constexpr size_t kMaxAnnotations = 10;

void AppendAnnotations(absl::string_view field,
                       absl::Span<const std::string> messages,
                       absl::string_view kind, std::string* body) {
  if (messages.empty()) return;
  absl::StrAppend(body, ",\"", field, "\":[");
  const size_t shown = std::min(messages.size(), kMaxAnnotations);
  for (size_t i = 0; i < shown; ++i) {
    if (i > 0) body->push_back(',');
    AppendJsonString(messages[i], body);
  }
  if (messages.size() > shown) {
    body->push_back(',');
    AppendJsonString(absl::StrCat(messages.size() - shown, " more ", kind,
                                  " annotations omitted"),
                     body);
  }
  body->push_back(']');
}

Response TextResponse(int status, absl::string_view text) {
  Response r;
  r.status = status;
  r.content_type = "text/plain; charset=utf-8";
  r.headers.emplace_back("X-Content-Type-Options", "nosniff");
  r.body = std::string(text);
  return r;
}

}  // namespace

absl::string_view ErrorTypeName(ErrorType type) {
  switch (type) {
    case ErrorType::kTimeout:
      return "timeout";
    case ErrorType::kCanceled:
      return "canceled";
    case ErrorType::kExecution:
      return "execution";
    case ErrorType::kBadData:
      return "bad_data";
    case ErrorType::kInternal:
      return "internal";
    case ErrorType::kUnavailable:
      return "unavailable";
    case ErrorType::kNotFound:
      return "not_found";
  }
  return "internal";
}

int ErrorHttpStatus(ErrorType type) {
  switch (type) {
    case ErrorType::kBadData:
      return 400;
    case ErrorType::kExecution:
      return 422;
    case ErrorType::kCanceled:
    case ErrorType::kTimeout:
      return 503;
    case ErrorType::kNotFound:
      return 404;
    case ErrorType::kInternal:
    case ErrorType::kUnavailable:
      return 500;
  }
  return 500;
}

ApiError InvalidParamError(absl::string_view name, absl::string_view message) {
  return ApiError{ErrorType::kBadData,
                  absl::StrCat("invalid parameter \"", name, "\": ", message)};
}

ApiError QueryError(const absl::Status& status) {
  ErrorType type = ErrorType::kExecution;
  switch (status.code()) {
    case absl::StatusCode::kCancelled:
      type = ErrorType::kCanceled;
      break;
    case absl::StatusCode::kDeadlineExceeded:
      type = ErrorType::kTimeout;
      break;
    case absl::StatusCode::kInternal:
    case absl::StatusCode::kDataLoss:
    case absl::StatusCode::kUnknown:
    case absl::StatusCode::kUnavailable:
      type = ErrorType::kInternal;
      break;
    default:
      break;
  }
  return ApiError{type, std::string(status.message())};
}

Response ErrorResponse(const ApiError& error) {
  Response r;
  r.status = ErrorHttpStatus(error.type);
  absl::StrAppend(&r.body, "{\"status\":\"error\",\"errorType\":\"",
                  ErrorTypeName(error.type), "\",\"error\":");
  AppendJsonString(error.message, &r.body);
  r.body.push_back('}');
  return r;
}

std::string BeginSuccess() { return "{\"status\":\"success\",\"data\":"; }

Response FinishSuccess(std::string body, absl::Span<const std::string> warnings,
                       absl::Span<const std::string> infos) {
  AppendAnnotations("warnings", warnings, "warning", &body);
  AppendAnnotations("infos", infos, "info", &body);
  body.push_back('}');
  Response r;
  r.body = std::move(body);
  return r;
}

Response SuccessResponse(absl::string_view data_json,
                         absl::Span<const std::string> warnings,
                         absl::Span<const std::string> infos) {
  std::string body = BeginSuccess();
  body.append(data_json.data(), data_json.size());
  return FinishSuccess(std::move(body), warnings, infos);
}

Response NotFoundResponse() {
  return TextResponse(404, "404 page not found\n");
}

Response MethodNotAllowedResponse(absl::string_view allow) {
  Response r = TextResponse(405, "Method Not Allowed\n");
  r.headers.insert(r.headers.begin(), {"Allow", std::string(allow)});
  return r;
}

Response NoContentResponse() {
  Response r;
  r.status = 204;
  r.content_type.clear();
  return r;
}

void AddCorsHeaders(absl::string_view origin, Response* response) {
  if (origin.empty()) return;
  auto& h = response->headers;
  h.emplace_back("Access-Control-Allow-Headers",
                 "Accept, Authorization, Content-Type, Origin");
  h.emplace_back("Access-Control-Allow-Methods", "GET, POST, OPTIONS");
  h.emplace_back("Access-Control-Expose-Headers", "Date");
  h.emplace_back("Access-Control-Allow-Origin", "*");
  h.emplace_back("Vary", "Origin");
}

}  // namespace fraisier::api
