// The `ruler serve` binary as operators run it: signals and exit codes.
// SIGHUP reloads the config; SIGTERM stops accepting, finishes in-flight
// requests, flushes the WAL and exits 0, and a restart finds every
// acknowledged sample.
#include <signal.h>
#include <sys/wait.h>

#include <fstream>

#include "absl/strings/str_cat.h"
#include "absl/time/clock.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "nlohmann/json.hpp"
#include "tests/integration/test_util.h"
#include "tests/integration/write_request.h"

namespace fraisier::integration {
namespace {

using nlohmann::json;
using ::testing::HasSubstr;

constexpr char kRuler[] = "engine/ruler";  // a data dependency

class ServeProcessTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = MakeTempDir("serve_process");
    ASSERT_FALSE(dir_.empty());
    std::ofstream(dir_ + "/ruler.yml")
        << "global:\n  external_labels:\n    replica: one\n";
  }

  std::unique_ptr<ChildProcess> StartRuler(int port) {
    auto child = std::make_unique<ChildProcess>(
        std::vector<std::string>{
            kRuler, "serve", "--config.file=" + dir_ + "/ruler.yml",
            "--storage.path=" + dir_ + "/data",
            absl::StrCat("--web.listen-address=127.0.0.1:", port),
            "--grpc.listen-address="},
        dir_ + "/ruler.log");
    const std::string base = absl::StrCat("http://127.0.0.1:", port);
    EXPECT_TRUE(
        PollUntil(absl::Seconds(30),
                  [&] { return HttpGet(base + "/-/ready").status == 200; }))
        << "ruler did not become ready; see " << dir_ << "/ruler.log";
    return child;
  }

  std::string dir_;
};

TEST_F(ServeProcessTest, SighupReloadsAndSigtermExitsCleanly) {
  const int port = FreePort();
  const std::string base = absl::StrCat("http://127.0.0.1:", port);
  std::unique_ptr<ChildProcess> ruler = StartRuler(port);

  const int64_t now = absl::ToUnixMillis(absl::Now()) / 1000 * 1000;
  std::vector<TestSeries> series;
  for (int i = 0; i < 200; ++i) {
    series.push_back(
        {{{"__name__", "deployments_total"}, {"env", absl::StrCat("e", i)}},
         {{now - 2000, 1.0 * i}, {now - 1000, 2.0 * i}}});
  }
  HttpResult w = PostWrite(base, EncodeSnappy(series));
  ASSERT_EQ(w.status, 204) << w.body;

  std::ofstream(dir_ + "/ruler.yml")
      << "global:\n  external_labels:\n    replica: two\n";
  ASSERT_EQ(kill(ruler->pid(), SIGHUP), 0);
  EXPECT_TRUE(PollUntil(absl::Seconds(10), [&] {
    json j = json::parse(HttpGet(base + "/api/v1/status/config").body, nullptr,
                         false);
    return j.is_object() && j["data"]["yaml"].is_string() &&
           j["data"]["yaml"].get<std::string>().find("replica: two") !=
               std::string::npos;
  }));

  int status = ruler->Stop();  // SIGTERM
  ASSERT_TRUE(WIFEXITED(status)) << status;
  EXPECT_EQ(WEXITSTATUS(status), 0);

  ruler = StartRuler(port);
  json j = json::parse(
      HttpGet(base + "/api/v1/query?time=" + absl::StrCat(now / 1000) +
              "&query=" + UrlEncode("count(deployments_total)"))
          .body,
      nullptr, false);
  ASSERT_TRUE(j.is_object());
  EXPECT_EQ(j["data"]["result"][0]["value"][1], "200") << j.dump();
  status = ruler->Stop();
  EXPECT_TRUE(WIFEXITED(status) && WEXITSTATUS(status) == 0) << status;

  std::ifstream log(dir_ + "/ruler.log");
  std::string text((std::istreambuf_iterator<char>(log)),
                   std::istreambuf_iterator<char>());
  EXPECT_THAT(text, HasSubstr("Received SIGTERM, exiting gracefully"));
  // The binary runs on jemalloc (engine/BUILD.bazel), not glibc's malloc.
  EXPECT_THAT(text, HasSubstr("Memory allocator: jemalloc"));
}

TEST_F(ServeProcessTest, BadFlagsExitWithUsage) {
  ChildProcess bad({kRuler, "serve", "--storage.retention.time=forever"},
                   dir_ + "/bad.log");
  int status = 0;
  waitpid(bad.pid(), &status, 0);
  EXPECT_TRUE(WIFEXITED(status));
  EXPECT_EQ(WEXITSTATUS(status), 2);
  std::ifstream log(dir_ + "/bad.log");
  std::string text((std::istreambuf_iterator<char>(log)),
                   std::istreambuf_iterator<char>());
  EXPECT_THAT(text, HasSubstr("--storage.retention.time: invalid duration "
                              "\"forever\""));
}

}  // namespace
}  // namespace fraisier::integration
