#include "engine/cli/demo_command.h"

#include <fstream>
#include <sstream>
#include <string>
#include <vector>

#include "engine/cli/cli.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace fraisier::cli {
namespace {

using ::testing::EndsWith;
using ::testing::HasSubstr;

struct Result {
  int code;
  std::string out;
  std::string err;
};

Result RunRuler(std::vector<std::string> args) {
  args.insert(args.begin(), "ruler");
  std::ostringstream out, err;
  const int code = Run(args, DefaultCommands(), out, err);
  return {code, out.str(), err.str()};
}

std::string ReadFile(const std::string& path) {
  std::ifstream in(path);
  std::stringstream text;
  text << in.rdbuf();
  return text.str();
}

TEST(DemoCommandTest, BadFlagsExitTwoAndNameTheFlag) {
  const std::pair<std::vector<std::string>, std::string> cases[] = {
      {{"demo", "--interval=soon"},
       "ruler demo: --interval: invalid duration \"soon\"\n"},
      {{"demo", "--duration=-1m"},
       "ruler demo: --duration: invalid duration \"-1m\"\n"},
      {{"demo", "--time-scale=0"},
       "ruler demo: --time-scale: expected a number above 0, got \"0\"\n"},
      {{"demo", "--url=localhost:9099"},
       "ruler demo: --url: expected an http:// or https:// URL, got "
       "\"localhost:9099\"\n"},
      {{"demo", "--scenario=chaos"},
       "ruler demo: unknown scenario \"chaos\"; expected one of: incidents, "
       "calm\n"},
      {{"demo", "--seed=x"},
       "ruler demo: --seed: expected a non-negative integer, got \"x\"\n"},
      {{"demo", "extra"}, "ruler demo: unexpected argument \"extra\"\n"},
      {{"demo", "setup", "d", "--for.max=0s"},
       "ruler demo setup: --for.max: invalid duration \"0s\"\n"},
  };
  for (const auto& [args, message] : cases) {
    const Result r = RunRuler(args);
    EXPECT_EQ(r.code, kExitUsage) << args.back();
    EXPECT_EQ(r.err, message);
  }
  EXPECT_THAT(RunRuler({"demo", "--wat"}).err,
              HasSubstr("ruler demo: unknown long flag '--wat'\n"
                        "usage: ruler demo [<flags>]\n"));
}

TEST(DemoCommandTest, HelpListsTheFlags) {
  const Result r = RunRuler({"demo", "setup", "--help"});
  EXPECT_EQ(r.code, kExitOk);
  EXPECT_THAT(r.out, HasSubstr("usage: ruler demo setup"));
  EXPECT_THAT(RunRuler({"--help"}).out, HasSubstr("demo setup DIR"));
}

TEST(DemoSetupTest, WritesAConfigThatChecksAndCappedRules) {
  const std::string dir = ::testing::TempDir() + "/demo_setup";
  const std::string rules = ::testing::TempDir() + "/fraisier.rules.yml";
  std::ofstream(rules) << "groups:\n"
                          "  - name: fraisier\n"
                          "    interval: 1m\n"
                          "    rules:\n"
                          "      - alert: NatsConnectionLost\n"
                          "        expr: nats_server_state == 0\n"
                          "        for: 5m\n";
  const Result r = RunRuler({"demo", "setup", dir, "--rules=" + rules,
                             "--alertmanager=127.0.0.1:19093", "--for.max=10s",
                             "--interval.max=2s"});
  ASSERT_EQ(r.code, kExitOk) << r.err;
  EXPECT_EQ(r.out, "ruler demo setup: wrote " + dir + "/ruler.yml and " + dir +
                       "/fraisier.rules.yml (" + rules +
                       " with for: at most 10s, group interval at most 2s; "
                       "Alertmanager: 127.0.0.1:19093)\n");
  EXPECT_EQ(ReadFile(dir + "/fraisier.rules.yml"),
            "groups:\n"
            "  - name: fraisier\n"
            "    interval: 2s\n"
            "    rules:\n"
            "      - alert: NatsConnectionLost\n"
            "        expr: nats_server_state == 0\n"
            "        for: 10s\n");
  const std::string config = ReadFile(dir + "/ruler.yml");
  EXPECT_THAT(config, HasSubstr("  evaluation_interval: 2s\n"));
  EXPECT_THAT(config, HasSubstr("  - '" + dir + "/fraisier.rules.yml'\n"));
  EXPECT_THAT(config, HasSubstr("        - targets: ['127.0.0.1:19093']\n"));

  const Result check = RunRuler({"check", "config", dir + "/ruler.yml"});
  EXPECT_EQ(check.code, kExitOk) << check.out;
  EXPECT_THAT(check.out, EndsWith("1 passed, 0 failed\n"));
}

TEST(DemoSetupTest, MissingRuleFileFails) {
  const Result r = RunRuler({"demo", "setup", ::testing::TempDir() + "/x",
                             "--rules=/nonexistent/rules.yml"});
  EXPECT_EQ(r.code, kExitFailure);
  EXPECT_EQ(r.err, "ruler demo setup: cannot read /nonexistent/rules.yml\n");
}

}  // namespace
}  // namespace fraisier::cli
