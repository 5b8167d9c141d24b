// The quick start end to end, with real processes: `ruler demo setup`
// writes the demo's config, `ruler serve` evaluates the Fraisier rules of
// monitoring/prometheus.rules.yml, `ruler demo` remote-writes the simulated
// installation with its incidents at 4x speed, and a real Alertmanager 0.25
// (when installed) receives the alerts. Every alert of the rule file must
// become firing in /api/v1/alerts, no earlier than its incident, and show
// in Alertmanager's /api/v2/alerts; when NATS and the database pool
// recover, their alerts resolve in both. Real time, polled with deadlines.
#include <signal.h>
#include <unistd.h>

#include <fstream>
#include <map>
#include <memory>
#include <regex>
#include <set>
#include <sstream>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/time/clock.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "nlohmann/json.hpp"
#include "tests/integration/test_util.h"

namespace fraisier::integration {
namespace {

using nlohmann::json;
using ::testing::HasSubstr;
using ::testing::IsSupersetOf;

constexpr char kRuler[] = "engine/ruler";  // data dependencies
constexpr char kRules[] = "monitoring/prometheus.rules.yml";
constexpr char kAlertmanager[] = "/usr/bin/prometheus-alertmanager";

// The incidents of `ruler demo --scenario=incidents` at --time-scale=4:
// when each seed alert's incident begins, in seconds of real time.
const std::map<std::string, double> kIncidentStart = {
    {"HighDeploymentFailureRate", 30 / 4.0},
    {"NatsConnectionLost", 60 / 4.0},
    {"HealthCheckFailures", 75 / 4.0},
    {"DatabasePoolExhausted", 105 / 4.0},
};
constexpr double kFirstIncident = 30 / 4.0;

std::string ReadFile(const std::string& path) {
  std::ifstream in(path);
  std::stringstream text;
  text << in.rdbuf();
  return text.str();
}

// The alert names of a rule file, in order.
std::vector<std::string> AlertNames(const std::string& text) {
  std::vector<std::string> names;
  static const std::regex alert(R"(^\s*-?\s*alert:\s*['"]?([A-Za-z_]\w*))",
                                std::regex::multiline);
  for (auto it = std::sregex_iterator(text.begin(), text.end(), alert);
       it != std::sregex_iterator(); ++it) {
    names.push_back((*it)[1]);
  }
  return names;
}

json Get(const std::string& url) {
  return json::parse(HttpGet(url).body, nullptr, /*allow_exceptions=*/false);
}

// Waits for a short-lived child to finish and returns its wait status
// (Stop() reaps it; its SIGTERM reaches an already exited child harmlessly).
int WaitForExit(ChildProcess& child, const std::string& log) {
  PollUntil(absl::Seconds(20), [&] {
    return ReadFile(log).find("ruler demo setup:") != std::string::npos;
  });
  return child.Stop();
}

class DemoAlertsTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = MakeTempDir("demo_alerts");
    ASSERT_FALSE(dir_.empty());
    if (access(kAlertmanager, X_OK) == 0) {
      StartAlertmanager();
    } else {
      std::cerr << kAlertmanager << " is not installed (tools/setup): "
                << "checking the ruler's alerts only\n";
    }
  }

  void StartAlertmanager() {
    am_port_ = FreePort();
    std::ofstream(dir_ + "/alertmanager.yml")
        << "route:\n  receiver: demo\n  group_wait: 0s\n"
        << "receivers:\n  - name: demo\n";
    am_ = std::make_unique<ChildProcess>(
        std::vector<std::string>{
            kAlertmanager, "--config.file=" + dir_ + "/alertmanager.yml",
            "--storage.path=" + dir_ + "/am",
            absl::StrCat("--web.listen-address=127.0.0.1:", am_port_),
            "--cluster.listen-address="},
        dir_ + "/alertmanager.log");
    ASSERT_TRUE(PollUntil(absl::Seconds(20), [&] {
      return HttpGet(AmUrl("/-/ready")).status == 200;
    }));
  }

  std::string AmUrl(const std::string& path) const {
    return absl::StrCat("http://127.0.0.1:", am_port_, path);
  }

  std::string dir_;
  int am_port_ = 0;
  std::unique_ptr<ChildProcess> am_;
};

TEST_F(DemoAlertsTest, EveryFraisierAlertFiresAndReachesAlertmanager) {
  const std::vector<std::string> names = AlertNames(ReadFile(kRules));
  // The seed guide's four alerts, plus the checklist's API latency and
  // error-rate alerts under whatever names the rule file gives them.
  ASSERT_THAT(names,
              IsSupersetOf({"HighDeploymentFailureRate", "HealthCheckFailures",
                            "NatsConnectionLost", "DatabasePoolExhausted"}));

  // The demo's config: for: at most 5s, evaluation every second.
  ChildProcess setup({kRuler, "demo", "setup", dir_ + "/config",
                      std::string("--rules=") + kRules,
                      am_ ? absl::StrCat("--alertmanager=127.0.0.1:", am_port_)
                          : std::string("--alertmanager="),
                      "--for.max=5s", "--interval.max=1s"},
                     dir_ + "/setup.log");
  ASSERT_EQ(WaitForExit(setup, dir_ + "/setup.log"), 0)
      << ReadFile(dir_ + "/setup.log");

  const int port = FreePort();
  const std::string base = absl::StrCat("http://127.0.0.1:", port);
  ChildProcess serve(
      {kRuler, "serve", "--config.file=" + dir_ + "/config/ruler.yml",
       "--storage.path=" + dir_ + "/data",
       absl::StrCat("--web.listen-address=127.0.0.1:", port),
       "--grpc.listen-address="},
      dir_ + "/ruler.log");
  ASSERT_TRUE(PollUntil(absl::Seconds(30), [&] {
    return HttpGet(base + "/-/ready").status == 200;
  })) << ReadFile(dir_ + "/ruler.log");

  const absl::Time start = absl::Now();
  ChildProcess demo({kRuler, "demo", "--url=" + base + "/api/v1/write",
                     "--interval=1s", "--time-scale=4"},
                    dir_ + "/demo.log");

  // When each alert was first seen pending or firing, and first firing,
  // in seconds since the feed started.
  std::map<std::string, double> first_seen, first_firing;
  std::set<std::string> in_alertmanager;
  auto all_there = [&] {
    const double t = absl::ToDoubleSeconds(absl::Now() - start);
    const json alerts = Get(base + "/api/v1/alerts");
    if (alerts.is_object()) {
      for (const json& a : alerts["data"]["alerts"]) {
        const std::string name = a["labels"]["alertname"];
        first_seen.emplace(name, t);
        if (a["state"] == "firing") first_firing.emplace(name, t);
      }
    }
    if (am_) {
      const json received = Get(AmUrl("/api/v2/alerts"));
      if (received.is_array()) {
        for (const json& a : received) {
          in_alertmanager.insert(a["labels"]["alertname"].get<std::string>());
        }
      }
    }
    for (const std::string& n : names) {
      if (first_firing.count(n) == 0) return false;
      if (am_ && in_alertmanager.count(n) == 0) return false;
    }
    return true;
  };
  const bool done = PollUntil(absl::Seconds(120), all_there);
  std::vector<std::string> report;
  for (const auto& [name, t] : first_firing) {
    report.push_back(absl::StrCat(name, " firing at ", t, "s"));
  }
  ASSERT_TRUE(done) << "firing: " << absl::StrJoin(report, ", ")
                    << "; in Alertmanager: "
                    << absl::StrJoin(in_alertmanager, ", ") << "\n"
                    << ReadFile(dir_ + "/demo.log");
  std::cerr << "demo alerts: " << absl::StrJoin(report, ", ") << "\n";

  // No alert before the incidents, and each seed alert only after its own
  // incident began plus its 5s `for`.
  for (const auto& [name, t] : first_seen) {
    EXPECT_GE(t, kFirstIncident) << name << " before any incident";
  }
  for (const auto& [name, incident] : kIncidentStart) {
    EXPECT_GE(first_seen[name], incident) << name;
    EXPECT_GE(first_firing[name], incident + 5) << name;
  }

  // NATS comes back at 75s and the pool drains at 86s (real time): their
  // alerts resolve, in the ruler and in Alertmanager.
  const std::set<std::string> recovering = {"NatsConnectionLost",
                                            "DatabasePoolExhausted"};
  auto still_listed = [&](const json& alerts) {
    std::set<std::string> listed;
    if (alerts.is_array()) {
      for (const json& a : alerts) listed.insert(a["labels"]["alertname"]);
    }
    for (const std::string& n : recovering) {
      if (listed.count(n) > 0) return true;
    }
    return false;
  };
  EXPECT_TRUE(PollUntil(absl::Seconds(90), [&] {
    const json ours = Get(base + "/api/v1/alerts");
    return ours.is_object() && !still_listed(ours["data"]["alerts"]) &&
           (!am_ || !still_listed(Get(AmUrl("/api/v2/alerts"))));
  })) << Get(base + "/api/v1/alerts").dump();
  EXPECT_GE(absl::ToDoubleSeconds(absl::Now() - start), 86);

  // The feed stops cleanly on SIGTERM and says what it did.
  EXPECT_EQ(demo.Stop(), 0);
  const std::string log = ReadFile(dir_ + "/demo.log");
  EXPECT_THAT(log, HasSubstr("t=15s: incident NATS down begins (expect "
                             "NatsConnectionLost)\n"));
  EXPECT_THAT(log, HasSubstr("ruler demo: stopped at t="));
  EXPECT_THAT(log, HasSubstr(" writes ("));
  EXPECT_THAT(log, HasSubstr("), 0 failed\n"));
}

}  // namespace
}  // namespace fraisier::integration
