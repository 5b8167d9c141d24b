#include <cmath>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "engine/base/status_matchers.h"
#include "engine/model/labels.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "promql/eval_functions.h"

namespace fraisier::promql {
namespace {

using ::fraisier::testing::IsOk;
using ::fraisier::testing::StatusIs;

double One(absl::string_view fn, double unix_seconds) {
  VectorFunction f = FindVectorFunction(fn);
  EXPECT_NE(f, nullptr) << fn;
  if (f == nullptr) return -1;
  const Vector in = {
      VectorSample{Labels::FromPairs({{"__name__", "m"}, {"a", "b"}}), 0,
                   unix_seconds, false}};
  std::vector<Arg> args = {in};
  VectorContext ctx;
  ctx.ts = 123;
  Vector out;
  EXPECT_THAT(f(ctx, args, &out), IsOk());
  EXPECT_EQ(out.size(), 1u);
  if (out.size() != 1) return -1;
  EXPECT_EQ(out[0].metric.ToString(), "{__name__=\"m\", a=\"b\"}");
  EXPECT_TRUE(out[0].drop_name);
  return out[0].f;
}

double AtEvalTime(absl::string_view fn, Timestamp ts) {
  VectorFunction f = FindVectorFunction(fn);
  EXPECT_NE(f, nullptr) << fn;
  if (f == nullptr) return -1;
  VectorContext ctx;
  ctx.ts = ts;
  Vector out;
  EXPECT_THAT(f(ctx, {}, &out), IsOk());
  EXPECT_EQ(out.size(), 1u);
  if (out.size() != 1) return -1;
  EXPECT_TRUE(out[0].metric.empty());
  EXPECT_FALSE(out[0].drop_name);
  return out[0].f;
}

// functions.test "Test time-related functions".
TEST(TimeFunctionsTest, Corpus) {
  EXPECT_EQ(AtEvalTime("year", 0), 1970);
  EXPECT_EQ(AtEvalTime("month", 0), 1);
  EXPECT_EQ(AtEvalTime("day_of_month", 0), 1);
  EXPECT_EQ(AtEvalTime("day_of_year", 0), 1);
  EXPECT_EQ(AtEvalTime("day_of_week", 0), 4);  // Thursday
  EXPECT_EQ(AtEvalTime("hour", 0), 0);
  EXPECT_EQ(AtEvalTime("minute", 0), 0);
  EXPECT_EQ(AtEvalTime("days_in_month", 0), 31);

  // 2006-01-02 22:04:05 UTC.
  EXPECT_EQ(One("year", 1136239445), 2006);
  EXPECT_EQ(One("month", 1136239445), 1);
  EXPECT_EQ(One("day_of_month", 1136239445), 2);
  EXPECT_EQ(One("day_of_year", 1136239445), 2);
  EXPECT_EQ(One("day_of_week", 1136239445), 1);
  EXPECT_EQ(One("hour", 1136239445), 22);
  EXPECT_EQ(One("minute", 1136239445), 4);
  // Around the 2008 leap second.
  EXPECT_EQ(One("year", 1230767999), 2008);
  EXPECT_EQ(One("year", 1230768000), 2009);
  // Leap years.
  EXPECT_EQ(One("month", 1456790399), 2);
  EXPECT_EQ(One("day_of_month", 1456790399), 29);
  EXPECT_EQ(One("month", 1456790400), 3);
  EXPECT_EQ(One("day_of_month", 1456790400), 1);
  EXPECT_EQ(One("day_of_year", 1483191420), 366);
  EXPECT_EQ(One("day_of_year", 1672493820), 365);
  EXPECT_EQ(One("days_in_month", 1454284800), 29);
  EXPECT_EQ(One("days_in_month", 1485907200), 28);
}

TEST(TimeFunctionsTest, EdgeValues) {
  // Fractions truncate towards zero, as Go's int64 conversion.
  EXPECT_EQ(One("minute", 59.9), 0);
  EXPECT_EQ(One("minute", -0.5), 0);
  EXPECT_EQ(One("year", -0.5), 1970);
  // Before the epoch.
  EXPECT_EQ(One("year", -1), 1969);
  EXPECT_EQ(One("month", -1), 12);
  EXPECT_EQ(One("day_of_month", -1), 31);
  EXPECT_EQ(One("hour", -1), 23);
  EXPECT_EQ(One("minute", -1), 59);
  EXPECT_EQ(One("day_of_week", -1), 3);
  EXPECT_EQ(One("day_of_year", -1), 365);
  // 2000-02-29 (leap, divisible by 400) and 2100-02-01 (not leap).
  EXPECT_EQ(One("days_in_month", 951782400), 29);
  EXPECT_EQ(One("days_in_month", 4105123200), 28);
  EXPECT_EQ(One("days_in_month", 4102444800), 31);  // 2100-01-01
  EXPECT_EQ(One("day_of_week", 4102444800), 5);     // a Friday
  // Far away, still correct proleptic Gregorian dates.
  EXPECT_EQ(One("year", 253402300799), 9999);  // 9999-12-31 23:59:59
  EXPECT_EQ(One("year", -62135596800), 1);     // 0001-01-01
  EXPECT_EQ(One("year", -62135596801), 0);
  // Not a time: NaN.
  for (double v :
       {std::nan(""), double{INFINITY}, -double{INFINITY}, 1e19, -1e300}) {
    EXPECT_TRUE(std::isnan(One("year", v))) << v;
    EXPECT_TRUE(std::isnan(One("days_in_month", v))) << v;
  }
  // Evaluation times are truncated to whole seconds.
  EXPECT_EQ(AtEvalTime("minute", 119999), 1);
  EXPECT_EQ(AtEvalTime("minute", -1), 0);
}

TEST(TimeFunctionsTest, EmptyAndWrongInput) {
  VectorFunction year = FindVectorFunction("year");
  ASSERT_NE(year, nullptr);
  VectorContext ctx;
  Vector out;
  std::vector<Arg> empty = {Vector{}};
  EXPECT_THAT(year(ctx, empty, &out), IsOk());
  EXPECT_TRUE(out.empty());
  std::vector<Arg> wrong = {Scalar{0, 1}};
  EXPECT_THAT(year(ctx, wrong, &out), StatusIs(absl::StatusCode::kInternal));
}

}  // namespace
}  // namespace fraisier::promql
