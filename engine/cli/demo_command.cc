#include "engine/cli/demo_command.h"

#include <signal.h>
#include <time.h>

#include <atomic>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <thread>

#include "absl/strings/match.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "engine/base/clock.h"
#include "engine/cli/cli.h"
#include "engine/cli/flags.h"
#include "engine/demo/demo_rules.h"
#include "engine/demo/feeder.h"
#include "engine/demo/scenario.h"
#include "promql/literals.h"
#include "rules/notifier/curl_transport.h"
#include "rules/notifier/sleeper.h"

namespace fraisier::cli {
namespace {

constexpr absl::string_view kDemoUsage =
    "usage: ruler demo [<flags>]\n\n"
    "Remote-write the metrics of a simulated Fraisier installation, with\n"
    "scripted incidents, until interrupted.\n\nFlags:\n";
constexpr absl::string_view kSetupUsage =
    "usage: ruler demo setup [<flags>] DIR\n\n"
    "Write DIR/ruler.yml and a copy of the rule file whose `for:` and group\n"
    "`interval:` are capped, for `ruler serve` in the demo.\n\nFlags:\n";

// A duration flag: Prometheus syntax, above zero.
absl::StatusOr<absl::Duration> PositiveDuration(absl::string_view flag,
                                                const std::string& text) {
  absl::StatusOr<int64_t> ms = promql::ParseDurationMs(text);
  if (!ms.ok() || *ms <= 0) {
    return absl::InvalidArgumentError(
        absl::StrCat("--", flag, ": invalid duration \"", text, "\""));
  }
  return absl::Milliseconds(*ms);
}

absl::StatusOr<demo::FeederOptions> DemoOptions(const std::string& url,
                                                const std::string& interval,
                                                const std::string& time_scale,
                                                const std::string& duration,
                                                const std::string& seed) {
  demo::FeederOptions o;
  if (!absl::StartsWith(url, "http://") && !absl::StartsWith(url, "https://")) {
    return absl::InvalidArgumentError(absl::StrCat(
        "--url: expected an http:// or https:// URL, got \"", url, "\""));
  }
  o.url = url;
  absl::StatusOr<absl::Duration> d = PositiveDuration("interval", interval);
  if (!d.ok()) return d.status();
  o.interval = *d;
  if (!absl::SimpleAtod(time_scale, &o.time_scale) || !(o.time_scale > 0)) {
    return absl::InvalidArgumentError(absl::StrCat(
        "--time-scale: expected a number above 0, got \"", time_scale, "\""));
  }
  if (duration != "0" && duration != "0s") {
    d = PositiveDuration("duration", duration);
    if (!d.ok()) return d.status();
    o.duration = *d;
  }
  if (!absl::SimpleAtoi(seed, &o.seed)) {
    return absl::InvalidArgumentError(absl::StrCat(
        "--seed: expected a non-negative integer, got \"", seed, "\""));
  }
  return o;
}

// Waits for SIGINT/SIGTERM on its own thread (the signals are blocked in
// every thread) and then stops the feeder; ends quietly when the feed ends
// first.
class SignalStopper {
 public:
  SignalStopper(std::atomic<bool>* stop, notifier::Sleeper* sleeper) {
    sigemptyset(&signals_);
    sigaddset(&signals_, SIGINT);
    sigaddset(&signals_, SIGTERM);
    pthread_sigmask(SIG_BLOCK, &signals_, nullptr);
    thread_ = std::thread([this, stop, sleeper] {
      const timespec poll = {0, 200 * 1000 * 1000};
      while (!done_.load()) {
        if (sigtimedwait(&signals_, nullptr, &poll) > 0) {
          stop->store(true);
          sleeper->WakeAll();
          return;
        }
      }
    });
  }
  ~SignalStopper() {
    done_.store(true);
    thread_.join();
  }

 private:
  sigset_t signals_;
  std::atomic<bool> done_{false};
  std::thread thread_;
};

}  // namespace

int RunDemo(const std::vector<std::string>& args, std::ostream& out,
            std::ostream& err) {
  std::string url = demo::FeederOptions{}.url, interval = "5s",
              scenario_name = "incidents", time_scale = "1", duration = "0s",
              seed = "1";
  bool help = false;
  FlagSet flags;
  flags.AddString("url", "Remote-write endpoint of the ruler.", &url);
  flags.AddString("interval", "How often to write (a scrape interval).",
                  &interval);
  flags.AddString(
      "scenario",
      absl::StrCat("The incidents to play: ",
                   absl::StrJoin(demo::ScenarioNames(), " or "), "."),
      &scenario_name);
  flags.AddString("time-scale",
                  "Play the incident timeline this many times faster (the "
                  "traffic stays per real second).",
                  &time_scale);
  flags.AddString("duration", "Stop after this long (0s: at SIGINT/SIGTERM).",
                  &duration);
  flags.AddString("seed", "Seed of the simulation's random numbers.", &seed);
  flags.AddBool("help", "Show this help.", &help);
  std::vector<std::string> positional;
  if (absl::Status s = flags.Parse(args, &positional); !s.ok()) {
    err << "ruler demo: " << s.message() << "\n" << kDemoUsage << flags.Usage();
    return kExitUsage;
  }
  if (help) {
    out << kDemoUsage << flags.Usage();
    return kExitOk;
  }
  if (!positional.empty()) {
    err << "ruler demo: unexpected argument \"" << positional[0] << "\"\n";
    return kExitUsage;
  }
  absl::StatusOr<demo::FeederOptions> options =
      DemoOptions(url, interval, time_scale, duration, seed);
  absl::StatusOr<demo::Scenario> scenario = demo::ScenarioByName(scenario_name);
  if (!options.ok() || !scenario.ok()) {
    err << "ruler demo: "
        << (options.ok() ? scenario.status() : options.status()).message()
        << "\n";
    return kExitUsage;
  }
  absl::StatusOr<std::unique_ptr<notifier::HttpTransport>> transport =
      notifier::NewCurlTransport(notifier::AlertmanagerEndpoint{});
  if (!transport.ok()) {
    err << "ruler demo: " << transport.status().message() << "\n";
    return kExitFailure;
  }
  notifier::RealSleeper sleeper;
  std::atomic<bool> stop{false};
  demo::FeederStats stats;
  {
    SignalStopper stopper(&stop, &sleeper);
    demo::Feeder feeder(*options, *std::move(scenario), RealClock::Get(),
                        &sleeper, transport->get(), &out);
    stats = feeder.Run(stop);
  }
  return stats.writes > stats.failed_writes || stats.writes == 0 ? kExitOk
                                                                 : kExitFailure;
}

int RunDemoSetup(const std::vector<std::string>& args, std::ostream& out,
                 std::ostream& err) {
  std::string rules = "monitoring/prometheus.rules.yml",
              alertmanager = "127.0.0.1:9093", max_for = "1m",
              max_interval = "15s";
  bool help = false;
  FlagSet flags;
  flags.AddString("rules", "The rule file to run.", &rules);
  flags.AddString("alertmanager",
                  "host:port of the Alertmanager to send to (empty: none).",
                  &alertmanager);
  flags.AddString("for.max", "Longest `for:` (and keep_firing_for:) kept.",
                  &max_for);
  flags.AddString("interval.max",
                  "Longest group `interval:` kept; also the evaluation "
                  "interval.",
                  &max_interval);
  flags.AddBool("help", "Show this help.", &help);
  std::vector<std::string> positional;
  if (absl::Status s = flags.Parse(args, &positional); !s.ok()) {
    err << "ruler demo setup: " << s.message() << "\n"
        << kSetupUsage << flags.Usage();
    return kExitUsage;
  }
  if (help) {
    out << kSetupUsage << flags.Usage();
    return kExitOk;
  }
  if (positional.size() != 1) {
    err << "ruler demo setup: expected one directory\n"
        << kSetupUsage << flags.Usage();
    return kExitUsage;
  }
  demo::RuleTimingCaps caps;
  absl::StatusOr<absl::Duration> d = PositiveDuration("for.max", max_for);
  if (d.ok()) caps.max_for = *d;
  absl::StatusOr<absl::Duration> i =
      PositiveDuration("interval.max", max_interval);
  if (i.ok()) caps.max_interval = *i;
  if (!d.ok() || !i.ok()) {
    err << "ruler demo setup: " << (d.ok() ? i : d).status().message() << "\n";
    return kExitUsage;
  }

  std::ifstream in(rules);
  std::stringstream text;
  text << in.rdbuf();
  if (!in) {
    err << "ruler demo setup: cannot read " << rules << "\n";
    return kExitFailure;
  }
  absl::StatusOr<std::string> capped =
      demo::CapRuleTimings(text.str(), rules, caps);
  if (!capped.ok()) {
    err << "ruler demo setup: " << capped.status().message() << "\n";
    return kExitFailure;
  }
  std::error_code ec;
  const std::filesystem::path dir =
      std::filesystem::absolute(positional[0], ec);
  std::filesystem::create_directories(dir, ec);
  const std::filesystem::path rules_out =
      dir / std::filesystem::path(rules).filename();
  const std::filesystem::path config_out = dir / "ruler.yml";
  for (const auto& [path, content] :
       {std::pair{rules_out, *capped},
        std::pair{config_out, demo::DemoConfig({rules_out.string()},
                                               alertmanager, caps)}}) {
    std::ofstream file(path);
    file << content;
    file.close();
    if (!file) {
      err << "ruler demo setup: cannot write " << path.string() << "\n";
      return kExitFailure;
    }
  }
  out << "ruler demo setup: wrote " << config_out.string() << " and "
      << rules_out.string() << " (" << rules << " with for: at most "
      << promql::FormatDurationMs(absl::ToInt64Milliseconds(caps.max_for))
      << ", group interval at most "
      << promql::FormatDurationMs(absl::ToInt64Milliseconds(caps.max_interval))
      << "; Alertmanager: "
      << (alertmanager.empty() ? std::string("none") : alertmanager) << ")\n";
  return kExitOk;
}

}  // namespace fraisier::cli
