#include <fstream>
#include <sstream>

#include "engine/cli/check_rules_command.h"
#include "engine/cli/cli.h"
#include "engine/cli/serve_command.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace fraisier::cli {
namespace {

using ::testing::EndsWith;
using ::testing::HasSubstr;

std::string Write(const std::string& name, const std::string& text) {
  std::string path = ::testing::TempDir() + "/" + name;
  std::ofstream(path) << text;
  return path;
}

TEST(CheckRulesTest, GoodAndBadFiles) {
  std::string good = Write("good.yml",
                           "groups:\n  - name: g\n    rules:\n"
                           "      - alert: A\n        expr: up == 0\n"
                           "      - record: r\n        expr: sum(up)\n");
  std::string bad = Write("bad.yml",
                          "groups:\n  - name: g\n    rules:\n"
                          "      - alert: A\n        expr: up ==\n");
  std::ostringstream out, err;
  int code = cli::Run({"ruler", "check", "rules", good, bad}, DefaultCommands(),
                      out, err);
  EXPECT_EQ(code, kExitFailure);
  EXPECT_THAT(out.str(), HasSubstr("Checking " + good +
                                   "\n  SUCCESS: 2 rules "
                                   "found\n"));
  EXPECT_THAT(out.str(),
              HasSubstr("  FAILED:\n" + bad +
                        ":5:15: group \"g\", rule 1, \"A\": could not parse "
                        "expression: 1:6: parse error: unexpected end of "
                        "input\n"));
  EXPECT_THAT(out.str(), EndsWith("1 passed, 1 failed\n"));

  std::ostringstream out2, err2;
  EXPECT_EQ(cli::Run({"ruler", "check", "rules", good}, DefaultCommands(), out2,
                     err2),
            kExitOk);
}

TEST(CheckConfigTest, ChecksTheRuleFilesItNames) {
  Write("cfg_rules.yml",
        "groups:\n  - name: g\n    rules:\n"
        "      - record: bad-name\n        expr: up\n");
  std::string config = Write("cfg.yml", "rule_files: [cfg_rules.yml]\n");
  std::ostringstream out, err;
  EXPECT_EQ(cli::Run({"ruler", "check", "config", config}, DefaultCommands(),
                     out, err),
            kExitFailure);
  EXPECT_THAT(out.str(), HasSubstr("  SUCCESS: 1 rule files found\n"));
  EXPECT_THAT(out.str(), HasSubstr("invalid recording rule name: bad-name"));
  EXPECT_THAT(out.str(), EndsWith("0 passed, 1 failed\n"));

  std::string broken = Write("broken.yml", "global:\n  nope: 1\n");
  std::ostringstream out2, err2;
  EXPECT_EQ(cli::Run({"ruler", "check", "config", broken}, DefaultCommands(),
                     out2, err2),
            kExitFailure);
  EXPECT_THAT(out2.str(), HasSubstr(broken + ":2:3: unknown field \"nope\" in "
                                             "global"));
}

}  // namespace
}  // namespace fraisier::cli
