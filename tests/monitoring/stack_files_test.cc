// The rest of the Fraisier stack in monitoring/: docker-compose.yml names
// the five services and mounts files that exist; prometheus.yml scrapes the
// seed's jobs, loads the rules and remote-writes to the ruler; Grafana's
// provisioning points at both data sources and at the mounted dashboards;
// the ruler's configs pass `ruler check config`.
#include <filesystem>
#include <map>
#include <string>
#include <vector>

#include "absl/strings/match.h"
#include "absl/strings/str_split.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "tests/monitoring/asset_util.h"

namespace fraisier::monitoring_test {
namespace {

using ::testing::Contains;
using ::testing::HasSubstr;
using ::testing::IsSupersetOf;
using yaml::YamlNode;

constexpr char kRuler[] = "engine/ruler";  // a data dependency

std::vector<std::string> Scalars(const YamlNode* sequence) {
  std::vector<std::string> out;
  if (sequence == nullptr) return out;
  for (const YamlNode& item : sequence->items) out.push_back(item.scalar);
  return out;
}

std::vector<std::string> Keys(const YamlNode* map) {
  std::vector<std::string> out;
  if (map == nullptr) return out;
  for (const auto& entry : map->entries) out.push_back(entry.first.scalar);
  return out;
}

class ComposeTest : public ::testing::Test {
 protected:
  void SetUp() override {
    absl::StatusOr<YamlNode> file = LoadYaml("monitoring/docker-compose.yml");
    ASSERT_TRUE(file.ok()) << file.status();
    compose_ = *std::move(file);
    services_ = compose_.Find("services");
    ASSERT_NE(services_, nullptr);
  }
  const YamlNode& Service(const std::string& name) {
    static const YamlNode kEmpty;
    const YamlNode* s = services_->Find(name);
    return s != nullptr ? *s : kEmpty;
  }

  YamlNode compose_;
  const YamlNode* services_ = nullptr;
};

TEST_F(ComposeTest, NamesTheFiveServices) {
  EXPECT_THAT(Keys(services_), IsSupersetOf({"prometheus", "alertmanager",
                                             "grafana", "nats", "ruler"}));
}

TEST_F(ComposeTest, BindMountsNameFilesOfThisDirectory) {
  int bind_mounts = 0;
  for (const auto& service : services_->entries) {
    for (const std::string& volume : Scalars(service.second.Find("volumes"))) {
      if (!absl::StartsWith(volume, "./")) continue;  // a named volume
      ++bind_mounts;
      std::vector<std::string> parts = absl::StrSplit(volume, ':');
      const std::string source = "monitoring/" + parts[0].substr(2);
      EXPECT_TRUE(std::filesystem::exists(source))
          << service.first.scalar << " mounts missing " << source;
    }
  }
  EXPECT_EQ(bind_mounts, 7);
}

TEST_F(ComposeTest, PrometheusKeepsFifteenDaysAndRulerBuildsFromSource) {
  EXPECT_THAT(Scalars(Service("prometheus").Find("command")),
              Contains("--storage.tsdb.retention.time=15d"));
  const YamlNode* build = Service("ruler").Find("build");
  ASSERT_NE(build, nullptr);
  EXPECT_EQ(ScalarAt(*build, "context"), "..");
  EXPECT_EQ(ScalarAt(*build, "dockerfile"), "monitoring/Dockerfile");
  EXPECT_TRUE(std::filesystem::exists("monitoring/Dockerfile"));
  EXPECT_THAT(Scalars(Service("ruler").Find("volumes")),
              Contains("./ruler.compose.yml:/etc/ruler/ruler.yml:ro"));
}

TEST(PrometheusConfigTest, ScrapesTheSeedsJobsAndWritesToTheRuler) {
  absl::StatusOr<YamlNode> config = LoadYaml("monitoring/prometheus.yml");
  ASSERT_TRUE(config.ok()) << config.status();
  std::vector<std::string> jobs;
  for (const YamlNode& job : config->Find("scrape_configs")->items) {
    jobs.push_back(ScalarAt(job, "job_name"));
  }
  EXPECT_THAT(jobs, IsSupersetOf({"fraisier", "nats", "postgres", "ruler"}));

  // Relative to the config file, as Prometheus resolves them.
  for (const std::string& rule_file : Scalars(config->Find("rule_files"))) {
    EXPECT_TRUE(std::filesystem::exists("monitoring/" + rule_file))
        << rule_file;
  }
  const YamlNode* remote_write = config->Find("remote_write");
  ASSERT_NE(remote_write, nullptr);
  ASSERT_EQ(remote_write->items.size(), 1u);
  EXPECT_EQ(ScalarAt(remote_write->items[0], "url"),
            "http://ruler:9099/api/v1/write");
  // Retention is Prometheus's flag; the config file has no place for it.
  EXPECT_EQ(config->Find("global")->Find("retention"), nullptr);
}

TEST(GrafanaProvisioningTest, BothDataSourcesAndTheMountedDashboards) {
  absl::StatusOr<YamlNode> sources =
      LoadYaml("monitoring/grafana/provisioning/datasources/datasources.yml");
  ASSERT_TRUE(sources.ok()) << sources.status();
  std::map<std::string, std::string> url_by_name;
  for (const YamlNode& source : sources->Find("datasources")->items) {
    EXPECT_EQ(ScalarAt(source, "type"), "prometheus");
    url_by_name[ScalarAt(source, "name")] = ScalarAt(source, "url");
  }
  EXPECT_EQ(url_by_name, (std::map<std::string, std::string>{
                             {"Prometheus", "http://prometheus:9090"},
                             {"ruler", "http://ruler:9099"}}));

  absl::StatusOr<YamlNode> providers =
      LoadYaml("monitoring/grafana/provisioning/dashboards/dashboards.yml");
  ASSERT_TRUE(providers.ok()) << providers.status();
  const YamlNode& provider = providers->Find("providers")->items.at(0);
  EXPECT_EQ(ScalarAt(*provider.Find("options"), "path"),
            "/var/lib/grafana/dashboards");
  absl::StatusOr<YamlNode> compose = LoadYaml("monitoring/docker-compose.yml");
  ASSERT_TRUE(compose.ok());
  EXPECT_THAT(
      Scalars(compose->Find("services")->Find("grafana")->Find("volumes")),
      Contains("./grafana/dashboards:/var/lib/grafana/dashboards:ro"));
}

TEST(RulerConfigTest, BothRulerConfigsPassRulerCheckConfig) {
  CommandResult r =
      RunCommand({kRuler, "check", "config", "monitoring/ruler.yml",
                  "monitoring/ruler.compose.yml"});
  EXPECT_EQ(r.exit_code, 0) << r.output;
  EXPECT_TRUE(absl::EndsWith(r.output, "2 passed, 0 failed\n")) << r.output;
}

TEST(RulerConfigTest, ServesTheFraisierRulesAndTheLocalAlertmanager) {
  absl::StatusOr<YamlNode> config = LoadYaml("monitoring/ruler.yml");
  ASSERT_TRUE(config.ok()) << config.status();
  EXPECT_THAT(Scalars(config->Find("rule_files")),
              ::testing::ElementsAre("prometheus.rules.yml"));
  absl::StatusOr<std::string> text = ReadFile("monitoring/ruler.yml");
  ASSERT_TRUE(text.ok());
  EXPECT_THAT(*text, HasSubstr("- targets: ['localhost:9093']"));
}

}  // namespace
}  // namespace fraisier::monitoring_test
