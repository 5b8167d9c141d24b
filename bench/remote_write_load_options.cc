#include "bench/remote_write_load_options.h"

#include <cstdio>
#include <cstdlib>

#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/string_view.h"
#include "absl/strings/strip.h"

namespace fraisier::bench::load {

namespace {

constexpr char kUsage[] =
    "usage: remote_write_load --address=HOST:PORT [--path=/api/v1/write] "
    "[--series=100000] [--series_per_request=500] [--connections=2] "
    "[--rounds=30] [--creation_rounds=1] [--warmup_rounds=1] "
    "[--interval=15s] [--start_ms=MS] [--rate=SAMPLES_PER_S] "
    "[--duration=10m] [--server_pid=PID] [--label=NAME] "
    "[--encoder=patch|snappy] [--timeout=60s] [--progress=10s]";

// "10m", "15s", "250ms", "1h", or a plain number of seconds.
int64_t ParseDurationMs(absl::string_view name, absl::string_view text) {
  struct Unit {
    absl::string_view suffix;
    double ms;
  };
  static constexpr Unit kUnits[] = {
      {"ms", 1}, {"s", 1000}, {"m", 60000}, {"h", 3600000}};
  for (const Unit& unit : kUnits) {
    if (!absl::EndsWith(text, unit.suffix)) continue;
    absl::string_view number = text.substr(0, text.size() - unit.suffix.size());
    double value;
    // "ms" also ends with "s": the number part must parse.
    if (absl::SimpleAtod(number, &value) && value >= 0) {
      return static_cast<int64_t>(std::llround(value * unit.ms));
    }
  }
  double seconds;
  if (absl::SimpleAtod(text, &seconds) && seconds >= 0) {
    return static_cast<int64_t>(std::llround(seconds * 1000));
  }
  Die(absl::StrCat("bad duration for --", name, ": ", text));
}

int64_t ParseInt(absl::string_view name, absl::string_view text, int64_t min) {
  int64_t value;
  if (!absl::SimpleAtoi(text, &value) || value < min) {
    Die(absl::StrCat("bad value for --", name, ": ", text));
  }
  return value;
}

}  // namespace

[[noreturn]] void Die(absl::string_view message) {
  std::fprintf(stderr, "remote_write_load: %.*s\n%s\n",
               static_cast<int>(message.size()), message.data(), kUsage);
  std::exit(2);
}

Options ParseOptions(int argc, char** argv) {
  Options o;
  bool have_address = false;
  bool have_rounds = false;
  for (int i = 1; i < argc; ++i) {
    absl::string_view arg = argv[i];
    if (arg == "--help" || arg == "-h") {
      std::printf("%s\n", kUsage);
      std::exit(0);
    }
    if (!absl::ConsumePrefix(&arg, "--"))
      Die(absl::StrCat("bad argument ", arg));
    const size_t eq = arg.find('=');
    if (eq == absl::string_view::npos) Die(absl::StrCat("missing =: --", arg));
    const absl::string_view name = arg.substr(0, eq);
    const absl::string_view value = arg.substr(eq + 1);
    if (name == "address") {
      const size_t colon = value.rfind(':');
      if (colon == absl::string_view::npos) Die("--address needs HOST:PORT");
      o.host = std::string(value.substr(0, colon));
      o.port = static_cast<int>(ParseInt(name, value.substr(colon + 1), 1));
      have_address = true;
    } else if (name == "path") {
      o.path = std::string(value);
    } else if (name == "series") {
      o.series = ParseInt(name, value, 1);
    } else if (name == "series_per_request") {
      o.series_per_request = ParseInt(name, value, 1);
    } else if (name == "connections") {
      o.connections = static_cast<int>(ParseInt(name, value, 1));
    } else if (name == "rounds") {
      o.rounds = ParseInt(name, value, 0);
      have_rounds = true;
    } else if (name == "creation_rounds") {
      o.creation_rounds = ParseInt(name, value, 1);
    } else if (name == "warmup_rounds") {
      o.warmup_rounds = ParseInt(name, value, 0);
    } else if (name == "interval") {
      o.interval_ms = ParseDurationMs(name, value);
      if (o.interval_ms <= 0) Die("--interval must be positive");
    } else if (name == "start_ms") {
      o.start_ms = ParseInt(name, value, 0);
    } else if (name == "rate") {
      if (!absl::SimpleAtod(value, &o.rate) || o.rate < 0) {
        Die(absl::StrCat("bad --rate: ", value));
      }
    } else if (name == "duration") {
      o.duration_ms = ParseDurationMs(name, value);
    } else if (name == "server_pid") {
      o.server_pid = static_cast<int>(ParseInt(name, value, 1));
    } else if (name == "label") {
      o.label = std::string(value);
    } else if (name == "encoder") {
      if (value != "patch" && value != "snappy") Die("--encoder=patch|snappy");
      o.snappy_encoder = value == "snappy";
    } else if (name == "timeout") {
      o.timeout_ms = ParseDurationMs(name, value);
    } else if (name == "progress") {
      o.progress_ms = ParseDurationMs(name, value);
    } else {
      Die(absl::StrCat("unknown flag --", name));
    }
  }
  if (!have_address) Die("--address is required");
  if (o.rate > 0 && o.duration_ms == 0 && !have_rounds) {
    o.duration_ms = 10 * 60 * 1000;
  }
  if (o.rate == 0 && o.duration_ms > 0) {
    Die("--duration needs --rate (without it, --rounds sets the length)");
  }
  if (o.interval_ms == 0) {
    o.interval_ms =
        o.rate > 0
            ? std::max<int64_t>(1, std::llround(1000.0 * o.series / o.rate))
            : 15000;
  }
  return o;
}

}  // namespace fraisier::bench::load
