// The notifier against a real Alertmanager 0.25 on a loopback port: alerts
// arrive with their labels, external labels, annotations and times; a
// resolved alert leaves the active list; a body Alertmanager refuses is not
// retried; and alerts sent while Alertmanager is down arrive once it is back
// on the same port, with the retries counted.
#include <unistd.h>

#include <cstdlib>
#include <fstream>
#include <memory>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/time/clock.h"
#include "engine/base/clock.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "nlohmann/json.hpp"
#include "rules/notifier/alert.h"
#include "rules/notifier/curl_transport.h"
#include "rules/notifier/notifier.h"
#include "tests/integration/test_util.h"

namespace fraisier::integration {
namespace {

using nlohmann::json;
using notifier::Alert;
using notifier::AlertmanagerStats;
using notifier::Notifier;

constexpr char kAlertmanager[] = "/usr/bin/prometheus-alertmanager";

// Whole milliseconds: the wire format has no more, so the times read back
// compare equal.
absl::Time NowMillis() {
  return absl::FromUnixMillis(absl::ToUnixMillis(absl::Now()));
}

class AlertmanagerNotifierTest : public ::testing::Test {
 protected:
  void SetUp() override {
    if (access(kAlertmanager, X_OK) != 0) {
      GTEST_SKIP() << kAlertmanager << " is not installed (tools/setup)";
    }
    dir_ = MakeTempDir("am_notifier");
    ASSERT_FALSE(dir_.empty());
    port_ = FreePort();
    am_url_ = absl::StrCat("http://127.0.0.1:", port_);
    std::ofstream(dir_ + "/alertmanager.yml")
        << "route:\n  receiver: blackhole\n"
        << "receivers:\n  - name: blackhole\n";
    ASSERT_TRUE(StartAlertmanager());
  }

  void TearDown() override {
    if (notifier_ != nullptr) notifier_->Stop(absl::ZeroDuration());
    if (alertmanager_ != nullptr) alertmanager_->Stop();
  }

  // Starts Alertmanager on port_ (clustering off, its own storage) and
  // waits until it is ready.
  bool StartAlertmanager() {
    alertmanager_ = std::make_unique<ChildProcess>(
        std::vector<std::string>{
            kAlertmanager, "--config.file=" + dir_ + "/alertmanager.yml",
            "--storage.path=" + dir_ + "/data",
            absl::StrCat("--web.listen-address=127.0.0.1:", port_),
            "--cluster.listen-address="},
        absl::StrCat(dir_, "/alertmanager.", ++starts_, ".log"));
    if (!alertmanager_->started()) return false;
    return PollUntil(absl::Seconds(30), [&] {
      return HttpGet(am_url_ + "/-/ready").status == 200;
    });
  }

  void CreateNotifier(notifier::NotifierOptions options) {
    notifier::AlertmanagerEndpoint endpoint;
    endpoint.target = absl::StrCat("127.0.0.1:", port_);
    endpoint.timeout = absl::Seconds(5);
    absl::StatusOr<std::unique_ptr<Notifier>> n =
        Notifier::Create({endpoint}, std::move(options), RealClock::Get());
    ASSERT_TRUE(n.ok()) << n.status();
    notifier_ = *std::move(n);
  }

  // Alertmanager's active alerts with alertname `name`.
  std::vector<json> ActiveAlerts(const std::string& name) {
    const HttpResult r = HttpGet(am_url_ + "/api/v2/alerts?filter=" +
                                 UrlEncode("alertname=\"" + name + "\""));
    std::vector<json> out;
    if (r.status != 200) return out;
    const json j = json::parse(r.body, nullptr, /*allow_exceptions=*/false);
    if (!j.is_array()) return out;
    for (const json& a : j) out.push_back(a);
    return out;
  }

  AlertmanagerStats Stats() { return notifier_->Stats().at(0); }

  std::string dir_;
  int port_ = 0;
  int starts_ = 0;
  std::string am_url_;
  std::unique_ptr<ChildProcess> alertmanager_;
  std::unique_ptr<Notifier> notifier_;
};

TEST_F(AlertmanagerNotifierTest, FiringThenResolved) {
  notifier::NotifierOptions options;
  options.external_labels =
      Labels::FromPairs({{"cluster", "it"}, {"severity", "ext"}});
  CreateNotifier(std::move(options));
  ASSERT_NE(notifier_, nullptr);

  const absl::Time now = NowMillis();
  Alert a;
  a.labels = Labels::FromPairs({{"alertname", "NotifierFiring"},
                                {"severity", "page"},
                                {"instance", "host<1>&2"}});
  a.annotations = {{"summary", "CPU at 93.5% on host<1>&2"},
                   {"description", ""},
                   {"runbook", "https://runbooks/x?a=1&b=2"}};
  a.starts_at = now - absl::Minutes(1);
  a.ends_at = now + absl::Minutes(4);
  a.generator_url =
      notifier::GeneratorUrl("http://ruler:9099", "up{job=\"x\"} == 0");
  notifier_->Send({a});

  std::vector<json> got;
  ASSERT_TRUE(PollUntil(absl::Seconds(20), [&] {
    got = ActiveAlerts("NotifierFiring");
    return !got.empty();
  }));
  ASSERT_EQ(got.size(), 1u);
  const json& g = got[0];
  EXPECT_EQ(g["labels"],
            json::parse(R"({"alertname":"NotifierFiring","cluster":"it",)"
                        R"("instance":"host<1>&2","severity":"page"})"));
  EXPECT_EQ(g["annotations"],
            json::parse(
                R"({"summary":"CPU at 93.5% on host<1>&2",)"
                R"("description":"","runbook":"https://runbooks/x?a=1&b=2"})"));
  EXPECT_EQ(g["startsAt"], notifier::FormatAlertTime(a.starts_at));
  EXPECT_EQ(g["endsAt"], notifier::FormatAlertTime(a.ends_at));
  EXPECT_EQ(g["generatorURL"],
            "http://ruler:9099/graph?g0.expr=up%7Bjob%3D%22x%22%7D+%3D%3D+0"
            "&g0.tab=1");
  EXPECT_EQ(g["status"]["state"], "active");
  EXPECT_EQ(g["receivers"][0]["name"], "blackhole");

  // Resolved: endsAt no later than Alertmanager's clock. Alertmanager keeps
  // the alert internally but no longer lists it as active.
  a.ends_at = NowMillis();
  notifier_->Send({a});
  EXPECT_TRUE(PollUntil(absl::Seconds(20), [&] {
    return ActiveAlerts("NotifierFiring").empty();
  }));

  const AlertmanagerStats stats = Stats();
  EXPECT_EQ(stats.sent, 2);
  EXPECT_EQ(stats.errors, 0);
  EXPECT_EQ(stats.dropped, 0);
  EXPECT_EQ(stats.retries, 0);
  EXPECT_EQ(stats.latency_count, 2);
}

TEST_F(AlertmanagerNotifierTest, RefusedAlertIsNotRetried) {
  CreateNotifier({});
  ASSERT_NE(notifier_, nullptr);
  const absl::Time now = NowMillis();
  Alert bad;  // Alertmanager answers 400: start time after end time
  bad.labels = Labels::FromPairs({{"alertname", "NotifierRefused"}});
  bad.starts_at = now;
  bad.ends_at = now - absl::Minutes(1);
  notifier_->Send({bad});
  ASSERT_TRUE(
      PollUntil(absl::Seconds(20), [&] { return Stats().dropped == 1; }));
  const AlertmanagerStats stats = Stats();
  EXPECT_EQ(stats.sent, 0);
  EXPECT_EQ(stats.errors, 1);
  EXPECT_EQ(stats.retries, 0);
  EXPECT_EQ(stats.latency_count, 1);
}

TEST_F(AlertmanagerNotifierTest, AlertSentDuringOutageArrivesAfterRestart) {
  notifier::NotifierOptions options;
  options.sender.max_backoff = absl::Seconds(2);  // reconnect soon after
  options.sender.max_retry_duration = absl::Minutes(2);
  CreateNotifier(std::move(options));
  ASSERT_NE(notifier_, nullptr);

  alertmanager_->Stop();
  const absl::Time now = NowMillis();
  Alert a;
  a.labels = Labels::FromPairs({{"alertname", "NotifierOutage"}});
  a.annotations = {{"summary", "sent while Alertmanager was down"}};
  a.starts_at = now;
  a.ends_at = now + absl::Minutes(10);
  notifier_->Send({a});

  // A 30-second outage in real time: the peer is a real process.
  absl::SleepFor(absl::Seconds(30));
  AlertmanagerStats stats = Stats();
  EXPECT_EQ(stats.sent, 0);
  EXPECT_GT(stats.retries, 5);
  EXPECT_EQ(stats.dropped, 0);

  ASSERT_TRUE(StartAlertmanager());
  std::vector<json> got;
  ASSERT_TRUE(PollUntil(absl::Seconds(20), [&] {
    got = ActiveAlerts("NotifierOutage");
    return !got.empty();
  }));
  EXPECT_EQ(got[0]["annotations"]["summary"],
            "sent while Alertmanager was down");
  EXPECT_EQ(got[0]["startsAt"], notifier::FormatAlertTime(a.starts_at));
  ASSERT_TRUE(PollUntil(absl::Seconds(5), [&] { return Stats().sent == 1; }));
  stats = Stats();
  EXPECT_GT(stats.retries, 5);
  EXPECT_EQ(stats.errors, stats.retries);  // one alert per failed attempt
  EXPECT_EQ(stats.dropped, 0);
  EXPECT_EQ(stats.queue_length, 0);
}

// HTTPS with a certificate for a name other than the address dialled
// (tls_server_name) and basic auth with a password file, against
// Alertmanager's own web config. Alertmanager is told the password's bcrypt
// hash ("s3cret", cost 4).
TEST(AlertmanagerTlsTest, HttpsWithServerNameAndBasicAuth) {
  if (access(kAlertmanager, X_OK) != 0 || access("/usr/bin/openssl", X_OK)) {
    GTEST_SKIP() << "needs " << kAlertmanager << " and /usr/bin/openssl";
  }
  const std::string dir = MakeTempDir("am_notifier_tls");
  ASSERT_FALSE(dir.empty());
  // Self-signed, so the certificate is its own CA.
  ASSERT_EQ(
      std::system(
          absl::StrCat(
              "cd '", dir,
              "' && /usr/bin/openssl req -x509 -newkey rsa:2048 -nodes "
              "-keyout server.key -out server.crt -days 2 "
              "-subj /CN=alertmanager.test "
              "-addext subjectAltName=DNS:alertmanager.test >openssl.log 2>&1")
              .c_str()),
      0);
  std::ofstream(dir + "/web.yml")
      << "tls_server_config:\n  cert_file: " << dir << "/server.crt\n"
      << "  key_file: " << dir << "/server.key\n"
      << "basic_auth_users:\n"
      << "  ruler: "
         "$2b$04$DkTH8jnLh/6iv/X6N1.At.Z9CuIWcNrVsWz2.vPSW16P3jKEmneYi\n";
  std::ofstream(dir + "/alertmanager.yml")
      << "route:\n  receiver: blackhole\nreceivers:\n  - name: blackhole\n";
  std::ofstream(dir + "/password") << "s3cret\n";
  const int port = FreePort();
  ChildProcess am({kAlertmanager, "--config.file=" + dir + "/alertmanager.yml",
                   "--web.config.file=" + dir + "/web.yml",
                   "--storage.path=" + dir + "/data",
                   absl::StrCat("--web.listen-address=127.0.0.1:", port),
                   "--cluster.listen-address="},
                  dir + "/alertmanager.log");
  ASSERT_TRUE(am.started());

  notifier::AlertmanagerEndpoint endpoint;
  endpoint.scheme = "https";
  endpoint.target = absl::StrCat("127.0.0.1:", port);
  endpoint.timeout = absl::Seconds(5);
  endpoint.http.tls_ca_file = dir + "/server.crt";
  endpoint.http.tls_server_name = "alertmanager.test";
  endpoint.http.basic_auth_username = "ruler";
  endpoint.http.basic_auth_password_file = dir + "/password";

  // Up once it answers anything over verified TLS (401: auth comes later).
  absl::StatusOr<std::unique_ptr<notifier::HttpTransport>> probe =
      notifier::NewCurlTransport(endpoint);
  ASSERT_TRUE(probe.ok());
  ASSERT_TRUE(PollUntil(absl::Seconds(30), [&] {
    notifier::HttpRequest r;
    r.url = absl::StrCat("https://", endpoint.target, "/-/ready");
    r.timeout = absl::Seconds(2);
    return (*probe)->Post(r).status != 0;
  }));

  // Sends one alert through a fresh notifier; returns its counters once
  // the alert was delivered or given up.
  auto send_one = [&](const notifier::AlertmanagerEndpoint& e) {
    notifier::NotifierOptions options;
    options.sender.max_retry_duration = absl::ZeroDuration();
    absl::StatusOr<std::unique_ptr<Notifier>> n =
        Notifier::Create({e}, options, RealClock::Get());
    EXPECT_TRUE(n.ok()) << n.status();
    if (!n.ok()) return AlertmanagerStats();
    Alert a;
    a.labels = Labels::FromPairs({{"alertname", "NotifierTls"}});
    a.starts_at = NowMillis();
    a.ends_at = a.starts_at + absl::Minutes(5);
    (*n)->Send({a});
    EXPECT_TRUE(PollUntil(absl::Seconds(20), [&] {
      const AlertmanagerStats s = (*n)->Stats().at(0);
      return s.sent + s.dropped == 1;
    }));
    (*n)->Stop(absl::ZeroDuration());
    return (*n)->Stats().at(0);
  };

  AlertmanagerStats ok = send_one(endpoint);
  EXPECT_EQ(ok.sent, 1);
  EXPECT_EQ(ok.errors, 0);

  notifier::AlertmanagerEndpoint wrong_password = endpoint;
  wrong_password.http.basic_auth_password_file.clear();
  wrong_password.http.basic_auth_password = "wrong";
  AlertmanagerStats refused = send_one(wrong_password);  // 401, not retried
  EXPECT_EQ(refused.sent, 0);
  EXPECT_EQ(refused.dropped, 1);
  EXPECT_EQ(refused.retries, 0);

  // Without tls_server_name the certificate does not match 127.0.0.1.
  notifier::AlertmanagerEndpoint no_name = endpoint;
  no_name.http.tls_server_name.clear();
  AlertmanagerStats unverified = send_one(no_name);
  EXPECT_EQ(unverified.sent, 0);
  EXPECT_EQ(unverified.dropped, 1);
}

}  // namespace
}  // namespace fraisier::integration
