// The lint on the seed guide's rules and queries (tests/rules/lint/, copied
// verbatim from ../shared/seed) finds each real mistake, and on the
// corrected rules in monitoring/ finds nothing.
#include <sstream>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "engine/cli/cli.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "nlohmann/json.hpp"

namespace fraisier {
namespace {

using ::testing::ElementsAre;
using ::testing::IsEmpty;

struct CheckRun {
  int code = 0;
  std::vector<std::string> findings;  // "check rule"
  std::string out;
};

CheckRun CheckRules(std::vector<std::string> args) {
  std::vector<std::string> argv = {"ruler", "check", "rules", "--format=json"};
  argv.insert(argv.end(), args.begin(), args.end());
  std::ostringstream out, err;
  CheckRun run;
  run.code = cli::Run(argv, cli::DefaultCommands(), out, err);
  run.out = out.str();
  nlohmann::json doc = nlohmann::json::parse(run.out, nullptr, false);
  EXPECT_FALSE(doc.is_discarded()) << run.out << err.str();
  if (doc.is_discarded()) return run;
  for (const auto& file : doc["files"]) {
    EXPECT_TRUE(file["valid"].get<bool>()) << file.dump();
    for (const auto& f : file["findings"]) {
      run.findings.push_back(absl::StrCat(f["check"].get<std::string>(), " ",
                                          f["rule"].get<std::string>()));
    }
  }
  return run;
}

// The seed's prometheus.yml scrapes every 15s.
constexpr char kSeedScrape[] = "--lint.scrape-interval=15s";

TEST(LintSeedTest, SeedQueries) {
  CheckRun run = CheckRules({kSeedScrape, "tests/rules/lint/seed_queries.yml"});
  EXPECT_THAT(
      run.findings,
      ElementsAre(
          // (x{status="success"} / x) * 100 over a raw counter: a share
          // since process start, not a success rate.
          "counter-without-rate seed:deployment_success_rate",
          // avg() over a histogram's base name: no such series.
          "histogram-base-name seed:average_deployment_time",
          // Neither _bucket nor rate().
          "histogram-quantile-no-rate seed:p95_deployment_time",
          "histogram-quantile-no-bucket seed:p95_deployment_time",
          // passed / (passed + failed) of raw counters (the dashboards
          // increase() both, so the rules treat them as counters).
          "counter-without-rate seed:health_check_success_rate",
          "counter-without-rate seed:health_check_success_rate",
          // The same two panels in the Deployment Overview dashboard.
          "counter-without-rate seed:success_rate_percent",
          "histogram-base-name seed:average_deployment_time_panel",
          // The same ratio in the Health Checks dashboard.
          "counter-without-rate seed:health_check_success_rate_percent",
          "counter-without-rate seed:health_check_success_rate_percent"));
  // histogram-quantile-no-rate is an error: the file fails.
  EXPECT_EQ(run.code, cli::kExitFailure);

  // With the default 1m scrape interval, [1m] is too short for rate().
  CheckRun slow = CheckRules({"tests/rules/lint/seed_queries.yml"});
  EXPECT_EQ(slow.findings.size(), run.findings.size() + 1);
  EXPECT_THAT(
      slow.findings,
      ::testing::Contains("rate-range-too-short seed:events_per_minute"));
}

TEST(LintSeedTest, SeedAlertingRules) {
  // The four alerts' expressions pass every check (their one real fault,
  // dividing series whose label sets differ, needs the series' labels,
  // which a static lint does not have).
  CheckRun run = CheckRules({kSeedScrape, "tests/rules/lint/seed_alerts.yml"});
  EXPECT_THAT(run.findings, IsEmpty());
  EXPECT_EQ(run.code, cli::kExitOk);
  CheckRun slow = CheckRules({"tests/rules/lint/seed_alerts.yml"});
  EXPECT_THAT(slow.findings, IsEmpty());
}

TEST(LintSeedTest, CorrectedMonitoringRulesAreClean) {
  for (const char* scrape : {"--lint.scrape-interval=1m", kSeedScrape}) {
    CheckRun run = CheckRules(
        {"--fail-on=warning", scrape, "monitoring/prometheus.rules.yml"});
    EXPECT_THAT(run.findings, IsEmpty()) << scrape;
    EXPECT_EQ(run.code, cli::kExitOk) << run.out;
  }
}

}  // namespace
}  // namespace fraisier
