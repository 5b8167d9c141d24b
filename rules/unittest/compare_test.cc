#include "rules/unittest/compare.h"

#include <cmath>
#include <limits>

#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace fraisier::rules::unittest {
namespace {

using ::testing::Eq;
using ::testing::Optional;

AlertInstance Alert(LabelList labels, LabelList annotations) {
  return {SortedLabelList(labels), SortedLabelList(annotations)};
}

TEST(CompareTest, SortedLabelListSortsByNameAndLastWins) {
  EXPECT_EQ(SortedLabelList({{"b", "1"}, {"a", "2"}, {"b", "3"}}),
            (LabelList{{"a", "2"}, {"b", "3"}}));
}

TEST(CompareTest, FormatLabelListQuotesLikePromtool) {
  EXPECT_EQ(FormatLabelList({{"a", "x\"y"}, {"b", ""}}),
            "{a=\"x\\\"y\", b=\"\"}");
  EXPECT_EQ(FormatLabelList({}), "{}");
}

TEST(CompareTest, AlertsMatchInAnyOrder) {
  EXPECT_EQ(
      DiffAlerts({Alert({{"i", "a"}}, {}), Alert({{"i", "b"}}, {})},
                 {Alert({{"i", "b"}}, {}), Alert({{"i", "a"}}, {})}, "  "),
      std::nullopt);
  EXPECT_EQ(DiffAlerts({}, {}, "  "), std::nullopt);
}

TEST(CompareTest, AlertsAreAMultiset) {
  EXPECT_NE(DiffAlerts({Alert({{"i", "a"}}, {}), Alert({{"i", "a"}}, {})},
                       {Alert({{"i", "a"}}, {})}, "  "),
            std::nullopt);
}

TEST(CompareTest, MissingAndUnexpectedAlerts) {
  EXPECT_THAT(
      DiffAlerts({Alert({{"alertname", "X"}, {"i", "a"}}, {{"s", "down"}})},
                 {Alert({{"alertname", "X"}, {"i", "b"}}, {})}, "  "),
      Optional(Eq("  exp: {alertname=\"X\", i=\"a\"} annotations {s=\"down\"}\n"
                  "  got: {alertname=\"X\", i=\"b\"} annotations {}\n"
                  "  diff (- expected, + got):\n"
                  "    - {alertname=\"X\", i=\"a\"} annotations {s=\"down\"}\n"
                  "    + {alertname=\"X\", i=\"b\"} annotations {}\n")));
}

TEST(CompareTest, AnnotationDifferencesOfOneAlert) {
  EXPECT_THAT(
      DiffAlerts(
          {Alert({{"i", "a"}}, {{"summary", "a down"}, {"runbook", "r"}}),
           Alert({{"i", "c"}}, {})},
          {Alert({{"i", "a"}}, {{"summary", "a is down"}, {"extra", ""}}),
           Alert({{"i", "c"}}, {})},
          ""),
      Optional(
          Eq("exp:\n"
             "  {i=\"a\"} annotations {runbook=\"r\", summary=\"a down\"}\n"
             "  {i=\"c\"} annotations {}\n"
             "got:\n"
             "  {i=\"a\"} annotations {extra=\"\", summary=\"a is down\"}\n"
             "  {i=\"c\"} annotations {}\n"
             "diff (- expected, + got):\n"
             "  ~ {i=\"a\"}\n"
             "    annotation \"extra\": expected none, got \"\"\n"
             "    annotation \"runbook\": expected \"r\", got none\n"
             "    annotation \"summary\": expected \"a down\", got \"a is "
             "down\"\n")));
}

TEST(CompareTest, EmptyExpectedLabelValueNeverMatches) {
  EXPECT_NE(DiffAlerts({Alert({{"i", "a"}, {"x", ""}}, {})},
                       {Alert({{"i", "a"}}, {})}, ""),
            std::nullopt);
}

TEST(CompareTest, ValuesEqualExactUnlessFuzzy) {
  EXPECT_TRUE(ValuesEqual(1, 1, false));
  EXPECT_FALSE(ValuesEqual(0.3, 0.1 + 0.2, false));
  EXPECT_TRUE(ValuesEqual(0.3, 0.1 + 0.2, true));
  EXPECT_FALSE(ValuesEqual(0.3, 0.3000000000000001, true));  // two ulps
  const double nan = std::numeric_limits<double>::quiet_NaN();
  EXPECT_FALSE(ValuesEqual(nan, nan, false));
  EXPECT_FALSE(ValuesEqual(nan, nan, true));
  const double inf = std::numeric_limits<double>::infinity();
  EXPECT_TRUE(ValuesEqual(inf, inf, false));
  EXPECT_FALSE(ValuesEqual(inf, -inf, true));
}

TEST(CompareTest, SamplesMatchInAnyOrder) {
  const Labels a = Labels::FromPairs({{"job", "a"}});
  const Labels b = Labels::FromPairs({{"job", "b"}});
  EXPECT_EQ(DiffSamples({{a, 1}, {b, 2}}, {{b, 2}, {a, 1}}, false, ""),
            std::nullopt);
}

TEST(CompareTest, SampleValueDifferenceIsOneChangeLine) {
  const Labels a = Labels::FromPairs({{"__name__", "up"}, {"job", "a"}});
  const Labels b = Labels::FromPairs({{"__name__", "up"}, {"job", "b"}});
  EXPECT_THAT(
      DiffSamples({{a, 1}, {b, 1e6}}, {{a, 0.5}, {b, 1e6}}, false, ""),
      Optional(Eq("exp:\n"
                  "  {__name__=\"up\", job=\"a\"} 1\n"
                  "  {__name__=\"up\", job=\"b\"} 1e+06\n"
                  "got:\n"
                  "  {__name__=\"up\", job=\"a\"} 0.5\n"
                  "  {__name__=\"up\", job=\"b\"} 1e+06\n"
                  "diff (- expected, + got):\n"
                  "  ~ {__name__=\"up\", job=\"a\"}: expected 1, got 0.5\n")));
}

TEST(CompareTest, NoSamplesGot) {
  const Labels a = Labels::FromPairs({{"job", "a"}});
  EXPECT_THAT(DiffSamples({{a, 1}}, {}, false, ""),
              Optional(Eq("exp: {job=\"a\"} 1\n"
                          "got: (none)\n"
                          "diff (- expected, + got):\n"
                          "  - {job=\"a\"} 1\n")));
}

TEST(CompareTest, NaNSamplesNeverMatch) {
  const double nan = std::numeric_limits<double>::quiet_NaN();
  EXPECT_NE(DiffSamples({{Labels(), nan}}, {{Labels(), nan}}, true, ""),
            std::nullopt);
}

}  // namespace
}  // namespace fraisier::rules::unittest
