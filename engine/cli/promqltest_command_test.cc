#include "engine/cli/promqltest_command.h"

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>
#include <vector>

#include "engine/cli/cli.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "promql/promqltest/fake_engine.h"

namespace fraisier::cli {
namespace {

using ::testing::EndsWith;
using ::testing::HasSubstr;
using ::testing::IsEmpty;

class PromqltestCommandTest : public ::testing::Test {
 protected:
  void SetUp() override {
    const char* tmp = std::getenv("TEST_TMPDIR");
    dir_ = std::filesystem::path(tmp != nullptr ? tmp : "/tmp") /
           ::testing::UnitTest::GetInstance()->current_test_info()->name();
    std::filesystem::remove_all(dir_);
    std::filesystem::create_directories(dir_);
  }

  std::string Write(const std::string& name, const std::string& content) {
    std::filesystem::path p = dir_ / name;
    std::ofstream(p) << content;
    return p.string();
  }

  int Run(const std::vector<std::string>& args) {
    out_.str("");
    err_.str("");
    return RunPromqltestWithEngine(args, engine_, out_, err_);
  }

  std::filesystem::path dir_;
  promql::promqltest::FakeEngine engine_;
  std::ostringstream out_, err_;
};

constexpr char kPassing[] = "load 1m\n  x 1 2\n\neval instant at 1m x\n  x 2\n";
constexpr char kFailing[] = "load 1m\n  x 1 2\n\neval instant at 1m x\n  x 3\n";

TEST_F(PromqltestCommandTest, PassingDirectoryExitsZero) {
  Write("a.test", kPassing);
  Write("b.test", kPassing);
  EXPECT_EQ(Run({dir_.string()}), kExitOk) << err_.str();
  EXPECT_THAT(out_.str(), HasSubstr("/a.test: 1 passed, 0 failed, 0 skipped"));
  EXPECT_THAT(out_.str(), EndsWith("\n2 passed, 0 failed, 0 skipped\n"));
  EXPECT_THAT(err_.str(), IsEmpty());
}

TEST_F(PromqltestCommandTest, FailuresExitOneAndKnownFailuresDoNot) {
  std::string f = Write("f.test", kFailing);
  EXPECT_EQ(Run({"--jobs=1", f}), kExitFailure);
  EXPECT_THAT(out_.str(),
              HasSubstr("--- FAIL " + f + ":4: eval instant at 1m x"));
  EXPECT_THAT(out_.str(), EndsWith("\n0 passed, 1 failed, 0 skipped\n"));

  std::string known = Write("known.txt", "# known\nf.test:4 not yet\n");
  EXPECT_EQ(Run({"--known-failures=" + known, f}), kExitOk) << out_.str();
  EXPECT_THAT(out_.str(), HasSubstr("known failures: 1\nskipped: 0\n0 passed, "
                                    "0 failed, 0 skipped\n"));
  EXPECT_EQ(Run({"--known-failures", known, "--list-skipped", f}), kExitOk);
}

TEST_F(PromqltestCommandTest, WriteFailuresProducesAKnownFailuresList) {
  std::string f = Write("f.test", kFailing);
  std::string list = (dir_ / "list.txt").string();
  EXPECT_EQ(Run({"--write-failures=" + list, f}), kExitFailure);
  std::ifstream in(list);
  std::stringstream content;
  content << in.rdbuf();
  EXPECT_THAT(content.str(), HasSubstr(f + ":4 error in eval x (line 4): "
                                           "expected 3"));
  EXPECT_EQ(Run({"--known-failures=" + list, f}), kExitOk) << out_.str();
}

TEST_F(PromqltestCommandTest, UsageErrorsExitTwo) {
  EXPECT_EQ(Run({}), kExitUsage);
  EXPECT_THAT(err_.str(), HasSubstr("no test files given"));
  EXPECT_EQ(Run({(dir_ / "missing.test").string()}), kExitUsage);
  EXPECT_THAT(err_.str(), HasSubstr("no such file"));
  EXPECT_EQ(Run({"--bogus", "x"}), kExitUsage);
  EXPECT_EQ(Run({"--jobs=0", "x"}), kExitUsage);
  std::string f = Write("p.test", kPassing);
  EXPECT_EQ(Run({"--known-failures=" + (dir_ / "none").string(), f}),
            kExitUsage);
  std::string bad = Write("bad.txt", "no line number\n");
  EXPECT_EQ(Run({"--known-failures=" + bad, f}), kExitUsage);
  EXPECT_THAT(err_.str(), HasSubstr("bad.txt:1:"));
}

TEST_F(PromqltestCommandTest, WiredIntoTheCli) {
  std::string f = Write("p.test", "eval instant at 0 1\n  1\n");
  std::ostringstream out, err;
  // The real engine evaluates a number literal.
  EXPECT_EQ(cli::Run({"ruler", "promqltest", f}, DefaultCommands(), out, err),
            kExitOk)
      << out.str() << err.str();
  EXPECT_THAT(out.str(), EndsWith("1 passed, 0 failed, 0 skipped\n"));
}

}  // namespace
}  // namespace fraisier::cli
