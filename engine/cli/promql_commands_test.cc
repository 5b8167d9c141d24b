#include "engine/cli/promql_commands.h"

#include <sstream>
#include <string>
#include <vector>

#include "engine/cli/cli.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace fraisier::cli {
namespace {

using ::testing::HasSubstr;
using ::testing::IsEmpty;

struct FormatCase {
  std::string input;
  std::string want;
};

TEST(PromqlFormatTest, PrintsCanonicalForm) {
  const FormatCase cases[] = {
      {"sum by(job)(rate(http_requests_total{code=~\"5..\"}[5m]))",
       "sum by (job) (rate(http_requests_total{code=~\"5..\"}[5m]))\n"},
      {"a+b*c", "a + b * c\n"},
      {"foo offset 5m", "foo offset 5m\n"},
      {"limitk(2, x)", "limitk(2, x)\n"},
  };
  for (const FormatCase& c : cases) {
    std::ostringstream out, err;
    EXPECT_EQ(RunPromqlFormat({c.input}, out, err), kExitOk) << err.str();
    EXPECT_EQ(out.str(), c.want);
    EXPECT_THAT(err.str(), IsEmpty());
  }
}

TEST(PromqlFormatTest, ParseErrorExitsOneWithPosition) {
  std::ostringstream out, err;
  EXPECT_EQ(RunPromqlFormat({"sum(rate(x[5m])"}, out, err), kExitFailure);
  EXPECT_THAT(out.str(), IsEmpty());
  EXPECT_THAT(err.str(), HasSubstr("parse error: unclosed left parenthesis"));
}

TEST(PromqlFormatTest, WantsExactlyOneArgument) {
  std::ostringstream out, err;
  EXPECT_EQ(RunPromqlFormat({}, out, err), kExitUsage);
  EXPECT_EQ(RunPromqlFormat({"a", "b"}, out, err), kExitUsage);
  EXPECT_THAT(err.str(), HasSubstr("expected exactly one argument"));
}

TEST(PromqlFormatTest, DispatchedFromTheRulerCommand) {
  std::ostringstream out, err;
  EXPECT_EQ(cli::Run({"ruler", "promql", "format", "up == 0"},
                     DefaultCommands(), out, err),
            kExitOk);
  EXPECT_EQ(out.str(), "up == 0\n");
}

}  // namespace
}  // namespace fraisier::cli
