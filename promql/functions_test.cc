#include "promql/functions.h"

#include <string>
#include <vector>

#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace fraisier::promql {
namespace {

using ::testing::ElementsAre;
using ::testing::IsEmpty;

constexpr ValueType kS = ValueType::kScalar;
constexpr ValueType kV = ValueType::kVector;
constexpr ValueType kM = ValueType::kMatrix;
constexpr ValueType kT = ValueType::kString;

const FunctionInfo& Get(absl::string_view name) {
  const FunctionInfo* f = LookupFunction(name);
  EXPECT_NE(f, nullptr) << name;
  static const FunctionInfo kMissing;
  return f != nullptr ? *f : kMissing;
}

TEST(FunctionsTest, CountMatchesPrometheus) {
  EXPECT_EQ(AllFunctions().size(), 91u);
}

TEST(FunctionsTest, AllFunctionsSortedAndUnique) {
  const auto& all = AllFunctions();
  for (size_t i = 1; i < all.size(); ++i) {
    EXPECT_LT(all[i - 1]->name, all[i]->name);
  }
}

TEST(FunctionsTest, EveryEntryIsFoundByLookup) {
  for (const FunctionInfo* f : AllFunctions()) {
    EXPECT_EQ(LookupFunction(f->name), f) << f->name;
  }
}

TEST(FunctionsTest, EveryDocumentedFunctionPresent) {
  const char* const kNames[] = {"abs",
                                "absent",
                                "absent_over_time",
                                "acos",
                                "acosh",
                                "asin",
                                "asinh",
                                "atan",
                                "atanh",
                                "avg_over_time",
                                "ceil",
                                "changes",
                                "clamp",
                                "clamp_max",
                                "clamp_min",
                                "cos",
                                "cosh",
                                "count_over_time",
                                "days_in_month",
                                "day_of_month",
                                "day_of_week",
                                "day_of_year",
                                "deg",
                                "delta",
                                "deriv",
                                "double_exponential_smoothing",
                                "end",
                                "exp",
                                "first_over_time",
                                "floor",
                                "histogram_avg",
                                "histogram_count",
                                "histogram_fraction",
                                "histogram_quantile",
                                "histogram_quantiles",
                                "histogram_stddev",
                                "histogram_stdvar",
                                "histogram_sum",
                                "hour",
                                "idelta",
                                "increase",
                                "info",
                                "integral",
                                "irate",
                                "label_join",
                                "label_replace",
                                "last_over_time",
                                "ln",
                                "log10",
                                "log2",
                                "mad_over_time",
                                "max_of",
                                "max_over_time",
                                "min_of",
                                "min_over_time",
                                "minute",
                                "month",
                                "pi",
                                "predict_linear",
                                "present_over_time",
                                "quantile_over_time",
                                "rad",
                                "range",
                                "rate",
                                "resets",
                                "round",
                                "scalar",
                                "sgn",
                                "sin",
                                "sinh",
                                "sort",
                                "sort_by_label",
                                "sort_by_label_desc",
                                "sort_desc",
                                "sqrt",
                                "start",
                                "step",
                                "start_timestamp",
                                "stddev_over_time",
                                "stdvar_over_time",
                                "sum_over_time",
                                "tan",
                                "tanh",
                                "time",
                                "timestamp",
                                "ts_of_first_over_time",
                                "ts_of_last_over_time",
                                "ts_of_max_over_time",
                                "ts_of_min_over_time",
                                "vector",
                                "year"};
  EXPECT_EQ(std::size(kNames), AllFunctions().size());
  for (const char* name : kNames) {
    const FunctionInfo* f = LookupFunction(name);
    ASSERT_NE(f, nullptr) << name;
    EXPECT_EQ(f->name, name);
  }
}

TEST(FunctionsTest, UnknownNames) {
  EXPECT_EQ(LookupFunction("holt_winters"), nullptr);  // removed in 3.0
  EXPECT_EQ(LookupFunction("Rate"), nullptr);          // case-sensitive
  EXPECT_EQ(LookupFunction(""), nullptr);
  EXPECT_EQ(LookupFunction("rat"), nullptr);
  EXPECT_EQ(LookupFunction("rates"), nullptr);
  EXPECT_EQ(LookupFunction("zzz"), nullptr);
  EXPECT_EQ(LookupFunction("a"), nullptr);
  EXPECT_EQ(LookupFunction("sum"), nullptr);  // an aggregation, not a call
}

TEST(FunctionsTest, SimpleSignatures) {
  const FunctionInfo& rate = Get("rate");
  EXPECT_THAT(rate.arg_types, ElementsAre(kM));
  EXPECT_EQ(rate.variadic, 0);
  EXPECT_EQ(rate.return_type, kV);
  EXPECT_FALSE(rate.experimental);

  const FunctionInfo& abs = Get("abs");
  EXPECT_THAT(abs.arg_types, ElementsAre(kV));
  EXPECT_EQ(abs.return_type, kV);

  const FunctionInfo& scalar = Get("scalar");
  EXPECT_THAT(scalar.arg_types, ElementsAre(kV));
  EXPECT_EQ(scalar.return_type, kS);

  const FunctionInfo& vector = Get("vector");
  EXPECT_THAT(vector.arg_types, ElementsAre(kS));
  EXPECT_EQ(vector.return_type, kV);

  EXPECT_THAT(Get("clamp").arg_types, ElementsAre(kV, kS, kS));
  EXPECT_THAT(Get("clamp_max").arg_types, ElementsAre(kV, kS));
  EXPECT_THAT(Get("predict_linear").arg_types, ElementsAre(kM, kS));
  EXPECT_THAT(Get("quantile_over_time").arg_types, ElementsAre(kS, kM));
  EXPECT_THAT(Get("histogram_quantile").arg_types, ElementsAre(kS, kV));
  EXPECT_THAT(Get("histogram_fraction").arg_types, ElementsAre(kS, kS, kV));
  EXPECT_THAT(Get("label_replace").arg_types, ElementsAre(kV, kT, kT, kT, kT));
  EXPECT_EQ(Get("label_replace").variadic, 0);
}

TEST(FunctionsTest, NoArgumentFunctions) {
  for (const char* name : {"time", "pi"}) {
    const FunctionInfo& f = Get(name);
    EXPECT_THAT(f.arg_types, IsEmpty()) << name;
    EXPECT_EQ(f.return_type, kS) << name;
    EXPECT_FALSE(f.experimental) << name;
  }
  for (const char* name : {"start", "end", "range", "step"}) {
    const FunctionInfo& f = Get(name);
    EXPECT_THAT(f.arg_types, IsEmpty()) << name;
    EXPECT_EQ(f.return_type, kS) << name;
    EXPECT_TRUE(f.experimental) << name;
  }
}

TEST(FunctionsTest, OptionalVectorArgument) {
  for (const char* name : {"days_in_month", "day_of_month", "day_of_week",
                           "day_of_year", "hour", "minute", "month", "year"}) {
    const FunctionInfo& f = Get(name);
    EXPECT_THAT(f.arg_types, ElementsAre(kV)) << name;
    EXPECT_EQ(f.variadic, 1) << name;
    EXPECT_EQ(f.return_type, kV) << name;
  }
  const FunctionInfo& round = Get("round");
  EXPECT_THAT(round.arg_types, ElementsAre(kV, kS));
  EXPECT_EQ(round.variadic, 1);
}

TEST(FunctionsTest, UnboundedVariadic) {
  const FunctionInfo& join = Get("label_join");
  EXPECT_THAT(join.arg_types, ElementsAre(kV, kT, kT, kT));
  EXPECT_EQ(join.variadic, -1);
  EXPECT_FALSE(join.experimental);

  for (const char* name : {"sort_by_label", "sort_by_label_desc"}) {
    const FunctionInfo& f = Get(name);
    EXPECT_THAT(f.arg_types, ElementsAre(kV, kT)) << name;
    EXPECT_EQ(f.variadic, -1) << name;
    EXPECT_TRUE(f.experimental) << name;
  }
}

TEST(FunctionsTest, ExperimentalFunctions) {
  const FunctionInfo& quantiles = Get("histogram_quantiles");
  EXPECT_THAT(quantiles.arg_types, ElementsAre(kV, kT, kS, kS));
  EXPECT_EQ(quantiles.variadic, 9);
  EXPECT_TRUE(quantiles.experimental);

  const FunctionInfo& info = Get("info");
  EXPECT_THAT(info.arg_types, ElementsAre(kV, kV));
  EXPECT_EQ(info.variadic, 1);
  EXPECT_TRUE(info.experimental);

  const FunctionInfo& integral = Get("integral");
  EXPECT_THAT(integral.arg_types, ElementsAre(kM, kS));
  EXPECT_EQ(integral.variadic, 1);
  EXPECT_TRUE(integral.experimental);

  const FunctionInfo& des = Get("double_exponential_smoothing");
  EXPECT_THAT(des.arg_types, ElementsAre(kM, kS, kS));
  EXPECT_EQ(des.variadic, 0);
  EXPECT_TRUE(des.experimental);

  for (const char* name :
       {"first_over_time", "mad_over_time", "ts_of_first_over_time",
        "ts_of_last_over_time", "ts_of_max_over_time", "ts_of_min_over_time"}) {
    const FunctionInfo& f = Get(name);
    EXPECT_THAT(f.arg_types, ElementsAre(kM)) << name;
    EXPECT_TRUE(f.experimental) << name;
  }
}

TEST(FunctionsTest, StableOverTimeFunctions) {
  for (const char* name :
       {"avg_over_time", "count_over_time", "last_over_time", "max_over_time",
        "min_over_time", "present_over_time", "stddev_over_time",
        "stdvar_over_time", "sum_over_time", "absent_over_time", "changes",
        "delta", "deriv", "idelta", "increase", "irate", "resets"}) {
    const FunctionInfo& f = Get(name);
    EXPECT_THAT(f.arg_types, ElementsAre(kM)) << name;
    EXPECT_EQ(f.variadic, 0) << name;
    EXPECT_EQ(f.return_type, kV) << name;
    EXPECT_FALSE(f.experimental) << name;
  }
}

TEST(FunctionsTest, ExperimentalCount) {
  int experimental = 0;
  for (const FunctionInfo* f : AllFunctions()) experimental += f->experimental;
  // double_exponential_smoothing, end, first_over_time,
  // histogram_quantiles, info, integral, mad_over_time, range,
  // sort_by_label, sort_by_label_desc, start, step, ts_of_*_over_time (4).
  EXPECT_EQ(experimental, 19);
}

TEST(FunctionsTest, ScalarReturningFunctions) {
  std::vector<std::string> names;
  for (const FunctionInfo* f : AllFunctions()) {
    if (f->return_type == kS) names.emplace_back(f->name);
  }
  EXPECT_THAT(names, ElementsAre("end", "max_of", "min_of", "pi", "range",
                                 "scalar", "start", "step", "time"));
}

}  // namespace
}  // namespace fraisier::promql
