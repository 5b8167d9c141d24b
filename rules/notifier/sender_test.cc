#include "rules/notifier/sender.h"

#include <memory>
#include <string>
#include <thread>
#include <vector>

#include "absl/strings/str_cat.h"
#include "engine/base/clock.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "rules/notifier/alert.h"
#include "rules/notifier/fake_transport.h"
#include "rules/notifier/sleeper.h"

namespace fraisier::notifier {
namespace {

using ::testing::ElementsAre;
using ::testing::HasSubstr;
using ::testing::Not;

const absl::Time kStart = absl::FromUnixSeconds(1795496400);

std::vector<EncodedAlert> MakeAlerts(int from, int to) {
  std::vector<EncodedAlert> out;
  for (int i = from; i < to; ++i) {
    Alert a;
    a.labels = Labels::FromPairs({{"alertname", "A"}, {"i", absl::StrCat(i)}});
    a.starts_at = kStart;
    a.ends_at = kStart + absl::Minutes(4);
    out.push_back(EncodeAlert(a));
  }
  return out;
}

class SenderTest : public ::testing::Test {
 protected:
  SenderTest() : clock_(kStart), sleeper_(&clock_) {
    endpoint_.target = "am.example:9093";
    endpoint_.path_prefix = "/am";
  }

  std::unique_ptr<AlertmanagerSender> NewSender() {
    return std::make_unique<AlertmanagerSender>(
        endpoint_, options_, am_.NewTransport(), &clock_, &sleeper_);
  }

  AlertmanagerEndpoint endpoint_;
  SenderOptions options_;
  FakeClock clock_;
  FakeSleeper sleeper_;
  FakeAlertmanager am_;
};

TEST_F(SenderTest, BatchesOfAtMost256InQueueOrder) {
  auto sender = NewSender();
  const std::vector<EncodedAlert> alerts = MakeAlerts(0, 600);
  sender->Enqueue(alerts);
  EXPECT_EQ(sender->Stats().queue_length, 600);
  EXPECT_TRUE(sender->SendOneBatch());
  EXPECT_TRUE(sender->SendOneBatch());
  EXPECT_TRUE(sender->SendOneBatch());
  EXPECT_FALSE(sender->SendOneBatch());
  const std::vector<RecordedRequest> requests = am_.requests();
  ASSERT_EQ(requests.size(), 3u);
  EXPECT_EQ(requests[0].AlertCount(), 256u);
  EXPECT_EQ(requests[1].AlertCount(), 256u);
  EXPECT_EQ(requests[2].AlertCount(), 88u);
  EXPECT_EQ(requests[0].body,
            AlertsBody(absl::MakeConstSpan(alerts).subspan(0, 256)));
  EXPECT_EQ(requests[2].body,
            AlertsBody(absl::MakeConstSpan(alerts).subspan(512)));
  const AlertmanagerStats stats = sender->Stats();
  EXPECT_EQ(stats.url, "http://am.example:9093/am/api/v2/alerts");
  EXPECT_EQ(stats.sent, 600);
  EXPECT_EQ(stats.errors, 0);
  EXPECT_EQ(stats.dropped, 0);
  EXPECT_EQ(stats.retries, 0);
  EXPECT_EQ(stats.queue_length, 0);
  EXPECT_EQ(stats.queue_capacity, 10000);
  EXPECT_EQ(stats.latency_count, 3);
}

TEST_F(SenderTest, RequestHeadersUrlAndTimeout) {
  options_.user_agent = "fraisier-ruler/test";
  endpoint_.timeout = absl::Seconds(7);
  auto sender = NewSender();
  sender->Enqueue(MakeAlerts(0, 1));
  sender->SendOneBatch();
  const RecordedRequest r = am_.requests().at(0);
  EXPECT_EQ(r.url, "http://am.example:9093/am/api/v2/alerts");
  EXPECT_EQ(r.Header("Content-Type"), "application/json");
  EXPECT_EQ(r.Header("User-Agent"), "fraisier-ruler/test");
  EXPECT_EQ(r.Header("Authorization"), "");
  EXPECT_EQ(r.timeout, absl::Seconds(7));
}

TEST_F(SenderTest, AuthHeaders) {
  endpoint_.http.basic_auth_username = "user";
  endpoint_.http.basic_auth_password = "pass";
  auto basic = NewSender();
  basic->Enqueue(MakeAlerts(0, 1));
  basic->SendOneBatch();
  endpoint_.http = HttpClientOptions();
  endpoint_.http.authorization_credentials = "tok";
  auto bearer = NewSender();
  bearer->Enqueue(MakeAlerts(0, 1));
  bearer->SendOneBatch();
  const std::vector<RecordedRequest> requests = am_.requests();
  ASSERT_EQ(requests.size(), 2u);
  EXPECT_EQ(requests[0].Header("Authorization"), "Basic dXNlcjpwYXNz");
  EXPECT_EQ(requests[1].Header("Authorization"), "Bearer tok");
}

TEST_F(SenderTest, UnreadableCredentialsFileFailsTheAttemptAndRetries) {
  endpoint_.http.authorization_credentials_file = "/nonexistent/token";
  options_.max_retry_duration = absl::Seconds(1);
  auto sender = NewSender();
  sender->Enqueue(MakeAlerts(0, 2));
  EXPECT_TRUE(sender->SendOneBatch());
  EXPECT_EQ(am_.request_count(), 0u);  // nothing without credentials
  const AlertmanagerStats stats = sender->Stats();
  EXPECT_GT(stats.retries, 0);
  EXPECT_EQ(stats.errors, 2 * (stats.retries + 1));
  EXPECT_EQ(stats.dropped, 2);
  EXPECT_EQ(stats.sent, 0);
}

TEST_F(SenderTest, QueueOverflowDropsOldest) {
  options_.queue_capacity = 10;
  auto sender = NewSender();
  const std::vector<EncodedAlert> alerts = MakeAlerts(0, 25);
  sender->Enqueue(absl::MakeConstSpan(alerts).subspan(0, 8));
  sender->Enqueue(absl::MakeConstSpan(alerts).subspan(8));
  AlertmanagerStats stats = sender->Stats();
  EXPECT_EQ(stats.dropped, 15);
  EXPECT_EQ(stats.queue_length, 10);
  sender->SendOneBatch();
  EXPECT_EQ(am_.requests().at(0).body,
            AlertsBody(absl::MakeConstSpan(alerts).subspan(15)));
}

TEST_F(SenderTest, OversizedEnqueueKeepsNewest) {
  options_.queue_capacity = 10;
  auto sender = NewSender();
  sender->Enqueue(MakeAlerts(0, 3));
  const std::vector<EncodedAlert> alerts = MakeAlerts(100, 112);
  sender->Enqueue(alerts);
  EXPECT_EQ(sender->Stats().dropped, 5);  // 2 of the new, 3 queued
  sender->SendOneBatch();
  EXPECT_EQ(am_.requests().at(0).body,
            AlertsBody(absl::MakeConstSpan(alerts).subspan(2)));
}

TEST_F(SenderTest, RetriesServerErrorsThenSucceeds) {
  am_.PushResponse(503, "unavailable");
  am_.PushError(absl::UnavailableError("connection refused"));
  am_.PushResponse(429);
  am_.PushError(absl::DeadlineExceededError("timeout"));
  am_.PushResponse(200);
  auto sender = NewSender();
  sender->Enqueue(MakeAlerts(0, 3));
  EXPECT_TRUE(sender->SendOneBatch());
  const std::vector<RecordedRequest> requests = am_.requests();
  ASSERT_EQ(requests.size(), 5u);
  for (const RecordedRequest& r : requests) {
    EXPECT_EQ(r.body, requests[0].body);
  }
  EXPECT_THAT(sleeper_.sleeps(),
              ElementsAre(absl::Milliseconds(100), absl::Milliseconds(200),
                          absl::Milliseconds(400), absl::Milliseconds(800)));
  const AlertmanagerStats stats = sender->Stats();
  EXPECT_EQ(stats.sent, 3);
  EXPECT_EQ(stats.errors, 12);  // 4 failed attempts x 3 alerts
  EXPECT_EQ(stats.retries, 4);
  EXPECT_EQ(stats.dropped, 0);
}

TEST_F(SenderTest, ClientErrorIsNotRetried) {
  am_.PushResponse(400, "bad alert: start time must be before end time");
  auto sender = NewSender();
  sender->Enqueue(MakeAlerts(0, 4));
  EXPECT_TRUE(sender->SendOneBatch());
  EXPECT_EQ(am_.request_count(), 1u);
  EXPECT_THAT(sleeper_.sleeps(), ::testing::IsEmpty());
  const AlertmanagerStats stats = sender->Stats();
  EXPECT_EQ(stats.sent, 0);
  EXPECT_EQ(stats.errors, 4);
  EXPECT_EQ(stats.dropped, 4);
  EXPECT_EQ(stats.retries, 0);
}

TEST_F(SenderTest, BackoffDoublesUpToTheCapThenGivesUp) {
  options_.max_backoff = absl::Seconds(1);
  options_.max_retry_duration = absl::Seconds(5);
  am_.SetHandler([](const HttpRequest&) {
    HttpResponse r;
    r.status = 500;
    return r;
  });
  auto sender = NewSender();
  sender->Enqueue(MakeAlerts(0, 2));
  EXPECT_TRUE(sender->SendOneBatch());
  // 0.1+0.2+0.4+0.8+1+1+1 = 4.5 s, then the last wait ends at the budget.
  EXPECT_THAT(sleeper_.sleeps(),
              ElementsAre(absl::Milliseconds(100), absl::Milliseconds(200),
                          absl::Milliseconds(400), absl::Milliseconds(800),
                          absl::Seconds(1), absl::Seconds(1), absl::Seconds(1),
                          absl::Milliseconds(500)));
  EXPECT_EQ(am_.request_count(), 9u);
  EXPECT_EQ(clock_.Now(), kStart + absl::Seconds(5));
  const AlertmanagerStats stats = sender->Stats();
  EXPECT_EQ(stats.retries, 8);
  EXPECT_EQ(stats.errors, 18);
  EXPECT_EQ(stats.dropped, 2);
  EXPECT_EQ(stats.sent, 0);
  // The queue moves on: the next batch is sent normally.
  am_.SetHandler(nullptr);
  sender->Enqueue(MakeAlerts(2, 3));
  EXPECT_TRUE(sender->SendOneBatch());
  EXPECT_EQ(sender->Stats().sent, 1);
}

TEST_F(SenderTest, RunDrainsQueueAfterStop) {
  auto sender = NewSender();
  sender->Enqueue(MakeAlerts(0, 600));
  sender->RequestStop(clock_.Now() + absl::Seconds(5));
  sender->Run();  // returns once drained: nothing left to wait for
  EXPECT_EQ(am_.request_count(), 3u);
  EXPECT_EQ(sender->Stats().sent, 600);
  EXPECT_EQ(sender->Stats().dropped, 0);
  // After Run returned, new alerts are dropped and counted.
  sender->Enqueue(MakeAlerts(0, 2));
  EXPECT_EQ(sender->Stats().dropped, 2);
  EXPECT_EQ(sender->Stats().queue_length, 0);
}

TEST_F(SenderTest, DrainStopsAtDeadlineAndCountsTheRest) {
  am_.SetHandler([](const HttpRequest&) {
    HttpResponse r;
    r.status = 503;
    return r;
  });
  auto sender = NewSender();
  sender->Enqueue(MakeAlerts(0, 300));
  sender->RequestStop(clock_.Now() + absl::Seconds(2));
  sender->Run();
  // The first batch retried until the deadline; the second never went out.
  EXPECT_EQ(clock_.Now(), kStart + absl::Seconds(2));
  const AlertmanagerStats stats = sender->Stats();
  EXPECT_EQ(stats.dropped, 300);
  EXPECT_EQ(stats.sent, 0);
  for (const RecordedRequest& r : am_.requests()) {
    EXPECT_EQ(r.AlertCount(), 256u);
    EXPECT_LE(r.timeout, absl::Seconds(2));  // capped by the deadline
  }
}

TEST_F(SenderTest, StopWithZeroDrainDropsEverything) {
  auto sender = NewSender();
  sender->Enqueue(MakeAlerts(0, 5));
  sender->RequestStop(clock_.Now());
  sender->Run();
  EXPECT_EQ(am_.request_count(), 0u);
  EXPECT_EQ(sender->Stats().dropped, 5);
}

TEST_F(SenderTest, StopInterruptsBackoffSleep) {
  // A real sleeper and an hour of backoff: only the stop can end the wait.
  options_.min_backoff = absl::Hours(1);
  options_.max_backoff = absl::Hours(1);
  options_.max_retry_duration = absl::Hours(10);
  am_.SetHandler([](const HttpRequest&) {
    HttpResponse r;
    r.status = 502;
    return r;
  });
  RealSleeper real;
  AlertmanagerSender sender(endpoint_, options_, am_.NewTransport(), &clock_,
                            &real);
  sender.Enqueue(MakeAlerts(0, 1));
  std::thread run([&sender] { sender.Run(); });
  ASSERT_TRUE(am_.WaitForRequests(1));
  sender.RequestStop(clock_.Now());
  run.join();
  EXPECT_EQ(sender.Stats().dropped, 1);
  EXPECT_EQ(am_.request_count(), 1u);
}

TEST_F(SenderTest, AbortHookFiresOnlyAfterDrainDeadline) {
  bool before_stop = true;
  bool after_deadline = false;
  am_.SetHandler([&](const HttpRequest& r) {
    before_stop = r.abort();
    HttpResponse resp;
    resp.status = 200;
    return resp;
  });
  auto sender = NewSender();
  sender->Enqueue(MakeAlerts(0, 1));
  sender->SendOneBatch();
  sender->RequestStop(clock_.Now() + absl::Seconds(10));
  sender->Enqueue(MakeAlerts(1, 2));
  clock_.Advance(absl::Seconds(9));
  am_.SetHandler([&](const HttpRequest& r) {
    clock_.Advance(absl::Seconds(2));  // the request outlives the deadline
    after_deadline = r.abort();
    HttpResponse resp;
    resp.error = absl::CancelledError("aborted");
    return resp;
  });
  sender->SendOneBatch();
  EXPECT_FALSE(before_stop);
  EXPECT_TRUE(after_deadline);
  EXPECT_EQ(sender->Stats().dropped, 1);
  EXPECT_EQ(sender->Stats().sent, 1);
}

}  // namespace
}  // namespace fraisier::notifier
