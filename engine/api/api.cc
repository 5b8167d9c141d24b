#include "engine/api/api.h"

#include <algorithm>
#include <string>
#include <utility>

#include "absl/strings/match.h"
#include "absl/strings/str_join.h"
#include "engine/api/handlers.h"

namespace fraisier::api {
namespace {

constexpr absl::string_view kLabelValuesPattern = "/api/v1/label/:name/values";
constexpr absl::string_view kLabelPrefix = "/api/v1/label/";
constexpr absl::string_view kValuesSuffix = "/values";

}  // namespace

Api::Api(ApiOptions options) : options_(std::move(options)) {
  const std::vector<std::string> get = {"GET"};
  const std::vector<std::string> get_post = {"GET", "POST"};
  // The handlers read options_ through `this`; an Api is neither copied
  // nor moved after construction (routes_ would point at the old one).
  auto bind = [this](Response (*f)(const ApiOptions&, const Request&)) {
    return [this, f](const Request& r, absl::string_view) {
      return f(options_, r);
    };
  };
  // Methods as Prometheus 2.42 registers them.
  AddRoute("/api/v1/query", get_post, bind(internal::HandleQuery));
  AddRoute("/api/v1/query_range", get_post, bind(internal::HandleQueryRange));
  AddRoute("/api/v1/query_exemplars", get_post,
           bind(internal::HandleQueryExemplars));
  AddRoute("/api/v1/format_query", get_post, bind(internal::HandleFormatQuery));
  AddRoute("/api/v1/series", get_post, bind(internal::HandleSeries));
  AddRoute("/api/v1/labels", get_post, bind(internal::HandleLabels));
  AddRoute(std::string(kLabelValuesPattern), get,
           [this](const Request& r, absl::string_view name) {
             return internal::HandleLabelValues(options_, r, name);
           });
  AddRoute("/api/v1/metadata", get, bind(internal::HandleMetadata));
  AddRoute("/api/v1/status/buildinfo", get, bind(internal::HandleBuildInfo));
  AddRoute("/api/v1/status/config", get, bind(internal::HandleConfig));
  AddRoute("/api/v1/status/flags", get, bind(internal::HandleFlags));
  AddRoute("/api/v1/status/tsdb", get, bind(internal::HandleTsdbStatus));
  for (const ExtraHandler& extra : options_.extra_handlers) {
    Handler handler = extra.handler;
    AddRoute(
        extra.path, extra.methods,
        [handler](const Request& r, absl::string_view) { return handler(r); });
  }
}

void Api::AddRoute(std::string path, std::vector<std::string> methods,
                   RouteHandler handler) {
  // Go's router adds OPTIONS everywhere and lists methods sorted.
  std::vector<std::string> allow = methods;
  allow.push_back("OPTIONS");
  std::sort(allow.begin(), allow.end());
  allow.erase(std::unique(allow.begin(), allow.end()), allow.end());
  Route route{std::move(path), std::move(methods), absl::StrJoin(allow, ", "),
              std::move(handler)};
  for (Route& existing : routes_) {
    if (existing.path == route.path) {
      existing = std::move(route);
      return;
    }
  }
  routes_.push_back(std::move(route));
}

const Api::Route* Api::FindRoute(absl::string_view path,
                                 absl::string_view* param) const {
  *param = absl::string_view();
  absl::string_view pattern = path;
  if (absl::StartsWith(path, kLabelPrefix) &&
      absl::EndsWith(path, kValuesSuffix) &&
      path.size() > kLabelPrefix.size() + kValuesSuffix.size()) {
    absl::string_view name =
        path.substr(kLabelPrefix.size(),
                    path.size() - kLabelPrefix.size() - kValuesSuffix.size());
    // A router parameter is one path segment.
    if (name.find('/') == absl::string_view::npos) {
      *param = name;
      pattern = kLabelValuesPattern;
    }
  }
  for (const Route& route : routes_) {
    if (route.path == pattern) return &route;
  }
  return nullptr;
}

bool Api::Handles(absl::string_view path) const {
  absl::string_view param;
  return FindRoute(path, &param) != nullptr;
}

Response Api::Handle(const Request& request) const {
  absl::string_view param;
  const Route* route = FindRoute(request.path, &param);
  if (request.method == "OPTIONS") {
    // Prometheus answers OPTIONS on every API path, known or not.
    Response r = NoContentResponse();
    if (route != nullptr) AddCorsHeaders(request.origin, &r);
    return r;
  }
  if (route == nullptr) return NotFoundResponse();
  if (std::find(route->methods.begin(), route->methods.end(), request.method) ==
      route->methods.end()) {
    return MethodNotAllowedResponse(route->allow);
  }
  Response r;
  if (options_.storage == nullptr || options_.engine == nullptr ||
      options_.clock == nullptr) {
    r = ErrorResponse({ErrorType::kInternal,
                       "API not configured: storage, engine and "
                       "clock are required"});
  } else {
    r = route->handler(request, param);
  }
  AddCorsHeaders(request.origin, &r);
  return r;
}

}  // namespace fraisier::api
