#include "rules/notifier/notifier.h"

#include <memory>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "engine/base/clock.h"
#include "engine/base/status_matchers.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "rules/notifier/fake_transport.h"

namespace fraisier::notifier {
namespace {

using ::fraisier::testing::StatusIs;
using ::testing::ElementsAre;
using ::testing::HasSubstr;

const absl::Time kStart = absl::FromUnixSeconds(1795496400);

std::vector<Alert> MakeAlerts(int n) {
  std::vector<Alert> out;
  for (int i = 0; i < n; ++i) {
    Alert a;
    a.labels = Labels::FromPairs({{"alertname", "A"}, {"i", absl::StrCat(i)}});
    a.starts_at = kStart;
    a.ends_at = kStart + absl::Minutes(4);
    out.push_back(std::move(a));
  }
  return out;
}

AlertmanagerEndpoint Endpoint(const std::string& target) {
  AlertmanagerEndpoint e;
  e.target = target;
  return e;
}

class NotifierTest : public ::testing::Test {
 protected:
  NotifierTest() : clock_(kStart), sleeper_(&clock_) {}

  // Routes each endpoint to its own fake by target.
  TransportFactory Factory() {
    return [this](const AlertmanagerEndpoint& e)
               -> absl::StatusOr<std::unique_ptr<HttpTransport>> {
      return (e.target == "am1:9093" ? am1_ : am2_).NewTransport();
    };
  }

  std::unique_ptr<Notifier> Create(NotifierOptions options = {}) {
    absl::StatusOr<std::unique_ptr<Notifier>> n =
        Notifier::Create({Endpoint("am1:9093"), Endpoint("am2:9093")},
                         std::move(options), &clock_, Factory(), &sleeper_);
    EXPECT_TRUE(n.ok()) << n.status();
    return n.ok() ? *std::move(n) : nullptr;
  }

  FakeClock clock_;
  FakeSleeper sleeper_;
  FakeAlertmanager am1_;
  FakeAlertmanager am2_;
};

TEST_F(NotifierTest, EveryAlertmanagerGetsEveryAlert) {
  auto notifier = Create();
  ASSERT_NE(notifier, nullptr);
  EXPECT_THAT(notifier->AlertmanagerUrls(),
              ElementsAre("http://am1:9093/api/v2/alerts",
                          "http://am2:9093/api/v2/alerts"));
  notifier->Send(MakeAlerts(600));
  notifier->Stop(absl::Minutes(1));
  ASSERT_EQ(am1_.requests().size(), am2_.requests().size());
  size_t total = 0;
  for (size_t i = 0; i < am1_.requests().size(); ++i) {
    EXPECT_EQ(am1_.requests()[i].body, am2_.requests()[i].body);
    EXPECT_LE(am1_.requests()[i].AlertCount(), 256u);
    total += am1_.requests()[i].AlertCount();
  }
  EXPECT_EQ(total, 600u);
  for (const AlertmanagerStats& s : notifier->Stats()) {
    EXPECT_EQ(s.sent, 600);
    EXPECT_EQ(s.dropped, 0);
    EXPECT_EQ(s.queue_length, 0);
  }
  const std::string ua = am1_.requests()[0].Header("User-Agent");
  EXPECT_THAT(ua, ::testing::StartsWith("fraisier-ruler/"));
}

TEST_F(NotifierTest, ExternalLabelsAddedUnlessTheAlertHasThem) {
  NotifierOptions options;
  options.external_labels =
      Labels::FromPairs({{"cluster", "c1"}, {"severity", "ext"}});
  auto notifier = Create(std::move(options));
  ASSERT_NE(notifier, nullptr);
  Alert a;
  a.labels = Labels::FromPairs({{"alertname", "A"}, {"severity", "page"}});
  a.starts_at = kStart;
  a.ends_at = kStart + absl::Minutes(4);
  notifier->Send({a});
  notifier->Stop(absl::Minutes(1));
  ASSERT_EQ(am1_.request_count(), 1u);
  EXPECT_THAT(am1_.requests()[0].body,
              HasSubstr(R"("labels":{"alertname":"A","cluster":"c1",)"
                        R"("severity":"page"}})"));
}

TEST_F(NotifierTest, OneAlertmanagerDownDoesNotHoldUpTheOther) {
  am1_.SetHandler([](const HttpRequest&) {
    HttpResponse r;
    r.error = absl::UnavailableError("connection refused");
    return r;
  });
  NotifierOptions options;
  options.sender.max_retry_duration = absl::Seconds(30);
  auto notifier = Create(std::move(options));
  ASSERT_NE(notifier, nullptr);
  notifier->Send(MakeAlerts(10));
  ASSERT_TRUE(am2_.WaitForRequests(1));
  notifier->Stop(absl::Minutes(1));
  const std::vector<AlertmanagerStats> stats = notifier->Stats();
  EXPECT_EQ(stats[0].sent, 0);
  EXPECT_EQ(stats[0].dropped, 10);
  EXPECT_GT(stats[0].retries, 0);
  EXPECT_EQ(stats[1].sent, 10);
  EXPECT_EQ(stats[1].retries, 0);
}

TEST_F(NotifierTest, StopWithoutDrainTimeDropsWhatIsLeft) {
  am1_.SetHandler([](const HttpRequest&) {
    HttpResponse r;
    r.status = 503;
    return r;
  });
  am2_.SetHandler([](const HttpRequest&) {
    HttpResponse r;
    r.status = 503;
    return r;
  });
  auto notifier = Create();
  ASSERT_NE(notifier, nullptr);
  notifier->Send(MakeAlerts(300));
  notifier->Stop(absl::ZeroDuration());
  for (const AlertmanagerStats& s : notifier->Stats()) {
    EXPECT_EQ(s.sent, 0);
    EXPECT_EQ(s.dropped, 300);
    EXPECT_EQ(s.queue_length, 0);
  }
  notifier->Send(MakeAlerts(2));  // after Stop: counted, not queued
  for (const AlertmanagerStats& s : notifier->Stats()) {
    EXPECT_EQ(s.dropped, 302);
  }
  notifier->Stop(absl::Minutes(1));  // a second Stop is harmless
}

TEST_F(NotifierTest, NoAlertmanagersIsValid) {
  absl::StatusOr<std::unique_ptr<Notifier>> n =
      Notifier::Create({}, NotifierOptions(), &clock_, Factory(), &sleeper_);
  ASSERT_TRUE(n.ok());
  (*n)->Send(MakeAlerts(3));
  EXPECT_TRUE((*n)->Stats().empty());
}

TEST_F(NotifierTest, CreateRefusesBadSettings) {
  AlertmanagerEndpoint bad = Endpoint("am1:9093");
  bad.api_version = "v1";
  EXPECT_THAT(Notifier::Create({Endpoint("am2:9093"), bad}, NotifierOptions(),
                               &clock_, Factory(), &sleeper_),
              StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("v2")));
  NotifierOptions options;
  options.sender.max_batch_size = 0;
  EXPECT_THAT(
      Notifier::Create({Endpoint("am1:9093")}, options, &clock_, Factory(),
                       &sleeper_),
      StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("batch size")));
  options = NotifierOptions();
  options.sender.max_backoff = absl::Milliseconds(1);
  EXPECT_THAT(
      Notifier::Create({Endpoint("am1:9093")}, options, &clock_, Factory(),
                       &sleeper_),
      StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("backoff")));
  TransportFactory failing = [](const AlertmanagerEndpoint&)
      -> absl::StatusOr<std::unique_ptr<HttpTransport>> {
    return absl::InternalError("no transport");
  };
  EXPECT_THAT(Notifier::Create({Endpoint("am1:9093")}, NotifierOptions(),
                               &clock_, failing, &sleeper_),
              StatusIs(absl::StatusCode::kInternal, HasSubstr("no transport")));
}

}  // namespace
}  // namespace fraisier::notifier
