// Bad remote-write input over real HTTP: each case gets the right status
// and a message naming the problem, the service keeps running, and every
// sample stored before is still there.
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

struct BadCase {
  std::string name;
  std::string body;
  long status;
  std::string message;  // a substring of the response body
};

class RemoteWriteBadInputTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = MakeTempDir("bad_input");
    server::ServerOptions options;
    options.web_listen_address = "127.0.0.1:0";
    options.grpc_listen_address = "";
    options.storage_path = dir_ + "/data";
    options.max_active_series = 120;
    absl::StatusOr<std::unique_ptr<server::Server>> s =
        server::Server::Start(options);
    ASSERT_TRUE(s.ok()) << s.status();
    server_ = *std::move(s);
    base_ = absl::StrCat("http://127.0.0.1:", server_->http_port());
    now_ = absl::ToUnixMillis(absl::Now()) / 1000 * 1000;
  }
  void TearDown() override {
    if (server_) {
      EXPECT_TRUE(server_->Shutdown().ok());
    }
  }

  // The number of samples of `metric` in the last hour.
  std::string StoredSamples(const std::string& metric) {
    json j = json::parse(
        HttpGet(
            base_ + "/api/v1/query?time=" + absl::StrCat(now_ / 1000) +
            "&query=" + UrlEncode("sum(count_over_time(" + metric + "[1h]))"))
            .body,
        nullptr, false);
    if (!j.is_object() || j["data"]["result"].empty()) return "none";
    return j["data"]["result"][0]["value"][1].get<std::string>();
  }

  std::string dir_, base_;
  int64_t now_ = 0;
  std::unique_ptr<server::Server> server_;
};

TEST_F(RemoteWriteBadInputTest, EachCaseIsRefusedPreciselyAndNothingIsLost) {
  // 100 series x 10 samples stored first.
  std::vector<TestSeries> baseline;
  for (int i = 0; i < 100; ++i) {
    TestSeries s{{{"__name__", "baseline"}, {"i", absl::StrCat(i)}}, {}};
    for (int k = 0; k < 10; ++k) {
      s.samples.push_back({now_ - 60'000 + 1000 * k, 1.0 * k});
    }
    baseline.push_back(s);
  }
  HttpResult r = PostWrite(base_, EncodeSnappy(baseline));
  ASSERT_EQ(r.status, 204) << r.body;
  ASSERT_EQ(StoredSamples("baseline"), "1000");

  // A new sample of an existing series: accepted even at the series limit.
  const std::string valid =
      EncodeProto({{{{"__name__", "baseline"}, {"i", "5"}}, {{now_, 1}}}});
  const std::string compressed = Snappy(valid);
  std::vector<TestSeries> too_many;
  for (int i = 0; i < 30; ++i) {
    too_many.push_back(
        {{{"__name__", "overflow"}, {"i", absl::StrCat(i)}}, {{now_, 1}}});
  }
  std::vector<BadCase> cases = {
      {"not snappy", "this is not snappy at all", 400, "snappy"},
      {"truncated snappy", compressed.substr(0, compressed.size() / 2), 400,
       "snappy"},
      {"bad protobuf (truncated varint)", Snappy("\x0a\xff\xff\xff"), 400,
       "protobuf"},
      {"bad protobuf (length overrun)", Snappy(std::string("\x0a\x7f\x0a", 3)),
       400, "protobuf"},
      {"unsorted label names",
       EncodeSnappy({{{{"job", "a"}, {"__name__", "up"}}, {{now_, 1}}}}), 400,
       "sorted"},
      {"duplicate label names",
       EncodeSnappy(
           {{{{"__name__", "up"}, {"job", "a"}, {"job", "b"}}, {{now_, 1}}}}),
       400, "duplicate label name \"job\""},
      {"empty metric name",
       EncodeSnappy({{{{"__name__", ""}, {"job", "a"}}, {{now_, 1}}}}), 400,
       "metric name"},
      {"invalid UTF-8",
       EncodeSnappy({{{{"__name__", "up"}, {"job", "a\xff"}}, {{now_, 1}}}}),
       400, "UTF-8"},
      {"out-of-order sample",
       EncodeSnappy(
           {{{{"__name__", "baseline"}, {"i", "3"}}, {{now_ - 59'500, 1}}}}),
       400, "out of order"},
      {"oversized body", std::string(40 << 20, 'x'), 413,
       "exceeds the limit of 33554432 bytes"},
      {"too many series (active-series limit)", EncodeSnappy(too_many), 429,
       "limit"},
  };
  for (const BadCase& c : cases) {
    SCOPED_TRACE(c.name);
    r = PostWrite(base_, c.body);
    EXPECT_EQ(r.status, c.status) << r.body;
    EXPECT_THAT(r.body, HasSubstr(c.message));
    EXPECT_EQ(HttpGet(base_ + "/-/healthy").status, 200);
    EXPECT_EQ(StoredSamples("baseline"), "1000");
  }
  // Refused requests stored nothing of their own.
  EXPECT_EQ(StoredSamples("overflow"), "none");
  EXPECT_EQ(StoredSamples("up"), "none");
  // And the service still takes good data. (Series that a refused request
  // created stay, empty, until the next maintenance pass collects them, as
  // in Prometheus's head; so this is a sample of an existing series.)
  r = PostWrite(base_, compressed);
  EXPECT_EQ(r.status, 204) << r.body;
  EXPECT_EQ(StoredSamples("baseline"), "1001");
}

}  // namespace
}  // namespace fraisier::integration
