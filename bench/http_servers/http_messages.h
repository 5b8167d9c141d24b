// Raw HTTP/1.1 messages for the load generator: the two requests it sends
// (a remote-write-shaped POST and a query GET) and an incremental response
// parser, so that it can drive many sockets without an HTTP library.
#ifndef BENCH_HTTP_SERVERS_HTTP_MESSAGES_H_
#define BENCH_HTTP_SERVERS_HTTP_MESSAGES_H_

#include <netinet/in.h>

#include <cstddef>
#include <optional>
#include <string>

#include "absl/strings/string_view.h"

namespace fraisier::bench::http {

// A POST /api/v1/write with `body_bytes` of body and a Content-Length of
// `declared_bytes` (larger to test body limits).
std::string PostRequest(int port, size_t body_bytes, size_t declared_bytes);
// A GET /api/v1/query of a typical Grafana panel.
std::string GetRequest(int port);

struct Response {
  int status = 0;
  size_t total_bytes = 0;  // Header and body.
  bool close = false;
};

// Parses one response at the start of `in`: nullopt while incomplete;
// status -1 when malformed or chunked (no candidate sends chunked here).
std::optional<Response> ParseResponse(absl::string_view in);

sockaddr_in Loopback(int port);

}  // namespace fraisier::bench::http

#endif  // BENCH_HTTP_SERVERS_HTTP_MESSAGES_H_
