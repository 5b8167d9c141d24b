#include "promql/promqltest/script.h"

#include <string>
#include <variant>

#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace fraisier::promql::promqltest {
namespace {

using ::testing::ElementsAre;
using ::testing::HasSubstr;

template <typename T>
const T& Get(const Script& s, size_t i) {
  EXPECT_LT(i, s.commands.size());
  EXPECT_TRUE(std::holds_alternative<T>(s.commands[i])) << "command " << i;
  return std::get<T>(s.commands[i]);
}

TEST(ParseScriptTest, LoadClearAndEvals) {
  Script s = ParseScript("t.test", R"(
# comment
load 5m
    http_requests{job="api"} 0+10x2
    up 1 _ 1
    up 2

eval instant at 10m http_requests
    http_requests{job="api"} 20

clear

eval range from 0 to 10m step 5m up
    up 2 _ 2
)");
  EXPECT_TRUE(s.problems.empty());
  ASSERT_EQ(s.commands.size(), 4u);
  const LoadCommand& load = Get<LoadCommand>(s, 0);
  EXPECT_EQ(load.line, 3);
  EXPECT_EQ(load.interval_ms, 300'000);
  EXPECT_FALSE(load.with_nhcb);
  ASSERT_EQ(load.series.size(), 2u);  // the second `up` replaced the first
  EXPECT_EQ(load.series[1].values.size(), 1u);
  EXPECT_EQ(load.series[1].line, 6);

  const EvalCommand& instant = Get<EvalCommand>(s, 1);
  EXPECT_EQ(instant.line, 8);
  EXPECT_EQ(instant.text, "eval instant at 10m http_requests");
  EXPECT_EQ(instant.expr, "http_requests");
  EXPECT_FALSE(instant.is_range);
  EXPECT_EQ(instant.eval_time, 600'000);
  ASSERT_EQ(instant.series.size(), 1u);
  EXPECT_EQ(instant.series[0].pos, 1);
  EXPECT_EQ(instant.series[0].line, 9);
  EXPECT_THAT(instant.block, ElementsAre(R"(http_requests{job="api"} 20)"));

  Get<ClearCommand>(s, 2);
  const EvalCommand& range = Get<EvalCommand>(s, 3);
  EXPECT_TRUE(range.is_range);
  EXPECT_EQ(range.start, 0);
  EXPECT_EQ(range.end, 600'000);
  EXPECT_EQ(range.step_ms, 300'000);
  EXPECT_EQ(range.series[0].values.size(), 3u);
}

TEST(ParseScriptTest, ExpectLines) {
  Script s = ParseScript("t.test", R"(
eval instant at 1m sum by (env) (my_metric)
    expect warn
    expect fail msg:  some error 
    expect info regex: went (wrong|boom)
    expect ordered
    {env="prod"} 5
    {env="test"} 20
)");
  ASSERT_EQ(s.commands.size(), 1u);
  const EvalCommand& e = Get<EvalCommand>(s, 0);
  ASSERT_FALSE(e.problem.has_value()) << e.problem->message;
  EXPECT_EQ(e.Expect(ExpectType::kWarn).size(), 1u);
  EXPECT_TRUE(e.Expect(ExpectType::kWarn)[0].Matches("anything"));
  ASSERT_EQ(e.Expect(ExpectType::kFail).size(), 1u);
  EXPECT_EQ(*e.Expect(ExpectType::kFail)[0].message, "some error");
  EXPECT_TRUE(e.Expect(ExpectType::kFail)[0].Matches("some error"));
  EXPECT_FALSE(e.Expect(ExpectType::kFail)[0].Matches("some error!"));
  const Expectation& info = e.Expect(ExpectType::kInfo)[0];
  EXPECT_TRUE(info.Matches("it went boom here"));  // unanchored
  EXPECT_FALSE(info.Matches("it went fine"));
  EXPECT_TRUE(e.IsOrdered());
  EXPECT_TRUE(e.IsFail());
  // Expect lines do not count as result positions.
  ASSERT_EQ(e.series.size(), 2u);
  EXPECT_EQ(e.series[0].pos, 1);
  EXPECT_EQ(e.series[1].pos, 2);
}

TEST(ParseScriptTest, DeprecatedForms) {
  Script s = ParseScript("t.test", R"(
eval_fail instant at 0 foo
    expected_fail_message boom here

eval_ordered instant at 1m foo
    foo 1

eval_warn range from 0 to 1m step 30s foo

eval_info instant at 0 foo
)");
  ASSERT_EQ(s.commands.size(), 4u);
  const EvalCommand& f = Get<EvalCommand>(s, 0);
  EXPECT_TRUE(f.fail);
  EXPECT_TRUE(f.IsFail());
  EXPECT_EQ(*f.expected_fail_message, "boom here");
  EXPECT_TRUE(Get<EvalCommand>(s, 1).ordered);
  EXPECT_TRUE(Get<EvalCommand>(s, 2).warn);
  EXPECT_TRUE(Get<EvalCommand>(s, 2).is_range);
  EXPECT_TRUE(Get<EvalCommand>(s, 3).info);
}

TEST(ParseScriptTest, ScalarStringAndRangeVector) {
  Script s = ParseScript("t.test", R"(
eval instant at 1m 1 + 2
    3

eval instant at 0 "Foo"
    expect string " Foo "

eval instant at 1m some_metric[1m]
  expect range vector from 10s to 1m step 10s
  some_metric{env="a"} 2 3 4 5 6
)");
  ASSERT_TRUE(s.problems.empty());
  const EvalCommand& scalar = Get<EvalCommand>(s, 0);
  EXPECT_TRUE(scalar.expect_scalar);
  EXPECT_EQ(scalar.scalar.value, 3);
  const EvalCommand& str = Get<EvalCommand>(s, 1);
  EXPECT_EQ(str.expected_string, " Foo ");
  EXPECT_TRUE(str.exclude_from_range_query);
  const EvalCommand& rv = Get<EvalCommand>(s, 2);
  EXPECT_TRUE(rv.expect_range_vector);
  EXPECT_EQ(rv.start, 10'000);
  EXPECT_EQ(rv.end, 60'000);
  EXPECT_EQ(rv.step_ms, 10'000);
  EXPECT_EQ(rv.eval_time, 60'000);
  // The directive line counts as a position, like Prometheus's `j`.
  EXPECT_EQ(rv.series[0].pos, 2);
}

TEST(ParseScriptTest, LoadVariants) {
  Script s = ParseScript("t.test", R"(
load_with_nhcb 1m
    foo_bucket{le="1"} 1 2

load 1m
    @st 0s
    a 1 2
    b@st -1s -1s
    b 1 2

load 1m
    c 1
)");
  ASSERT_TRUE(s.problems.empty()) << s.problems[0].message;
  EXPECT_TRUE(Get<LoadCommand>(s, 0).with_nhcb);
  const LoadCommand& st = Get<LoadCommand>(s, 1);
  ASSERT_EQ(st.series.size(), 2u);
  EXPECT_TRUE(st.series[0].has_start_timestamps);
  EXPECT_TRUE(st.series[1].has_start_timestamps);
  EXPECT_FALSE(Get<LoadCommand>(s, 2).series[0].has_start_timestamps);
}

TEST(ParseScriptTest, ProblemsCarryLinesAndParsingGoesOn) {
  Script s = ParseScript("t.test", R"(load 5x
    foo 1

bogus command
    more of it

load 1m
    foo 1 2
    bar{ 1
    baz@st 1s
    qux 1
    c@st 1s 2s
    c 1

eval instant at 1m foo
    foo 1 2

eval instant at xyz foo

eval instant at 1m foo
    expect warn
    expect no_warn

eval instant at 1m foo
    expect bogus

eval range from 2m to 1m step 1m foo

eval nonsense
)");
  std::vector<std::pair<int, std::string>> problems;
  for (const Problem& p : s.problems) problems.emplace_back(p.line, p.message);
  ASSERT_EQ(problems.size(), 6u);
  EXPECT_EQ(problems[0].first, 1);
  EXPECT_THAT(problems[0].second, HasSubstr("invalid step definition"));
  EXPECT_EQ(problems[1].first, 4);
  EXPECT_THAT(problems[1].second, HasSubstr("invalid command"));
  EXPECT_EQ(problems[2].first, 9);
  EXPECT_EQ(problems[3].first, 10);
  EXPECT_THAT(problems[3].second, HasSubstr("does not match"));
  EXPECT_EQ(problems[4].first, 12);
  EXPECT_EQ(problems[4].second, "@st line has 2 values but sample line has 1");
  EXPECT_EQ(problems[5].first, 29);
  EXPECT_THAT(problems[5].second, HasSubstr("invalid evaluation command"));

  // The good lines of the load are kept.
  const LoadCommand& load = Get<LoadCommand>(s, 0);
  ASSERT_EQ(load.series.size(), 3u);

  std::vector<std::pair<int, std::string>> evals;
  for (const Command& c : s.commands) {
    if (const auto* e = std::get_if<EvalCommand>(&c)) {
      ASSERT_TRUE(e->problem.has_value()) << e->line;
      evals.emplace_back(e->problem->line, e->problem->message);
    }
  }
  ASSERT_EQ(evals.size(), 5u);
  EXPECT_EQ(evals[0].first, 16);
  EXPECT_THAT(evals[0].second, HasSubstr("multiple values"));
  EXPECT_EQ(evals[1].first, 18);
  EXPECT_THAT(evals[1].second, HasSubstr("invalid timestamp definition"));
  EXPECT_EQ(evals[2].first, 22);
  EXPECT_THAT(evals[2].second, HasSubstr("warn and no_warn"));
  EXPECT_EQ(evals[3].first, 25);
  EXPECT_THAT(evals[3].second, HasSubstr("invalid expect statement"));
  EXPECT_EQ(evals[4].first, 27);
  EXPECT_THAT(evals[4].second, HasSubstr("before start timestamp"));
}

TEST(ParseScriptTest, ScalarLineEndsTheBlock) {
  // As in Prometheus, a scalar result ends the eval: what follows is read
  // as commands.
  Script s = ParseScript("t.test", "eval instant at 0 1\n  1\n  2\n");
  ASSERT_EQ(s.problems.size(), 1u);
  EXPECT_EQ(s.problems[0].line, 3);
}

TEST(ParseScriptTest, Durations) {
  EXPECT_EQ(*ParseScriptDuration("0"), 0);
  EXPECT_EQ(*ParseScriptDuration("1h30m"), 5'400'000);
  EXPECT_EQ(*ParseScriptDuration("100ms"), 100);
  EXPECT_FALSE(ParseScriptDuration("").ok());
  EXPECT_FALSE(ParseScriptDuration("1.5s").ok());
  EXPECT_FALSE(ParseScriptDuration("-1m").ok());
}

}  // namespace
}  // namespace fraisier::promql::promqltest
