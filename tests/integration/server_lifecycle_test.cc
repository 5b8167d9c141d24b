// `ruler serve` end to end, in-process on loopback ports: health and
// readiness, /metrics, config status and reload (a bad config keeps the
// running one), data surviving a restart.
#include <fstream>
#include <memory>

#include "absl/strings/str_cat.h"
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

// Samples must be recent: the store refuses data older than its retention.
int64_t NowMs() { return absl::ToUnixMillis(absl::Now()) / 1000 * 1000; }

json Parse(const HttpResult& r) {
  return json::parse(r.body, nullptr, /*allow_exceptions=*/false);
}

class ServerLifecycleTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = MakeTempDir("lifecycle");
    ASSERT_FALSE(dir_.empty());
    config_file_ = dir_ + "/ruler.yml";
    WriteConfig("global:\n  external_labels:\n    replica: a\n");
  }
  void TearDown() override {
    if (server_) {
      EXPECT_TRUE(server_->Shutdown().ok());
    }
  }

  void WriteConfig(const std::string& text) {
    std::ofstream(config_file_) << text;
  }

  void Start() {
    server::ServerOptions options;
    options.config_file = config_file_;
    options.web_listen_address = "127.0.0.1:0";
    options.grpc_listen_address = "";
    options.storage_path = dir_ + "/data";
    options.flags = {{"config.file", config_file_}};
    absl::StatusOr<std::unique_ptr<server::Server>> s =
        server::Server::Start(options);
    ASSERT_TRUE(s.ok()) << s.status();
    server_ = *std::move(s);
    base_ = absl::StrCat("http://127.0.0.1:", server_->http_port());
  }

  std::string dir_, config_file_, base_;
  std::unique_ptr<server::Server> server_;
};

TEST_F(ServerLifecycleTest, HealthReadyAndMetrics) {
  Start();
  HttpResult r = HttpGet(base_ + "/-/healthy");
  EXPECT_EQ(r.status, 200);
  EXPECT_EQ(r.body, "fraisier-ruler is Healthy.\n");
  r = HttpGet(base_ + "/-/ready");
  EXPECT_EQ(r.status, 200);
  EXPECT_EQ(r.body, "fraisier-ruler is Ready.\n");

  HttpResult w = PostWrite(
      base_,
      EncodeSnappy({{{{"__name__", "up"}, {"job", "node"}}, {{NowMs(), 1}}}}));
  ASSERT_EQ(w.status, 204) << w.body;
  r = HttpGet(base_ + "/metrics");
  EXPECT_EQ(r.status, 200);
  EXPECT_THAT(r.body, HasSubstr("ruler_tsdb_head_series 1\n"));
  EXPECT_THAT(r.body, HasSubstr("ruler_tsdb_head_samples_appended_total 1\n"));
  EXPECT_THAT(r.body, HasSubstr("process_resident_memory_bytes "));
  EXPECT_THAT(r.body, HasSubstr("ruler_build_info{version=\""));
  EXPECT_THAT(r.body, HasSubstr("ruler_http_requests_total{code=\"204\","
                                "handler=\"/api/v1/write\"} 1\n"));
  EXPECT_THAT(r.body, HasSubstr("ruler_config_last_reload_successful 1\n"));
  EXPECT_THAT(r.body, HasSubstr("ruler_remote_write_samples_stored_total 1\n"));
  EXPECT_THAT(r.body,
              HasSubstr("ruler_remote_write_requests_total{code=\"ok\"} 1\n"));
  EXPECT_THAT(r.body,
              HasSubstr("ruler_tsdb_wal_fsync_duration_seconds_count "));

  ASSERT_EQ(HttpGet(base_ + "/api/v1/query?query=up").status, 200);
  EXPECT_THAT(HttpGet(base_ + "/metrics").body,
              HasSubstr("ruler_query_duration_seconds_count{kind=\"instant\"} "
                        "1\n"));
}

TEST_F(ServerLifecycleTest, BadReloadKeepsTheRunningConfig) {
  Start();
  json config = Parse(HttpGet(base_ + "/api/v1/status/config"));
  ASSERT_EQ(config["status"], "success") << config.dump();
  EXPECT_THAT(config["data"]["yaml"].get<std::string>(),
              HasSubstr("replica: a"));

  WriteConfig("global:\n  evaluation_interval: soon\n");
  HttpResult r = HttpPost(base_ + "/-/reload", "", {});
  EXPECT_EQ(r.status, 500);
  EXPECT_THAT(r.body, HasSubstr("ruler.yml:2:24: "));
  config = Parse(HttpGet(base_ + "/api/v1/status/config"));
  EXPECT_THAT(config["data"]["yaml"].get<std::string>(),
              HasSubstr("replica: a"));
  EXPECT_THAT(HttpGet(base_ + "/metrics").body,
              HasSubstr("ruler_config_last_reload_successful 0\n"));
  EXPECT_EQ(HttpGet(base_ + "/-/healthy").status, 200);

  WriteConfig("global:\n  external_labels:\n    replica: b\n");
  EXPECT_TRUE(server_->Reload().ok());
  config = Parse(HttpGet(base_ + "/api/v1/status/config"));
  EXPECT_THAT(config["data"]["yaml"].get<std::string>(),
              HasSubstr("replica: b"));
  EXPECT_THAT(HttpGet(base_ + "/metrics").body,
              HasSubstr("ruler_config_last_reload_successful 1\n"));
}

TEST_F(ServerLifecycleTest, DataSurvivesARestart) {
  Start();
  const int64_t base_ms = NowMs() - 60'000;
  std::vector<TestSeries> series;
  for (int i = 0; i < 50; ++i) {
    TestSeries s;
    s.labels = {{"__name__", "requests_total"}, {"pod", absl::StrCat("p", i)}};
    for (int k = 0; k < 10; ++k)
      s.samples.push_back({base_ms + 1000 * k, k * i});
    series.push_back(s);
  }
  HttpResult w = PostWrite(base_, EncodeSnappy(series));
  ASSERT_EQ(w.status, 204) << w.body;
  ASSERT_TRUE(server_->Shutdown().ok());
  server_.reset();

  Start();
  const std::string at = absl::StrCat((base_ms + 9000) / 1000);
  json j =
      Parse(HttpGet(base_ + "/api/v1/query?time=" + at + "&query=" +
                    UrlEncode("sum(count_over_time(requests_total[1m]))")));
  ASSERT_EQ(j["status"], "success") << j.dump();
  EXPECT_EQ(j["data"]["result"][0]["value"][1], "500");
  j = Parse(HttpGet(base_ + "/api/v1/query?time=" + at +
                    "&query=" + UrlEncode("requests_total{pod=\"p7\"}")));
  EXPECT_EQ(j["data"]["result"][0]["value"][1], "63");
}

TEST_F(ServerLifecycleTest, TsdbStatusCountsTheHead) {
  Start();
  HttpResult w = PostWrite(
      base_, EncodeSnappy({{{{"__name__", "a"}, {"x", "1"}}, {{NowMs(), 1}}},
                           {{{"__name__", "a"}, {"x", "2"}}, {{NowMs(), 1}}},
                           {{{"__name__", "b"}}, {{NowMs(), 1}}}}));
  ASSERT_EQ(w.status, 204) << w.body;
  json j = Parse(HttpGet(base_ + "/api/v1/status/tsdb"));
  ASSERT_EQ(j["status"], "success") << j.dump();
  EXPECT_EQ(j["data"]["headStats"]["numSeries"], 3);
  EXPECT_EQ(j["data"]["headStats"]["chunkCount"], 3);
  EXPECT_EQ(j["data"]["seriesCountByMetricName"][0]["name"], "a");
  EXPECT_EQ(j["data"]["seriesCountByMetricName"][0]["value"], 2);
}

TEST_F(ServerLifecycleTest, RulesEvaluateAndAlertsShowInTheApi) {
  std::ofstream(dir_ + "/rules.yml") << R"(groups:
  - name: fraisier
    interval: 1s
    rules:
      - record: job:up:sum
        expr: sum by (job) (up)
      - alert: InstanceDown
        expr: up == 0
        labels: {severity: critical}
        annotations: {summary: "an instance is down"}
)";
  WriteConfig("global:\n  evaluation_interval: 1s\nrule_files: [rules.yml]\n");
  Start();
  HttpResult w =
      PostWrite(base_, EncodeSnappy({{{{"__name__", "up"}, {"job", "api"}},
                                      {{NowMs() - 1000, 0}, {NowMs(), 0}}}}));
  ASSERT_EQ(w.status, 204) << w.body;
  // The scheduler runs on the real clock here (a real process end to end):
  // poll with a deadline.
  json alerts;
  EXPECT_TRUE(PollUntil(absl::Seconds(15), [&] {
    alerts = Parse(HttpGet(base_ + "/api/v1/alerts"));
    return alerts["data"]["alerts"].size() == 1;
  })) << alerts.dump();
  EXPECT_EQ(alerts["data"]["alerts"][0]["labels"]["alertname"], "InstanceDown");
  EXPECT_EQ(alerts["data"]["alerts"][0]["state"], "firing");
  EXPECT_EQ(alerts["data"]["alerts"][0]["annotations"]["summary"],
            "an instance is down");
  json rules = Parse(HttpGet(base_ + "/api/v1/rules"));
  EXPECT_EQ(rules["data"]["groups"][0]["rules"][1]["name"], "InstanceDown")
      << rules.dump();
  EXPECT_EQ(rules["data"]["groups"][0]["rules"][0]["health"], "ok");
  json recorded = Parse(HttpGet(base_ + "/api/v1/query?query=job:up:sum"));
  EXPECT_EQ(recorded["data"]["result"][0]["value"][1], "0") << recorded.dump();
  EXPECT_THAT(HttpGet(base_ + "/metrics").body,
              HasSubstr("ruler_rule_groups 1\n"));

  // A reload with a broken rule file fails and keeps the running rules.
  std::ofstream(dir_ + "/rules.yml")
      << "groups:\n  - name: x\n    rules:\n      - record: bad-name\n"
         "        expr: up\n";
  HttpResult r = HttpPost(base_ + "/-/reload", "", {});
  EXPECT_EQ(r.status, 500);
  EXPECT_THAT(r.body, HasSubstr("invalid recording rule name: bad-name"));
  rules = Parse(HttpGet(base_ + "/api/v1/rules"));
  EXPECT_EQ(rules["data"]["groups"][0]["name"], "fraisier");
}

TEST_F(ServerLifecycleTest, FlagsAndBuildInfo) {
  Start();
  json flags = Parse(HttpGet(base_ + "/api/v1/status/flags"));
  EXPECT_EQ(flags["data"]["config.file"], config_file_) << flags.dump();
  json build = Parse(HttpGet(base_ + "/api/v1/status/buildinfo"));
  EXPECT_EQ(build["status"], "success");
  EXPECT_FALSE(build["data"]["version"].get<std::string>().empty());
}

TEST_F(ServerLifecycleTest, UnparsableConfigRefusesToStart) {
  WriteConfig("storage:\n  wal:\n    fsync: never\n");
  server::ServerOptions options;
  options.config_file = config_file_;
  options.web_listen_address = "127.0.0.1:0";
  options.grpc_listen_address = "";
  options.storage_path = dir_ + "/data";
  absl::StatusOr<std::unique_ptr<server::Server>> s =
      server::Server::Start(options);
  EXPECT_FALSE(s.ok());
  EXPECT_THAT(s.status().message(),
              HasSubstr("ruler.yml:3:12: fsync must be \"commit\" or "
                        "\"interval\", got \"never\""));
}

}  // namespace
}  // namespace fraisier::integration
