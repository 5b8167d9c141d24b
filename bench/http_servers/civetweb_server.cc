// The remote-write and query endpoints on civetweb 1.15 (Debian's
// libcivetweb-dev): --threads worker threads, each of which owns one
// connection for as long as it stays alive; the master thread queues
// accepted connections (connection_queue, default 20).
//
//   civetweb_server --port=P [--threads=8] [--keep_alive_timeout_s=5]
//       [--read_timeout_s=5] [--max_body_bytes=16777216]
//       [--connection_queue=20] [--tcp_nodelay=0]
//
// SIGTERM or SIGINT stops it with mg_stop(); the time that took is printed
// as `shutdown_ms=` on stderr.
#include <cstdio>
#include <string>
#include <string_view>

#include "absl/strings/str_cat.h"
#include "bench/http_servers/common.h"
#include "civetweb.h"

namespace fraisier::bench::http {
namespace {

constexpr char kUsage[] =
    "civetweb_server --port=P [--threads=8] [--keep_alive_timeout_s=5] "
    "[--read_timeout_s=5] [--max_body_bytes=16777216] "
    "[--connection_queue=20] [--tcp_nodelay=0]";

int64_t max_body_bytes = 0;

void SendStatus(mg_connection* connection, int status) {
  mg_response_header_start(connection, status);
  mg_response_header_add(connection, "Content-Length", "0", -1);
  mg_response_header_send(connection);
}

int HandleWrite(mg_connection* connection, void* /*user_data*/) {
  const mg_request_info* info = mg_get_request_info(connection);
  if (std::string_view(info->request_method) != "POST") {
    SendStatus(connection, 405);
    return 405;
  }
  if (info->content_length < 0) {
    SendStatus(connection, 411);
    return 411;
  }
  if (info->content_length > max_body_bytes) {
    // civetweb would read and discard the rest of the body before the next
    // request; closing is what a receiver wants here.
    mg_response_header_start(connection, 413);
    mg_response_header_add(connection, "Content-Length", "0", -1);
    mg_response_header_add(connection, "Connection", "close", -1);
    mg_response_header_send(connection);
    return 413;
  }
  std::string body(static_cast<size_t>(info->content_length), '\0');
  size_t have = 0;
  while (have < body.size()) {
    const int n = mg_read(connection, body.data() + have, body.size() - have);
    if (n <= 0) return 400;  // The peer went away; nothing to answer.
    have += static_cast<size_t>(n);
  }
  Sink(TouchBody(body));
  mg_response_header_start(connection, 204);
  mg_response_header_send(connection);
  return 204;
}

int HandleQuery(mg_connection* connection, void* /*user_data*/) {
  const mg_request_info* info = mg_get_request_info(connection);
  const std::string body = QueryResponse(QueryParam(
      info->query_string == nullptr ? "" : info->query_string, "query"));
  const std::string length = absl::StrCat(body.size());
  mg_response_header_start(connection, 200);
  mg_response_header_add(connection, "Content-Type", "application/json", -1);
  mg_response_header_add(connection, "Content-Length", length.c_str(), -1);
  mg_response_header_send(connection);
  mg_write(connection, body.data(), body.size());
  return 200;
}

int Main(int argc, char** argv) {
  BlockTerminationSignals();
  Flags flags(argc, argv);
  const ServerOptions options = ReadServerOptions(flags);
  const std::string connection_queue =
      absl::StrCat(flags.Int("connection_queue", 20));
  const std::string tcp_nodelay = absl::StrCat(flags.Int("tcp_nodelay", 0));
  flags.Check(kUsage);
  max_body_bytes = options.max_body_bytes;

  const std::string ports = absl::StrCat(options.host, ":", options.port);
  const std::string threads = absl::StrCat(options.threads);
  const std::string keep_alive_ms =
      absl::StrCat(options.keep_alive_timeout_s * 1000);
  const std::string request_ms = absl::StrCat(options.read_timeout_s * 1000);
  const char* config[] = {"listening_ports",
                          ports.c_str(),
                          "num_threads",
                          threads.c_str(),
                          "connection_queue",
                          connection_queue.c_str(),
                          "enable_keep_alive",
                          "yes",
                          "keep_alive_timeout_ms",
                          keep_alive_ms.c_str(),
                          "request_timeout_ms",
                          request_ms.c_str(),
                          "tcp_nodelay",
                          tcp_nodelay.c_str(),
                          "listen_backlog",
                          "1024",
                          nullptr};
  mg_init_library(0);
  mg_callbacks callbacks = {};
  mg_context* context = mg_start(&callbacks, nullptr, config);
  if (context == nullptr) {
    std::fprintf(stderr, "cannot start civetweb on %s\n", ports.c_str());
    return 1;
  }
  mg_set_request_handler(context, "/api/v1/write$", HandleWrite, nullptr);
  mg_set_request_handler(context, "/api/v1/query$", HandleQuery, nullptr);
  std::fprintf(stderr, "listening on %s threads=%d\n", ports.c_str(),
               options.threads);

  WaitForTerminationSignal();
  const double stop_requested_ms = NowMs();
  mg_stop(context);
  std::fprintf(stderr, "shutdown_ms=%.0f\n", NowMs() - stop_requested_ms);
  mg_exit_library();
  return 0;
}

}  // namespace
}  // namespace fraisier::bench::http

int main(int argc, char** argv) {
  return fraisier::bench::http::Main(argc, argv);
}
