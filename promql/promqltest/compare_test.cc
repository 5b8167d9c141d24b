#include "promql/promqltest/compare.h"

#include <cmath>
#include <limits>
#include <string>
#include <variant>

#include "engine/model/value.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "promql/promqltest/script.h"

namespace fraisier::promql::promqltest {
namespace {

using ::testing::HasSubstr;

TEST(AlmostEqualTest, PrometheusRules) {
  EXPECT_TRUE(AlmostEqual(1, 1));
  EXPECT_TRUE(AlmostEqual(1e9, 1e9 + 1));  // relative error 5e-10
  EXPECT_FALSE(AlmostEqual(1, 1.00001));
  EXPECT_TRUE(AlmostEqual(1, 1.0000001));
  EXPECT_FALSE(AlmostEqual(0, 1e-300));  // near zero: absolute, tiny
  EXPECT_TRUE(AlmostEqual(0, 0));
  EXPECT_TRUE(AlmostEqual(0.0, -0.0));
  EXPECT_TRUE(AlmostEqual(NAN, -NAN));
  EXPECT_FALSE(AlmostEqual(NAN, 1));
  EXPECT_TRUE(AlmostEqual(INFINITY, INFINITY));
  EXPECT_FALSE(AlmostEqual(INFINITY, -INFINITY));
  EXPECT_FALSE(AlmostEqual(INFINITY, std::numeric_limits<double>::max()));
  EXPECT_TRUE(AlmostEqual(StaleNaN(), StaleNaN()));
  EXPECT_FALSE(AlmostEqual(StaleNaN(), NAN));
  EXPECT_FALSE(AlmostEqual(NAN, StaleNaN()));
}

TEST(FormatFloatTest, LikeGoV) {
  EXPECT_EQ(FormatFloat(1), "1");
  EXPECT_EQ(FormatFloat(-2.5), "-2.5");
  EXPECT_EQ(FormatFloat(0.1), "0.1");
  EXPECT_EQ(FormatFloat(100000), "100000");
  EXPECT_EQ(FormatFloat(1e6), "1e+06");
  EXPECT_EQ(FormatFloat(1234567), "1.234567e+06");
  EXPECT_EQ(FormatFloat(0.0001), "0.0001");
  EXPECT_EQ(FormatFloat(0.00001), "1e-05");
  EXPECT_EQ(FormatFloat(1.0 / 3), "0.3333333333333333");
  EXPECT_EQ(FormatFloat(NAN), "NaN");
  EXPECT_EQ(FormatFloat(-INFINITY), "-Inf");
  EXPECT_EQ(FormatFloat(0), "0");
  EXPECT_EQ(FormatFloat(123.456), "123.456");
}

EvalCommand ParseEval(absl::string_view text) {
  Script s = ParseScript("t", text);
  EXPECT_TRUE(s.problems.empty());
  EXPECT_EQ(s.commands.size(), 1u);
  const auto& e = std::get<EvalCommand>(s.commands[0]);
  EXPECT_FALSE(e.problem.has_value()) << e.problem->message;
  return e;
}

Labels L(std::initializer_list<LabelPair> pairs) {
  return Labels::FromPairs(pairs);
}

TEST(CompareResultTest, Vector) {
  EvalCommand e = ParseEval(R"(eval instant at 1m x
  x{a="1"} 1
  x{a="2"} 2
)");
  Vector v = {{L({{"__name__", "x"}, {"a", "2"}}), 60000, 2.0000001, false},
              {L({{"__name__", "x"}, {"a", "1"}}), 60000, 1, false}};
  EXPECT_TRUE(CompareResult(e, Value(v)).ok());  // any order
  v[0].f = 3;
  EXPECT_EQ(CompareResult(e, Value(v)).message(),
            R"(expected 2 for {__name__="x", a="2"} but got 3)");
  v.pop_back();
  v[0].f = 2;
  EXPECT_THAT(
      CompareResult(e, Value(v)).message(),
      HasSubstr(R"(expected metric {__name__="x", a="1"} with [1] not found)"));
  v.push_back({L({{"a", "1"}}), 60000, 1, false});
  EXPECT_THAT(CompareResult(e, Value(v)).message(),
              HasSubstr(R"(unexpected metric {a="1"} in result)"));
  EXPECT_THAT(CompareResult(e, Value(Scalar{0, 1})).message(),
              HasSubstr("expected vector or matrix result"));
}

TEST(CompareResultTest, EmptyVectorAndNoResults) {
  EvalCommand e = ParseEval("eval instant at 1m x\n");
  EXPECT_TRUE(CompareResult(e, Value(Vector{})).ok());
  EXPECT_TRUE(CompareResult(e, Value(Matrix{})).ok());
  EXPECT_FALSE(CompareResult(e, Value(Scalar{0, 1})).ok());
}

TEST(CompareResultTest, Ordered) {
  EvalCommand e = ParseEval(R"(eval instant at 1m sort(x)
  expect ordered
  x{a="1"} 1
  x{a="2"} 2
)");
  Vector v = {{L({{"__name__", "x"}, {"a", "1"}}), 0, 1, false},
              {L({{"__name__", "x"}, {"a", "2"}}), 0, 2, false}};
  EXPECT_TRUE(CompareResult(e, Value(v)).ok());
  std::swap(v[0], v[1]);
  EXPECT_THAT(CompareResult(e, Value(v)).message(),
              HasSubstr("at position 2 but was at 1"));
  EXPECT_THAT(
      CompareResult(e, Value(Matrix{})).message(),
      HasSubstr("expected ordered result, but query returned a matrix"));
}

TEST(CompareResultTest, ScalarAndString) {
  EvalCommand e = ParseEval("eval instant at 1m 1\n  1.0000000001\n");
  EXPECT_TRUE(CompareResult(e, Value(Scalar{0, 1})).ok());
  EXPECT_EQ(CompareResult(e, Value(Scalar{0, 2})).message(),
            "expected scalar 1.0000000001 but got 2");
  EXPECT_THAT(CompareResult(e, Value(Vector{})).message(),
              HasSubstr("expected scalar result, but got vector"));

  EvalCommand s = ParseEval("eval instant at 0 \"a\"\n  expect string \"a\"\n");
  EXPECT_TRUE(CompareResult(s, Value(String{0, "a"})).ok());
  EXPECT_EQ(CompareResult(s, Value(String{0, "b"})).message(),
            "expected string \"a\" but got \"b\"");
}

TEST(CompareResultTest, Matrix) {
  EvalCommand e = ParseEval(R"(eval range from 0 to 2m step 1m x
  x{a="1"} 1 _ 3
  x{a="2"} 1+1x2
)");
  Matrix m = {
      {L({{"__name__", "x"}, {"a", "1"}}), {{0, 1}, {120000, 3}}, false},
      {L({{"__name__", "x"}, {"a", "2"}}),
       {{0, 1}, {60000, 2}, {120000, 3}},
       false}};
  EXPECT_TRUE(CompareResult(e, Value(m)).ok());
  m[0].floats[1].t = 60000;
  EXPECT_THAT(
      CompareResult(e, Value(m)).message(),
      HasSubstr("to have timestamp 120000, but it had timestamp 60000"));
  m[0].floats[1] = {120000, 4};
  EXPECT_THAT(CompareResult(e, Value(m)).message(),
              HasSubstr("(t=120000) for {__name__=\"x\", a=\"1\"} to be 3, but "
                        "got 4"));
  m[0].floats.pop_back();
  EXPECT_THAT(CompareResult(e, Value(m)).message(),
              HasSubstr("expected 2 float points and 0 histogram points"));
  std::swap(m[0], m[1]);
  EXPECT_THAT(CompareResult(e, Value(m)).message(),
              HasSubstr("matrix results should always be sorted by labels"));
}

TEST(CompareResultTest, MatrixTooManyExpectedPoints) {
  EvalCommand e = ParseEval(R"(eval range from 0 to 1m step 1m x
  x 1 2 3
)");
  Matrix m = {{L({{"__name__", "x"}}), {{0, 1}, {60000, 2}}, false}};
  EXPECT_THAT(CompareResult(e, Value(m)).message(),
              HasSubstr("query time range cannot return this many points"));
}

TEST(CompareResultTest, StaleExpectationsAndNaN) {
  EvalCommand e = ParseEval("eval instant at 1m x\n  x NaN\n");
  Vector v = {{L({{"__name__", "x"}}), 0, std::nan(""), false}};
  EXPECT_TRUE(CompareResult(e, Value(v)).ok());
  v[0].f = StaleNaN();
  EXPECT_FALSE(CompareResult(e, Value(v)).ok());
}

TEST(DropMarkedNamesTest, RemovesNameWhenMarked) {
  Value v = Vector{{L({{"__name__", "x"}, {"a", "1"}}), 0, 1, true},
                   {L({{"__name__", "y"}}), 0, 1, false}};
  DropMarkedNames(v);
  EXPECT_EQ(std::get<Vector>(v)[0].metric.ToString(), R"({a="1"})");
  EXPECT_EQ(std::get<Vector>(v)[1].metric.ToString(), R"({__name__="y"})");
  Value m = Matrix{{L({{"__name__", "x"}}), {}, true}};
  DropMarkedNames(m);
  EXPECT_EQ(std::get<Matrix>(m)[0].metric.ToString(), "{}");
}

TEST(CheckAnnotationsTest, ExpectLines) {
  EvalCommand e = ParseEval(R"(eval instant at 1m x
  expect warn msg: w1
  expect info regex: ^i
)");
  Annotations a;
  a.warnings = {"w1"};
  a.infos = {"i1", "i2"};
  EXPECT_TRUE(CheckAnnotations(e, "x", a).ok());
  a.warnings.push_back("w2");
  EXPECT_THAT(CheckAnnotations(e, "x", a).message(),
              HasSubstr("unexpected warn annotation \"w2\""));
  a.warnings = {"w2"};
  EXPECT_THAT(CheckAnnotations(e, "x", a).message(),
              HasSubstr("expected warn annotation matching message \"w1\""));
  a.warnings = {};
  EXPECT_THAT(CheckAnnotations(e, "x", a).message(),
              HasSubstr("expected warn annotations but none were found"));

  EvalCommand none =
      ParseEval("eval instant at 1m x\n  expect no_warn\n  expect no_info\n");
  EXPECT_TRUE(CheckAnnotations(none, "x", Annotations{}).ok());
  Annotations w;
  w.warnings = {"w"};
  EXPECT_THAT(CheckAnnotations(none, "x", w).message(),
              HasSubstr("unexpected warning annotations"));
  Annotations i;
  i.infos = {"i"};
  EXPECT_THAT(CheckAnnotations(none, "x", i).message(),
              HasSubstr("unexpected info annotations"));

  // Without expect lines annotations are not checked.
  EvalCommand plain = ParseEval("eval instant at 1m x\n");
  EXPECT_TRUE(CheckAnnotations(plain, "x", w).ok());
  EvalCommand old = ParseEval("eval_warn instant at 1m x\n");
  EXPECT_THAT(CheckAnnotations(old, "x", Annotations{}).message(),
              HasSubstr("expected warnings"));
}

TEST(CheckExpectedFailureTest, Forms) {
  EXPECT_TRUE(CheckExpectedFailure(
                  ParseEval("eval instant at 0 x\n  expect fail\n"), "anything")
                  .ok());
  EvalCommand msg = ParseEval("eval instant at 0 x\n  expect fail msg: boom\n");
  EXPECT_TRUE(CheckExpectedFailure(msg, "boom").ok());
  EXPECT_THAT(CheckExpectedFailure(msg, "boom!").message(),
              HasSubstr("expected error matching \"boom\""));
  EvalCommand re = ParseEval("eval instant at 0 x\n  expect fail regex: b.o\n");
  EXPECT_TRUE(CheckExpectedFailure(re, "a boom").ok());
  EXPECT_FALSE(CheckExpectedFailure(re, "bam").ok());
  EvalCommand old =
      ParseEval("eval_fail instant at 0 x\n  expected_fail_regexp ^bo+m$\n");
  EXPECT_TRUE(CheckExpectedFailure(old, "booom").ok());
  EXPECT_FALSE(CheckExpectedFailure(old, "xboom").ok());
}

TEST(FormatValueTest, Lines) {
  EXPECT_EQ(FormatValue(Value(Vector{})), "(empty)");
  EXPECT_EQ(FormatValue(Value(Scalar{1000, 2})), "scalar: 2 @[1000]");
  Vector v;
  for (int i = 0; i < 3; ++i) {
    v.push_back({L({{"a", std::to_string(i)}}), 0, 1.5, false});
  }
  EXPECT_EQ(FormatValue(Value(v), 2),
            "{a=\"0\"} => 1.5 @[0]\n{a=\"1\"} => 1.5 @[0]\n... and 1 more");
}

}  // namespace
}  // namespace fraisier::promql::promqltest
