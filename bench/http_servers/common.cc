#include "bench/http_servers/common.h"

#include <pthread.h>
#include <signal.h>

#include <atomic>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <cstring>

#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"

namespace fraisier::bench::http {

Flags::Flags(int argc, char** argv) {
  for (int i = 1; i < argc; ++i) {
    absl::string_view arg = argv[i];
    if (arg.substr(0, 2) != "--") {
      std::fprintf(stderr, "unexpected argument: %s\n", argv[i]);
      std::exit(2);
    }
    arg.remove_prefix(2);
    const size_t eq = arg.find('=');
    const std::string name(arg.substr(0, eq));
    values_[name] =
        eq == absl::string_view::npos ? "1" : std::string(arg.substr(eq + 1));
    used_[name] = false;
  }
}

std::string Flags::Str(const std::string& name,
                       const std::string& default_value) {
  auto it = values_.find(name);
  if (it == values_.end()) return default_value;
  used_[name] = true;
  return it->second;
}

int64_t Flags::Int(const std::string& name, int64_t default_value) {
  const std::string text = Str(name, "");
  if (text.empty()) return default_value;
  int64_t value = 0;
  if (!absl::SimpleAtoi(text, &value)) {
    std::fprintf(stderr, "--%s: not an integer: %s\n", name.c_str(),
                 text.c_str());
    std::exit(2);
  }
  return value;
}

double Flags::Double(const std::string& name, double default_value) {
  const std::string text = Str(name, "");
  if (text.empty()) return default_value;
  double value = 0;
  if (!absl::SimpleAtod(text, &value)) {
    std::fprintf(stderr, "--%s: not a number: %s\n", name.c_str(),
                 text.c_str());
    std::exit(2);
  }
  return value;
}

void Flags::Check(const char* usage) {
  for (const auto& [name, used] : used_) {
    if (!used) {
      std::fprintf(stderr, "unknown flag --%s\nusage: %s\n", name.c_str(),
                   usage);
      std::exit(2);
    }
  }
}

ServerOptions ReadServerOptions(Flags& flags) {
  ServerOptions options;
  options.host = flags.Str("host", options.host);
  options.port = static_cast<int>(flags.Int("port", options.port));
  options.threads = static_cast<int>(flags.Int("threads", options.threads));
  options.max_body_bytes = flags.Int("max_body_bytes", options.max_body_bytes);
  options.keep_alive_timeout_s = static_cast<int>(
      flags.Int("keep_alive_timeout_s", options.keep_alive_timeout_s));
  options.read_timeout_s =
      static_cast<int>(flags.Int("read_timeout_s", options.read_timeout_s));
  if (options.port <= 0 || options.threads <= 0) {
    std::fprintf(stderr, "--port and --threads must be positive\n");
    std::exit(2);
  }
  return options;
}

uint64_t TouchBody(const char* data, size_t size) {
  // Four independent lanes of 64-bit words keep this at memory speed while
  // still reading every byte.
  uint64_t lanes[4] = {0x9e3779b97f4a7c15u, 0, 0, 0};
  size_t i = 0;
  for (; i + 32 <= size; i += 32) {
    for (int lane = 0; lane < 4; ++lane) {
      uint64_t word;
      std::memcpy(&word, data + i + 8 * lane, sizeof(word));
      lanes[lane] = (lanes[lane] ^ word) * 0x100000001b3u;
    }
  }
  for (; i < size; ++i) {
    lanes[0] =
        (lanes[0] ^ static_cast<unsigned char>(data[i])) * 0x100000001b3u;
  }
  return lanes[0] ^ (lanes[1] << 1) ^ (lanes[2] << 2) ^ (lanes[3] << 3);
}

namespace {
std::atomic<uint64_t> sink{0};
}  // namespace

void Sink(uint64_t value) { sink.fetch_add(value, std::memory_order_relaxed); }

std::string QueryResponse(absl::string_view query) {
  // 16 series of `up`-like samples: about 2 KB, built per request as the
  // API would format a small instant-vector result.
  std::string out = R"({"status":"success","data":{"resultType":"vector",)"
                    R"("result":[)";
  out.reserve(2300);
  const uint64_t seed = TouchBody(query);
  for (int i = 0; i < 16; ++i) {
    if (i > 0) out.push_back(',');
    absl::StrAppend(&out, R"({"metric":{"__name__":"up","instance":"ip-10-0-)",
                    i, R"(-23.eu-west-1.compute.internal:9100",)",
                    R"("job":"node","cluster":"prod-eu"},)",
                    R"("value":[1732406400.123,")", (seed >> i) & 1, "\"]}");
  }
  absl::StrAppend(&out, "]}}");
  return out;
}

namespace {
int HexValue(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

std::string UrlDecode(absl::string_view text) {
  std::string out;
  out.reserve(text.size());
  for (size_t i = 0; i < text.size(); ++i) {
    if (text[i] == '+') {
      out.push_back(' ');
    } else if (text[i] == '%' && i + 2 < text.size() &&
               HexValue(text[i + 1]) >= 0 && HexValue(text[i + 2]) >= 0) {
      out.push_back(static_cast<char>(HexValue(text[i + 1]) * 16 +
                                      HexValue(text[i + 2])));
      i += 2;
    } else {
      out.push_back(text[i]);
    }
  }
  return out;
}
}  // namespace

std::string QueryParam(absl::string_view query_string, absl::string_view name) {
  while (!query_string.empty()) {
    const size_t amp = query_string.find('&');
    absl::string_view pair = query_string.substr(0, amp);
    query_string = amp == absl::string_view::npos
                       ? absl::string_view()
                       : query_string.substr(amp + 1);
    const size_t eq = pair.find('=');
    if (pair.substr(0, eq) != name) continue;
    return eq == absl::string_view::npos ? std::string()
                                         : UrlDecode(pair.substr(eq + 1));
  }
  return std::string();
}

namespace {
sigset_t TerminationSignals() {
  sigset_t set;
  sigemptyset(&set);
  sigaddset(&set, SIGTERM);
  sigaddset(&set, SIGINT);
  return set;
}
}  // namespace

void BlockTerminationSignals() {
  sigset_t set = TerminationSignals();
  pthread_sigmask(SIG_BLOCK, &set, nullptr);
  // Peers that vanish must not kill the server.
  signal(SIGPIPE, SIG_IGN);
}

int WaitForTerminationSignal() {
  sigset_t set = TerminationSignals();
  int signal_number = 0;
  sigwait(&set, &signal_number);
  return signal_number;
}

double NowMs() {
  return std::chrono::duration<double, std::milli>(
             std::chrono::steady_clock::now().time_since_epoch())
      .count();
}

}  // namespace fraisier::bench::http
