// The HTTP listener: the only file that knows cpp-httplib (decision 3 in
// docs/decisions.md). Handlers see plain request and response structs, so
// the API and the remote-write receiver stay independent of the transport.
#ifndef ENGINE_SERVER_HTTP_FRONTEND_H_
#define ENGINE_SERVER_HTTP_FRONTEND_H_

#include <atomic>
#include <functional>
#include <memory>
#include <string>
#include <thread>
#include <utility>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "absl/time/time.h"

namespace httplib {
class Server;
}

namespace fraisier::server {

struct HttpRequest {
  std::string method;
  std::string path;       // decoded, without the query string
  std::string raw_path;   // as received, still percent-encoded
  std::string raw_query;  // after '?', still percent-encoded
  // URL query parameters, then form-body parameters, in order.
  std::vector<std::pair<std::string, std::string>> params;
  std::string content_type;
  std::string content_encoding;
  std::string remote_addr;
  std::string origin;  // the Origin header, for CORS
  absl::string_view body;
};

struct HttpResponse {
  HttpResponse() = default;
  HttpResponse(int status, std::string content_type, std::string body)
      : status(status),
        content_type(std::move(content_type)),
        body(std::move(body)) {}

  int status = 200;
  std::string content_type = "text/plain; charset=utf-8";
  std::string body;
  std::vector<std::pair<std::string, std::string>> headers;
};

using HttpHandler = std::function<HttpResponse(const HttpRequest&)>;

struct HttpFrontendOptions {
  std::string listen_address = "0.0.0.0:9099";  // host:port; port 0 = any
  int threads = 16;
  int64_t max_body_bytes = int64_t{32} << 20;
  absl::Duration read_timeout = absl::Seconds(30);
  absl::Duration write_timeout = absl::Minutes(2);
  absl::Duration keep_alive_timeout = absl::Seconds(5);
  int keep_alive_max_count = 1000;
  // Called after every request, for /metrics.
  std::function<void(absl::string_view route, int status, double seconds)>
      observe;
};

// Thread-safety: Handle/HandlePrefix before Start only; handlers run
// concurrently on the pool's threads. Stop() may be called from any thread.
class HttpFrontend {
 public:
  explicit HttpFrontend(HttpFrontendOptions options);
  ~HttpFrontend();

  // Routes `path` exactly, for the given methods ("GET", "POST", "PUT").
  void Handle(std::vector<std::string> methods, std::string path,
              HttpHandler handler);
  // Routes every path starting with `prefix` (GET and POST); `route` names
  // it in metrics.
  void HandlePrefix(std::string prefix, HttpHandler handler);

  // Binds and starts serving on a background thread; returns the bound
  // port. Errors name the address (e.g. already in use).
  absl::StatusOr<int> Start();
  // Stops accepting connections, lets in-flight requests finish, and joins.
  void Stop();

 private:
  HttpFrontendOptions options_;
  std::unique_ptr<httplib::Server> server_;
  std::thread thread_;
  std::atomic<bool> listening_done_{false};
};

// Splits "host:port" ("[::1]:9099", ":9099" = all interfaces).
absl::StatusOr<std::pair<std::string, int>> SplitHostPort(
    absl::string_view address);

}  // namespace fraisier::server

#endif  // ENGINE_SERVER_HTTP_FRONTEND_H_
