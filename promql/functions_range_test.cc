#include <cmath>
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "engine/base/status_matchers.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "promql/eval_functions.h"
#include "promql/functions.h"

namespace fraisier::promql {
namespace {

using ::fraisier::testing::StatusIs;
using ::testing::DoubleEq;
using ::testing::DoubleNear;
using ::testing::ElementsAre;
using ::testing::Eq;
using ::testing::HasSubstr;
using ::testing::IsEmpty;
using ::testing::IsNan;
using ::testing::Optional;

constexpr int64_t kSecond = 1000;
constexpr int64_t kMinute = 60 * kSecond;
const double kNaN = std::nan("");
const double kInf = INFINITY;

// A series loaded like promqltest's `load <step>`: values[i] at i*step;
// nullopt is a gap.
std::vector<FPoint> Load(int64_t step, std::vector<std::optional<double>> v) {
  std::vector<FPoint> out;
  for (size_t i = 0; i < v.size(); ++i) {
    if (v[i].has_value())
      out.push_back(FPoint{static_cast<int64_t>(i) * step, *v[i]});
  }
  return out;
}

// promqltest's `start+incxN`: N+1 values.
std::vector<std::optional<double>> Seq(double start, double inc, int n) {
  std::vector<std::optional<double>> out;
  for (int i = 0; i <= n; ++i) out.push_back(start + inc * i);
  return out;
}

std::vector<std::optional<double>> Cat(std::vector<std::optional<double>> a,
                                       std::vector<std::optional<double>> b) {
  a.insert(a.end(), b.begin(), b.end());
  return a;
}

struct Call {
  std::string name;
  Timestamp eval_time = 0;
  int64_t range_ms = 0;
  // The window end; defaults to eval_time (no offset or @).
  std::optional<Timestamp> window_end;
  std::vector<double> scalars;
  std::string metric_name = "x_total";
  Annotations* annotations = nullptr;
  absl::Status* error = nullptr;
};

// Runs a range function the way the evaluator does: on the points in the
// left-open window (end - range, end].
std::optional<double> Apply(const Call& c, const std::vector<FPoint>& series) {
  const RangeFunctionInfo* info = FindRangeFunction(c.name);
  EXPECT_NE(info, nullptr) << c.name;
  if (info == nullptr) return std::nullopt;
  const Timestamp end = c.window_end.value_or(c.eval_time);
  std::vector<FPoint> window;
  for (const FPoint& p : series) {
    if (p.t > end - c.range_ms && p.t <= end) window.push_back(p);
  }
  const Labels metric = Labels::FromPairs({{"__name__", c.metric_name}});
  RangeContext ctx;
  ctx.ts = c.eval_time;
  ctx.range_start = end - c.range_ms;
  ctx.range_ms = c.range_ms;
  ctx.metric = &metric;
  ctx.metric_name = c.metric_name;
  ctx.scalars = c.scalars;
  ctx.annotations = c.annotations;
  ctx.error = c.error;
  return info->fn(ctx, window);
}

std::optional<double> Apply(absl::string_view name, Timestamp at,
                            int64_t range_ms, const std::vector<FPoint>& s) {
  Call c;
  c.name = std::string(name);
  c.eval_time = at;
  c.range_ms = range_ms;
  return Apply(c, s);
}

TEST(RangeFunctionsTest, RegistryCoversTheRangeVectorFunctions) {
  // Every function of the parser's table that takes a range vector, except
  // the unsupported `integral` (no Prometheus implementation exists).
  for (const FunctionInfo* f : AllFunctions()) {
    bool takes_matrix = false;
    for (ValueType t : f->arg_types) takes_matrix |= t == ValueType::kMatrix;
    if (!takes_matrix || f->name == "integral") continue;
    EXPECT_NE(FindRangeFunction(f->name), nullptr) << f->name;
    EXPECT_EQ(FindVectorFunction(f->name), nullptr) << f->name;
  }
  EXPECT_EQ(FindRangeFunction("integral"), nullptr);
  EXPECT_EQ(FindRangeFunction("abs"), nullptr);
  EXPECT_EQ(FindRangeFunction("nope"), nullptr);
}

TEST(RangeFunctionsTest, OnlyFirstAndLastOverTimeKeepTheName) {
  for (const FunctionInfo* f : AllFunctions()) {
    const RangeFunctionInfo* info = FindRangeFunction(f->name);
    if (info == nullptr) continue;
    const bool keeps =
        f->name == "first_over_time" || f->name == "last_over_time";
    EXPECT_EQ(info->keeps_metric_name, keeps) << f->name;
  }
}

TEST(RangeFunctionsTest, EmptyWindowGivesNoOutput) {
  for (const FunctionInfo* f : AllFunctions()) {
    const RangeFunctionInfo* info = FindRangeFunction(f->name);
    if (info == nullptr) continue;
    Call c;
    c.name = std::string(f->name);
    c.eval_time = 10 * kMinute;
    c.range_ms = kMinute;
    c.scalars = {0.5, 0.5};
    EXPECT_EQ(Apply(c, {}), std::nullopt) << f->name;
  }
}

// functions.test "Tests for increase()".
TEST(RateTest, IncreaseExtrapolation) {
  const auto foo = Load(5 * kMinute, Seq(0, 10, 10));
  const auto bar = Load(5 * kMinute, Cat(Seq(0, 18, 5), Seq(0, 18, 5)));
  const auto dings = Load(5 * kMinute, Seq(10, 10, 10));
  const auto bumms = Load(5 * kMinute, Seq(1, 10, 10));
  EXPECT_THAT(Apply("increase", 50 * kMinute, 50 * kMinute, foo),
              Optional(DoubleEq(100)));
  EXPECT_THAT(Apply("increase", 50 * kMinute, 50 * kMinute, bar),
              Optional(DoubleEq(160)));
  EXPECT_THAT(Apply("increase", 50 * kMinute, 50 * kMinute, dings),
              Optional(DoubleEq(100)));
  EXPECT_THAT(Apply("increase", 50 * kMinute, 50 * kMinute, bumms),
              Optional(DoubleEq(100)));
  // Extrapolation to the start is limited by half an interval, and for
  // counters by where the counter would reach zero.
  EXPECT_THAT(Apply("increase", 50 * kMinute, 100 * kMinute, foo),
              Optional(DoubleEq(100)));
  EXPECT_THAT(Apply("increase", 50 * kMinute, 100 * kMinute, bar),
              Optional(DoubleEq(162)));
  EXPECT_THAT(Apply("increase", 50 * kMinute, 100 * kMinute, dings),
              Optional(DoubleEq(105)));
  EXPECT_THAT(Apply("increase", 50 * kMinute, 100 * kMinute, bumms),
              Optional(DoubleEq(101)));
}

TEST(RateTest, IncreaseCountsResets) {
  const auto s = Load(5 * kMinute, {0, 1, 2, 3, 2, 3, 4});
  EXPECT_THAT(Apply("increase", 30 * kMinute, 30 * kMinute, s),
              Optional(DoubleEq(7)));
}

TEST(RateTest, Rate) {
  const auto middle = Load(5 * kMinute, Cat(Seq(0, 27, 4), Seq(0, 27, 5)));
  EXPECT_THAT(Apply("rate", 50 * kMinute, 50 * kMinute, middle),
              Optional(DoubleEq(0.08)));
  // A reset in the last sample: one sample in 5m, two in 6m.
  const auto end = Load(5 * kMinute, Cat(Seq(0, 10, 9), {0, 10}));
  EXPECT_EQ(Apply("rate", 50 * kMinute, 5 * kMinute, end), std::nullopt);
  EXPECT_THAT(Apply("rate", 50 * kMinute, 6 * kMinute, end),
              Optional(DoubleEq(0)));
  const auto window = Load(5 * kMinute, Seq(0, 80, 10));
  EXPECT_THAT(Apply("rate", 50 * kMinute, 50 * kMinute, window),
              Optional(DoubleEq(0.26666666666666666)));
}

TEST(RateTest, RateWithOffsetUsesTheShiftedWindow) {
  // rate(calculate_rate_offset_total[10m] offset 5m) at 50m.
  Call c;
  c.name = "rate";
  c.eval_time = 50 * kMinute;
  c.window_end = 45 * kMinute;
  c.range_ms = 10 * kMinute;
  EXPECT_THAT(Apply(c, Load(5 * kMinute, Seq(0, 10, 10))),
              Optional(DoubleEq(0.03333333333333333)));
  EXPECT_THAT(Apply(c, Load(5 * kMinute, Seq(0, 20, 10))),
              Optional(DoubleEq(0.06666666666666667)));
}

TEST(RateTest, ZeroCutoff) {
  // functions.test testcounter_zero_cutoff_total, load 4m.
  const double want_at_10m[] = {0.5, 0.55, 0.6, 0.6, 0.6, 0.6};
  for (int start = 0; start < 6; ++start) {
    const auto s = Load(4 * kMinute, Seq(60.0 * start, 240, 10));
    EXPECT_THAT(Apply("rate", 10 * kMinute, 20 * kMinute, s),
                Optional(DoubleEq(want_at_10m[start])))
        << start;
    EXPECT_THAT(Apply("rate", 50 * kMinute, 20 * kMinute, s),
                Optional(DoubleEq(0.6)))
        << start;
  }
}

TEST(RateTest, DeltaIsNotResetCorrected) {
  const auto foo = Load(5 * kMinute, {0, 50, 100, 150, 200});
  const auto bar = Load(5 * kMinute, {200, 150, 100, 50, 0});
  EXPECT_THAT(Apply("delta", 20 * kMinute, 20 * kMinute, foo),
              Optional(DoubleEq(200)));
  EXPECT_THAT(Apply("delta", 20 * kMinute, 20 * kMinute, bar),
              Optional(DoubleEq(-200)));
}

TEST(RateTest, NeedsTwoSamples) {
  const auto one = Load(kMinute, {5});
  EXPECT_EQ(Apply("rate", 0, kMinute, one), std::nullopt);
  EXPECT_EQ(Apply("increase", 0, kMinute, one), std::nullopt);
  EXPECT_EQ(Apply("delta", 0, kMinute, one), std::nullopt);
  EXPECT_EQ(Apply("irate", 0, kMinute, one), std::nullopt);
  EXPECT_EQ(Apply("idelta", 0, kMinute, one), std::nullopt);
  EXPECT_EQ(Apply("deriv", 0, kMinute, one), std::nullopt);
}

TEST(RateTest, NonCounterNameIsFlaggedForRateAndIncrease) {
  const auto s = Load(kMinute, {1, 2, 3});
  const std::string info =
      "PromQL info: metric might not be a counter, name does not end in "
      "_total/_sum/_count/_bucket: \"requests\"";
  for (const char* name : {"rate", "increase"}) {
    Annotations annotations;
    Call c;
    c.name = name;
    c.eval_time = 2 * kMinute;
    c.range_ms = 5 * kMinute;
    c.metric_name = "requests";
    c.annotations = &annotations;
    ASSERT_TRUE(Apply(c, s).has_value());
    ASSERT_TRUE(Apply(c, s).has_value());  // reported once
    EXPECT_THAT(annotations.infos, ElementsAre(info)) << name;
    EXPECT_THAT(annotations.warnings, IsEmpty());
  }
  for (const char* suffix : {"_total", "_sum", "_count", "_bucket"}) {
    Annotations annotations;
    Call c;
    c.name = "rate";
    c.eval_time = 2 * kMinute;
    c.range_ms = 5 * kMinute;
    c.metric_name = std::string("requests") + suffix;
    c.annotations = &annotations;
    ASSERT_TRUE(Apply(c, s).has_value());
    EXPECT_THAT(annotations.infos, IsEmpty()) << suffix;
  }
  // No output, no info; other functions never flag.
  for (const char* name : {"rate", "delta", "irate", "idelta", "deriv"}) {
    Annotations annotations;
    Call c;
    c.name = name;
    c.eval_time = 2 * kMinute;
    c.range_ms = std::string(name) == "rate" ? 30 * kSecond : 5 * kMinute;
    c.metric_name = "requests";
    c.annotations = &annotations;
    Apply(c, s);
    EXPECT_THAT(annotations.infos, IsEmpty()) << name;
  }
}

TEST(IrateTest, LastTwoSamples) {
  const auto foo = Load(5 * kMinute, Seq(0, 10, 10));
  const auto bar = Load(5 * kMinute, Cat(Seq(0, 10, 5), Seq(0, 10, 5)));
  EXPECT_THAT(Apply("irate", 50 * kMinute, 50 * kMinute, foo),
              Optional(DoubleEq(0.03333333333333333)));
  EXPECT_THAT(Apply("irate", 50 * kMinute, 50 * kMinute, bar),
              Optional(DoubleEq(0.03333333333333333)));
  // Counter reset between the last two samples: the last value / interval.
  EXPECT_THAT(Apply("irate", 30 * kMinute, 50 * kMinute, bar),
              Optional(DoubleEq(0)));
  // http_requests_nan 1 NaN NaN 5 11, [15m1s].
  const auto nan = Load(5 * kMinute, {1, kNaN, kNaN, 5, 11});
  const int64_t range = 15 * kMinute + kSecond;
  EXPECT_EQ(Apply("irate", 0, range, nan), std::nullopt);
  EXPECT_THAT(Apply("irate", 5 * kMinute, range, nan), Optional(IsNan()));
  EXPECT_THAT(Apply("irate", 15 * kMinute, range, nan), Optional(IsNan()));
  EXPECT_THAT(Apply("irate", 20 * kMinute, range, nan),
              Optional(DoubleEq(0.02)));
}

TEST(IdeltaTest, LastTwoSamples) {
  EXPECT_THAT(Apply("idelta", 20 * kMinute, 20 * kMinute,
                    Load(5 * kMinute, {0, 50, 100, 150})),
              Optional(DoubleEq(50)));
  EXPECT_THAT(Apply("idelta", 20 * kMinute, 20 * kMinute,
                    Load(5 * kMinute, {0, 50, 100, 50})),
              Optional(DoubleEq(-50)));
  const auto nan = Load(5 * kMinute, {1, kNaN, kNaN, 5, 11});
  const int64_t range = 15 * kMinute + kSecond;
  EXPECT_THAT(Apply("idelta", 10 * kMinute, range, nan), Optional(IsNan()));
  EXPECT_THAT(Apply("idelta", 20 * kMinute, range, nan), Optional(DoubleEq(6)));
}

// functions.test "Tests for deriv() and predict_linear()".
TEST(DerivTest, LinearRegression) {
  const auto reset_middle =
      Load(5 * kMinute, Cat(Seq(0, 10, 4), Seq(0, 10, 5)));
  EXPECT_THAT(Apply("deriv", 50 * kMinute, 100 * kMinute, reset_middle),
              Optional(DoubleEq(0.010606060606060607)));
  EXPECT_THAT(Apply("deriv", 50 * kMinute, 50 * kMinute,
                    Load(5 * kMinute, Seq(0, 80, 10))),
              Optional(DoubleEq(0.26666666666666666)));
  // Constant values: slope 0; an infinity anywhere: NaN.
  EXPECT_THAT(
      Apply("deriv", 10 * kMinute, 10 * kMinute, Load(kMinute, Seq(3, 0, 10))),
      Optional(DoubleEq(0)));
  auto inf = Cat({-kInf}, Cat(Seq(0, 80, 10), {kInf}));
  EXPECT_THAT(
      Apply("deriv", 100 * kMinute, 100 * kMinute, Load(5 * kMinute, inf)),
      Optional(IsNan()));
  EXPECT_THAT(Apply("deriv", 10 * kMinute, 10 * kMinute,
                    Load(kMinute, Seq(kInf, 0, 10))),
              Optional(IsNan()));
}

TEST(PredictLinearTest, FromTheEvaluationTime) {
  const auto s = Load(5 * kMinute, Cat(Seq(0, 10, 4), Seq(0, 10, 5)));
  Call c;
  c.name = "predict_linear";
  c.eval_time = 50 * kMinute;
  c.range_ms = 50 * kMinute;
  c.scalars = {3600};
  EXPECT_THAT(Apply(c, s), Optional(DoubleEq(70)));
  // predict_linear(x[55m] @ 3000, 3600): the window ends at 3000s, the
  // prediction is from the evaluation time.
  c.range_ms = 55 * kMinute;
  c.window_end = 3000 * kSecond;
  c.eval_time = 50 * kMinute;
  EXPECT_THAT(Apply(c, s), Optional(DoubleNear(76.81818181818181, 1e-12)));
  c.eval_time = 10 * kMinute;
  EXPECT_THAT(Apply(c, s), Optional(DoubleNear(51.36363636363637, 1e-12)));
  c.eval_time = 70 * kMinute;
  EXPECT_THAT(Apply(c, s), Optional(DoubleNear(89.54545454545455, 1e-12)));
  // Infinities make it NaN.
  Call inf = c;
  inf.window_end.reset();
  inf.eval_time = 100 * kMinute;
  inf.range_ms = 100 * kMinute;
  inf.scalars = {6000};
  EXPECT_THAT(
      Apply(inf, Load(5 * kMinute, Cat({-kInf}, Cat(Seq(0, 80, 10), {kInf})))),
      Optional(IsNan()));
  // Without the scalar argument there is nothing to compute.
  c.scalars.clear();
  EXPECT_EQ(Apply(c, s), std::nullopt);
}

// functions.test "Tests for resets()" and "changes()".
TEST(ResetsChangesTest, Counting) {
  const auto foo = Load(5 * kMinute, {1, 2, 3, 0, 1, 0, 0, 1, 2, 0});
  const auto bar = Load(5 * kMinute, {1, 2, 3, 4, 5, 1, 2, 3, 4, 5});
  const auto biz = Load(5 * kMinute, {0, 0, 0, 0, 0, 1, 1, 1, 1, 1});
  const int64_t at = 50 * kMinute;
  EXPECT_EQ(Apply("resets", at, 5 * kMinute, foo), std::nullopt);
  EXPECT_THAT(Apply("resets", at, 10 * kMinute, foo), Optional(DoubleEq(0)));
  EXPECT_THAT(Apply("resets", at, 20 * kMinute, foo), Optional(DoubleEq(1)));
  EXPECT_THAT(Apply("resets", at, 32 * kMinute, foo), Optional(DoubleEq(2)));
  EXPECT_THAT(Apply("resets", at, 32 * kMinute, bar), Optional(DoubleEq(1)));
  EXPECT_THAT(Apply("resets", at, 50 * kMinute, foo), Optional(DoubleEq(3)));
  EXPECT_THAT(Apply("resets", at, 50 * kMinute, biz), Optional(DoubleEq(0)));
  EXPECT_THAT(Apply("changes", at, 6 * kMinute, foo), Optional(DoubleEq(0)));
  EXPECT_THAT(Apply("changes", at, 20 * kMinute, foo), Optional(DoubleEq(2)));
  EXPECT_THAT(Apply("changes", at, 30 * kMinute, bar), Optional(DoubleEq(4)));
  EXPECT_THAT(Apply("changes", at, 50 * kMinute, foo), Optional(DoubleEq(7)));
  EXPECT_THAT(Apply("changes", at, 50 * kMinute, bar), Optional(DoubleEq(8)));
  EXPECT_THAT(Apply("changes", at, 50 * kMinute, biz), Optional(DoubleEq(1)));
  // NaN to NaN is no change; NaN to a number and back is.
  EXPECT_THAT(Apply("changes", 15 * kMinute, 20 * kMinute,
                    Load(5 * kMinute, {kNaN, kNaN, kNaN})),
              Optional(DoubleEq(0)));
  EXPECT_THAT(Apply("changes", 15 * kMinute, 20 * kMinute,
                    Load(5 * kMinute, {0, kNaN, 0})),
              Optional(DoubleEq(2)));
}

// functions.test "Tests for avg_over_time".
TEST(OverTimeTest, AvgOverTime) {
  struct Case {
    std::vector<std::optional<double>> values;
    double want;
  };
  const double big = 9.988465674311579e+307;
  const Case cases[] = {
      {{1, 2, 3, 4, 5}, 3},
      {{1, 2, 3, 4, kInf}, kInf},
      {{1, 2, 3, 4, -kInf}, -kInf},
      {{1, 2, 3, kInf, -kInf}, kNaN},
      {{kInf, 0, kInf}, kInf},
      {{kInf, kInf, kInf, -kInf}, kNaN},
      {{1, 2, 3, -kInf, -kInf}, -kInf},
      {{-kInf, 0, -kInf}, -kInf},
      {{-kInf, -kInf, -kInf, kInf}, kNaN},
      {{1, 2, -kInf, -kInf, kInf}, kNaN},
      {{big, big}, big},
      {{-big, -big, -big}, -big},
      {{-big, big}, 0},
      {{1, 2, 3, kNaN, kNaN}, kNaN},
  };
  for (const Case& c : cases) {
    std::optional<double> got = Apply("avg_over_time", 55 * kSecond, kMinute,
                                      Load(10 * kSecond, c.values));
    ASSERT_TRUE(got.has_value());
    if (std::isnan(c.want)) {
      EXPECT_THAT(*got, IsNan());
    } else {
      EXPECT_THAT(*got, DoubleEq(c.want));
    }
  }
  const auto metric = Load(10 * kSecond, {1, 2, 3, 4, 5});
  EXPECT_EQ(Apply("avg_over_time", 55 * kSecond, 10 * kSecond, metric),
            std::nullopt);
  EXPECT_THAT(Apply("avg_over_time", 55 * kSecond, 20 * kSecond, metric),
              Optional(DoubleEq(5)));
  EXPECT_THAT(Apply("avg_over_time", 20 * kSecond, kMinute,
                    Load(10 * kSecond, {1, 2, 3, kNaN, kNaN})),
              Optional(DoubleEq(2)));
}

TEST(OverTimeTest, AvgOverTimeExtremeValues) {
  auto avg = [](std::vector<std::optional<double>> v) {
    return *Apply("avg_over_time", 55 * kSecond, kMinute, Load(5 * kSecond, v));
  };
  EXPECT_DOUBLE_EQ(avg({1e10, 1e-6, 1e-6, 1e-6, 1e-6, 1e-6}),
                   1.6666666666666675e+09);
  EXPECT_NEAR(avg({1.78264e50, 0.76342771, 1.9592258, 7.69805412, 458.90154}),
              3.56528E+49, 1e35);
  EXPECT_NEAR(avg({1.78264E+50, 0.76342771, 1.9592258, 2.258E+220, 7.69805412,
                   458.90154}),
              3.76333333333333E+219, 1e205);
  EXPECT_NEAR(avg({-1.78264E+50, 0.76342771, 1.9592258, -2.258E+220, 7.69805412,
                   -458.90154}),
              -3.76333333333333E+219, 1e205);
  EXPECT_NEAR(avg({-1.78264E+215, 0.76342771, 1.9592258, 2.258E+220, 7.69805412,
                   -458.90154}),
              3.76330362266667E+219, 1e205);
  EXPECT_NEAR(avg({-1.78264E+215, 0.76342771, 1.9592258, 2.258E+220, 7.69805412,
                   1.78264E+215, -458.90154}),
              3.225714285714286e+219, 1e205);
  EXPECT_NEAR(
      avg({-1.78264E+219, 0.76342771, 1.9592258, 2.3757689E+217,
           -2.3757689E+217, 2.258E+220, 7.69805412, 1.78264E+219, -458.90154}),
      2.5088888888888888e+219, 1e205);
  // Kahan summation cannot save this one; Prometheus gets 0 too.
  EXPECT_EQ(
      avg({-2.258E+220, -1.78264E+219, 0.76342771, 1.9592258, 2.3757689E+217,
           -2.3757689E+217, 2.258E+220, 7.69805412, 1.78264E+219, -458.90154}),
      0);
  // A constant series averages to exactly itself.
  for (int64_t range : {100, 110, 120, 130}) {
    EXPECT_EQ(*Apply("avg_over_time", 10 * kMinute, range * kSecond,
                     Load(10 * kSecond, Seq(52, 0, 100))),
              52);
  }
}

TEST(OverTimeTest, SumAndCount) {
  const auto big = Load(10 * kSecond, {1, 1e100, 1, -1e100});
  EXPECT_THAT(Apply("sum_over_time", kMinute, 2 * kMinute, big),
              Optional(DoubleEq(2)));
  EXPECT_THAT(Apply("avg_over_time", kMinute, 2 * kMinute, big),
              Optional(DoubleEq(0.5)));
  const auto dense = Load(1, Seq(1, 0, 4000));
  for (int64_t ms : {1000, 1001, 1002, 1003, 2000, 2003, 3003}) {
    EXPECT_THAT(Apply("sum_over_time", 4 * kSecond, ms, dense),
                Optional(DoubleEq(static_cast<double>(ms))));
    EXPECT_THAT(Apply("count_over_time", 4 * kSecond, ms, dense),
                Optional(DoubleEq(static_cast<double>(ms))));
  }
  const auto overflow =
      Load(10 * kSecond, {9.988465674311579e+307, 9.988465674311579e+307});
  EXPECT_THAT(Apply("sum_over_time", 55 * kSecond, kMinute, overflow),
              Optional(DoubleEq(kInf)));
  EXPECT_THAT(Apply("count_over_time", kMinute, 2 * kMinute,
                    Load(10 * kSecond, {kNaN, kNaN, kNaN})),
              Optional(DoubleEq(3)));
}

// functions.test "Tests for *_over_time" (data{type=...}).
TEST(OverTimeTest, MinMaxLastFirstWithNaN) {
  struct Case {
    std::vector<std::optional<double>> values;
    double min, max, last, first;
  };
  const Case cases[] = {
      {{2, 0, 3}, 0, 3, 3, 2},
      {{2, 0, kNaN}, 0, 2, kNaN, 2},
      {{2, kNaN, 1}, 1, 2, 1, 2},
      {{kNaN, 0, 1}, 0, 1, 1, kNaN},
      {{kNaN, kNaN, kNaN}, kNaN, kNaN, kNaN, kNaN},
      {{std::nullopt, 5, 2, std::nullopt, 4}, 2, 5, 4, 5},
  };
  auto expect = [](absl::string_view fn, const Case& c, double want) {
    std::optional<double> got =
        Apply(fn, kMinute, 2 * kMinute, Load(10 * kSecond, c.values));
    ASSERT_TRUE(got.has_value()) << fn;
    if (std::isnan(want)) {
      EXPECT_THAT(*got, IsNan()) << fn;
    } else {
      EXPECT_THAT(*got, DoubleEq(want)) << fn;
    }
  };
  for (const Case& c : cases) {
    expect("min_over_time", c, c.min);
    expect("max_over_time", c, c.max);
    expect("last_over_time", c, c.last);
    expect("first_over_time", c, c.first);
    expect("present_over_time", c, 1);
    expect("absent_over_time", c, 1);
  }
}

TEST(OverTimeTest, StddevStdvar) {
  const auto s = Load(10 * kSecond, {0, 8, 8, 2, 3});
  EXPECT_THAT(Apply("stdvar_over_time", kMinute, 2 * kMinute, s),
              Optional(DoubleNear(10.56, 1e-12)));
  EXPECT_THAT(Apply("stddev_over_time", kMinute, 2 * kMinute, s),
              Optional(DoubleNear(3.249615, 1e-6)));
  const auto constant =
      Load(10 * kSecond,
           {1.5990505637277868, 1.5990505637277868, 1.5990505637277868});
  EXPECT_THAT(Apply("stdvar_over_time", 55 * kSecond, kMinute, constant),
              Optional(Eq(0)));
  EXPECT_THAT(Apply("stddev_over_time", 55 * kSecond, kMinute, constant),
              Optional(Eq(0)));
}

TEST(OverTimeTest, MadOverTime) {
  EXPECT_THAT(Apply("mad_over_time", 70 * kSecond, 70 * kSecond,
                    Load(10 * kSecond, {4, 6, 2, 1, 999, 1, 2})),
              Optional(DoubleEq(1)));
  EXPECT_THAT(Apply("mad_over_time", 40 * kSecond, 50 * kSecond,
                    Load(10 * kSecond, {1, 2, 3, 4, 5})),
              Optional(DoubleEq(1)));
  EXPECT_THAT(Apply("mad_over_time", 40 * kSecond, 50 * kSecond,
                    Load(10 * kSecond, {7, 7, 7, 7, 7})),
              Optional(DoubleEq(0)));
  EXPECT_THAT(Apply("mad_over_time", 0, 10 * kSecond, Load(10 * kSecond, {5})),
              Optional(DoubleEq(0)));
  EXPECT_THAT(Apply("mad_over_time", 30 * kSecond, 40 * kSecond,
                    Load(10 * kSecond, {1, 2, kNaN, 4})),
              Optional(IsNan()));
}

TEST(OverTimeTest, TimestampsOfExtremesAndEnds) {
  // load 10s53ms; metric 1 2 3 0 5 6 2 1 4.
  const auto s = Load(10053, {1, 2, 3, 0, 5, 6, 2, 1, 4});
  EXPECT_THAT(Apply("ts_of_min_over_time", 90 * kSecond, 90 * kSecond, s),
              Optional(DoubleEq(30.159)));
  EXPECT_THAT(Apply("ts_of_max_over_time", 90 * kSecond, 90 * kSecond, s),
              Optional(DoubleEq(50.265)));
  const auto last = Load(10053, {1, 2, 3, std::nullopt, std::nullopt});
  EXPECT_THAT(Apply("ts_of_last_over_time", 90 * kSecond, 90 * kSecond, last),
              Optional(DoubleEq(20.106)));
  EXPECT_THAT(Apply("ts_of_last_over_time", 95 * kSecond, 90 * kSecond, last),
              Optional(DoubleEq(20.106)));
  const auto first = Load(10053, {std::nullopt, std::nullopt, 1, 2, 3});
  EXPECT_THAT(Apply("ts_of_first_over_time", 90 * kSecond, 90 * kSecond, first),
              Optional(DoubleEq(20.106)));
  EXPECT_EQ(Apply("ts_of_first_over_time", 15 * kSecond, 90 * kSecond, first),
            std::nullopt);
  // Ties: the last extreme wins; NaN only when all are NaN.
  const auto ties = Load(kSecond, {kNaN, 1, 5, 1, 5, kNaN});
  EXPECT_THAT(Apply("ts_of_max_over_time", 5 * kSecond, 10 * kSecond, ties),
              Optional(DoubleEq(4)));
  EXPECT_THAT(Apply("ts_of_min_over_time", 5 * kSecond, 10 * kSecond, ties),
              Optional(DoubleEq(3)));
}

TEST(OverTimeTest, QuantileOverTime) {
  const auto two = Load(10 * kSecond, {0, 1});
  const auto three = Load(10 * kSecond, {0, 1, 2});
  const auto uneven = Load(10 * kSecond, {0, 1, 4});
  struct Case {
    double q;
    double two, three, uneven;
  };
  const Case cases[] = {
      {0, 0, 0, 0},          {0.5, 0.5, 1, 1}, {0.75, 0.75, 1.5, 2.5},
      {0.8, 0.8, 1.6, 2.8},  {1, 1, 2, 4},     {-1, -kInf, -kInf, -kInf},
      {2, kInf, kInf, kInf},
  };
  for (const Case& c : cases) {
    Annotations annotations;
    Call call;
    call.name = "quantile_over_time";
    call.eval_time = kMinute;
    call.range_ms = 2 * kMinute;
    call.scalars = {c.q};
    call.annotations = &annotations;
    EXPECT_THAT(Apply(call, two), Optional(DoubleEq(c.two))) << c.q;
    EXPECT_THAT(Apply(call, three), Optional(DoubleEq(c.three))) << c.q;
    EXPECT_THAT(Apply(call, uneven), Optional(DoubleEq(c.uneven))) << c.q;
    if (c.q >= 0 && c.q <= 1) {
      EXPECT_THAT(annotations.warnings, IsEmpty());
    } else {
      EXPECT_THAT(annotations.warnings,
                  ElementsAre("PromQL warning: quantile value should be "
                              "between 0 and 1, got " +
                              std::string(c.q < 0 ? "-1" : "2")));
    }
    EXPECT_THAT(annotations.infos, IsEmpty());
  }
  Annotations annotations;
  Call nan;
  nan.name = "quantile_over_time";
  nan.eval_time = kMinute;
  nan.range_ms = 2 * kMinute;
  nan.scalars = {kNaN};
  nan.annotations = &annotations;
  EXPECT_THAT(Apply(nan, two), Optional(IsNan()));
  EXPECT_THAT(annotations.warnings,
              ElementsAre("PromQL warning: quantile value should be between 0 "
                          "and 1, got NaN"));
  // NaN samples sort first.
  nan.scalars = {0.5};
  EXPECT_THAT(Apply(nan, Load(10 * kSecond, {kNaN, 1, 3})),
              Optional(DoubleEq(1)));
  // An empty window is not flagged.
  Annotations none;
  nan.scalars = {7};
  nan.annotations = &none;
  EXPECT_EQ(Apply(nan, {}), std::nullopt);
  EXPECT_THAT(none.warnings, IsEmpty());
}

// functions.test "Tests for double_exponential_smoothing".
TEST(DoubleExponentialSmoothingTest, Values) {
  Call c;
  c.name = "double_exponential_smoothing";
  c.eval_time = 8000 * kSecond;
  c.range_ms = kMinute;
  c.scalars = {0.01, 0.1};
  const struct {
    std::vector<std::optional<double>> values;
    double want;
  } cases[] = {
      {Cat(Seq(0, 10, 1000), Seq(100, 30, 1000)), 8000},
      {Cat(Seq(0, 20, 1000), Seq(200, 30, 1000)), 16000},
      {Cat(Seq(0, 30, 1000), Seq(300, 80, 1000)), 24000},
      {Seq(0, 40, 2000), 32000},
      {Seq(8000, -10, 1000), 0},
      {Seq(0, -20, 1000), -16000},
      {Cat(Seq(0, -40, 1000), Seq(0, 40, 1000)), -32000},
  };
  for (const auto& tc : cases) {
    EXPECT_THAT(Apply(c, Load(10 * kSecond, tc.values)),
                Optional(DoubleNear(tc.want, 1e-6)));
  }
  // One sample: no output.
  EXPECT_EQ(Apply(c, Load(7990 * kSecond, {1, 2})), std::nullopt);
}

TEST(DoubleExponentialSmoothingTest, InvalidFactorsAreErrors) {
  const auto s = Load(10 * kSecond, Seq(0, 10, 10));
  struct Case {
    double sf, tf;
    std::string message;
  };
  const Case cases[] = {
      {0, 0.5, "invalid smoothing factor. Expected: 0 < sf < 1, got: 0.000000"},
      {1, 0.5, "invalid smoothing factor. Expected: 0 < sf < 1, got: 1.000000"},
      {-0.5, 0.5,
       "invalid smoothing factor. Expected: 0 < sf < 1, got: -0.500000"},
      {0.5, 0, "invalid trend factor. Expected: 0 < tf < 1, got: 0.000000"},
      {0.5, 1.5, "invalid trend factor. Expected: 0 < tf < 1, got: 1.500000"},
      {0.5, kInf, "invalid trend factor. Expected: 0 < tf < 1, got: +Inf"},
  };
  for (const Case& tc : cases) {
    absl::Status error;
    Call c;
    c.name = "double_exponential_smoothing";
    c.eval_time = 100 * kSecond;
    c.range_ms = kMinute;
    c.scalars = {tc.sf, tc.tf};
    c.error = &error;
    EXPECT_EQ(Apply(c, s), std::nullopt);
    EXPECT_THAT(error,
                StatusIs(absl::StatusCode::kInvalidArgument, tc.message));
    // Without samples the factors are not checked.
    absl::Status quiet;
    c.error = &quiet;
    EXPECT_EQ(Apply(c, {}), std::nullopt);
    EXPECT_TRUE(quiet.ok());
    // No error sink: still no output, and no crash.
    c.error = nullptr;
    EXPECT_EQ(Apply(c, s), std::nullopt);
  }
  // A NaN factor passes the check (as in Prometheus) and yields NaN.
  absl::Status error;
  Call c;
  c.name = "double_exponential_smoothing";
  c.eval_time = 100 * kSecond;
  c.range_ms = kMinute;
  c.scalars = {kNaN, 0.5};
  c.error = &error;
  EXPECT_THAT(Apply(c, s), Optional(IsNan()));
  EXPECT_TRUE(error.ok());
}

}  // namespace
}  // namespace fraisier::promql
