#include "promql/promqltest/suite.h"

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>
#include <vector>

#include "absl/strings/str_split.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "promql/promqltest/fake_engine.h"

namespace fraisier::promql::promqltest {
namespace {

using ::testing::ElementsAre;
using ::testing::HasSubstr;

class SuiteTest : public ::testing::Test {
 protected:
  void SetUp() override {
    const char* tmp = std::getenv("TEST_TMPDIR");
    dir_ = std::filesystem::path(tmp != nullptr ? tmp : "/tmp") /
           ::testing::UnitTest::GetInstance()->current_test_info()->name();
    std::filesystem::remove_all(dir_);
    std::filesystem::create_directories(dir_ / "scripts");
  }

  std::string Write(const std::string& name, const std::string& content) {
    std::filesystem::path p = dir_ / name;
    std::ofstream(p) << content;
    return p.string();
  }

  std::vector<std::string> Lines(const std::string& s) {
    return absl::StrSplit(s, '\n', absl::SkipEmpty());
  }

  std::filesystem::path dir_;
  FakeEngine engine_;
};

constexpr char kScript[] = R"(load 1m
    x 1 2 3

eval instant at 1m x
    x 2

eval instant at 1m x
    x 5

eval instant at 1m x[5m+1m]

eval instant at 2m x
    x 3
)";

TEST_F(SuiteTest, ReportFormat) {
  std::string a = Write("scripts/a.test", kScript);
  std::ostringstream out;
  SuiteOptions options;
  options.runner.at_modifier_variants = false;
  SuiteSummary sum = RunSuite({a}, engine_, options, out);
  EXPECT_EQ(sum.passed, 2);
  EXPECT_EQ(sum.failed, 1);
  EXPECT_EQ(sum.skipped, 1);
  std::vector<std::string> lines = Lines(out.str());
  ASSERT_GE(lines.size(), 4u);
  EXPECT_EQ(lines[0], a + ": 2 passed, 1 failed, 1 skipped");
  EXPECT_EQ(lines[1], "--- FAIL " + a + ":7: eval instant at 1m x");
  EXPECT_THAT(out.str(), HasSubstr("    expected:\n        x 5\n"));
  EXPECT_THAT(out.str(), HasSubstr("    got:\n        {__name__=\"x\"} => 2"));
  EXPECT_EQ(lines[lines.size() - 3], "known failures: 0");
  EXPECT_EQ(lines[lines.size() - 2],
            "skipped: 1 (by reason: experimental syntax=1)");
  EXPECT_EQ(lines.back(), "2 passed, 1 failed, 1 skipped");
}

TEST_F(SuiteTest, KnownFailures) {
  std::string a = Write("scripts/a.test", kScript);
  auto known = ParseKnownFailures("known.txt", R"(# header
scripts/a.test:7   the fake is wrong
scripts/a.test:4 this one passes
a.test:13 a stale line
other/b.test:1 not in this run
)");
  ASSERT_TRUE(known.ok()) << known.status();
  SuiteOptions options;
  options.known_failures = *known;
  options.runner.at_modifier_variants = false;
  std::ostringstream out;
  SuiteSummary sum = RunSuite({a}, engine_, options, out);
  EXPECT_EQ(sum.known, 1);
  EXPECT_EQ(sum.failed, 2);  // the passing entry and the stale one
  EXPECT_EQ(sum.passed, 2);
  std::string text = out.str();
  EXPECT_THAT(text, HasSubstr(a + ": 2 passed, 2 failed, 1 skipped, 1 known "
                                  "failures\n"));
  EXPECT_THAT(text, HasSubstr("--- KNOWN scripts/a.test:7: the fake is wrong: "
                              "error in eval x (line 7): expected 5"));
  EXPECT_THAT(text, HasSubstr(a + ":4: known-failure entry (list line 3) no "
                                  "longer fails"));
  EXPECT_THAT(text, HasSubstr(a + ":13: known-failure entry (list line 4) "
                                  "matches no eval"));
  EXPECT_THAT(text, HasSubstr("known failures: 1\n"));
  EXPECT_THAT(Lines(text).back(), "2 passed, 2 failed, 1 skipped");
}

TEST_F(SuiteTest, ParseKnownFailuresErrors) {
  EXPECT_THAT(ParseKnownFailures("k", "a.test reason").status().message(),
              HasSubstr("k:1: expected"));
  EXPECT_THAT(ParseKnownFailures("k", "\n\na.test:x reason").status().message(),
              HasSubstr("k:3:"));
  EXPECT_THAT(
      ParseKnownFailures("k", "a.test:1 x\na.test:1 y").status().message(),
      HasSubstr("k:2: duplicate entry a.test:1 (first at line 1)"));
  auto ok = ParseKnownFailures("k", "  dir/a.test:10\n");
  ASSERT_TRUE(ok.ok());
  ASSERT_EQ(ok->size(), 1u);
  EXPECT_EQ((*ok)[0].file, "dir/a.test");
  EXPECT_EQ((*ok)[0].line, 10);
  EXPECT_EQ((*ok)[0].reason, "");
}

TEST_F(SuiteTest, ExpandPathsAndUnreadableFiles) {
  std::string b = Write("scripts/b.test", "");
  std::string a = Write("scripts/a.test", "");
  Write("scripts/notes.txt", "");
  auto files = ExpandTestPaths({(dir_ / "scripts").string(), a});
  ASSERT_TRUE(files.ok());
  EXPECT_THAT(*files, ElementsAre(a, b, a));
  EXPECT_FALSE(ExpandTestPaths({(dir_ / "nope").string()}).ok());

  std::ostringstream out;
  SuiteSummary sum =
      RunSuite({(dir_ / "gone.test").string()}, engine_, SuiteOptions{}, out);
  EXPECT_EQ(sum.failed, 1);
  EXPECT_THAT(out.str(), HasSubstr("cannot open"));
}

TEST_F(SuiteTest, ParallelRunKeepsFileOrder) {
  std::vector<std::string> files;
  for (int i = 0; i < 8; ++i) {
    files.push_back(Write("scripts/f" + std::to_string(i) + ".test", kScript));
  }
  SuiteOptions options;
  options.jobs = 4;
  std::ostringstream out;
  SuiteSummary sum = RunSuite(files, engine_, options, out);
  EXPECT_EQ(sum.passed, 16);
  EXPECT_EQ(sum.failed, 8);
  std::vector<std::string> lines = Lines(out.str());
  for (int i = 0; i < 8; ++i) {
    EXPECT_EQ(lines[i], files[i] + ": 2 passed, 1 failed, 1 skipped");
  }
}

}  // namespace
}  // namespace fraisier::promql::promqltest
