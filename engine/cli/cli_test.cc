#include "engine/cli/cli.h"

#include <sstream>
#include <string>
#include <vector>

#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace fraisier::cli {
namespace {

using ::testing::HasSubstr;
using ::testing::IsEmpty;
using ::testing::StartsWith;

struct Result {
  int code;
  std::string out;
  std::string err;
};

Result RunWith(const std::vector<Command>& commands,
               std::vector<std::string> args) {
  args.insert(args.begin(), "ruler");
  std::ostringstream out;
  std::ostringstream err;
  int code = Run(args, commands, out, err);
  return {code, out.str(), err.str()};
}

Result RunDefault(std::vector<std::string> args) {
  return RunWith(DefaultCommands(), std::move(args));
}

TEST(CliTest, VersionPrintsNameAndVersion) {
  Result r = RunDefault({"--version"});
  EXPECT_EQ(r.code, kExitOk);
  EXPECT_EQ(r.out, "ruler, version 0.1.0\n");
  EXPECT_THAT(r.err, IsEmpty());
}

TEST(CliTest, HelpListsEverySubcommandOfTheDesign) {
  Result r = RunDefault({"--help"});
  EXPECT_EQ(r.code, kExitOk);
  EXPECT_THAT(r.out, StartsWith("usage: ruler [<flags>] <command>"));
  for (const char* synopsis :
       {"serve [--config.file=FILE]", "check rules FILE...",
        "check config FILE", "test rules TESTFILE...",
        "query instant [SERVER] EXPR", "query range [SERVER] EXPR",
        "promql format EXPR", "promqltest FILE..."}) {
    EXPECT_THAT(r.out, HasSubstr(synopsis)) << synopsis;
  }
  EXPECT_EQ(RunDefault({"-h"}).out, r.out);
  EXPECT_EQ(RunDefault({"help"}).out, r.out);
}

TEST(CliTest, NoArgumentsPrintsHelpToStderrAndFails) {
  Result r = RunDefault({});
  EXPECT_EQ(r.code, kExitUsage);
  EXPECT_THAT(r.out, IsEmpty());
  EXPECT_THAT(r.err, StartsWith("usage: ruler"));
}

struct UnbuiltCase {
  std::vector<std::string> args;
  std::string message;
};

TEST(CliTest, UnbuiltSubcommandsSaySoAndExitTwo) {
  const UnbuiltCase cases[] = {
      {{"serve"}, "ruler serve: not built yet"},
      {{"check", "rules", "a.yml"}, "ruler check rules: not built yet"},
      {{"promql", "format", "up"}, "ruler promql format: not built yet"},
      {{"promqltest", "x.test"}, "ruler promqltest: not built yet"},
  };
  for (const UnbuiltCase& c : cases) {
    Result r = RunWith({{{"serve"}, "", "s", nullptr},
                        {{"check", "rules"}, "FILE...", "c", nullptr},
                        {{"promql", "format"}, "EXPR", "f", nullptr},
                        {{"promqltest"}, "FILE...", "p", nullptr}},
                       c.args);
    EXPECT_EQ(r.code, kExitUsage);
    EXPECT_THAT(r.err, HasSubstr(c.message));
  }
}

TEST(CliTest, UnknownAndIncompleteCommands) {
  Result unknown = RunDefault({"frobnicate"});
  EXPECT_EQ(unknown.code, kExitUsage);
  EXPECT_THAT(unknown.err, HasSubstr("ruler: unknown command \"frobnicate\""));
  EXPECT_THAT(unknown.err, HasSubstr("serve, check, test, query, promql"));

  Result incomplete = RunDefault({"check"});
  EXPECT_EQ(incomplete.code, kExitUsage);
  EXPECT_EQ(incomplete.err,
            "ruler check: expected a subcommand: rules, config\n");

  Result wrong = RunDefault({"check", "alerts"});
  EXPECT_EQ(wrong.code, kExitUsage);
  EXPECT_THAT(wrong.err,
              HasSubstr("ruler check: unknown command \"alerts\"; expected "
                        "one of: rules, config"));
}

TEST(CliTest, DispatchesRemainingArgumentsToHandler) {
  std::vector<std::string> seen;
  std::vector<Command> commands = {
      {{"check", "rules"},
       "FILE...",
       "Check rule files.",
       [&seen](const std::vector<std::string>& args, std::ostream& out,
               std::ostream&) {
         seen = args;
         out << "checked\n";
         return 1;
       }},
  };
  Result r = RunWith(commands, {"check", "rules", "a.yml", "b.yml"});
  EXPECT_EQ(r.code, 1);
  EXPECT_EQ(r.out, "checked\n");
  EXPECT_EQ(seen, (std::vector<std::string>{"a.yml", "b.yml"}));

  Result help = RunWith(commands, {"check", "rules", "--help"});
  EXPECT_EQ(help.code, kExitOk);
  EXPECT_EQ(help.out,
            "usage: ruler check rules FILE...\n\nCheck rule files.\n");
}

}  // namespace
}  // namespace fraisier::cli
