// The remote-write and query endpoints on cpp-httplib 0.11.4 (Debian's
// libcpp-httplib-dev): a fixed ThreadPool of --threads workers, each of
// which owns one connection for as long as it stays alive.
//
//   httplib_server --port=P [--threads=8] [--keep_alive_max_count=5]
//       [--keep_alive_timeout_s=5] [--read_timeout_s=5]
//       [--max_body_bytes=16777216] [--tcp_nodelay=0] [--listen_backlog=0]
//
// SIGTERM or SIGINT stops it: Server::stop(), then the pool drains; the
// time that took is printed as `shutdown_ms=` on stderr.
#include <sys/socket.h>

#include <cstdio>
#include <thread>

#include "bench/http_servers/common.h"
#include "httplib.h"

namespace fraisier::bench::http {
namespace {

constexpr char kUsage[] =
    "httplib_server --port=P [--threads=8] [--keep_alive_max_count=5] "
    "[--keep_alive_timeout_s=5] [--read_timeout_s=5] "
    "[--max_body_bytes=16777216] [--tcp_nodelay=0] [--listen_backlog=0]";

// Debian's libcpp-httplib.so listens with a backlog of 5
// (CPPHTTPLIB_LISTEN_BACKLOG is compiled into the library): a burst of
// connects overflows it and the peers see dropped SYNs (1 s retries) and
// resets. Linux takes a second listen() on the bound socket as a new
// backlog; the socket is a protected member.
class Server : public httplib::Server {
 public:
  bool SetListenBacklog(int backlog) {
    return ::listen(svr_sock_, backlog) == 0;
  }
};

int Main(int argc, char** argv) {
  BlockTerminationSignals();
  Flags flags(argc, argv);
  const ServerOptions options = ReadServerOptions(flags);
  const int64_t keep_alive_max_count = flags.Int("keep_alive_max_count", 5);
  const bool tcp_nodelay = flags.Int("tcp_nodelay", 0) != 0;
  const int listen_backlog = static_cast<int>(flags.Int("listen_backlog", 0));
  flags.Check(kUsage);

  Server server;
  const size_t threads = static_cast<size_t>(options.threads);
  server.new_task_queue = [threads] {
    return new httplib::ThreadPool(threads);
  };
  server.set_keep_alive_max_count(static_cast<size_t>(keep_alive_max_count));
  server.set_keep_alive_timeout(options.keep_alive_timeout_s);
  server.set_read_timeout(options.read_timeout_s, 0);
  server.set_write_timeout(options.read_timeout_s, 0);
  server.set_payload_max_length(static_cast<size_t>(options.max_body_bytes));
  server.set_tcp_nodelay(tcp_nodelay);

  server.Post("/api/v1/write",
              [](const httplib::Request& request, httplib::Response& response) {
                Sink(TouchBody(request.body));
                response.status = 204;
              });
  server.Get("/api/v1/query", [](const httplib::Request& request,
                                 httplib::Response& response) {
    response.set_content(QueryResponse(request.get_param_value("query")),
                         "application/json");
  });

  double stop_requested_ms = 0;
  std::thread stopper([&] {
    WaitForTerminationSignal();
    stop_requested_ms = NowMs();
    server.stop();
  });
  if (!server.bind_to_port(options.host, options.port)) {
    std::fprintf(stderr, "cannot listen on %s:%d\n", options.host.c_str(),
                 options.port);
    std::_Exit(1);
  }
  if (listen_backlog > 0 && !server.SetListenBacklog(listen_backlog)) {
    std::fprintf(stderr, "listen backlog %d refused\n", listen_backlog);
    std::_Exit(1);
  }
  std::fprintf(stderr, "listening on %s:%d threads=%d\n", options.host.c_str(),
               options.port, options.threads);
  server.listen_after_bind();  // Returns once stop() ran and the pool drained.
  stopper.join();
  std::fprintf(stderr, "shutdown_ms=%.0f\n", NowMs() - stop_requested_ms);
  return 0;
}

}  // namespace
}  // namespace fraisier::bench::http

int main(int argc, char** argv) {
  return fraisier::bench::http::Main(argc, argv);
}
