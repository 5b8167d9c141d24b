// monitoring/alertmanager.yml passes the real amtool 0.25, routes every
// alert to the local webhook as it ships, and routes to the seed's Slack,
// email and PagerDuty receivers once its commented routes are enabled.
// Skipped when amtool is not installed.
#include <string>

#include "absl/strings/str_replace.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "tests/monitoring/asset_util.h"

namespace fraisier::monitoring_test {
namespace {

using ::testing::HasSubstr;

constexpr char kAmtool[] = "/usr/bin/amtool";
constexpr char kConfig[] = "monitoring/alertmanager.yml";

class AmtoolTest : public ::testing::Test {
 protected:
  void SetUp() override {
    if (!IsExecutable(kAmtool)) {
      GTEST_SKIP() << kAmtool
                   << " is not installed (Debian package "
                      "prometheus-alertmanager; run tools/setup)";
    }
  }

  // Whether an alert with `labels` reaches exactly `receivers` (in order).
  static CommandResult Routes(const std::string& config,
                              const std::string& receivers,
                              const std::vector<std::string>& labels) {
    std::vector<std::string> argv = {kAmtool,
                                     "config",
                                     "routes",
                                     "test",
                                     "--config.file=" + config,
                                     "--verify.receivers=" + receivers};
    argv.insert(argv.end(), labels.begin(), labels.end());
    return RunCommand(argv);
  }
};

TEST_F(AmtoolTest, ConfigIsValid) {
  CommandResult r = RunCommand({kAmtool, "check-config", kConfig});
  EXPECT_EQ(r.exit_code, 0) << r.output;
  EXPECT_THAT(r.output, HasSubstr("SUCCESS"));
  EXPECT_THAT(r.output, HasSubstr(" - 4 receivers"));
}

TEST_F(AmtoolTest, EveryAlertGoesToTheLocalWebhookAsShipped) {
  for (const char* severity : {"severity=critical", "severity=warning"}) {
    CommandResult r = Routes(kConfig, "local-webhook",
                             {"alertname=NatsConnectionLost", severity});
    EXPECT_EQ(r.exit_code, 0) << severity << ": " << r.output;
  }
}

TEST_F(AmtoolTest, SeedReceiversRouteOnceTheirBlockIsEnabled) {
  absl::StatusOr<std::string> text = ReadFile(kConfig);
  ASSERT_TRUE(text.ok()) << text.status();
  ASSERT_THAT(*text, HasSubstr("  #> routes:\n"));
  const std::string enabled = WriteTempFile(
      "alertmanager.enabled.yml", absl::StrReplaceAll(*text, {{"#> ", ""}}));

  CommandResult check = RunCommand({kAmtool, "check-config", enabled});
  EXPECT_EQ(check.exit_code, 0) << check.output;

  CommandResult critical =
      Routes(enabled, "local-webhook,pagerduty,email,slack",
             {"alertname=DatabasePoolExhausted", "severity=critical"});
  EXPECT_EQ(critical.exit_code, 0) << critical.output;
  CommandResult warning =
      Routes(enabled, "local-webhook,slack",
             {"alertname=ApiHighLatency", "severity=warning"});
  EXPECT_EQ(warning.exit_code, 0) << warning.output;
}

}  // namespace
}  // namespace fraisier::monitoring_test
