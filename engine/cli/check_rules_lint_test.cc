// `ruler check rules` with lint: text, JSON and GitHub output, --fail-on,
// --lint and the summary line.
#include <fstream>
#include <sstream>

#include "engine/cli/cli.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "nlohmann/json.hpp"

namespace fraisier::cli {
namespace {

using ::testing::EndsWith;
using ::testing::HasSubstr;
using ::testing::Not;

std::string Write(const std::string& name, const std::string& text) {
  std::string path = ::testing::TempDir() + "/" + name;
  std::ofstream(path) << text;
  return path;
}

struct Result {
  int code;
  std::string out, err;
};

Result Check(std::vector<std::string> args) {
  std::vector<std::string> argv = {"ruler", "check", "rules"};
  argv.insert(argv.end(), args.begin(), args.end());
  std::ostringstream out, err;
  int code = Run(argv, DefaultCommands(), out, err);
  return {code, out.str(), err.str()};
}

// One warning (rate-on-non-counter); one error (histogram-quantile-no-rate).
constexpr char kWarnOnly[] =
    "groups:\n  - name: g\n    rules:\n"
    "      - record: r\n        expr: rate(foo_bytes[5m])\n";
constexpr char kWithError[] =
    "groups:\n  - name: g\n    rules:\n"
    "      - record: p95\n        expr: histogram_quantile(0.9, x_bucket)\n";

TEST(CheckRulesLintTest, TextOutputWarningsDoNotFail) {
  std::string path = Write("warn.yml", kWarnOnly);
  Result r = Check({path});
  EXPECT_EQ(r.code, kExitOk);
  EXPECT_EQ(r.out,
            "Checking " + path + "\n  SUCCESS: 1 rules found\n\n" + path +
                ":4:9: warning: group \"g\", rule \"r\": "
                "`rate(foo_bytes[5m])`: foo_bytes is not a counter by "
                "convention (it ends in _bytes without _total), and rate() "
                "reads each of its drops as a counter reset; use delta() or "
                "deriv() for a gauge's change; if it really counts up, expose "
                "it as foo_bytes_total [rate-on-non-counter]\n\n1 passed, 0 "
                "failed\n");
}

TEST(CheckRulesLintTest, FailOn) {
  std::string warn = Write("warn2.yml", kWarnOnly);
  std::string error = Write("error.yml", kWithError);
  Result r = Check({warn, error});
  EXPECT_EQ(r.code, kExitFailure);
  EXPECT_THAT(r.out, HasSubstr(": error: group \"g\", rule \"p95\": "
                               "`histogram_quantile(0.9, x_bucket)` reads "
                               "x_bucket without rate()"));
  EXPECT_THAT(r.out, HasSubstr("[histogram-quantile-no-rate]\n  FAILED: 1 "
                               "lint finding at or above error (--fail-on)\n"
                               "\n"));
  EXPECT_THAT(r.out, EndsWith("\n1 passed, 1 failed\n"));

  r = Check({"--fail-on=warning", warn, error});
  EXPECT_EQ(r.code, kExitFailure);
  EXPECT_THAT(r.out, HasSubstr("[rate-on-non-counter]\n  FAILED: 1 lint "
                               "finding at or above warning (--fail-on)\n"));
  EXPECT_THAT(r.out, EndsWith("\n0 passed, 2 failed\n"));

  r = Check({"--lint=none", warn, error});
  EXPECT_EQ(r.code, kExitOk);
  EXPECT_THAT(r.out, Not(HasSubstr("warning")));
  EXPECT_THAT(r.out, EndsWith("\n2 passed, 0 failed\n"));

  // promtool's --lint=duplicate-rules runs only our duplicate check.
  r = Check({"--lint=duplicate-rules", error});
  EXPECT_EQ(r.code, kExitOk);
  r = Check({"--lint=rate-on-non-counter,duplicate-rule", warn, error});
  EXPECT_EQ(r.code, kExitOk);
  EXPECT_THAT(r.out, HasSubstr("[rate-on-non-counter]"));
  EXPECT_THAT(r.out, Not(HasSubstr("[histogram")));
}

TEST(CheckRulesLintTest, InvalidFilesKeepPromtoolsOutputAndSkipLint) {
  std::string bad = Write("bad.yml",
                          "groups:\n  - name: g\n    rules:\n"
                          "      - record: r\n        expr: rate(foo[5m]\n");
  Result r = Check({bad});
  EXPECT_EQ(r.code, kExitFailure);
  EXPECT_EQ(r.out, "Checking " + bad + "\n  FAILED:\n" + bad +
                       ":5:15: group \"g\", rule 1, \"r\": could not parse "
                       "expression: 1:13: parse error: unclosed left "
                       "parenthesis\n\n0 passed, 1 failed\n");
}

TEST(CheckRulesLintTest, JsonIsOneDocumentAndTheSummaryGoesToStderr) {
  std::string warn = Write("warn3.yml", kWarnOnly);
  std::string bad = Write("bad2.yml", "groups:\n  - name: g\n    nope: 1\n");
  Result r = Check({"--format=json", warn, bad});
  EXPECT_EQ(r.code, kExitFailure);
  EXPECT_EQ(r.err, "1 passed, 1 failed\n");
  nlohmann::json doc = nlohmann::json::parse(r.out, nullptr, false);
  ASSERT_FALSE(doc.is_discarded()) << r.out;
  EXPECT_EQ(doc["passed"], 1);
  EXPECT_EQ(doc["failed"], 1);
  ASSERT_EQ(doc["files"].size(), 2u);
  const nlohmann::json& first = doc["files"][0];
  EXPECT_EQ(first["file"], warn);
  EXPECT_EQ(first["passed"], true);
  EXPECT_EQ(first["rules"], 1);
  ASSERT_EQ(first["findings"].size(), 1u);
  EXPECT_EQ(first["findings"][0]["check"], "rate-on-non-counter");
  EXPECT_EQ(first["findings"][0]["severity"], "warning");
  EXPECT_EQ(first["findings"][0]["line"], 4);
  EXPECT_EQ(first["findings"][0]["column"], 9);
  EXPECT_EQ(first["findings"][0]["group"], "g");
  EXPECT_EQ(first["findings"][0]["rule"], "r");
  const nlohmann::json& second = doc["files"][1];
  EXPECT_EQ(second["valid"], false);
  EXPECT_EQ(second["errors"][0], bad +
                                     ":3:5: unknown field \"nope\" in rule "
                                     "group");
}

TEST(CheckRulesLintTest, GithubAnnotations) {
  std::string warn = Write("warn4.yml", kWarnOnly);
  std::string bad = Write("bad3.yml", "groups:\n  - name: g\n    nope: 1\n");
  Result r = Check({"--format=github", warn, bad});
  EXPECT_EQ(r.code, kExitFailure);
  EXPECT_EQ(r.out,
            "::warning file=" + warn +
                ",line=4,col=9,title=ruler rate-on-non-counter::group \"g\", "
                "rule \"r\": `rate(foo_bytes[5m])`: foo_bytes is not a "
                "counter by convention (it ends in _bytes without _total), "
                "and rate() reads each of its drops as a counter reset; use "
                "delta() or deriv() for a gauge's change; if it really counts "
                "up, expose it as foo_bytes_total\n"
                "::error file=" +
                bad +
                ",line=3,col=5,title=invalid rule file::unknown field "
                "\"nope\" in rule group\n1 passed, 1 failed\n");
}

TEST(CheckRulesLintTest, BadFlagsAndHelp) {
  Result r = Check({"--format=xml", "a.yml"});
  EXPECT_EQ(r.code, kExitUsage);
  EXPECT_EQ(r.err,
            "ruler check rules: --format: unknown format \"xml\" "
            "(expected text, json or github)\n");
  r = Check({"--fail-on=info", "a.yml"});
  EXPECT_EQ(r.code, kExitUsage);
  EXPECT_THAT(r.err, HasSubstr("--fail-on: unknown severity \"info\""));
  r = Check({"--lint=nope", "a.yml"});
  EXPECT_EQ(r.code, kExitUsage);
  EXPECT_THAT(r.err, HasSubstr("--lint: unknown check \"nope\""));
  r = Check({"--lint.scrape-interval=0s", "a.yml"});
  EXPECT_EQ(r.code, kExitUsage);
  r = Check({});
  EXPECT_EQ(r.code, kExitUsage);
  EXPECT_THAT(r.err, HasSubstr("expected at least one FILE"));

  r = Check({"--help"});
  EXPECT_EQ(r.code, kExitOk);
  EXPECT_THAT(r.out, HasSubstr("--lint.scrape-interval=\"1m\""));
  EXPECT_THAT(r.out, HasSubstr("  histogram-quantile-no-rate    error    "
                               "histogram_quantile() over buckets"));
}

TEST(CheckRulesLintTest, ScrapeIntervalFlag) {
  std::string path = Write("short.yml",
                           "groups:\n  - name: g\n    rules:\n"
                           "      - record: r\n"
                           "        expr: rate(foo_total[1m])\n");
  EXPECT_THAT(Check({path}).out, HasSubstr("[rate-range-too-short]"));
  EXPECT_THAT(Check({"--lint.scrape-interval=15s", path}).out,
              Not(HasSubstr("[rate-range-too-short]")));
}

}  // namespace
}  // namespace fraisier::cli
