// A real Prometheus 2.42 scrapes itself every second and remote-writes to
// `ruler serve` (in-process, on a loopback port). At the same scrape
// timestamp both must answer /api/v1/query identically, and their series
// and label names must agree.
#include <fstream>
#include <memory>
#include <set>

#include "absl/strings/str_cat.h"
#include "engine/server/server.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "nlohmann/json.hpp"
#include "tests/integration/test_util.h"

namespace fraisier::integration {
namespace {

using nlohmann::json;

constexpr char kPrometheus[] = "/usr/bin/prometheus";

json Parse(const HttpResult& r) {
  return json::parse(r.body, nullptr, /*allow_exceptions=*/false);
}

class PrometheusRemoteWriteTest : public ::testing::Test {
 protected:
  void SetUp() override {
    if (access(kPrometheus, X_OK) != 0) {
      GTEST_SKIP() << kPrometheus << " is not installed (tools/setup)";
    }
    dir_ = MakeTempDir("prom_rw");
    ASSERT_FALSE(dir_.empty());
    server::ServerOptions options;
    options.web_listen_address = "127.0.0.1:0";
    options.grpc_listen_address = "";
    options.storage_path = dir_ + "/ruler";
    absl::StatusOr<std::unique_ptr<server::Server>> srv =
        server::Server::Start(options);
    ASSERT_TRUE(srv.ok()) << srv.status();
    ruler_ = *std::move(srv);
    ruler_url_ = absl::StrCat("http://127.0.0.1:", ruler_->http_port());

    const int prom_port = FreePort();
    prom_url_ = absl::StrCat("http://127.0.0.1:", prom_port);
    std::ofstream(dir_ + "/prometheus.yml")
        << "global:\n  scrape_interval: 1s\n  evaluation_interval: 1s\n"
        << "scrape_configs:\n  - job_name: prometheus\n"
        << "    static_configs:\n      - targets: ['127.0.0.1:" << prom_port
        << "']\n"
        << "remote_write:\n  - url: " << ruler_url_ << "/api/v1/write\n"
        << "    queue_config:\n      batch_send_deadline: 200ms\n"
        << "      min_backoff: 50ms\n      max_backoff: 500ms\n";
    prometheus_ = std::make_unique<ChildProcess>(
        std::vector<std::string>{
            kPrometheus, "--config.file=" + dir_ + "/prometheus.yml",
            "--storage.tsdb.path=" + dir_ + "/prom",
            absl::StrCat("--web.listen-address=127.0.0.1:", prom_port)},
        dir_ + "/prometheus.log");
    ASSERT_TRUE(prometheus_->started());
  }

  void TearDown() override {
    if (prometheus_ != nullptr) prometheus_->Stop();
    if (ruler_ != nullptr) {
      EXPECT_TRUE(ruler_->Shutdown().ok());
    }
  }

  // The newest `up` timestamp the ruler has, in seconds ("" if none).
  std::string NewestRulerScrape() {
    json j = Parse(HttpGet(
        ruler_url_ + "/api/v1/query?query=" + UrlEncode("timestamp(up)")));
    if (!j.is_object() || j["data"]["result"].size() != 1) return "";
    return j["data"]["result"][0]["value"][1].get<std::string>();
  }

  json Query(const std::string& base, const std::string& query,
             const std::string& time) {
    return Parse(HttpGet(base + "/api/v1/query?query=" + UrlEncode(query) +
                         "&time=" + time));
  }

  std::string dir_;
  std::unique_ptr<server::Server> ruler_;
  std::unique_ptr<ChildProcess> prometheus_;
  std::string ruler_url_, prom_url_;
};

// Results as sets, so that order does not matter where the API leaves it
// unspecified.
std::multiset<std::string> AsSet(const json& array) {
  std::multiset<std::string> out;
  if (!array.is_array()) return out;
  for (const json& e : array) out.insert(e.dump());
  return out;
}

TEST_F(PrometheusRemoteWriteTest, QueriesAgreeAtTheSameScrape) {
  // Several scrapes must have arrived.
  std::string first;
  ASSERT_TRUE(PollUntil(absl::Seconds(60), [&] {
    first = NewestRulerScrape();
    return !first.empty();
  })) << "no remote-written samples reached the ruler";
  std::string t;
  ASSERT_TRUE(PollUntil(absl::Seconds(30), [&] {
    t = NewestRulerScrape();
    return !t.empty() && std::stod(t) >= std::stod(first) + 4;
  }));

  for (const char* query :
       {"up", "prometheus_tsdb_head_series", "sum by (job) (up)"}) {
    json ours = Query(ruler_url_, query, t);
    json theirs = Query(prom_url_, query, t);
    ASSERT_EQ(ours["status"], "success") << ours.dump();
    ASSERT_EQ(theirs["status"], "success") << theirs.dump();
    EXPECT_EQ(ours["data"]["resultType"], "vector");
    EXPECT_FALSE(theirs["data"]["result"].empty()) << query;
    EXPECT_EQ(AsSet(ours["data"]["result"]), AsSet(theirs["data"]["result"]))
        << query << " at " << t << "\nruler: " << ours.dump()
        << "\nprometheus: " << theirs.dump();
  }
}

TEST_F(PrometheusRemoteWriteTest, SeriesAndLabelsAgree) {
  ASSERT_TRUE(PollUntil(absl::Seconds(60),
                        [&] { return !NewestRulerScrape().empty(); }));
  // Prometheus creates series as it is queried (per-handler metrics), so
  // compare until both sides have seen the same scrapes.
  std::string detail;
  bool agreed = PollUntil(absl::Seconds(40), [&] {
    std::string t = NewestRulerScrape();
    const std::string range = "&start=0&end=" + t;
    const std::string match = "match[]=" + UrlEncode("{job=\"prometheus\"}");
    json ours_series =
        Parse(HttpGet(ruler_url_ + "/api/v1/series?" + match + range));
    json theirs_series =
        Parse(HttpGet(prom_url_ + "/api/v1/series?" + match + range));
    json ours_labels =
        Parse(HttpGet(ruler_url_ + "/api/v1/labels?" + match + range));
    json theirs_labels =
        Parse(HttpGet(prom_url_ + "/api/v1/labels?" + match + range));
    json ours_values = Parse(
        HttpGet(ruler_url_ + "/api/v1/label/__name__/values?" + match + range));
    json theirs_values = Parse(
        HttpGet(prom_url_ + "/api/v1/label/__name__/values?" + match + range));
    detail = absl::StrCat("series: ", ours_series["data"].size(), " vs ",
                          theirs_series["data"].size(),
                          "; labels: ", ours_labels.dump(), " vs ",
                          theirs_labels.dump());
    return ours_series["status"] == "success" && !ours_series["data"].empty() &&
           AsSet(ours_series["data"]) == AsSet(theirs_series["data"]) &&
           ours_labels["data"] == theirs_labels["data"] &&
           ours_values["data"] == theirs_values["data"];
  });
  EXPECT_TRUE(agreed) << detail;
}

}  // namespace
}  // namespace fraisier::integration
