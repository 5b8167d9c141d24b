#include "promql/promqltest/runner.h"

#include <string>
#include <vector>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "promql/promqltest/fake_engine.h"
#include "promql/promqltest/script.h"

namespace fraisier::promql::promqltest {
namespace {

using ::testing::HasSubstr;

FileResult RunText(absl::string_view text, FakeEngine& engine,
                   const RunnerOptions& options = {}) {
  return RunScript(ParseScript("t.test", text), engine, options);
}

std::string Outcomes(const FileResult& r) {
  std::string out;
  for (const EvalResult& e : r.results) {
    out += e.outcome == Outcome::kPassed   ? "P"
           : e.outcome == Outcome::kFailed ? "F"
                                           : "S";
  }
  return out;
}

const EvalResult& Only(const FileResult& r) {
  EXPECT_EQ(r.results.size(), 1u) << Outcomes(r);
  return r.results[0];
}

constexpr absl::string_view kLoad = R"(
load 1m
    x{a="1"} 0+1x10
    x{a="2"} 5 _ 7 stale
)";

TEST(RunnerTest, InstantEvalPassesWithAtVariantsAndRangeMode) {
  FakeEngine engine;
  FileResult r = RunText(absl::StrCat(kLoad, R"(
eval instant at 2m x
    x{a="1"} 2
    x{a="2"} 7
)"),
                         engine);
  EXPECT_EQ(Outcomes(r), "P") << r.results[0].message;
  // The query, then 5 @ variants; each also as a range query of 3 steps.
  EXPECT_EQ(engine.range_calls, 6);
  EXPECT_EQ(engine.instant_calls, 6 + 6 * 3);
  EXPECT_EQ(r.Count(Outcome::kPassed), 1);
}

TEST(RunnerTest, VariantsCanBeTurnedOff) {
  FakeEngine engine;
  RunnerOptions options;
  options.at_modifier_variants = false;
  options.range_mode_check = false;
  FileResult r = RunText(absl::StrCat(kLoad,
                                      "\neval instant at 2m x{a=\"1\"}\n"
                                      "    x{a=\"1\"} 2\n"),
                         engine, options);
  EXPECT_EQ(Outcomes(r), "P");
  EXPECT_EQ(engine.instant_calls, 1);
  EXPECT_EQ(engine.range_calls, 0);
}

TEST(RunnerTest, StaleMarkersEndSeries) {
  FakeEngine engine;
  FileResult r = RunText(absl::StrCat(kLoad, R"(
eval instant at 3m x
    x{a="1"} 3
)"),
                         engine);
  EXPECT_EQ(Outcomes(r), "P") << r.results[0].message;
}

TEST(RunnerTest, MismatchIsReportedWithExpectedAndGot) {
  FakeEngine engine;
  FileResult r = RunText(absl::StrCat(kLoad, R"(
eval instant at 2m x{a="1"}
    x{a="1"} 3
)"),
                         engine);
  const EvalResult& e = Only(r);
  EXPECT_EQ(e.outcome, Outcome::kFailed);
  EXPECT_EQ(e.line, 6);
  EXPECT_EQ(e.command, R"(eval instant at 2m x{a="1"})");
  EXPECT_THAT(e.message,
              HasSubstr(R"(expected 3 for {__name__="x", a="1"} but got 2)"));
  EXPECT_EQ(e.expected, R"(x{a="1"} 3)");
  EXPECT_THAT(e.got, HasSubstr(R"({__name__="x", a="1"} => 2)"));
}

TEST(RunnerTest, AtVariantFailuresNameTheTime) {
  FakeEngine engine;
  // Wrong only when evaluated at t=0 (an @ variant).
  engine.instant_override =
      [](const std::string& text,
         Timestamp ts) -> std::optional<absl::StatusOr<QueryResult>> {
    if (ts != 0 || text == "x") return std::nullopt;
    QueryResult r;
    r.value = Vector{};
    return r;
  };
  FileResult r = RunText(absl::StrCat(kLoad, R"(
eval instant at 2m x{a="1"}
    x{a="1"} 2
)"),
                         engine);
  EXPECT_THAT(Only(r).message, HasSubstr("with @ modifiers, at t=0"));
}

TEST(RunnerTest, RangeModeMismatch) {
  FakeEngine engine;
  // The range query's step evaluations disagree with the instant query.
  int calls = 0;
  engine.instant_override =
      [&calls](const std::string&,
               Timestamp ts) -> std::optional<absl::StatusOr<QueryResult>> {
    if (++calls == 1) return std::nullopt;
    QueryResult r;
    r.value = Vector{
        {Labels::FromPairs({{"__name__", "x"}, {"a", "1"}}), ts, 99, false}};
    return r;
  };
  RunnerOptions options;
  options.at_modifier_variants = false;
  FileResult r = RunText(absl::StrCat(kLoad, R"(
eval instant at 2m x{a="1"}
    x{a="1"} 2
)"),
                         engine, options);
  EXPECT_THAT(Only(r).message, HasSubstr("range mode"));
}

TEST(RunnerTest, RangeEval) {
  FakeEngine engine;
  FileResult r = RunText(absl::StrCat(kLoad, R"(
eval range from 0 to 3m step 1m x
    x{a="1"} 0 1 2 3
    x{a="2"} 5 5 7

eval range from 0 to 3m step 1m x
    x{a="1"} 0 1 2 3
)"),
                         engine);
  EXPECT_EQ(Outcomes(r), "PF") << r.results[0].message;
  EXPECT_THAT(r.results[1].message,
              HasSubstr(R"(unexpected metric {__name__="x", a="2"})"));
}

TEST(RunnerTest, ScalarsStringsAndRangeVectors) {
  FakeEngine engine;
  FileResult r = RunText(absl::StrCat(kLoad, R"(
eval instant at 1m 42
    42

eval instant at 1m "hello"
    expect string "hello"

eval instant at 3m x{a="1"}[2m]
    expect range vector from 2m to 3m step 1m
    x{a="1"} 2 3

eval instant at 1m 42
)"),
                         engine);
  EXPECT_EQ(Outcomes(r), "PPPF") << r.results[0].message << "\n"
                                 << r.results[1].message << "\n"
                                 << r.results[2].message;
  EXPECT_THAT(r.results[3].message,
              HasSubstr("expected vector or matrix result"));
}

TEST(RunnerTest, ExpectedFailures) {
  FakeEngine engine;
  engine.instant_override =
      [](const std::string& text,
         Timestamp) -> std::optional<absl::StatusOr<QueryResult>> {
    if (absl::StartsWith(text, "boom")) {
      return absl::InvalidArgumentError("kaboom");
    }
    return std::nullopt;
  };
  FileResult r = RunText(R"(
eval instant at 0 boom
    expect fail

eval instant at 0 boom
    expect fail msg: kaboom

eval instant at 0 boom
    expect fail msg: other

eval instant at 0 boom

eval instant at 0 1
    expect fail

eval range from 0 to 1m step 1m boom
    expect fail regex: ^ka

eval range from 0 to 1m step 0 1
    expect fail msg: zero or negative query resolution step widths are not accepted. Try a positive integer
)",
                         engine);
  EXPECT_EQ(Outcomes(r), "PPFFFPP");
  EXPECT_THAT(r.results[2].message, HasSubstr("but got: kaboom"));
  EXPECT_THAT(r.results[3].message, HasSubstr("error evaluating query"));
  EXPECT_THAT(r.results[4].message, HasSubstr("but got none"));
}

TEST(RunnerTest, Annotations) {
  FakeEngine engine;
  engine.instant_override =
      [](const std::string& text,
         Timestamp ts) -> std::optional<absl::StatusOr<QueryResult>> {
    QueryResult r;
    r.value = Vector{};
    if (absl::StartsWith(text, "w")) {
      r.annotations.warnings.push_back("PromQL warning: w");
    }
    return r;
  };
  FileResult r = RunText(R"(
eval instant at 0 w
    expect warn msg: PromQL warning: w

eval instant at 0 w
    expect no_warn

eval instant at 0 w

eval instant at 0 q
    expect warn
)",
                         engine);
  EXPECT_EQ(Outcomes(r), "PFPF");
}

TEST(RunnerTest, Skips) {
  FakeEngine engine;
  FileResult r = RunText(R"(
load 1m
    h {{schema:0 sum:1 count:1}} 1
    f 1 2
    st@st 0s 0s
    st 1 2

load_with_nhcb 1m
    c_bucket{le="1"} 1 2
    c_bucket{le="+Inf"} 2 3

load 1m
    t{__type__="counter"} 1 2

eval instant at 1m f[5m+1m]

eval instant at 1m h

eval instant at 1m {__name__=~"h|f"}

eval instant at 1m st

eval instant at 1m c

eval instant at 1m c_bucket{le="1"}
    c_bucket{le="1"} 2

eval instant at 1m info(f)

eval instant at 1m f
    f {{schema:0 sum:1 count:1}}

eval instant at 1m f
    f 2

eval instant at 1m {__name__=~"t|f"}

eval instant at 1m f{__unit__=""}

clear

eval instant at 1m h
)",
                         engine);
  EXPECT_EQ(Outcomes(r), "SSSSSPSSPSSP");
  std::vector<std::string> reasons;
  for (const EvalResult& e : r.results) {
    if (e.outcome == Outcome::kSkipped) reasons.push_back(e.message);
  }
  EXPECT_THAT(
      reasons,
      ::testing::ElementsAre(
          kSkipExperimentalSyntax, kSkipNativeHistograms, kSkipNativeHistograms,
          kSkipStartTimestamps, kSkipNhcb, "unsupported function info",
          kSkipHistogramResult, kSkipTypeAndUnit, kSkipTypeAndUnit));
}

TEST(RunnerTest, ScriptProblemsAreFailuresAtTheirLines) {
  FakeEngine engine;
  FileResult r = RunText(R"(
load 1m
    x 1 2
    y{ 1

eval instant at 1m x
    x 1 2

eval instant at 1m sum(
    expect fail

eval instant at 1m x
    x 2
)",
                         engine);
  ASSERT_EQ(Outcomes(r), "FFFP");
  EXPECT_EQ(r.results[0].line, 4);
  EXPECT_EQ(r.results[1].line, 6);
  EXPECT_THAT(r.results[1].message, HasSubstr("line 7: expecting multiple"));
  EXPECT_EQ(r.results[2].line, 9);
  EXPECT_THAT(r.results[2].message, HasSubstr("query does not parse"));
}

TEST(RunnerTest, ParseFailureWithExplicitExpectedMessagePasses) {
  FakeEngine engine;
  FileResult r = RunText(R"(
eval instant at 1m sum(
    expect fail regex: unclosed left parenthesis
)",
                         engine);
  EXPECT_EQ(Outcomes(r), "P") << r.results[0].message;
}

TEST(RunnerTest, DuplicateLoadIsAFailureOfTheLoad) {
  FakeEngine engine;
  FileResult r = RunText(R"(
load 1m
    x 1 2

load 1m
    x 5

eval instant at 1m x
    x 2
)",
                         engine);
  ASSERT_EQ(Outcomes(r), "FP");
  EXPECT_EQ(r.results[0].line, 6);
  EXPECT_THAT(r.results[0].message, HasSubstr("duplicate sample"));
}

TEST(RunnerTest, QueryContextFunctionsSkipRangeMode) {
  FakeEngine engine;
  RunnerOptions options;
  options.at_modifier_variants = false;
  engine.instant_override =
      [](const std::string& text,
         Timestamp ts) -> std::optional<absl::StatusOr<QueryResult>> {
    QueryResult r;
    r.value = Scalar{ts, 1};
    return r;
  };
  FileResult r = RunText("eval instant at 1m step()\n    1\n", engine, options);
  EXPECT_EQ(Outcomes(r), "P");
  EXPECT_EQ(engine.range_calls, 0);
}

}  // namespace
}  // namespace fraisier::promql::promqltest
