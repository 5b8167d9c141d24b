#include "engine/demo/feeder.h"

#include <atomic>
#include <map>
#include <sstream>
#include <string>

#include "engine/ingest/snappy_block.h"
#include "engine/ingest/write_request_reader.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "rules/notifier/fake_transport.h"
#include "rules/notifier/sleeper.h"

namespace fraisier::demo {
namespace {

using ::testing::Contains;
using ::testing::Each;
using ::testing::HasSubstr;
using ::testing::Not;

const absl::Time kStart = absl::FromUnixSeconds(1700000000);

// One decoded write: every series' single sample by its name and labels.
struct Write {
  int64_t t_ms = -1;
  std::map<std::string, double> values;  // "name{k=v,...}" -> value
  bool labels_sorted = true;
};

Write Decode(const std::string& body) {
  Write w;
  std::string buffer;
  absl::StatusOr<absl::string_view> raw =
      ingest::SnappyDecode(body, 1 << 24, &buffer);
  EXPECT_TRUE(raw.ok()) << raw.status();
  if (!raw.ok()) return w;
  ingest::WriteRequestReader reader;
  reader.Reset(*raw);
  while (reader.Next().value_or(false)) {
    const ingest::TimeSeriesView& s = reader.series();
    std::string key;
    for (size_t i = 0; i < s.labels.size(); ++i) {
      if (i > 0 && !(s.labels[i - 1].name < s.labels[i].name)) {
        w.labels_sorted = false;
      }
      key += std::string(s.labels[i].name) + "=" +
             std::string(s.labels[i].value) + ",";
    }
    EXPECT_EQ(s.samples.size(), 1u) << key;
    if (w.t_ms < 0) w.t_ms = s.samples[0].t;
    EXPECT_EQ(s.samples[0].t, w.t_ms) << key;
    w.values[key] = s.samples[0].v;
  }
  return w;
}

constexpr char kNatsState[] =
    "__name__=nats_server_state,instance=localhost:8222,job=nats,";

class FeederTest : public ::testing::Test {
 protected:
  std::string Run(FeederOptions options,
                  const std::string& scenario = "incidents") {
    absl::StatusOr<Scenario> s = ScenarioByName(scenario);
    EXPECT_TRUE(s.ok());
    transport_ = peer_.NewTransport();
    Feeder feeder(options, *s, &clock_, &sleeper_, transport_.get(), &out_);
    stats_ = feeder.Run(stop_);
    return out_.str();
  }

  FakeClock clock_{kStart};
  notifier::FakeSleeper sleeper_{&clock_};
  notifier::FakeAlertmanager peer_;  // a scripted HTTP peer: our ruler
  std::unique_ptr<notifier::HttpTransport> transport_;
  std::atomic<bool> stop_{false};
  std::ostringstream out_;
  FeederStats stats_;
};

TEST_F(FeederTest, WritesEveryIntervalAndPrintsTheTimeline) {
  FeederOptions options;
  options.duration = absl::Minutes(3);
  const std::string out = Run(options);

  const std::vector<notifier::RecordedRequest> requests = peer_.requests();
  ASSERT_EQ(requests.size(), 36u);  // t = 0, 5, ..., 175 s
  EXPECT_EQ(stats_.writes, 36);
  EXPECT_EQ(stats_.failed_writes, 0);
  EXPECT_THAT(sleeper_.sleeps(), Each(absl::Seconds(5)));
  EXPECT_EQ(clock_.Now(), kStart + absl::Minutes(3));
  for (size_t i = 0; i < requests.size(); ++i) {
    const notifier::RecordedRequest& r = requests[i];
    EXPECT_EQ(r.url, "http://127.0.0.1:9099/api/v1/write");
    EXPECT_EQ(r.Header("Content-Encoding"), "snappy");
    EXPECT_EQ(r.Header("X-Prometheus-Remote-Write-Version"), "0.1.0");
    const Write w = Decode(r.body);
    EXPECT_TRUE(w.labels_sorted);
    EXPECT_EQ(w.t_ms,
              absl::ToUnixMillis(kStart) + 5000 * static_cast<int64_t>(i));
    // NATS is down from 60 s (scenario and real time agree at 1x).
    EXPECT_EQ(w.values.at(kNatsState), i * 5 >= 60 ? 0 : 1) << i * 5 << "s";
    EXPECT_EQ(static_cast<int64_t>(w.values.size()) * 36, stats_.samples);
  }

  EXPECT_THAT(out, HasSubstr("timeline:\n"
                             "  t=30s to 4m30s  deployment failure burst -> "
                             "HighDeploymentFailureRate\n"));
  EXPECT_THAT(out, HasSubstr("  t=1m45s to 5m45s  database pool exhaustion -> "
                             "DatabasePoolExhausted\n"));
  EXPECT_THAT(out,
              HasSubstr("\nt=30s: incident deployment failure burst begins "
                        "(expect HighDeploymentFailureRate)\n"));
  EXPECT_THAT(out, HasSubstr("\nt=1m: incident NATS down begins (expect "
                             "NatsConnectionLost)\n"));
  EXPECT_THAT(out, HasSubstr("\nt=1m45s: incident database pool exhaustion "
                             "begins (expect DatabasePoolExhausted)\n"));
  EXPECT_THAT(out, HasSubstr("\nt=1m: 13 writes, "));
  EXPECT_THAT(out, Not(HasSubstr("ends")));
  EXPECT_THAT(out, HasSubstr("ruler demo: stopped at t=3m after 36 writes ("));
}

TEST_F(FeederTest, TimeScaleCompressesTheIncidentsNotTheTraffic) {
  FeederOptions options;
  options.interval = absl::Seconds(1);
  options.time_scale = 4;
  options.duration = absl::Seconds(80);
  const std::string out = Run(options);
  const std::vector<notifier::RecordedRequest> requests = peer_.requests();
  ASSERT_EQ(requests.size(), 80u);
  // NATS down in scenario time [60s, 5m): real [15s, 75s).
  for (size_t i = 0; i < requests.size(); ++i) {
    const bool down = i >= 15 && i < 75;
    EXPECT_EQ(Decode(requests[i].body).values.at(kNatsState), down ? 0 : 1)
        << i << "s";
  }
  EXPECT_THAT(out,
              HasSubstr(" every 1s, scenario \"incidents\" at 4x speed\n"));
  EXPECT_THAT(out,
              HasSubstr("  t=15s to 1m15s  NATS down -> NatsConnectionLost\n"));
  EXPECT_THAT(out, HasSubstr("\nt=15s: incident NATS down begins"));
  EXPECT_THAT(out, HasSubstr("\nt=1m8s: incident deployment failure burst ends "
                             "(HighDeploymentFailureRate resolves as new "
                             "deployments push the hour's failures under "
                             "10%)\n"));
}

TEST_F(FeederTest, ReportsAFailedStreakOnceAndItsEnd) {
  peer_.PushError(absl::UnavailableError("connect refused"));
  peer_.PushResponse(503, "not ready");
  peer_.PushResponse(204);
  FeederOptions options;
  options.duration = absl::Seconds(20);
  const std::string out = Run(options, "calm");
  EXPECT_EQ(stats_.writes, 4);
  EXPECT_EQ(stats_.failed_writes, 2);
  EXPECT_THAT(out, HasSubstr("timeline: no incidents; every alert should stay "
                             "quiet\n"));
  EXPECT_THAT(out, HasSubstr("\nt=0s: write failed: connect refused (retrying "
                             "every 5s with fresh samples)\n"));
  EXPECT_THAT(out, Not(HasSubstr("HTTP 503")));
  EXPECT_THAT(out, HasSubstr("\nt=10s: writes succeed again after 2 failed\n"));
  EXPECT_THAT(out, HasSubstr("after 4 writes ("));
  EXPECT_THAT(out, HasSubstr("), 2 failed\n"));
}

TEST_F(FeederTest, StopsWhenAskedWithoutADuration) {
  peer_.SetHandler([this](const notifier::HttpRequest&) {
    if (peer_.request_count() == 3) stop_ = true;
    notifier::HttpResponse r;
    r.status = 204;
    return r;
  });
  const std::string out = Run(FeederOptions{});
  EXPECT_EQ(stats_.writes, 3);
  EXPECT_THAT(out, HasSubstr("ruler demo: stopped at t=10s after 3 writes"));
  const std::vector<notifier::RecordedRequest> requests = peer_.requests();
  // Counters carried across writes only grow.
  const Write first = Decode(requests.front().body);
  const Write last = Decode(requests.back().body);
  for (const auto& [key, value] : first.values) {
    if (key.find("_total,") != std::string::npos ||
        key.find("_bucket,") != std::string::npos) {
      EXPECT_GE(last.values.at(key), value) << key;
    }
  }
  EXPECT_THAT(first.values, Contains(testing::Key(kNatsState)));
}

}  // namespace
}  // namespace fraisier::demo
