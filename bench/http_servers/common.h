// Shared by the HTTP server candidates of bench/http_servers: flag parsing,
// the stub handlers every server calls, and SIGTERM handling, so that the
// three servers differ only in their transport.
#ifndef BENCH_HTTP_SERVERS_COMMON_H_
#define BENCH_HTTP_SERVERS_COMMON_H_

#include <cstddef>
#include <cstdint>
#include <map>
#include <string>

#include "absl/strings/string_view.h"

namespace fraisier::bench::http {

// `--name=value` flags. Unknown flags are an error (Check() reports them).
class Flags {
 public:
  Flags(int argc, char** argv);

  int64_t Int(const std::string& name, int64_t default_value);
  double Double(const std::string& name, double default_value);
  std::string Str(const std::string& name, const std::string& default_value);
  // Exits with a usage message when a flag was given that no Int/Double/Str
  // call asked for.
  void Check(const char* usage);

 private:
  std::map<std::string, std::string> values_;
  std::map<std::string, bool> used_;
};

// The common server settings every candidate reads.
struct ServerOptions {
  std::string host = "127.0.0.1";
  int port = 0;
  int threads = 8;
  int64_t max_body_bytes = 16 << 20;
  int keep_alive_timeout_s = 5;
  int read_timeout_s = 5;
};
ServerOptions ReadServerOptions(Flags& flags);

// The remote-write stub: touches every byte of the body (a checksum), as
// the snappy decoder would, and returns the checksum so the work is kept.
uint64_t TouchBody(const char* data, size_t size);
inline uint64_t TouchBody(absl::string_view body) {
  return TouchBody(body.data(), body.size());
}
// Keeps checksums alive across calls (an atomic add, relaxed).
void Sink(uint64_t value);

// The query stub: a ~2 KB Prometheus-style vector result for `query`.
std::string QueryResponse(absl::string_view query);

// The URL-decoded value of parameter `name` in a query string (the part
// after '?'), or "" when absent.
std::string QueryParam(absl::string_view query_string, absl::string_view name);

// Blocks SIGTERM and SIGINT in the calling thread and in every thread it
// starts afterwards; call first in main().
void BlockTerminationSignals();
// Waits until SIGTERM or SIGINT arrives; returns the signal.
int WaitForTerminationSignal();

// Monotonic milliseconds, for the shutdown report.
double NowMs();

}  // namespace fraisier::bench::http

#endif  // BENCH_HTTP_SERVERS_COMMON_H_
