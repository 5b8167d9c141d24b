// 10,000 firing alerts delivered by the notifier to a real Alertmanager
// 0.25 on a loopback port: wall time from Send() until Alertmanager has
// acknowledged every batch, our CPU per alert (encoding, HTTP, sender
// thread) and Alertmanager's CPU per alert (from /proc/<pid>/stat).
//
// Round 1 sends alerts Alertmanager has never seen; later rounds resend the
// same alerts with a later endsAt, as the rules engine does every resend
// delay (1m), which Alertmanager merges into the alerts it has.
//
//   bazel run --config=opt //bench:notifier_alertmanager_bench --
//       [--alerts=10000] [--rounds=5] [--batch=256]
//
// Files go to $NOTIFIER_BENCH_DIR (default /tmp).
#include <sys/resource.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

#include "absl/strings/match.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/strip.h"
#include "absl/time/clock.h"
#include "engine/base/clock.h"
#include "rules/notifier/alert.h"
#include "rules/notifier/notifier.h"
#include "tests/integration/test_util.h"

namespace fraisier {
namespace {

using integration::ChildProcess;
using integration::HttpGet;

constexpr char kAlertmanager[] = "/usr/bin/prometheus-alertmanager";

double CpuSeconds(int who) {
  rusage u{};
  getrusage(who, &u);
  return u.ru_utime.tv_sec + u.ru_stime.tv_sec +
         (u.ru_utime.tv_usec + u.ru_stime.tv_usec) / 1e6;
}

// utime + stime of `pid` in seconds (clock-tick resolution, 10 ms).
double ProcessCpuSeconds(pid_t pid) {
  std::ifstream in(absl::StrCat("/proc/", pid, "/stat"));
  std::string text((std::istreambuf_iterator<char>(in)),
                   std::istreambuf_iterator<char>());
  // Fields after the parenthesised command name: state is field 3, utime
  // and stime are fields 14 and 15.
  const size_t close = text.rfind(')');
  if (close == std::string::npos) return 0;
  std::istringstream rest(text.substr(close + 2));
  std::string field;
  double utime = 0, stime = 0;
  for (int i = 3; i <= 15 && rest >> field; ++i) {
    if (i == 14) utime = std::strtod(field.c_str(), nullptr);
    if (i == 15) stime = std::strtod(field.c_str(), nullptr);
  }
  return (utime + stime) / static_cast<double>(sysconf(_SC_CLK_TCK));
}

// Alerts shaped like the seed guide's node and service rules: 8 labels, a
// summary and description expanded from templates, a runbook link.
std::vector<notifier::Alert> MakeAlerts(int n, absl::Time now) {
  static const char* const kNames[] = {
      "HostHighCpuLoad",   "HostOutOfMemory", "HostDiskWillFillIn24Hours",
      "ServiceDown",       "HighErrorRate",   "HighLatencyP99",
      "NatsSlowConsumers", "DeploymentStuck", "CertificateExpiring",
      "TargetMissing"};
  std::vector<notifier::Alert> out;
  out.reserve(n);
  for (int i = 0; i < n; ++i) {
    const std::string name = kNames[i % 10];
    const std::string instance =
        absl::StrCat("ip-10-0-", (i / 250) % 256, "-", i % 250,
                     ".eu-west-1.compute.internal:9100");
    notifier::Alert a;
    a.labels =
        Labels::FromPairs({{"alertname", name},
                           {"cluster", "prod-eu-1"},
                           {"instance", instance},
                           {"job", "node"},
                           {"namespace", "fraisier"},
                           {"pod", absl::StrCat("fraisier-api-", i)},
                           {"severity", i % 3 == 0 ? "critical" : "warning"},
                           {"team", "platform"}});
    a.annotations = {
        {"summary", absl::StrCat(name, " on ", instance)},
        {"description",
         absl::StrCat(
             "CPU load is ", 80 + i % 20, ".", i % 10, "% on ", instance,
             " for more than 5 minutes.\nVALUE = ", 0.8 + (i % 20) / 100.0,
             "\nLABELS = map[instance:", instance, " job:node]")},
        {"runbook_url",
         absl::StrCat("https://runbooks.fraisier.dev/alerts/", name)}};
    a.starts_at = now - absl::Minutes(5);
    a.ends_at = now + absl::Minutes(4);
    a.generator_url = notifier::GeneratorUrl(
        "http://ruler.fraisier.dev:9099",
        "100 - (avg by (instance) (rate(node_cpu_seconds_total{mode=\"idle\"}"
        "[5m])) * 100) > 80");
    out.push_back(std::move(a));
  }
  return out;
}

int Main(int argc, char** argv) {
  int alerts = 10000, rounds = 5, batch = 256;
  for (int i = 1; i < argc; ++i) {
    absl::string_view arg = argv[i];
    int* target = nullptr;
    if (absl::ConsumePrefix(&arg, "--alerts=")) target = &alerts;
    if (absl::ConsumePrefix(&arg, "--rounds=")) target = &rounds;
    if (absl::ConsumePrefix(&arg, "--batch=")) target = &batch;
    if (target == nullptr || !absl::SimpleAtoi(arg, target) || *target <= 0) {
      std::fprintf(stderr, "usage: %s [--alerts=N] [--rounds=N] [--batch=N]\n",
                   argv[0]);
      return 2;
    }
  }
  if (access(kAlertmanager, X_OK) != 0) {
    std::fprintf(stderr, "%s is not installed\n", kAlertmanager);
    return 1;
  }
  const char* base = std::getenv("NOTIFIER_BENCH_DIR");
  const std::string dir = absl::StrCat(base != nullptr ? base : "/tmp",
                                       "/notifier_bench_", getpid());
  if (std::system(absl::StrCat("mkdir -p '", dir, "'").c_str()) != 0) return 1;
  std::ofstream(dir + "/alertmanager.yml")
      << "route:\n  receiver: blackhole\n"
      << "receivers:\n  - name: blackhole\n";
  const int port = integration::FreePort();
  const std::string am_url = absl::StrCat("http://127.0.0.1:", port);
  ChildProcess am({kAlertmanager, "--config.file=" + dir + "/alertmanager.yml",
                   "--storage.path=" + dir + "/data",
                   absl::StrCat("--web.listen-address=127.0.0.1:", port),
                   "--cluster.listen-address="},
                  dir + "/alertmanager.log");
  if (!integration::PollUntil(absl::Seconds(30), [&] {
        return HttpGet(am_url + "/-/ready").status == 200;
      })) {
    std::fprintf(stderr, "alertmanager did not become ready\n");
    return 1;
  }

  notifier::AlertmanagerEndpoint endpoint;
  endpoint.target = absl::StrCat("127.0.0.1:", port);
  notifier::NotifierOptions options;
  options.sender.max_batch_size = batch;
  absl::StatusOr<std::unique_ptr<notifier::Notifier>> created =
      notifier::Notifier::Create({endpoint}, options, RealClock::Get());
  if (!created.ok()) {
    std::fprintf(stderr, "%s\n", created.status().ToString().c_str());
    return 1;
  }
  notifier::Notifier& n = **created;

  std::printf(
      "notifier -> alertmanager 0.25: %d firing alerts per round, batch %d\n"
      "round  kind    wall_ms  send_ms  ruler_cpu_ms  ruler_us/alert  "
      "am_cpu_ms  am_us/alert  posts  post_ms_avg\n",
      alerts, batch);
  std::vector<double> resend_ruler, resend_am, resend_wall;
  int64_t delivered = 0;
  for (int round = 1; round <= rounds; ++round) {
    std::vector<notifier::Alert> batch_alerts = MakeAlerts(alerts, absl::Now());
    const notifier::AlertmanagerStats before = n.Stats().at(0);
    const double am_cpu0 = ProcessCpuSeconds(am.pid());
    const double cpu0 = CpuSeconds(RUSAGE_SELF);
    const auto wall0 = std::chrono::steady_clock::now();
    n.Send(batch_alerts);
    const auto wall_send = std::chrono::steady_clock::now();
    const double thread_send = CpuSeconds(RUSAGE_THREAD);
    delivered += alerts;
    while (n.Stats().at(0).sent + n.Stats().at(0).dropped < delivered) {
      std::this_thread::sleep_for(std::chrono::milliseconds(2));
    }
    const auto wall1 = std::chrono::steady_clock::now();
    // The polling above is the benchmark's, not the notifier's: subtract
    // this thread's CPU after Send returned.
    const double ruler_cpu = (CpuSeconds(RUSAGE_SELF) - cpu0) -
                             (CpuSeconds(RUSAGE_THREAD) - thread_send);
    const double am_cpu = ProcessCpuSeconds(am.pid()) - am_cpu0;
    const notifier::AlertmanagerStats after = n.Stats().at(0);
    if (after.dropped != before.dropped || after.errors != before.errors) {
      std::fprintf(stderr, "round %d: %lld dropped, %lld errors\n", round,
                   static_cast<long long>(after.dropped - before.dropped),
                   static_cast<long long>(after.errors - before.errors));
      return 1;
    }
    const double wall_ms =
        std::chrono::duration<double, std::milli>(wall1 - wall0).count();
    const double send_ms =
        std::chrono::duration<double, std::milli>(wall_send - wall0).count();
    const int64_t posts = after.latency_count - before.latency_count;
    const double post_ms =
        1e3 * (after.latency_seconds_sum - before.latency_seconds_sum) / posts;
    std::printf(
        "%5d  %-6s  %7.1f  %7.1f  %12.1f  %14.2f  %9.0f  %11.1f  %5lld  "
        "%11.2f\n",
        round, round == 1 ? "new" : "resend", wall_ms, send_ms, ruler_cpu * 1e3,
        ruler_cpu * 1e6 / alerts, am_cpu * 1e3, am_cpu * 1e6 / alerts,
        static_cast<long long>(posts), post_ms);
    if (round > 1) {
      resend_ruler.push_back(ruler_cpu * 1e6 / alerts);
      resend_am.push_back(am_cpu * 1e6 / alerts);
      resend_wall.push_back(wall_ms);
    }
  }
  auto median = [](std::vector<double> v) {
    if (v.empty()) return 0.0;
    std::sort(v.begin(), v.end());
    return v[v.size() / 2];
  };
  if (!resend_ruler.empty()) {
    std::printf(
        "resend median: wall %.1f ms (%.1f us/alert), ruler CPU %.2f us/alert, "
        "alertmanager CPU %.1f us/alert\n",
        median(resend_wall), median(resend_wall) * 1e3 / alerts,
        median(resend_ruler), median(resend_am));
  }
  // Alertmanager really holds them: count its active alerts.
  const integration::HttpResult listed = HttpGet(am_url + "/api/v2/alerts");
  size_t count = 0;
  for (size_t pos = listed.body.find("\"fingerprint\"");
       pos != std::string::npos;
       pos = listed.body.find("\"fingerprint\"", pos + 1)) {
    ++count;
  }
  std::printf("alertmanager lists %zu active alerts\n", count);
  n.Stop(absl::Seconds(5));
  am.Stop();
  if (std::system(absl::StrCat("rm -rf '", dir, "'").c_str()) != 0) {
    std::fprintf(stderr, "could not remove %s\n", dir.c_str());
  }
  return count == static_cast<size_t>(alerts) ? 0 : 1;
}

}  // namespace
}  // namespace fraisier

int main(int argc, char** argv) { return fraisier::Main(argc, argv); }
