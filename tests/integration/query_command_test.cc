// `ruler query instant|range` against a real `ruler serve` (in-process, on
// a loopback port) that holds remote-written samples.
#include "engine/cli/query_command.h"

#include <memory>
#include <sstream>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "engine/base/clock.h"
#include "engine/cli/cli.h"
#include "engine/server/server.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "nlohmann/json.hpp"
#include "tests/integration/test_util.h"
#include "tests/integration/write_request.h"

namespace fraisier::integration {
namespace {

using ::testing::HasSubstr;

struct CliResult {
  int code;
  std::string out, err;
};

class QueryCommandTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = MakeTempDir("query_command");
    ASSERT_FALSE(dir_.empty());
    server::ServerOptions options;
    options.web_listen_address = "127.0.0.1:0";
    options.grpc_listen_address = "";
    options.storage_path = dir_ + "/data";
    absl::StatusOr<std::unique_ptr<server::Server>> s =
        server::Server::Start(options);
    ASSERT_TRUE(s.ok()) << s.status();
    server_ = *std::move(s);
    base_ = absl::StrCat("http://127.0.0.1:", server_->http_port());

    // Recent samples (the store refuses data older than its retention):
    // five per series, a minute apart, ending at t0_ + 4m.
    t0_ =
        absl::FromUnixSeconds(absl::ToUnixSeconds(absl::Now()) / 60 * 60 - 600);
    const int64_t ms = absl::ToUnixMillis(t0_);
    std::vector<TestSeries> series = {
        {{{"__name__", "up"}, {"instance", "a:9100"}, {"job", "node"}}, {}},
        {{{"__name__", "up"}, {"instance", "b:9100"}, {"job", "node"}}, {}},
    };
    for (int i = 0; i < 5; ++i) {
      series[0].samples.push_back({ms + i * 60000, 1.0 + i});
      series[1].samples.push_back({ms + i * 60000, 10.0 * (i + 1)});
    }
    HttpResult w = PostWrite(base_, EncodeSnappy(series));
    ASSERT_EQ(w.status, 204) << w.body;
  }
  void TearDown() override {
    if (server_) {
      EXPECT_TRUE(server_->Shutdown().ok());
    }
  }

  CliResult Run(std::vector<std::string> args) {
    args.insert(args.begin(), "ruler");
    std::ostringstream out, err;
    int code = cli::Run(args, cli::DefaultCommands(), out, err);
    return {code, out.str(), err.str()};
  }
  std::string Seconds(absl::Duration after_t0) {
    return absl::StrCat(absl::ToUnixSeconds(t0_ + after_t0));
  }

  std::string dir_, base_;
  absl::Time t0_;
  std::unique_ptr<server::Server> server_;
};

TEST_F(QueryCommandTest, InstantTable) {
  CliResult r = Run({"query", "instant", base_, "sum by (job) (up)",
                     "--time=" + Seconds(absl::Minutes(2))});
  EXPECT_EQ(r.code, cli::kExitOk) << r.err;
  EXPECT_EQ(r.out, "SERIES        VALUE\n{job=\"node\"}  33\n");
  EXPECT_EQ(r.err, "");

  r = Run({"query", "instant", "--server=" + base_, "up",
           "--time=" + Seconds(absl::Minutes(4))});
  EXPECT_EQ(r.out,
            "SERIES                             VALUE\n"
            "up{instance=\"a:9100\", job=\"node\"}  5\n"
            "up{instance=\"b:9100\", job=\"node\"}  50\n");
}

TEST_F(QueryCommandTest, InstantJson) {
  CliResult r = Run({"query", "instant", base_, "max(up)", "-o", "json",
                     "--time=" + Seconds(absl::Minutes(1))});
  EXPECT_EQ(r.code, cli::kExitOk) << r.err;
  EXPECT_EQ(r.out, absl::StrCat("{\"resultType\":\"vector\",\"result\":[{"
                                "\"metric\":{},\"value\":[",
                                Seconds(absl::Minutes(1)), ",\"20\"]}]}\n"));
}

TEST_F(QueryCommandTest, RangeTableAndJson) {
  CliResult r = Run({"query", "range", base_, "sum(up)",
                     "--start=" + Seconds(absl::Minutes(1)),
                     "--end=" + Seconds(absl::Minutes(3)), "--step=1m"});
  EXPECT_EQ(r.code, cli::kExitOk) << r.err;
  EXPECT_EQ(r.out,
            absl::StrCat("SERIES  TIMESTAMP   VALUE\n",  //
                         "{}      ", Seconds(absl::Minutes(1)), "  22\n",
                         "{}      ", Seconds(absl::Minutes(2)), "  33\n",
                         "{}      ", Seconds(absl::Minutes(3)), "  44\n"));

  r = Run({"query", "range", base_, "up{instance=\"a:9100\"}", "--format=json",
           "--start=" + Seconds(absl::ZeroDuration()),
           "--end=" + Seconds(absl::Minutes(4)), "--step=120"});
  nlohmann::json doc = nlohmann::json::parse(r.out, nullptr, false);
  ASSERT_FALSE(doc.is_discarded()) << r.out;
  EXPECT_EQ(doc["resultType"], "matrix");
  ASSERT_EQ(doc["result"].size(), 1u);
  EXPECT_EQ(doc["result"][0]["values"].dump(),
            absl::StrCat("[[", Seconds(absl::ZeroDuration()), ",\"1\"],[",
                         Seconds(absl::Minutes(2)), ",\"3\"],[",
                         Seconds(absl::Minutes(4)), ",\"5\"]]"));
}

TEST_F(QueryCommandTest, DefaultsComeFromTheClock) {
  // Instant: now. Range: the 5 minutes before now, a 1s step (300s / 250
  // rounded down, at least 1s), so samples from t0 to now.
  FakeClock clock(t0_ + absl::Minutes(4));
  std::ostringstream out, err;
  EXPECT_EQ(cli::RunQuery(false, {base_, "sum(up)"}, clock, out, err),
            cli::kExitOk);
  EXPECT_EQ(out.str(), "SERIES  VALUE\n{}      55\n");

  std::ostringstream rout, rerr;
  EXPECT_EQ(cli::RunQuery(true, {base_, "sum(up)"}, clock, rout, rerr),
            cli::kExitOk);
  std::vector<std::string> lines =
      absl::StrSplit(rout.str(), '\n', absl::SkipEmpty());
  ASSERT_EQ(lines.size(), 1u + 4 * 60 + 1);  // header + t0 .. t0+4m
  EXPECT_EQ(lines[1],
            absl::StrCat("{}      ", Seconds(absl::ZeroDuration()), "  11"));
  EXPECT_EQ(lines[2],
            absl::StrCat("{}      ", Seconds(absl::Seconds(1)), "  11"));
  EXPECT_EQ(lines.back(),
            absl::StrCat("{}      ", Seconds(absl::Minutes(4)), "  55"));
}

TEST_F(QueryCommandTest, Errors) {
  CliResult r = Run({"query", "instant", base_, "rate(x"});
  EXPECT_EQ(r.code, cli::kExitFailure);
  EXPECT_EQ(r.out, "");
  EXPECT_EQ(r.err,
            "query error: bad_data: invalid parameter \"query\": 1:7: parse "
            "error: unclosed left parenthesis\n");

  r = Run({"query", "instant", absl::StrCat("http://127.0.0.1:", FreePort()),
           "up"});
  EXPECT_EQ(r.code, cli::kExitFailure);
  EXPECT_THAT(r.err, HasSubstr("query error: GET http://127.0.0.1:"));

  r = Run({"query", "range", base_, "up", "--start=200", "--end=100"});
  EXPECT_EQ(r.code, cli::kExitUsage);
  EXPECT_EQ(r.err, "ruler query range: start time is not before end time\n");

  r = Run({"query", "instant", base_, "up", "--time=yesterday"});
  EXPECT_EQ(r.code, cli::kExitUsage);
  EXPECT_EQ(r.err,
            "ruler query instant: --time: cannot parse \"yesterday\" "
            "to a valid timestamp\n");

  r = Run({"query", "instant"});
  EXPECT_EQ(r.code, cli::kExitUsage);
  EXPECT_THAT(r.err, HasSubstr("expected [SERVER] EXPR"));

  r = Run({"query", "instant", "--server=" + base_, base_, "up"});
  EXPECT_EQ(r.code, cli::kExitUsage);

  r = Run({"query", "range", "--help"});
  EXPECT_EQ(r.code, cli::kExitOk);
  EXPECT_THAT(r.out, HasSubstr("--step=\"\""));
}

}  // namespace
}  // namespace fraisier::integration
