#include "promql/promqltest/series_desc.h"

#include <cmath>
#include <string>
#include <vector>

#include "engine/model/value.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace fraisier::promql::promqltest {
namespace {

using ::testing::ElementsAre;
using ::testing::HasSubstr;

// Values as strings: "_" for gaps, "H" for histograms, "stale", numbers.
std::vector<std::string> Expand(absl::string_view text) {
  absl::StatusOr<std::vector<SequenceValue>> values = ParseSequence(text);
  EXPECT_TRUE(values.ok()) << text << ": " << values.status();
  std::vector<std::string> out;
  if (!values.ok()) return out;
  for (const SequenceValue& v : *values) {
    if (v.omitted) {
      out.push_back("_");
    } else if (v.histogram) {
      out.push_back("H");
    } else if (IsStaleNaN(v.value)) {
      out.push_back("stale");
    } else {
      char buf[32];
      std::snprintf(buf, sizeof(buf), "%g", v.value);
      out.push_back(buf);
    }
  }
  return out;
}

std::string ParseError(absl::string_view text) {
  absl::StatusOr<std::vector<SequenceValue>> values = ParseSequence(text);
  EXPECT_FALSE(values.ok()) << text;
  return std::string(values.status().message());
}

TEST(ParseSequenceTest, Expansions) {
  EXPECT_THAT(Expand("0+10x5"), ElementsAre("0", "10", "20", "30", "40", "50"));
  EXPECT_THAT(Expand("1-1x3"), ElementsAre("1", "0", "-1", "-2"));
  EXPECT_THAT(Expand("-2+1x2"), ElementsAre("-2", "-1", "0"));
  EXPECT_THAT(Expand("1x3"), ElementsAre("1", "1", "1", "1"));
  EXPECT_THAT(Expand("_x3"), ElementsAre("_", "_", "_"));
  EXPECT_THAT(Expand("5 _ stale 7"), ElementsAre("5", "_", "stale", "7"));
  EXPECT_THAT(Expand("1.5e3 .5 +4"), ElementsAre("1500", "0.5", "4"));
  EXPECT_THAT(Expand(""), ElementsAre());
  EXPECT_THAT(Expand("  1   2  "), ElementsAre("1", "2"));
  EXPECT_THAT(Expand("\t1\t2"), ElementsAre("1", "2"));
  EXPECT_THAT(Expand("0x0"), ElementsAre("0"));
  // No hex numbers: `0x2` is 0 repeated.
  EXPECT_THAT(Expand("0x2"), ElementsAre("0", "0", "0"));
}

TEST(ParseSequenceTest, SpecialNumbers) {
  auto values = ParseSequence("Inf -Inf NaN +inf nan");
  ASSERT_TRUE(values.ok());
  ASSERT_EQ(values->size(), 5u);
  EXPECT_EQ((*values)[0].value, INFINITY);
  EXPECT_EQ((*values)[1].value, -INFINITY);
  EXPECT_TRUE(std::isnan((*values)[2].value));
  EXPECT_FALSE(IsStaleNaN((*values)[2].value));
  EXPECT_EQ((*values)[3].value, INFINITY);
  EXPECT_TRUE(std::isnan((*values)[4].value));
}

TEST(ParseSequenceTest, RepeatedAdditionLikePrometheus) {
  // Prometheus adds the step repeatedly, so the last value carries the
  // accumulated rounding of 0.1 added 10 times.
  auto values = ParseSequence("0+0.1x10");
  ASSERT_TRUE(values.ok());
  double v = 0;
  for (int i = 0; i < 10; ++i) v += 0.1;
  EXPECT_EQ(values->back().value, v);
}

TEST(ParseSequenceTest, Histograms) {
  EXPECT_THAT(Expand("1 {{schema:0 sum:1 count:2 buckets:[1 1]}} 3"),
              ElementsAre("1", "H", "3"));
  EXPECT_THAT(Expand("{{sum:1 count:1}}x2"), ElementsAre("H", "H", "H"));
  EXPECT_THAT(Expand("{{sum:1}}+{{sum:2}}x2 _"),
              ElementsAre("H", "H", "H", "_"));
  EXPECT_THAT(Expand("{{sum:1}}-{{sum:2}}x1"), ElementsAre("H", "H"));
  EXPECT_THAT(ParseError("{{sum:1"), HasSubstr("unterminated"));
}

TEST(ParseSequenceTest, Errors) {
  EXPECT_THAT(ParseError("1+2"), HasSubstr("expected \"x\""));
  EXPECT_THAT(ParseError("1x"), HasSubstr("repetition count"));
  EXPECT_THAT(ParseError("1x-2"), HasSubstr("repetition count"));
  EXPECT_THAT(ParseError("1x2.5"), HasSubstr("repetition count"));
  EXPECT_THAT(ParseError("foo"), HasSubstr("\"stale\""));
  EXPECT_THAT(ParseError("1a"), HasSubstr("bad number"));
  EXPECT_THAT(ParseError("1 # 2"), HasSubstr("unexpected character"));
  EXPECT_THAT(ParseError("1 +"), HasSubstr("expected a number"));
  EXPECT_THAT(ParseError("1x99999999999"), HasSubstr("more than"));
  EXPECT_THAT(ParseError("1+1x99999999999"), HasSubstr("more than"));
}

std::string Labels(absl::string_view text) {
  size_t consumed = 0;
  absl::StatusOr<fraisier::Labels> l = ParseLabelSet(text, &consumed);
  if (!l.ok()) return absl::StrCat("error: ", l.status().message());
  return l->ToString();
}

TEST(ParseLabelSetTest, Forms) {
  EXPECT_EQ(Labels("up"), R"({__name__="up"})");
  EXPECT_EQ(Labels("a:b_c{job='x'}"), R"({__name__="a:b_c", job="x"})");
  EXPECT_EQ(Labels(R"({job="a", instance="b",})"),
            R"({instance="b", job="a"})");
  EXPECT_EQ(Labels("{}"), "{}");
  EXPECT_EQ(Labels(R"({ "my.metric" , "a.b"="c" })"),
            R"({__name__="my.metric", "a.b"="c"})");
  EXPECT_EQ(Labels(R"(x{__name__="y"})"),
            R"(error: duplicate label name "__name__")");
  EXPECT_EQ(Labels(R"(sum{a="\"q\"\n"})"), R"({__name__="sum", a="\"q\"\n"})");
  EXPECT_EQ(Labels("{a=`raw\\`}"), R"({a="raw\\"})");
  EXPECT_EQ(Labels(R"({a=""})"), "{}");  // empty values mean absent
  EXPECT_THAT(Labels("{a=b}"), HasSubstr("quoted label value"));
  EXPECT_THAT(Labels("{a}"), HasSubstr("expected \"=\""));
  EXPECT_THAT(Labels(R"({a="b")"), HasSubstr("unterminated"));
  EXPECT_THAT(Labels(R"({a="b)"), HasSubstr("unterminated"));
  EXPECT_THAT(Labels(R"({a="b" c="d"})"), HasSubstr("expected \",\""));
  EXPECT_THAT(Labels("1up"), HasSubstr("metric name"));
  EXPECT_THAT(Labels(R"({"x", "y"})"), HasSubstr("set twice"));
}

TEST(ParseSeriesDescriptionTest, Lines) {
  auto d = ParseSeriesDescription(R"(http_requests{job="api"} 0+10x2 _ 1)");
  ASSERT_TRUE(d.ok()) << d.status();
  EXPECT_EQ(d->labels.ToString(), R"({__name__="http_requests", job="api"})");
  EXPECT_EQ(d->values.size(), 5u);
  EXPECT_FALSE(d->HasHistogram());

  d = ParseSeriesDescription("{} 3");
  ASSERT_TRUE(d.ok());
  EXPECT_TRUE(d->labels.empty());
  d = ParseSeriesDescription("up");
  ASSERT_TRUE(d.ok());
  EXPECT_TRUE(d->values.empty());
  d = ParseSeriesDescription("up {{sum:1}}");
  ASSERT_TRUE(d.ok());
  EXPECT_TRUE(d->HasHistogram());

  EXPECT_FALSE(ParseSeriesDescription("up{a=\"b\"}1").ok());
  auto bad = ParseSeriesDescription("up 1 2 x");
  ASSERT_FALSE(bad.ok());
  EXPECT_THAT(bad.status().message(), HasSubstr("series values"));
}

TEST(CountStartTimestampSequenceTest, Items) {
  EXPECT_EQ(*CountStartTimestampSequence("0s -1m _ _x2 * *x2 1m+1sx3"),
            1u + 1 + 1 + 2 + 1 + 3 + 4);
  EXPECT_EQ(*CountStartTimestampSequence("-30s-1sx1 5mx2"), 2u + 3);
  EXPECT_FALSE(CountStartTimestampSequence("abc").ok());
  EXPECT_FALSE(CountStartTimestampSequence("_x0").ok());
  EXPECT_FALSE(CountStartTimestampSequence("1m+1s").ok());
  EXPECT_FALSE(CountStartTimestampSequence("1m?").ok());
}

}  // namespace
}  // namespace fraisier::promql::promqltest
