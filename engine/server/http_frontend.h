// The HTTP listener: the only file that knows Boost.Beast (decision 3 in
// docs/decisions.md). Handlers see plain request and response structs, so
// the API and the remote-write receiver stay independent of the transport.
#ifndef ENGINE_SERVER_HTTP_FRONTEND_H_
#define ENGINE_SERVER_HTTP_FRONTEND_H_

#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "absl/time/time.h"

namespace fraisier::server {

namespace internal {
class BeastServer;
}  // namespace internal

struct HttpRequest {
  std::string method;
  std::string path;       // decoded, without the query string
  std::string raw_path;   // as received, still percent-encoded
  std::string raw_query;  // after '?', still percent-encoded
  // URL query parameters, then form-body parameters, in order.
  std::vector<std::pair<std::string, std::string>> params;
  std::string content_type;
  std::string content_encoding;
  std::string remote_addr;  // the peer's IP address, without the port
  std::string origin;       // the Origin header, for CORS
  // The request body; valid only during the handler call.
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
  // Handler threads. Handlers may block (a remote-write commit waits for a
  // WAL fsync, a query can take seconds), so they never run on the I/O
  // threads: at most `threads` requests are handled at once, the rest wait
  // in a queue while their connections' I/O goes on.
  int threads = 16;
  // I/O threads, each running its own io_context; accepted connections are
  // handed to them in turn. 0 = one per core (at most 8).
  int io_threads = 0;
  // A larger declared body gets 413 as soon as the header is read; a
  // chunked body gets it when it crosses the limit.
  int64_t max_body_bytes = int64_t{32} << 20;
  // The request line plus headers (Go's net/http default): long PromQL
  // queries arrive in GET query strings. Beyond it: 431.
  int64_t max_header_bytes = int64_t{1} << 20;
  // From a request's first byte until its body is read.
  absl::Duration read_timeout = absl::Seconds(30);
  // Writing one response.
  absl::Duration write_timeout = absl::Minutes(2);
  // Waiting for the next request on a kept-alive connection (and for the
  // first one on a new connection). Idle connections hold no thread, so
  // this is longer than Prometheus's 5 s batch_send_deadline: an idle
  // remote-write shard's connection is not closed just as it sends.
  absl::Duration keep_alive_timeout = absl::Seconds(60);
  // Requests per connection before the server closes it; 0 = no limit.
  int keep_alive_max_count = 0;
  // Stop() lets requests in progress finish for up to this long.
  absl::Duration shutdown_timeout = absl::Seconds(10);
  // Called after every request, for /metrics: the route (an exact path, a
  // prefix route's path with path parameters collapsed, or "unmatched" for
  // a 404), the status and the seconds from the request's last byte to
  // the handler's return (queueing for a handler thread included).
  std::function<void(absl::string_view route, int status, double seconds)>
      observe;
};

// Serves HTTP/1.1 (and 1.0) with keep-alive on Boost.Beast: `io_threads`
// single-threaded io_contexts do all socket I/O (an idle connection holds
// no thread), a pool of `threads` runs the handlers.
//
// Thread-safety: Handle/HandlePrefix before Start only (the routes are
// read without locks while serving); handlers run concurrently on the
// handler threads and must be thread-safe. Start() and Stop() may be called
// from any thread (but not from a handler), not concurrently with each
// other.
class HttpFrontend {
 public:
  explicit HttpFrontend(HttpFrontendOptions options);
  ~HttpFrontend();

  HttpFrontend(const HttpFrontend&) = delete;
  HttpFrontend& operator=(const HttpFrontend&) = delete;

  // Routes `path` exactly, for the given methods ("GET", "POST", "PUT"; a
  // GET route also answers HEAD). The same path with another method gets
  // 405.
  void Handle(std::vector<std::string> methods, std::string path,
              HttpHandler handler);
  // Routes every path starting with `prefix` (GET, HEAD and POST) that no
  // exact route has; metrics name it by its path (see observe).
  void HandlePrefix(std::string prefix, HttpHandler handler);

  // Binds, listens and starts serving on background threads; returns the
  // bound port once connections are being accepted. Errors name the
  // address ("cannot listen on ...", e.g. already in use).
  absl::StatusOr<int> Start();
  // Stops accepting connections, closes idle ones, lets in-flight requests
  // finish (up to shutdown_timeout; their connections then close), and
  // joins all threads. Idempotent.
  void Stop();

 private:
  std::unique_ptr<internal::BeastServer> server_;
};

// Splits "host:port" ("[::1]:9099", ":9099" = all interfaces).
absl::StatusOr<std::pair<std::string, int>> SplitHostPort(
    absl::string_view address);

}  // namespace fraisier::server

#endif  // ENGINE_SERVER_HTTP_FRONTEND_H_
