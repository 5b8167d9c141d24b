// The services `ruler serve` runs over the store: the PromQL engine, the
// HTTP API, the remote-write receiver (HTTP and gRPC). Server owns the
// lifecycle; this file owns how the pieces are connected.
#ifndef ENGINE_SERVER_WIRING_H_
#define ENGINE_SERVER_WIRING_H_

#include <functional>
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "absl/status/statusor.h"
#include "engine/base/clock.h"
#include "engine/server/config.h"
#include "engine/server/http_frontend.h"
#include "engine/server/self_metrics.h"

namespace fraisier::tsdb {
class Head;
}

namespace fraisier::server {

struct ServicesDeps {
  tsdb::Head* head;
  const Clock* clock;
  SelfMetrics* metrics;
  std::function<std::shared_ptr<const Config>()> config;
  std::vector<std::pair<std::string, std::string>> flags;
  std::string external_url;  // for alerts' generatorURL
};

// Thread-safety: Write/Api run concurrently on HTTP threads; StartGrpc,
// StopGrpc and ApplyConfig are called by the Server's lifecycle code.
class Services {
 public:
  static absl::StatusOr<std::unique_ptr<Services>> Create(
      const ServicesDeps& deps, const Config& config);
  ~Services();

  HttpResponse Write(const HttpRequest& request);
  HttpResponse Api(const HttpRequest& request);

  absl::StatusOr<int> StartGrpc(const std::string& address);
  void StopGrpc();

  // Settings that change without a restart: the rule files (a file that
  // does not load fails the whole call and keeps the running rules) and
  // the evaluation interval.
  absl::Status ApplyConfig(const Config& config);
  // Stops rule evaluation (before the store closes).
  void StopRules();
  void RegisterMetrics(CallbackCollector& callbacks);

 private:
  struct State;
  explicit Services(std::unique_ptr<State> state);
  std::unique_ptr<State> state_;
};

}  // namespace fraisier::server

#endif  // ENGINE_SERVER_WIRING_H_
