#include "rules/unittest/report.h"

#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace fraisier::rules::unittest {
namespace {

TEST(ReportTest, PassingFile) {
  FileResult r;
  r.path = "t.yml";
  r.warnings = {"no file matches rule_files pattern \"x\""};
  TestCaseResult t;
  t.name = "cpu";
  r.tests = {t};
  EXPECT_EQ(FormatFileResult(r),
            "Unit Testing: t.yml\n"
            "  WARNING: no file matches rule_files pattern \"x\"\n"
            "  test \"cpu\" SUCCESS\n"
            "  SUCCESS\n\n");
}

TEST(ReportTest, FailingGroupsIndentTheirReports) {
  FileResult r;
  r.path = "t.yml";
  TestCaseResult fail;
  fail.name = "#1";
  fail.failures = {"expr: \"up\", time: 1m\n    exp: {} 1", "second"};
  TestCaseResult skip;
  skip.name = "slow";
  skip.skipped = true;
  r.tests = {fail, skip};
  EXPECT_EQ(FormatFileResult(r),
            "Unit Testing: t.yml\n"
            "  test #1 FAILED:\n"
            "    expr: \"up\", time: 1m\n"
            "        exp: {} 1\n"
            "    second\n"
            "  test \"slow\" SKIPPED (not selected by --run)\n"
            "  FAILED (1 of 1 tests failed)\n\n");
}

TEST(ReportTest, FileErrors) {
  FileResult r;
  r.path = "t.yml";
  r.errors = {"t.yml:2:3: unknown field \"x\" in test group"};
  EXPECT_EQ(FormatFileResult(r),
            "Unit Testing: t.yml\n"
            "  FAILED:\n"
            "    t.yml:2:3: unknown field \"x\" in test group\n\n");
}

TEST(ReportTest, Totals) {
  FileResult a;
  a.tests.resize(3);
  a.tests[1].failures = {"x"};
  a.tests[2].skipped = true;
  FileResult b;
  b.errors = {"bad"};
  FileResult c;  // no tests
  EXPECT_EQ(FormatTotals({a, b, c}), "1 passed, 2 failed, 1 skipped");
  EXPECT_EQ(FormatTotals({c}), "0 passed, 0 failed");
}

}  // namespace
}  // namespace fraisier::rules::unittest
