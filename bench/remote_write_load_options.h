// The load generator's command line.
#ifndef BENCH_REMOTE_WRITE_LOAD_OPTIONS_H_
#define BENCH_REMOTE_WRITE_LOAD_OPTIONS_H_

#include <cstdint>
#include <optional>
#include <string>

#include "absl/strings/string_view.h"

namespace fraisier::bench::load {

struct Options {
  std::string host = "127.0.0.1";
  int port = 0;
  std::string path = "/api/v1/write";
  int64_t series = 100000;
  int64_t series_per_request = 500;
  int connections = 2;
  int64_t rounds = 30;
  int64_t creation_rounds = 1;
  int64_t warmup_rounds = 1;
  int64_t interval_ms = 0;  // 0: 15 s, or real time with --rate
  std::optional<int64_t> start_ms;
  double rate = 0;          // samples per second; 0 = as fast as possible
  int64_t duration_ms = 0;  // with --rate: length of the steady phase
  int server_pid = 0;
  std::string label = "server";
  bool snappy_encoder = false;
  int64_t timeout_ms = 60000;
  int64_t progress_ms = 0;
};

// Prints `message` and the usage to stderr and exits with 2.
[[noreturn]] void Die(absl::string_view message);

// Parses argv; prints the usage and exits on --help or a bad flag.
Options ParseOptions(int argc, char** argv);

}  // namespace fraisier::bench::load

#endif  // BENCH_REMOTE_WRITE_LOAD_OPTIONS_H_
