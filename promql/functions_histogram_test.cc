#include <cmath>
#include <string>
#include <utility>
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
using ::fraisier::testing::IsOkAndHolds;
using ::fraisier::testing::StatusIs;
using ::testing::AllOf;
using ::testing::DoubleNear;
using ::testing::ElementsAre;
using ::testing::Field;
using ::testing::IsEmpty;
using ::testing::IsNan;
using ::testing::Matcher;
using ::testing::Property;
using ::testing::UnorderedElementsAre;

const double kNaN = std::nan("");
const double kInf = INFINITY;

const char kMonotonicityInfo[] =
    "PromQL info: input to histogram_quantile needed to be fixed for "
    "monotonicity (see "
    "https://prometheus.io/docs/prometheus/latest/querying/functions/"
    "#histogram_quantile)";

// Buckets of one classic histogram: (le, count) pairs plus shared labels.
Vector Histogram(absl::string_view name,
                 std::vector<std::pair<std::string, std::string>> labels,
                 std::vector<std::pair<const char*, double>> buckets,
                 bool drop_name = false) {
  Vector out;
  for (const auto& [le, count] : buckets) {
    auto pairs = labels;
    if (!name.empty()) pairs.emplace_back("__name__", std::string(name));
    pairs.emplace_back("le", le);
    out.push_back(VectorSample{Labels::FromPairs(pairs), 0, count, drop_name});
  }
  return out;
}

Vector Cat(Vector a, const Vector& b) {
  a.insert(a.end(), b.begin(), b.end());
  return a;
}

// histograms.test's testhistogram_bucket at 50m.
Vector TestHistogram() {
  return Cat(Histogram("testhistogram_bucket", {{"start", "positive"}},
                       {{"0.1", 50}, {".2", 70}, {"1e0", 110}, {"+Inf", 120}}),
             Histogram("testhistogram_bucket", {{"start", "negative"}},
                       {{"-.2", 10}, {"-0.1", 20}, {"0.3", 20}, {"+Inf", 30}}));
}

// testhistogram3_bucket at 50m.
Vector TestHistogram3() {
  return Cat(
      Histogram(
          "testhistogram3_bucket", {{"start", "positive"}},
          {{"0", 0}, {"0.1", 50}, {".2", 70}, {"1e0", 110}, {"+Inf", 110}}),
      Histogram(
          "testhistogram3_bucket", {{"start", "negative"}},
          {{"-.25", 0}, {"-.2", 10}, {"-0.1", 20}, {"0.3", 20}, {"+Inf", 20}}));
}

absl::StatusOr<Vector> Call(absl::string_view name, std::vector<Arg> args,
                            Annotations* annotations = nullptr) {
  VectorFunction fn = FindVectorFunction(name);
  if (fn == nullptr) return absl::NotFoundError(name);
  VectorContext ctx;
  ctx.annotations = annotations;
  Vector out;
  absl::Status s = fn(ctx, args, &out);
  if (!s.ok()) return s;
  return out;
}

Matcher<const VectorSample&> Is(const std::string& labels, double value) {
  Matcher<double> v = std::isnan(value)
                          ? Matcher<double>(IsNan())
                          : Matcher<double>(DoubleNear(value, 1e-9));
  return AllOf(Field("metric", &VectorSample::metric,
                     Property("ToString", &Labels::ToString, labels)),
               Field("f", &VectorSample::f, v),
               Field("drop_name", &VectorSample::drop_name, true));
}

const char kPositive[] =
    "{__name__=\"testhistogram_bucket\", start=\"positive\"}";
const char kNegative[] =
    "{__name__=\"testhistogram_bucket\", start=\"negative\"}";

TEST(HistogramQuantileTest, Corpus) {
  struct Case {
    double q;
    double positive, negative;
  };
  const Case cases[] = {
      {0, 0, -0.2},       {0.2, 0.048, -0.2}, {0.5, 0.15, -0.15},
      {0.8, 0.72, 0.3},   {1, 1, 0.3},        {-0.1, -kInf, -kInf},
      {1.01, kInf, kInf}, {kNaN, kNaN, kNaN},
  };
  for (const Case& c : cases) {
    Annotations annotations;
    absl::StatusOr<Vector> out = Call(
        "histogram_quantile", {Scalar{0, c.q}, TestHistogram()}, &annotations);
    ASSERT_THAT(out, IsOk());
    EXPECT_THAT(*out, UnorderedElementsAre(Is(kPositive, c.positive),
                                           Is(kNegative, c.negative)))
        << c.q;
    if (std::isnan(c.q) || c.q < 0 || c.q > 1) {
      EXPECT_EQ(annotations.warnings.size(), 1u);
    } else {
      EXPECT_THAT(annotations.warnings, IsEmpty());
    }
    EXPECT_THAT(annotations.infos, IsEmpty());
  }
}

TEST(HistogramQuantileTest, Testhistogram3) {
  const std::pair<double, std::pair<double, double>> cases[] = {
      {0, {0, -0.25}},       {0.25, {0.055, -0.225}}, {0.5, {0.125, -0.2}},
      {0.75, {0.45, -0.15}}, {1, {1, -0.1}},
  };
  for (const auto& [q, want] : cases) {
    EXPECT_THAT(
        Call("histogram_quantile", {Scalar{0, q}, TestHistogram3()}),
        IsOkAndHolds(UnorderedElementsAre(
            Is("{__name__=\"testhistogram3_bucket\", start=\"positive\"}",
               want.first),
            Is("{__name__=\"testhistogram3_bucket\", start=\"negative\"}",
               want.second))))
        << q;
  }
}

TEST(HistogramQuantileTest, MiddleOfBuckets) {
  const Vector h =
      Histogram("testhistogram2_bucket", {},
                {{"0", 0}, {"2", 1}, {"4", 2}, {"6", 3}, {"+Inf", 3}});
  const char* labels = "{__name__=\"testhistogram2_bucket\"}";
  EXPECT_THAT(Call("histogram_quantile", {Scalar{0, 1. / 6.}, h}),
              IsOkAndHolds(ElementsAre(Is(labels, 1))));
  EXPECT_THAT(Call("histogram_quantile", {Scalar{0, 0.5}, h}),
              IsOkAndHolds(ElementsAre(Is(labels, 3))));
  EXPECT_THAT(Call("histogram_quantile", {Scalar{0, 5. / 6.}, h}),
              IsOkAndHolds(ElementsAre(Is(labels, 5))));
}

TEST(HistogramQuantileTest, SpecialCases) {
  // Equal upper bounds written differently are merged.
  const Vector mixed = Cat(
      Histogram(
          "", {{"instance", "ins1"}},
          {{"0.1", 1}, {"0.2", 1}, {"2e-1", 1}, {"2.0e-1", 1}, {"+Inf", 4}}),
      Histogram("", {{"instance", "ins2"}}, {{"+inf", 0}, {"+Inf", 0}}));
  for (const auto& [q, want] : std::vector<std::pair<double, double>>{
           {0.5, 0.15}, {0.75, 0.2}, {1, 0.2}}) {
    EXPECT_THAT(Call("histogram_quantile", {Scalar{0, q}, mixed}),
                IsOkAndHolds(ElementsAre(Is("{instance=\"ins1\"}", want),
                                         Is("{instance=\"ins2\"}", kNaN))))
        << q;
  }
  // No +Inf bucket; no observations; a single bucket.
  EXPECT_THAT(Call("histogram_quantile",
                   {Scalar{0, 0.5}, Histogram("", {}, {{"1", 1}, {"2", 2}})}),
              IsOkAndHolds(ElementsAre(Is("{}", kNaN))));
  EXPECT_THAT(Call("histogram_quantile",
                   {Scalar{0, 0.5},
                    Histogram("", {}, {{"0.1", 0}, {"0.2", 0}, {"+Inf", 0}})}),
              IsOkAndHolds(ElementsAre(Is("{}", kNaN))));
  EXPECT_THAT(Call("histogram_quantile",
                   {Scalar{0, 0.5}, Histogram("", {}, {{"+Inf", 3}})}),
              IsOkAndHolds(ElementsAre(Is("{}", kNaN))));
  // Nothing in, nothing out (but an invalid φ is still flagged).
  Annotations annotations;
  EXPECT_THAT(
      Call("histogram_quantile", {Scalar{0, kNaN}, Vector{}}, &annotations),
      IsOkAndHolds(IsEmpty()));
  EXPECT_THAT(annotations.warnings,
              ElementsAre("PromQL warning: quantile value should be between 0 "
                          "and 1, got NaN"));
  // Tiny relative differences are float noise, not non-monotonicity.
  Annotations quiet;
  EXPECT_THAT(
      Call("histogram_quantile",
           {Scalar{0, 0.5},
            Histogram("", {}, {{"1", 1e13}, {"2", 1e13 - 1}, {"+Inf", 2e13}})},
           &quiet),
      IsOkAndHolds(ElementsAre(Is("{}", 1))));
  EXPECT_THAT(quiet.infos, IsEmpty());
}

// histograms.test nonmonotonic_bucket at 50m.
TEST(HistogramQuantileTest, ForcedMonotonicity) {
  const Vector h = Histogram("nonmonotonic_bucket", {},
                             {{"0.1", 20},
                              {"1", 10},
                              {"10", 50},
                              {"100", 40},
                              {"1000", 90},
                              {"+Inf", 80}});
  for (const auto& [q, want] : std::vector<std::pair<double, double>>{
           {0.01, 0.0045}, {0.5, 8.5}, {0.99, 979.75}}) {
    Annotations annotations;
    EXPECT_THAT(Call("histogram_quantile", {Scalar{0, q}, h}, &annotations),
                IsOkAndHolds(ElementsAre(
                    Is("{__name__=\"nonmonotonic_bucket\"}", want))));
    EXPECT_THAT(annotations.infos,
                ElementsAre(std::string(kMonotonicityInfo) +
                            " for metric name \"nonmonotonic_bucket\""));
    EXPECT_THAT(annotations.warnings, IsEmpty());
  }
  // Without a name, the info has no name either.
  Annotations annotations;
  ASSERT_THAT(Call("histogram_quantile",
                   {Scalar{0, 0.5},
                    Histogram("", {}, {{"1", 2}, {"2", 1}, {"+Inf", 3}})},
                   &annotations),
              IsOk());
  EXPECT_THAT(annotations.infos, ElementsAre(kMonotonicityInfo));
}

TEST(HistogramQuantileTest, BadBucketLabels) {
  for (const auto& [labels, le] :
       std::vector<std::pair<std::vector<std::pair<std::string, std::string>>,
                             std::string>>{
           {{{"ale", "0.1"}}, ""},
           {{{"le", "Hello World"}}, "Hello World"},
           {{{"le", "0x1f"}}, "0x1f"},
           {{{"le", "1e400"}}, "1e400"},
           {{{"le", "1_0"}}, "1_0"},
       }) {
    auto pairs = labels;
    pairs.emplace_back("__name__", "series");
    const Vector in = {VectorSample{Labels::FromPairs(pairs), 0, 2, false}};
    const std::string want =
        "PromQL warning: bucket label \"le\" is missing or has a malformed "
        "value of \"" +
        le + "\" for metric name \"series\"";
    for (const char* fn : {"histogram_quantile", "histogram_fraction"}) {
      Annotations annotations;
      std::vector<Arg> args = {Scalar{0, 0.8}, in};
      if (std::string(fn) == "histogram_fraction") {
        args = {Scalar{0, -kInf}, Scalar{0, 1}, in};
      }
      EXPECT_THAT(Call(fn, args, &annotations), IsOkAndHolds(IsEmpty()));
      EXPECT_THAT(annotations.warnings, ElementsAre(want)) << fn << " " << le;
      EXPECT_THAT(annotations.infos, IsEmpty());
    }
    Annotations annotations;
    EXPECT_THAT(Call("histogram_quantiles",
                     {in, String{0, "q"}, Scalar{0, 0.1}, Scalar{0, 0.2}},
                     &annotations),
                IsOkAndHolds(IsEmpty()));
    EXPECT_THAT(annotations.warnings, ElementsAre(want));
  }
  // Go's ParseFloat accepts these.
  for (const char* le : {"1.", ".5", "1E3", "-0", "+Inf", "-inf", "Infinity",
                         "NaN", "0x1p-2", "1e-400", "007"}) {
    Annotations annotations;
    const Vector in = {
        VectorSample{Labels::FromPairs({{"le", le}}), 0, 1, false}};
    ASSERT_THAT(Call("histogram_quantile", {Scalar{0, 0.5}, in}, &annotations),
                IsOk());
    EXPECT_THAT(annotations.warnings, IsEmpty()) << le;
  }
}

TEST(HistogramQuantilesTest, OneOutputPerQuantile) {
  Annotations annotations;
  absl::StatusOr<Vector> out =
      Call("histogram_quantiles",
           {TestHistogram3(), String{0, "q"}, Scalar{0, 0}, Scalar{0, 0.25},
            Scalar{0, 0.5}, Scalar{0, 0.75}, Scalar{0, 1}},
           &annotations);
  ASSERT_THAT(out, IsOk());
  auto key = [](const char* q, const char* start) {
    return std::string("{__name__=\"testhistogram3_bucket\", q=\"") + q +
           "\", start=\"" + start + "\"}";
  };
  EXPECT_THAT(
      *out,
      UnorderedElementsAre(
          Is(key("0.0", "positive"), 0), Is(key("0.0", "negative"), -0.25),
          Is(key("0.25", "positive"), 0.055),
          Is(key("0.25", "negative"), -0.225),
          Is(key("0.5", "positive"), 0.125), Is(key("0.5", "negative"), -0.2),
          Is(key("0.75", "positive"), 0.45), Is(key("0.75", "negative"), -0.15),
          Is(key("1.0", "positive"), 1), Is(key("1.0", "negative"), -0.1)));
  EXPECT_THAT(annotations.warnings, IsEmpty());
  // Quantile label formatting and out-of-range values.
  Annotations flagged;
  absl::StatusOr<Vector> odd =
      Call("histogram_quantiles",
           {TestHistogram(), String{0, "q"}, Scalar{0, -0.1}, Scalar{0, 1.01},
            Scalar{0, kNaN}},
           &flagged);
  ASSERT_THAT(odd, IsOk());
  std::vector<std::string> qs;
  for (const VectorSample& s : *odd) qs.emplace_back(s.metric.Get("q"));
  EXPECT_THAT(qs, ElementsAre("-0.1", "-0.1", "1.01", "1.01", "NaN", "NaN"));
  EXPECT_EQ(flagged.warnings.size(), 3u);
  // Overwriting a label that tells the histograms apart collides.
  EXPECT_THAT(Call("histogram_quantiles",
                   {TestHistogram3(), String{0, "start"}, Scalar{0, 0.5}}),
              StatusIs(absl::StatusCode::kInvalidArgument,
                       "vector cannot contain metrics with the same labelset"));
}

// histograms.test "Test histogram_fraction".
TEST(HistogramFractionTest, Corpus) {
  const auto steps = std::vector<std::pair<const char*, double>>{
      {"1", 1}, {"2", 3}, {"3", 6}, {"+Inf", 100}};
  const auto negative = std::vector<std::pair<const char*, double>>{
      {"-3", 10}, {"-2", 12}, {"-1", 15}, {"+Inf", 100}};
  struct Case {
    double lower, upper;
    std::vector<std::pair<const char*, double>> buckets;
    double want;
  };
  const Case cases[] = {
      {0,
       4,
       {{"0", 0}, {"2", 1}, {"4", 2}, {"6", 3}, {"+Inf", 3}},
       0.6666666666666666},
      {0, 6, {{"0", 0}, {"2", 1}, {"4", 2}, {"6", 3}, {"+Inf", 3}}, 1},
      {0,
       3.5,
       {{"0", 0}, {"2", 1}, {"4", 2}, {"6", 3}, {"+Inf", 3}},
       0.5833333333333334},
      {0,
       0.2,
       {{"0", 0}, {"0.1", 50}, {".2", 70}, {"1e0", 110}, {"+Inf", 110}},
       0.6363636363636364},
      {0,
       0.2,
       {{"-.25", 0}, {"-.2", 10}, {"-0.1", 20}, {"0.3", 20}, {"+Inf", 20}},
       0},
      {0, 1.5, steps, 0.02},
      {-4, -2, negative, 0.02},
      {-kInf, -1.5, negative, 0.135},
      {-kInf, kInf, steps, 1},
      {-kInf, kInf, negative, 1},
      {4, 5, steps, 0},
      {0, 1, negative, 0},
      {2, 5, steps, 0.03},
      {400, kInf, steps, 0.94},
      {2, 2, steps, 0},
      {3, 2, steps, 0},
      {0, 1, {{"+Inf", 100}}, 0},
      {0, 5, {{"1", 0}, {"2", 0}, {"3", 0}, {"+Inf", 0}}, kNaN},
      {2, 3.5, steps, 0.03},
      {0.5, 2, steps, 0.025},
      {1, 3, steps, 0.05},
      {0.1, 0.75, {{"0.5", 2.5}, {"1", 7.5}, {"+Inf", 100}}, 0.045},
      {-1,
       1,
       {{"-2", 5}, {"-1", 10}, {"0", 15}, {"1", 20}, {"+Inf", 100}},
       0.1},
      {kNaN, 1, {{"1", 1}, {"+Inf", 100}}, kNaN},
      {0, kNaN, {{"1", 1}, {"+Inf", 100}}, kNaN},
      {-10, -5, {{"1", 1}, {"2", 3}, {"+Inf", 10}}, 0},
      {0, 1, {{"1", 1}, {"2", 3}}, kNaN},  // no +Inf bucket
  };
  for (const Case& c : cases) {
    Annotations annotations;
    EXPECT_THAT(Call("histogram_fraction",
                     {Scalar{0, c.lower}, Scalar{0, c.upper},
                      Histogram("h", {}, c.buckets)},
                     &annotations),
                IsOkAndHolds(ElementsAre(Is("{__name__=\"h\"}", c.want))))
        << c.lower << " " << c.upper;
    EXPECT_THAT(annotations.warnings, IsEmpty());
  }
}

TEST(NativeOnlyHistogramFunctionsTest, IgnoreFloats) {
  for (const char* fn : {"histogram_count", "histogram_sum", "histogram_avg",
                         "histogram_stddev", "histogram_stdvar"}) {
    Annotations annotations;
    EXPECT_THAT(Call(fn, {TestHistogram()}, &annotations),
                IsOkAndHolds(IsEmpty()))
        << fn;
    EXPECT_THAT(annotations.warnings, IsEmpty());
    EXPECT_THAT(annotations.infos, IsEmpty());
  }
}

}  // namespace
}  // namespace fraisier::promql
