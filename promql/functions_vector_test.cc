#include <algorithm>
#include <cmath>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "engine/base/status_matchers.h"
#include "engine/model/labels.h"
#include "engine/model/matcher.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "promql/eval_functions.h"
#include "promql/functions.h"
#include "promql/functions_internal.h"

namespace fraisier::promql {
namespace {

using ::fraisier::testing::IsOk;
using ::fraisier::testing::StatusIs;
using ::testing::AllOf;
using ::testing::DoubleEq;
using ::testing::DoubleNear;
using ::testing::ElementsAre;
using ::testing::Field;
using ::testing::IsEmpty;
using ::testing::IsNan;
using ::testing::Matcher;
using ::testing::Property;
using ::testing::ResultOf;

const double kNaN = std::nan("");
const double kInf = INFINITY;

VectorSample S(std::initializer_list<LabelPair> labels, double v,
               bool drop_name = false, Timestamp t = 0) {
  return VectorSample{Labels::FromPairs(labels), t, v, drop_name};
}

absl::StatusOr<Vector> Call(absl::string_view name, std::vector<Arg> args,
                            Timestamp ts = 0,
                            Annotations* annotations = nullptr,
                            absl::Span<const fraisier::Matcher> absent = {}) {
  VectorFunction fn = FindVectorFunction(name);
  if (fn == nullptr) return absl::NotFoundError(name);
  VectorContext ctx;
  ctx.ts = ts;
  ctx.annotations = annotations;
  ctx.absent_matchers = absent;
  Vector out;
  absl::Status s = fn(ctx, args, &out);
  if (!s.ok()) return s;
  return out;
}

Vector Ok(absl::StatusOr<Vector> v) {
  EXPECT_THAT(v, IsOk());
  return v.ok() ? *v : Vector();
}

// A sample with the given labels (as printed), value and drop_name.
Matcher<const VectorSample&> Is(const std::string& labels,
                                Matcher<double> value, bool drop_name) {
  return AllOf(Field("metric", &VectorSample::metric,
                     Property("ToString", &Labels::ToString, labels)),
               Field("f", &VectorSample::f, value),
               Field("drop_name", &VectorSample::drop_name, drop_name));
}

Matcher<const VectorSample&> Is(const std::string& labels, double value,
                                bool drop_name) {
  if (std::isnan(value)) return Is(labels, IsNan(), drop_name);
  return Is(labels, DoubleEq(value), drop_name);
}

TEST(VectorFunctionsTest, EveryTableFunctionHasExactlyOneImplementation) {
  const std::vector<std::string> unsupported = {
      "info",   "start_timestamp",  // not supported here
      "start",  "end",
      "step",   "range",
      "min_of",  // duration expressions
      "max_of", "integral"};
  for (const FunctionInfo* f : AllFunctions()) {
    const bool range = FindRangeFunction(f->name) != nullptr;
    const bool vector = FindVectorFunction(f->name) != nullptr;
    if (std::find(unsupported.begin(), unsupported.end(), f->name) !=
        unsupported.end()) {
      EXPECT_FALSE(range || vector) << f->name;
    } else {
      EXPECT_NE(range, vector) << f->name;
    }
  }
}

// functions.test "Test for abs, ceil(), floor(), round()".
TEST(MathTest, Rounding) {
  const Vector data = {
      S({{"type", "positive"}}, 2.5),  S({{"type", "whole"}}, 2),
      S({{"type", "negative"}}, -2.5), S({{"type", "nwhole"}}, -2),
      S({{"type", "zero"}}, 0),        S({{"type", "nzero"}}, -0.0),
      S({{"type", "inf"}}, kInf),      S({{"type", "ninf"}}, -kInf),
      S({{"type", "nan"}}, kNaN)};
  struct Case {
    const char* fn;
    std::vector<double> want;
  };
  const Case cases[] = {
      {"abs", {2.5, 2, 2.5, 2, 0, 0, kInf, kInf, kNaN}},
      {"ceil", {3, 2, -2, -2, 0, 0, kInf, -kInf, kNaN}},
      {"floor", {2, 2, -3, -2, 0, 0, kInf, -kInf, kNaN}},
      {"round", {3, 2, -2, -2, 0, 0, kInf, -kInf, kNaN}},
  };
  for (const Case& c : cases) {
    Vector out = Ok(Call(c.fn, {data}));
    ASSERT_EQ(out.size(), data.size()) << c.fn;
    for (size_t i = 0; i < out.size(); ++i) {
      EXPECT_THAT(out[i], Is(data[i].metric.ToString(), c.want[i], true))
          << c.fn << " " << i;
    }
  }
}

TEST(MathTest, RoundToNearest) {
  const Vector in = {S({{"a", "1"}}, 5.5), S({{"a", "2"}}, -1.25),
                     S({{"a", "3"}}, 2.345)};
  EXPECT_THAT(Ok(Call("round", {in, Scalar{0, 2}})),
              ElementsAre(Is("{a=\"1\"}", 6, true), Is("{a=\"2\"}", -2, true),
                          Is("{a=\"3\"}", 2, true)));
  EXPECT_THAT(Ok(Call("round", {in, Scalar{0, 0.5}})),
              ElementsAre(Is("{a=\"1\"}", 5.5, true), Is("{a=\"2\"}", -1, true),
                          Is("{a=\"3\"}", 2.5, true)));
}

// functions.test "Testing exp() sqrt() log2() log10() ln()".
TEST(MathTest, ExpLog) {
  const Vector in = {S({{"__name__", "m"}, {"l", "x"}}, 10),
                     S({{"__name__", "m"}, {"l", "y"}}, 20)};
  const char* x = "{__name__=\"m\", l=\"x\"}";
  const char* y = "{__name__=\"m\", l=\"y\"}";
  EXPECT_THAT(Ok(Call("exp", {in})),
              ElementsAre(Is(x, 22026.465794806718, true),
                          Is(y, 485165195.4097903, true)));
  EXPECT_THAT(Ok(Call("ln", {in})),
              ElementsAre(Is(x, 2.302585092994046, true),
                          Is(y, 2.995732273553991, true)));
  EXPECT_THAT(Ok(Call("sqrt", {in})),
              ElementsAre(Is(x, 3.1622776601683795, true),
                          Is(y, 4.47213595499958, true)));
  EXPECT_THAT(Ok(Call("log2", {in})),
              ElementsAre(Is(x, 3.3219280948873626, true),
                          Is(y, 4.321928094887363, true)));
  EXPECT_THAT(Ok(Call("log10", {in})),
              ElementsAre(Is(x, 1, true), Is(y, 1.301029995663981, true)));
  const Vector edge = {S({{"v", "0"}}, 0), S({{"v", "-1"}}, -1)};
  EXPECT_THAT(
      Ok(Call("ln", {edge})),
      ElementsAre(Is("{v=\"0\"}", -kInf, true), Is("{v=\"-1\"}", kNaN, true)));
  EXPECT_THAT(Ok(Call("exp", {Vector{S({}, kInf), S({}, kNaN)}})),
              ElementsAre(Is("{}", kInf, true), Is("{}", kNaN, true)));
}

// trig_functions.test.
TEST(MathTest, Trigonometry) {
  const Vector trig = {S({{"l", "x"}}, 10), S({{"l", "y"}}, 20),
                       S({{"l", "NaN"}}, kNaN)};
  const Vector shifted = {S({{"l", "x"}}, 10 - 10.1),
                          S({{"l", "y"}}, 20 - 10.1), S({{"l", "NaN"}}, kNaN)};
  struct Case {
    const char* fn;
    const Vector* in;
    double x, y;
  };
  const Case cases[] = {
      {"sin", &trig, -0.5440211108893699, 0.9129452507276277},
      {"cos", &trig, -0.8390715290764524, 0.40808206181339196},
      {"tan", &trig, 0.6483608274590867, 2.2371609442247427},
      {"asin", &shifted, -0.10016742116155944, kNaN},
      {"acos", &shifted, 1.670963747956456, kNaN},
      {"atan", &trig, 1.4711276743037345, 1.5208379310729538},
      {"sinh", &trig, 11013.232920103324, 2.4258259770489514e+08},
      {"cosh", &trig, 11013.232920103324, 2.4258259770489514e+08},
      {"tanh", &trig, 0.9999999958776927, 1},
      {"asinh", &trig, 2.99822295029797, 3.6895038689889055},
      {"acosh", &trig, 2.993222846126381, 3.6882538673612966},
      {"atanh", &shifted, -0.10033534773107522, kNaN},
      {"rad", &trig, 0.17453292519943295, 0.3490658503988659},
      {"deg", &trig, 572.9577951308232, 1145.9155902616465},
  };
  // The corpus values are checked with promqltest's relative tolerance
  // (1e-6): its sinh(10) is really cosh(10), and Go's math package and libm
  // may differ in the last bits.
  auto near = [](double want) -> Matcher<double> {
    if (std::isnan(want)) return IsNan();
    return DoubleNear(want, std::fabs(want) * 1e-6);
  };
  for (const Case& c : cases) {
    EXPECT_THAT(Ok(Call(c.fn, {*c.in})),
                ElementsAre(Is("{l=\"x\"}", near(c.x), true),
                            Is("{l=\"y\"}", near(c.y), true),
                            Is("{l=\"NaN\"}", IsNan(), true)))
        << c.fn;
  }
  Vector out = Ok(Call("pi", {}));
  ASSERT_EQ(out.size(), 1u);
  EXPECT_EQ(out[0].f, 3.141592653589793);
  EXPECT_TRUE(out[0].metric.empty());
}

TEST(MathTest, Sgn) {
  const Vector in = {S({{"s", "a"}}, -kInf), S({{"s", "b"}}, kInf),
                     S({{"s", "c"}}, kNaN),  S({{"s", "d"}}, -50),
                     S({{"s", "e"}}, 0),     S({{"s", "f"}}, 100)};
  Vector out = Ok(Call("sgn", {in}));
  ASSERT_EQ(out.size(), 6u);
  EXPECT_EQ(out[0].f, -1);
  EXPECT_EQ(out[1].f, 1);
  EXPECT_TRUE(std::isnan(out[2].f));
  EXPECT_EQ(out[3].f, -1);
  EXPECT_EQ(out[4].f, 0);
  EXPECT_EQ(out[5].f, 1);
}

// functions.test "Tests for clamp_max, clamp_min(), and clamp()".
TEST(MathTest, Clamp) {
  const Vector in = {S({{"src", "a"}}, -50), S({{"src", "b"}}, 0),
                     S({{"src", "c"}}, 100)};
  auto values = [](const Vector& v) {
    std::vector<double> out;
    for (const VectorSample& s : v) out.push_back(s.f);
    return out;
  };
  EXPECT_THAT(values(Ok(Call("clamp_max", {in, Scalar{0, 75}}))),
              ElementsAre(-50, 0, 75));
  EXPECT_THAT(values(Ok(Call("clamp_min", {in, Scalar{0, -25}}))),
              ElementsAre(-25, 0, 100));
  EXPECT_THAT(values(Ok(Call("clamp", {in, Scalar{0, -25}, Scalar{0, 75}}))),
              ElementsAre(-25, 0, 75));
  EXPECT_THAT(values(Ok(Call("clamp", {in, Scalar{0, 0}, Scalar{0, kNaN}}))),
              ElementsAre(IsNan(), IsNan(), IsNan()));
  EXPECT_THAT(values(Ok(Call("clamp", {in, Scalar{0, kNaN}, Scalar{0, 0}}))),
              ElementsAre(IsNan(), IsNan(), IsNan()));
  EXPECT_THAT(Ok(Call("clamp", {in, Scalar{0, 5}, Scalar{0, -5}})), IsEmpty());
  // Labels kept, name dropped lazily.
  EXPECT_THAT(
      Ok(Call("clamp_min", {Vector{S({{"__name__", "m"}}, 1)}, Scalar{0, 2}})),
      ElementsAre(Is("{__name__=\"m\"}", 2, true)));
  // NaN samples stay NaN unless a bound is +-Inf in Go's math.Max/Min.
  EXPECT_THAT(
      values(Ok(Call("clamp_min", {Vector{S({}, kNaN)}, Scalar{0, 1}}))),
      ElementsAre(IsNan()));
}

TEST(ScalarVectorTest, Conversions) {
  EXPECT_THAT(Ok(Call("vector", {Scalar{0, 1}})),
              ElementsAre(Is("{}", 1, false)));
  EXPECT_THAT(Ok(Call("time", {}, 3600000)),
              ElementsAre(Is("{}", 3600, false)));
  EXPECT_THAT(Ok(Call("time", {}, 1)), ElementsAre(Is("{}", 0.001, false)));
  const Vector two = {S({{"l", "x"}}, 1), S({{"l", "y"}}, 2)};
  EXPECT_THAT(Ok(Call("scalar", {two})), ElementsAre(Is("{}", kNaN, false)));
  EXPECT_THAT(Ok(Call("scalar", {Vector{}})),
              ElementsAre(Is("{}", kNaN, false)));
  EXPECT_THAT(Ok(Call("scalar", {Vector{S({{"l", "x"}}, 1)}})),
              ElementsAre(Is("{}", 1, false)));
}

TEST(ScalarVectorTest, TimestampUsesTheSampleTime) {
  const Vector in = {S({{"__name__", "m"}}, 7, false, 10000),
                     S({{"a", "b"}}, 7, true, 1500)};
  EXPECT_THAT(Ok(Call("timestamp", {in}, 20000)),
              ElementsAre(Is("{__name__=\"m\"}", 10, true),
                          Is("{a=\"b\"}", 1.5, true)));
}

// functions.test "Tests for sort/sort_desc".
TEST(SortTest, ByValueWithNaNLast) {
  const Vector in = {S({{"i", "a"}}, 300, true), S({{"i", "b"}}, kNaN),
                     S({{"i", "c"}}, 100), S({{"i", "d"}}, 800),
                     S({{"i", "e"}}, -kInf)};
  auto labels = [](const Vector& v) {
    std::vector<std::string> out;
    for (const VectorSample& s : v) out.push_back(s.metric.ToString());
    return out;
  };
  Vector asc = Ok(Call("sort", {in}));
  EXPECT_THAT(labels(asc), ElementsAre("{i=\"e\"}", "{i=\"c\"}", "{i=\"a\"}",
                                       "{i=\"d\"}", "{i=\"b\"}"));
  EXPECT_TRUE(asc[2].drop_name);  // labels and drop_name untouched
  EXPECT_FALSE(asc[0].drop_name);
  EXPECT_THAT(labels(Ok(Call("sort_desc", {in}))),
              ElementsAre("{i=\"d\"}", "{i=\"a\"}", "{i=\"c\"}", "{i=\"e\"}",
                          "{i=\"b\"}"));
  EXPECT_THAT(Ok(Call("sort", {Vector{}})), IsEmpty());
}

fraisier::Matcher M(MatchType type, absl::string_view name,
                    absl::string_view value) {
  absl::StatusOr<fraisier::Matcher> m =
      fraisier::Matcher::Create(type, name, value);
  EXPECT_THAT(m, IsOk());
  return *m;
}

// functions.test "Test for absent()".
TEST(AbsentTest, LabelsFromEqualityMatchers) {
  using MT = MatchType;
  struct Case {
    std::vector<fraisier::Matcher> matchers;
    std::string want;
  };
  const Case cases[] = {
      {{M(MT::kEqual, "__name__", "nonexistent")}, "{}"},
      {{M(MT::kEqual, "job", "testjob"),
        M(MT::kEqual, "instance", "testinstance"),
        M(MT::kRegexMatch, "method", ".x"),
        M(MT::kEqual, "__name__", "nonexistent")},
       "{instance=\"testinstance\", job=\"testjob\"}"},
      {{M(MT::kEqual, "job", "testjob"), M(MT::kEqual, "job", "testjob2"),
        M(MT::kEqual, "foo", "bar")},
       "{foo=\"bar\"}"},
      {{M(MT::kEqual, "job", "testjob"), M(MT::kEqual, "job", "testjob2"),
        M(MT::kEqual, "job", "three"), M(MT::kEqual, "foo", "bar")},
       "{foo=\"bar\"}"},
      {{M(MT::kEqual, "job", "testjob"), M(MT::kRegexMatch, "job", "testjob2"),
        M(MT::kEqual, "foo", "bar")},
       "{foo=\"bar\"}"},
      // Historic behaviour kept: a regex first, then an equality, sets it.
      {{M(MT::kRegexMatch, "job", "a.*"), M(MT::kEqual, "job", "b")},
       "{job=\"b\"}"},
      {{M(MT::kNotEqual, "handler", "/foo")}, "{}"},
      {{}, "{}"},
  };
  for (const Case& c : cases) {
    EXPECT_THAT(Ok(Call("absent", {Vector{}}, 0, nullptr, c.matchers)),
                ElementsAre(Is(c.want, 1, false)));
  }
  EXPECT_THAT(Ok(Call("absent", {Vector{S({{"a", "b"}}, 1)}})), IsEmpty());
}

TEST(VectorFunctionsTest, WrongArgumentsAreInternalErrors) {
  EXPECT_THAT(Call("abs", {Scalar{0, 1}}),
              StatusIs(absl::StatusCode::kInternal));
  EXPECT_THAT(Call("abs", {}), StatusIs(absl::StatusCode::kInternal));
  EXPECT_THAT(Call("clamp", {Vector{}, Scalar{0, 1}}),
              StatusIs(absl::StatusCode::kInternal));
  EXPECT_THAT(Call("vector", {String{0, "x"}}),
              StatusIs(absl::StatusCode::kInternal));
}

TEST(HelpersTest, FormatGoG) {
  using functions_internal::FormatGoG;
  const std::pair<double, const char*> cases[] = {
      {0, "0"},
      {-0.0, "-0"},
      {1, "1"},
      {-1, "-1"},
      {0.5, "0.5"},
      {2, "2"},
      {1.01, "1.01"},
      {-0.1, "-0.1"},
      {0.0001, "0.0001"},
      {0.00001, "1e-05"},
      {123456, "123456"},
      {1234567, "1.234567e+06"},
      {1e6, "1e+06"},
      {1e21, "1e+21"},
      {1.5e300, "1.5e+300"},
      {0.1 + 0.2, "0.30000000000000004"},
      {kNaN, "NaN"},
      {kInf, "+Inf"},
      {-kInf, "-Inf"},
  };
  for (const auto& [v, want] : cases) EXPECT_EQ(FormatGoG(v), want) << want;
  EXPECT_EQ(functions_internal::FormatGoF(0.5), "0.500000");
  EXPECT_EQ(functions_internal::FormatGoF(-kInf), "-Inf");
  EXPECT_EQ(functions_internal::FormatGoF(kNaN), "NaN");
}

TEST(HelpersTest, GoMaxMin) {
  using functions_internal::GoMax;
  using functions_internal::GoMin;
  EXPECT_TRUE(std::isnan(GoMax(1, kNaN)));
  EXPECT_TRUE(std::isnan(GoMin(kNaN, 1)));
  EXPECT_EQ(GoMax(kNaN, kInf), kInf);
  EXPECT_EQ(GoMin(-kInf, kNaN), -kInf);
  EXPECT_FALSE(std::signbit(GoMax(-0.0, 0.0)));
  EXPECT_TRUE(std::signbit(GoMin(0.0, -0.0)));
  EXPECT_EQ(GoMax(1, 2), 2);
  EXPECT_EQ(GoMin(1, 2), 1);
}

TEST(HelpersTest, AnnotationsAreDeduplicated) {
  Annotations a;
  functions_internal::AddWarning(&a, "w");
  functions_internal::AddWarning(&a, "w");
  functions_internal::AddInfo(&a, "i");
  functions_internal::AddInfo(&a, "j");
  functions_internal::AddInfo(&a, "i");
  functions_internal::AddInfo(nullptr, "ignored");
  EXPECT_THAT(a.warnings, ElementsAre("w"));
  EXPECT_THAT(a.infos, ElementsAre("i", "j"));
}

}  // namespace
}  // namespace fraisier::promql
