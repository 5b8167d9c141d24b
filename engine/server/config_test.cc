#include "engine/server/config.h"

#include <fstream>

#include "engine/base/status_matchers.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace fraisier::server {
namespace {

using ::fraisier::testing::IsOkAndHolds;
using ::fraisier::testing::StatusIs;
using ::testing::ElementsAre;
using ::testing::HasSubstr;

constexpr absl::string_view kFull = R"(global:
  scrape_interval: 15s
  evaluation_interval: 30s
  external_labels:
    cluster: prod
    replica: a
rule_files:
  - rules/*.yml
  - /etc/ruler/extra.yml
alerting:
  alertmanagers:
    - static_configs:
        - targets: ['localhost:9093', 'am2:9093']
      timeout: 5s
      path_prefix: /am
      basic_auth:
        username: ruler
        password: secret
remote_write:
  - url: http://thanos:19291/api/v1/receive
    remote_timeout: 10s
    headers:
      X-Scope-OrgID: fraisier
storage:
  path: /var/lib/ruler
  retention:
    time: 30d
    size: 10GB
  wal:
    fsync: interval
    fsync_interval: 2s
  max_active_series: 2000000
remote_write_receiver:
  max_body_size: 16MB
  max_series_per_request: 5000
)";

TEST(ConfigTest, ParsesEverySection) {
  absl::StatusOr<Config> c = ParseConfig(kFull, "ruler.yml");
  ASSERT_TRUE(c.ok()) << c.status();
  EXPECT_EQ(c->evaluation_interval, absl::Seconds(30));
  EXPECT_EQ(c->external_labels.ToString(), "{cluster=\"prod\", replica=\"a\"}");
  EXPECT_THAT(c->rule_files,
              ElementsAre("rules/*.yml", "/etc/ruler/extra.yml"));
  ASSERT_EQ(c->alertmanagers.size(), 1u);
  EXPECT_THAT(c->alertmanagers[0].targets,
              ElementsAre("localhost:9093", "am2:9093"));
  EXPECT_EQ(c->alertmanagers[0].timeout, absl::Seconds(5));
  EXPECT_EQ(c->alertmanagers[0].path_prefix, "/am");
  EXPECT_EQ(c->alertmanagers[0].http.basic_auth.username, "ruler");
  ASSERT_EQ(c->remote_write.size(), 1u);
  EXPECT_EQ(c->remote_write[0].remote_timeout, absl::Seconds(10));
  EXPECT_EQ(c->storage.path, "/var/lib/ruler");
  EXPECT_TRUE(c->storage_path_set);
  EXPECT_EQ(c->storage.retention_time, absl::Hours(24 * 30));
  EXPECT_EQ(c->storage.retention_size_bytes, int64_t{10} << 30);
  EXPECT_EQ(c->storage.fsync, FsyncMode::kInterval);
  EXPECT_EQ(c->storage.fsync_interval, absl::Seconds(2));
  EXPECT_EQ(c->storage.max_active_series, 2000000);
  EXPECT_EQ(c->receiver.max_body_bytes, int64_t{16} << 20);
  EXPECT_EQ(c->receiver.max_series_per_request, 5000);
  EXPECT_THAT(c->warnings,
              ElementsAre("ruler.yml:2:20: global.scrape_interval is ignored "
                          "by ruler"));
}

TEST(ConfigTest, EmptyFileGivesDefaults) {
  absl::StatusOr<Config> c = ParseConfig("", "empty.yml");
  ASSERT_TRUE(c.ok());
  EXPECT_EQ(c->evaluation_interval, absl::Minutes(1));
  EXPECT_EQ(c->storage.path, "data/");
  EXPECT_EQ(c->storage.retention_time, absl::Hours(360));
  EXPECT_FALSE(c->storage_path_set);
}

TEST(ConfigTest, ReportsEveryErrorWithPosition) {
  constexpr absl::string_view kBad = R"(global:
  evaluation_interval: 1x
  external_lables: {a: b}
alerting:
  alertmanagers:
    - static_configs:
        - targets: [localhost:9093]
      api_version: v1
      kubernetes_sd_configs: [{role: pod}]
storage:
  retention:
    time: -1d
  wal:
    fsync: sometimes
unknown_top: 1
)";
  absl::StatusOr<Config> c = ParseConfig(kBad, "bad.yml");
  ASSERT_FALSE(c.ok());
  EXPECT_EQ(c.status().code(), absl::StatusCode::kInvalidArgument);
  std::string msg(c.status().message());
  EXPECT_THAT(msg, HasSubstr("bad.yml:2:24: unknown unit \"x\" in duration "
                             "\"1x\""));
  EXPECT_THAT(msg, HasSubstr("bad.yml:3:3: unknown field \"external_lables\" "
                             "in global"));
  EXPECT_THAT(msg, HasSubstr("bad.yml:8:20: expected Alertmanager api version "
                             "to be one of [v2] but got v1"));
  EXPECT_THAT(msg, HasSubstr("bad.yml:9:30: kubernetes_sd_configs is not "
                             "supported"));
  EXPECT_THAT(msg, HasSubstr("bad.yml:12:11: not a valid duration string"));
  EXPECT_THAT(msg, HasSubstr("bad.yml:14:12: fsync must be \"commit\" or "
                             "\"interval\", got \"sometimes\""));
  EXPECT_THAT(
      msg, HasSubstr("bad.yml:15:1: unknown field \"unknown_top\" in config"));
}

TEST(ConfigTest, BadExternalLabelsAndTypes) {
  EXPECT_THAT(ParseConfig("global:\n  external_labels:\n    0bad: x\n", "f"),
              StatusIs(absl::StatusCode::kInvalidArgument,
                       "f:3:5: \"0bad\" is not a valid label name"));
  EXPECT_THAT(ParseConfig("rule_files: rules.yml\n", "f"),
              StatusIs(absl::StatusCode::kInvalidArgument,
                       "f:1:13: cannot unmarshal scalar into a list of "
                       "strings"));
  EXPECT_THAT(ParseConfig("remote_write:\n  - name: x\n", "f"),
              StatusIs(absl::StatusCode::kInvalidArgument,
                       HasSubstr("url for remote_write is empty")));
  EXPECT_THAT(ParseConfig("storage:\n  max_active_series: lots\n", "f"),
              StatusIs(absl::StatusCode::kInvalidArgument,
                       "f:2:22: cannot unmarshal \"lots\" into an integer"));
}

TEST(ConfigTest, SyntaxErrorsKeepPositions) {
  EXPECT_THAT(
      ParseConfig("global:\n  evaluation_interval: [\n", "s.yml"),
      StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("s.yml:")));
}

TEST(ParseByteSizeTest, Units) {
  EXPECT_THAT(ParseByteSize("512"), IsOkAndHolds(512));
  EXPECT_THAT(ParseByteSize("1KB"), IsOkAndHolds(1024));
  EXPECT_THAT(ParseByteSize("3MiB"), IsOkAndHolds(3 << 20));
  EXPECT_THAT(ParseByteSize("2GB"), IsOkAndHolds(int64_t{2} << 30));
  EXPECT_THAT(ParseByteSize("1XB"), StatusIs(absl::StatusCode::kInvalidArgument,
                                             HasSubstr("unknown unit")));
  EXPECT_FALSE(ParseByteSize("MB").ok());
  EXPECT_FALSE(ParseByteSize("99999999999EB").ok());
}

TEST(ResolveRuleFilesTest, GlobsRelativeToConfigDirectory) {
  std::string dir = ::testing::TempDir() + "/resolve";
  ASSERT_EQ(system(("mkdir -p " + dir + "/rules").c_str()), 0);
  for (const char* name : {"/rules/b.yml", "/rules/a.yml", "/rules/c.txt"}) {
    std::ofstream(dir + name) << "groups: []\n";
  }
  Config config;
  config.filename = dir + "/ruler.yml";
  config.rule_files = {"rules/*.yml", "rules/a.yml", "missing/*.yml"};
  EXPECT_THAT(
      ResolveRuleFiles(config),
      IsOkAndHolds(ElementsAre(dir + "/rules/a.yml", dir + "/rules/b.yml")));
}

}  // namespace
}  // namespace fraisier::server
