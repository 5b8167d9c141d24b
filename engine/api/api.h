// Prometheus's HTTP API (/api/v1/...), independent of any HTTP library:
// the server turns each HTTP request into an api::Request and writes back
// the api::Response. Bodies match Prometheus byte for byte (field order,
// number formats, error texts, status codes), so Grafana's Prometheus data
// source works unchanged.
//
//   Api api(ApiOptions{.storage = &head, .engine = &engine,
//                      .clock = RealClock::Get()});
//   Request req{.method = "GET", .path = "/api/v1/query"};
//   AppendUrlEncoded(raw_query, &req.params);
//   Response resp = api.Handle(req);
//
// Endpoints: query, query_range, series, labels, label/<name>/values,
// format_query, query_exemplars, metadata, status/{buildinfo,config,flags,
// tsdb}; more (rules, alerts) come in through ApiOptions::extra_handlers.
//
// Thread-safety: an Api is immutable after construction and Handle may be
// called from any number of threads at once, provided the storage, the
// engine and the callbacks in ApiOptions are thread-safe.
#ifndef ENGINE_API_API_H_
#define ENGINE_API_API_H_

#include <cstdint>
#include <functional>
#include <string>
#include <utility>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "engine/api/params.h"
#include "engine/api/response.h"
#include "engine/api/tsdb_status.h"
#include "engine/base/clock.h"
#include "engine/model/validation.h"
#include "engine/storage/storage.h"
#include "promql/engine.h"
#include "promql/parser.h"

namespace fraisier::api {

// /api/v1/status/buildinfo. Grafana reads `version` to decide which API
// features to use, so a Prometheus-like version string keeps it happy.
struct BuildInfo {
  std::string version;
  std::string revision;
  std::string branch;
  std::string build_user;
  std::string build_date;
  std::string go_version;  // kept for the field; e.g. the compiler
};

using Handler = std::function<Response(const Request&)>;

// An endpoint served besides the built-in ones, e.g. /api/v1/rules.
struct ExtraHandler {
  std::string path;                  // exact, e.g. "/api/v1/rules"
  std::vector<std::string> methods;  // e.g. {"GET"}
  Handler handler;
};

struct ApiOptions {
  // Required. Queries and metadata read from here.
  storage::Queryable* storage = nullptr;
  // Required. Its options (timeout, lookback, max samples) apply to every
  // query; a `timeout` parameter can only shorten the timeout.
  const promql::Engine* engine = nullptr;
  // Required. The default `time` of /api/v1/query and the stats timings.
  const Clock* clock = nullptr;

  // /api/v1/status/config: the loaded configuration as YAML ("" if unset).
  std::function<std::string()> config_yaml;
  // /api/v1/status/flags: flag names (without dashes) and values; the
  // response lists them sorted by name. Empty object if unset.
  std::function<std::vector<std::pair<std::string, std::string>>()> flags;
  BuildInfo build_info;
  // /api/v1/status/tsdb. If unset, ComputeTsdbStatus(*storage) is used.
  std::function<absl::StatusOr<TsdbStatus>()> tsdb_status;

  // Most points per series a range query may return (Prometheus: 11000).
  int64_t max_points_per_series = 11000;
  // Which label names /api/v1/label/<name>/values accepts: Prometheus 3
  // allows any UTF-8, Prometheus 2 only [a-zA-Z_][a-zA-Z0-9_]*.
  NameValidation label_name_validation = NameValidation::kUtf8;
  // How queries are parsed (e.g. experimental functions).
  promql::ParseOptions parse_options;

  // Later endpoints (/api/v1/rules, /api/v1/alerts); a path here replaces a
  // built-in one of the same name.
  std::vector<ExtraHandler> extra_handlers;
};

class Api {
 public:
  explicit Api(ApiOptions options);
  // Routes refer to this object's options.
  Api(const Api&) = delete;
  Api& operator=(const Api&) = delete;

  // Answers one request. Any path is accepted: unknown paths get Go's
  // plain-text 404, known paths with another method 405, OPTIONS 204.
  // Never throws or aborts on user input.
  Response Handle(const Request& request) const;

  // Whether `path` is one of the endpoints above (built-in or extra), so a
  // server can send other /api/v1 paths (e.g. /api/v1/write) elsewhere.
  bool Handles(absl::string_view path) const;

  const ApiOptions& options() const { return options_; }

 private:
  // `param` is the raw <name> of /api/v1/label/<name>/values, else "".
  using RouteHandler =
      std::function<Response(const Request&, absl::string_view param)>;
  struct Route {
    std::string path;  // "/api/v1/label/:name/values" for the one pattern
    std::vector<std::string> methods;
    std::string allow;  // the Allow header of a 405
    RouteHandler handler;
  };

  void AddRoute(std::string path, std::vector<std::string> methods,
                RouteHandler handler);
  // The route for `path`, or null; `param` as in RouteHandler.
  const Route* FindRoute(absl::string_view path,
                         absl::string_view* param) const;

  ApiOptions options_;
  std::vector<Route> routes_;
};

}  // namespace fraisier::api

#endif  // ENGINE_API_API_H_
