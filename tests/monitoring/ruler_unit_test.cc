// Every unit-test file of monitoring/tests passes under `ruler test rules`
// as it does under promtool 2.42 (promtool_test): the same files, no
// promtool-only or ruler-only syntax. Also checks the coverage summary: all
// Fraisier rules are exercised and every alert fires in some test.
#include <string>
#include <vector>

#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "tests/monitoring/asset_util.h"

namespace fraisier::monitoring_test {
namespace {

using ::testing::HasSubstr;

constexpr char kRuler[] = "engine/ruler";  // a data dependency

TEST(RulerUnitTest, EveryRuleTestFilePasses) {
  std::vector<std::string> argv = {kRuler, "test", "rules"};
  const std::vector<std::string> files = ListFiles("monitoring/tests", ".yml");
  ASSERT_EQ(files.size(), 5u);
  argv.insert(argv.end(), files.begin(), files.end());
  CommandResult r = RunCommand(argv);
  EXPECT_EQ(r.exit_code, 0) << r.output;
  EXPECT_THAT(r.output, HasSubstr("5 passed, 0 failed"));
  EXPECT_THAT(r.output, ::testing::Not(HasSubstr("FAILED")));
  EXPECT_THAT(r.output, HasSubstr("0 not tested; 6 of 6 alerts fired"))
      << r.output;
}

}  // namespace
}  // namespace fraisier::monitoring_test
