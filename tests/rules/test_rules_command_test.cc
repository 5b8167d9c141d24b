// `ruler test rules` as a command: flags, exit codes, the closing line,
// the coverage report and the JUnit file, on the parity corpus's files.
#include "engine/cli/test_rules_command.h"

#include <cstdlib>
#include <fstream>
#include <sstream>

#include "absl/strings/match.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace fraisier::cli {
namespace {

using ::testing::EndsWith;
using ::testing::HasSubstr;
using ::testing::IsEmpty;
using ::testing::Not;
using ::testing::StartsWith;

constexpr char kDir[] = "tests/rules/unittest_parity/";

struct Result {
  int code;
  std::string out;
  std::string err;
};

Result RunCmd(std::vector<std::string> args) {
  std::ostringstream out, err;
  const int code = RunTestRules(args, out, err);
  return {code, out.str(), err.str()};
}

std::string File(const char* name) { return std::string(kDir) + name; }

TEST(TestRulesCommandTest, PassingFilesExitZero) {
  Result r = RunCmd({File("ok_recording.yml"), File("ok_for_pending.yml")});
  EXPECT_EQ(r.code, 0) << r.out;
  EXPECT_THAT(r.out, StartsWith("Unit Testing: " + File("ok_recording.yml") +
                                "\n  test #1 SUCCESS\n  SUCCESS\n\n"));
  EXPECT_THAT(r.out, HasSubstr("Coverage: 3 rules in 1 file, 3 tested"));
  EXPECT_THAT(r.out, EndsWith("\n2 passed, 0 failed\n"));
  EXPECT_THAT(r.err, IsEmpty());
}

TEST(TestRulesCommandTest, FailuresExitOne) {
  Result r =
      RunCmd({"--no-coverage", File("ok_recording.yml"),
              File("bad_one_of_two_groups.yml"), File("bad_yaml_syntax.yml")});
  EXPECT_EQ(r.code, 1);
  EXPECT_THAT(r.out, HasSubstr("  test \"fails\" FAILED:\n"));
  EXPECT_THAT(r.out, Not(HasSubstr("Coverage:")));
  EXPECT_THAT(r.out, EndsWith("\n2 passed, 2 failed\n"));
}

TEST(TestRulesCommandTest, RunSelectsGroups) {
  Result r = RunCmd(
      {"--no-coverage", "--run", "^pass", File("bad_one_of_two_groups.yml")});
  EXPECT_EQ(r.code, 0) << r.out;
  EXPECT_THAT(r.out, HasSubstr("test \"fails\" SKIPPED"));
  EXPECT_THAT(r.out, EndsWith("1 passed, 0 failed, 1 skipped\n"));
  r = RunCmd({"--no-coverage", "--run=nothing", "--run=fail",
              File("bad_one_of_two_groups.yml")});
  EXPECT_EQ(r.code, 1);
  EXPECT_THAT(r.out, EndsWith("0 passed, 1 failed, 1 skipped\n"));
}

TEST(TestRulesCommandTest, WritesJunit) {
  const std::string path = std::string(std::getenv("TEST_TMPDIR")) + "/j.xml";
  Result r = RunCmd(
      {"--no-coverage", "--junit=" + path, File("bad_one_of_two_groups.yml")});
  EXPECT_EQ(r.code, 1);
  std::ifstream in(path);
  std::stringstream xml;
  xml << in.rdbuf();
  EXPECT_THAT(xml.str(), HasSubstr("<testsuites name=\"ruler test rules\" "
                                   "tests=\"2\" failures=\"1\""));
  EXPECT_THAT(xml.str(), HasSubstr("<testcase name=\"passes\""));
  EXPECT_THAT(xml.str(), HasSubstr("<failure message=\"expr: &quot;job:up:sum"
                                   "&quot;, time: 3m\""));
}

TEST(TestRulesCommandTest, UnwritableJunitFails) {
  Result r = RunCmd({"--no-coverage", "--junit", "/nonexistent/dir/j.xml",
                     File("ok_recording.yml")});
  EXPECT_EQ(r.code, 1);
  EXPECT_THAT(r.err, HasSubstr("cannot write /nonexistent/dir/j.xml"));
}

TEST(TestRulesCommandTest, UsageErrors) {
  EXPECT_EQ(RunCmd({}).code, 2);
  Result r = RunCmd({"--bogus", "x.yml"});
  EXPECT_EQ(r.code, 2);
  EXPECT_THAT(r.err, StartsWith("ruler test rules: unknown flag --bogus\n"
                                "usage: ruler test rules"));
  EXPECT_EQ(RunCmd({"--run"}).code, 2);
  r = RunCmd({"--run=(", "x.yml"});
  EXPECT_EQ(r.code, 2);
  EXPECT_THAT(r.err, HasSubstr("--run: invalid regular expression \"(\""));
  r = RunCmd({"--help"});
  EXPECT_EQ(r.code, 0);
  EXPECT_THAT(r.out, HasSubstr("--junit=FILE"));
}

}  // namespace
}  // namespace fraisier::cli
