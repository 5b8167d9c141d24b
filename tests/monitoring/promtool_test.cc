// The Fraisier Prometheus files pass the real promtool 2.42: the config
// (with its rule_files resolved), the rules, and every unit-test file of
// monitoring/tests. Skipped when promtool is not installed.
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "rules/rulefile/rule_file.h"
#include "tests/monitoring/asset_util.h"

namespace fraisier::monitoring_test {
namespace {

using ::testing::HasSubstr;

constexpr char kPromtool[] = "/usr/bin/promtool";

// GTEST_SKIP in SetUp skips the whole test (in a helper it would only
// return from the helper).
template <typename Base>
class NeedsPromtool : public Base {
 protected:
  void SetUp() override {
    if (!IsExecutable(kPromtool)) {
      GTEST_SKIP() << kPromtool
                   << " is not installed (Debian package prometheus; run "
                      "tools/setup)";
    }
  }
};

using PromtoolTest = NeedsPromtool<::testing::Test>;

TEST_F(PromtoolTest, ConfigIsValidAndItsRuleFileResolves) {
  CommandResult r =
      RunCommand({kPromtool, "check", "config", "monitoring/prometheus.yml"});
  EXPECT_EQ(r.exit_code, 0) << r.output;
  EXPECT_THAT(r.output, HasSubstr("SUCCESS: 1 rule files found"));
  EXPECT_THAT(r.output, HasSubstr("is valid prometheus config file syntax"));
  // promtool checks the rule file it found next to the config.
  EXPECT_THAT(r.output, HasSubstr("Checking monitoring/prometheus.rules.yml"));
}

TEST_F(PromtoolTest, RulesAreValidAndPromtoolCountsWhatRulerLoads) {
  absl::StatusOr<rules::RuleFileSpec> spec =
      rules::LoadRuleFile("monitoring/prometheus.rules.yml");
  ASSERT_TRUE(spec.ok()) << spec.status();
  CommandResult r = RunCommand(
      {kPromtool, "check", "rules", "monitoring/prometheus.rules.yml"});
  EXPECT_EQ(r.exit_code, 0) << r.output;
  EXPECT_THAT(r.output, HasSubstr(absl::StrCat("SUCCESS: ", spec->num_rules(),
                                               " rules found")));
}

std::vector<std::string> RuleTestFiles() {
  return ListFiles("monitoring/tests", ".yml");
}

TEST(RuleTestFilesTest, OnePerRuleArea) {
  std::vector<std::string> names;
  for (const std::string& path : RuleTestFiles()) {
    names.push_back(path.substr(path.rfind('/') + 1));
  }
  EXPECT_THAT(
      names, ::testing::ElementsAre("api_test.yml", "database_test.yml",
                                    "deployments_test.yml",
                                    "health_checks_test.yml", "nats_test.yml"));
}

using PromtoolUnitTest = NeedsPromtool<::testing::TestWithParam<std::string>>;

TEST_P(PromtoolUnitTest, Passes) {
  CommandResult r = RunCommand({kPromtool, "test", "rules", GetParam()});
  EXPECT_EQ(r.exit_code, 0) << r.output;
  EXPECT_THAT(r.output, HasSubstr("SUCCESS"));
  EXPECT_THAT(r.output, ::testing::Not(HasSubstr("FAILED")));
}

INSTANTIATE_TEST_SUITE_P(RuleTests, PromtoolUnitTest,
                         ::testing::ValuesIn(RuleTestFiles()),
                         [](const ::testing::TestParamInfo<std::string>& info) {
                           std::string name =
                               info.param.substr(info.param.rfind('/') + 1);
                           name = name.substr(0, name.find('.'));
                           return name;
                         });

}  // namespace
}  // namespace fraisier::monitoring_test
