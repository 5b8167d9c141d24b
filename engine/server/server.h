// `ruler serve`: the store, the remote-write receivers (HTTP and gRPC), the
// Prometheus-compatible HTTP API and /metrics, wired together with their
// lifecycle: start, reload (SIGHUP or POST /-/reload), graceful shutdown.
#ifndef ENGINE_SERVER_SERVER_H_
#define ENGINE_SERVER_SERVER_H_

#include <atomic>
#include <condition_variable>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <thread>
#include <utility>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "engine/base/clock.h"
#include "engine/server/config.h"

namespace fraisier::server {

struct ServerOptions {
  std::string config_file;  // empty: built-in defaults, no rules
  std::string web_listen_address = "0.0.0.0:9099";
  std::string grpc_listen_address = "0.0.0.0:9098";  // empty: no gRPC
  int http_threads = 16;
  // The URL users reach the ruler at (generatorURL of alerts); empty:
  // http://<hostname>:<port>.
  std::string external_url;
  // Command-line overrides of config-file settings (unset: config decides).
  std::optional<std::string> storage_path;
  std::optional<absl::Duration> retention_time;
  std::optional<int64_t> retention_size_bytes;
  std::optional<int64_t> max_active_series;
  std::optional<FsyncMode> fsync;
  // Every flag and its value, for /api/v1/status/flags.
  std::vector<std::pair<std::string, std::string>> flags;
  const Clock* clock = nullptr;  // nullptr: the real clock
};

// Thread-safety: Reload and Shutdown may be called from any thread,
// concurrently with request handling. After Shutdown the object only
// answers ports().
class Server {
 public:
  static absl::StatusOr<std::unique_ptr<Server>> Start(ServerOptions options);
  ~Server();

  // Re-reads the config file. On any error the running configuration stays
  // and the error is returned (and counted in
  // ruler_config_last_reload_successful). Storage settings take effect only
  // after a restart; a change is logged.
  absl::Status Reload();
  // Stops accepting, finishes in-flight requests, flushes the WAL.
  absl::Status Shutdown();

  int http_port() const { return http_port_; }
  int grpc_port() const { return grpc_port_; }

 private:
  struct Impl;
  explicit Server(std::unique_ptr<Impl> impl);

  std::unique_ptr<Impl> impl_;
  int http_port_ = 0;
  int grpc_port_ = 0;
};

// The config the server runs with: the file (if any) with command-line
// overrides applied.
absl::StatusOr<Config> LoadEffectiveConfig(const ServerOptions& options);

}  // namespace fraisier::server

#endif  // ENGINE_SERVER_SERVER_H_
