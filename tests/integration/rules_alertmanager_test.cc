// A rule evaluated by `ruler serve` on remote-written data fires, and a real
// Alertmanager 0.25 shows it; when the data clears, the alert resolves; with
// Alertmanager down for 30 s and back, the alert arrives after the outage
// and the retries are counted. Real processes, so real time (polled with
// deadlines).
#include <fstream>
#include <memory>

#include "absl/strings/str_cat.h"
#include "absl/time/clock.h"
#include "engine/server/server.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "nlohmann/json.hpp"
#include "tests/integration/test_util.h"
#include "tests/integration/write_request.h"

namespace fraisier::integration {
namespace {

using nlohmann::json;
using ::testing::HasSubstr;

constexpr char kAlertmanager[] = "/usr/bin/prometheus-alertmanager";

json Parse(const HttpResult& r) {
  return json::parse(r.body, nullptr, /*allow_exceptions=*/false);
}

class RulesAlertmanagerTest : public ::testing::Test {
 protected:
  void SetUp() override {
    if (access(kAlertmanager, X_OK) != 0) {
      GTEST_SKIP() << kAlertmanager << " is not installed (tools/setup)";
    }
    dir_ = MakeTempDir("rules_am");
    am_port_ = FreePort();
    std::ofstream(dir_ + "/alertmanager.yml")
        << "route:\n  receiver: blackhole\n  group_wait: 0s\n"
        << "receivers:\n  - name: blackhole\n";
    StartAlertmanager();
    std::ofstream(dir_ + "/rules.yml") << R"yaml(groups:
  - name: fraisier
    interval: 1s
    rules:
      - alert: NatsConnectionLost
        expr: nats_up == 0
        for: 2s
        labels: {severity: critical}
        annotations:
          summary: "NATS connection lost"
          description: "{{ $labels.server }} reports {{ $value }} ({{ $externalLabels.ruler }})"
)yaml";
    std::ofstream(dir_ + "/ruler.yml")
        << "global:\n  evaluation_interval: 1s\n"
        << "  external_labels: {ruler: it}\n"
        << "rule_files: [rules.yml]\n"
        << "alerting:\n  alertmanagers:\n    - static_configs:\n"
        << "        - targets: ['127.0.0.1:" << am_port_ << "']\n";
    server::ServerOptions options;
    options.config_file = dir_ + "/ruler.yml";
    options.web_listen_address = "127.0.0.1:0";
    options.grpc_listen_address = "";
    options.storage_path = dir_ + "/data";
    absl::StatusOr<std::unique_ptr<server::Server>> s =
        server::Server::Start(options);
    ASSERT_TRUE(s.ok()) << s.status();
    ruler_ = *std::move(s);
    base_ = absl::StrCat("http://127.0.0.1:", ruler_->http_port());
  }
  void TearDown() override {
    if (ruler_) {
      EXPECT_TRUE(ruler_->Shutdown().ok());
    }
    if (am_) am_->Stop();
  }

  void StartAlertmanager() {
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

  std::string AmUrl(const std::string& path) {
    return absl::StrCat("http://127.0.0.1:", am_port_, path);
  }

  // Writes nats_up = value now (and a second before).
  void WriteNatsUp(double value) {
    const int64_t now = absl::ToUnixMillis(absl::Now());
    HttpResult w = PostWrite(
        base_, EncodeSnappy({{{{"__name__", "nats_up"}, {"server", "n1"}},
                              {{now, value}}}}));
    ASSERT_EQ(w.status, 204) << w.body;
  }

  // Alertmanager's view of our alert ("" when absent).
  json AmAlert() {
    json alerts = Parse(HttpGet(AmUrl("/api/v2/alerts")));
    if (!alerts.is_array()) return json();
    for (const json& a : alerts) {
      if (a["labels"]["alertname"] == "NatsConnectionLost") return a;
    }
    return json();
  }

  std::string Metric(const std::string& line_prefix) {
    std::string body = HttpGet(base_ + "/metrics").body;
    size_t at = body.find(line_prefix);
    if (at == std::string::npos) return "";
    size_t end = body.find('\n', at);
    return body.substr(at + line_prefix.size(), end - at - line_prefix.size());
  }

  std::string dir_, base_;
  int am_port_ = 0;
  std::unique_ptr<ChildProcess> am_;
  std::unique_ptr<server::Server> ruler_;
};

TEST_F(RulesAlertmanagerTest, FiresResolvesAndSurvivesAnOutage) {
  // Keep the condition true while the rule's `for` runs.
  json alert;
  ASSERT_TRUE(PollUntil(absl::Seconds(30), [&] {
    WriteNatsUp(0);
    alert = AmAlert();
    return !alert.is_null();
  })) << HttpGet(base_ + "/api/v1/alerts").body;
  EXPECT_EQ(alert["labels"]["severity"], "critical");
  EXPECT_EQ(alert["labels"]["ruler"], "it");  // external label
  EXPECT_EQ(alert["labels"]["server"], "n1");
  EXPECT_EQ(alert["annotations"]["summary"], "NATS connection lost");
  EXPECT_EQ(alert["annotations"]["description"], "n1 reports 0 (it)");
  EXPECT_EQ(alert["status"]["state"], "active");
  EXPECT_THAT(alert["generatorURL"].get<std::string>(),
              HasSubstr("/graph?g0.expr=nats_up+%3D%3D+0"));

  // The data clears: the alert resolves and Alertmanager drops it.
  ASSERT_TRUE(PollUntil(absl::Seconds(30), [&] {
    WriteNatsUp(1);
    return AmAlert().is_null();
  }));
  json ours = Parse(HttpGet(base_ + "/api/v1/alerts"));
  EXPECT_TRUE(ours["data"]["alerts"].empty()) << ours.dump();

  // Alertmanager goes away for 30 s while the alert fires again.
  am_->Stop();
  const auto outage_start = absl::Now();
  while (absl::Now() - outage_start < absl::Seconds(30)) {
    WriteNatsUp(0);
    absl::SleepFor(absl::Seconds(1));
  }
  json firing = Parse(HttpGet(base_ + "/api/v1/alerts"));
  EXPECT_EQ(firing["data"]["alerts"][0]["state"], "firing") << firing.dump();
  StartAlertmanager();
  EXPECT_TRUE(PollUntil(absl::Seconds(30), [&] {
    WriteNatsUp(0);
    return !AmAlert().is_null();
  }));
  const std::string retries =
      Metric(absl::StrCat("ruler_notifications_retries_total{alertmanager=\""));
  ASSERT_FALSE(retries.empty());
  const double count = std::stod(retries.substr(retries.find(' ') + 1));
  EXPECT_GT(count, 0) << retries;
}

}  // namespace
}  // namespace fraisier::integration
