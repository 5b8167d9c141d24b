// Number and string formats. The expectations are what Prometheus 2.42
// printed for the same values (sample values and timestamps through
// /api/v1/query on a loopback server; scalar formats and Go's
// encoding/json through scalar results), plus Go's documented rules for
// cases a query cannot reach.
#include "engine/api/json.h"

#include <cmath>
#include <cstdint>
#include <cstdlib>
#include <limits>
#include <random>
#include <string>

#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace fraisier::api {
namespace {

std::string SampleValue(double v) {
  std::string out;
  AppendSampleValue(v, &out);
  return out;
}

std::string ScalarValue(double v) {
  std::string out;
  AppendScalarValue(v, &out);
  return out;
}

std::string SampleTimestamp(Timestamp t) {
  std::string out;
  AppendSampleTimestamp(t, &out);
  return out;
}

std::string JsonFloat(double v) {
  std::string out;
  AppendJsonFloat(v, &out);
  return out;
}

std::string JsonString(absl::string_view s) {
  std::string out;
  AppendJsonString(s, &out);
  return out;
}

constexpr double kInf = std::numeric_limits<double>::infinity();

TEST(JsonTest, SampleValues) {
  EXPECT_EQ(SampleValue(1), R"("1")");
  EXPECT_EQ(SampleValue(0), R"("0")");
  EXPECT_EQ(SampleValue(-0.0), R"("-0")");
  EXPECT_EQ(SampleValue(1e6), R"("1000000")");
  EXPECT_EQ(SampleValue(0.00001), R"("0.00001")");
  EXPECT_EQ(SampleValue(1e-6), R"("0.000001")");
  // The cut-offs are exact: the next doubles towards zero switch format.
  EXPECT_EQ(SampleValue(std::nextafter(1e-6, 0)), R"("9.999999999999997e-07")");
  EXPECT_EQ(SampleValue(std::nextafter(1e21, 0)), R"("999999999999999900000")");
  EXPECT_EQ(SampleValue(1e-7), R"("1e-07")");
  EXPECT_EQ(SampleValue(1e20), R"("100000000000000000000")");
  EXPECT_EQ(SampleValue(1e21), R"("1e+21")");
  EXPECT_EQ(SampleValue(1.5e300), R"("1.5e+300")");
  EXPECT_EQ(SampleValue(2.5e-300), R"("2.5e-300")");
  EXPECT_EQ(SampleValue(0.1 + 0.2), R"("0.30000000000000004")");
  EXPECT_EQ(SampleValue(-123.456), R"("-123.456")");
  EXPECT_EQ(SampleValue(123456789012345678.0), R"("123456789012345680")");
  EXPECT_EQ(SampleValue(0.017222222222222226), R"("0.017222222222222226")");
  EXPECT_EQ(SampleValue(std::nan("")), R"("NaN")");
  EXPECT_EQ(SampleValue(kInf), R"("+Inf")");
  EXPECT_EQ(SampleValue(-kInf), R"("-Inf")");
  EXPECT_EQ(SampleValue(5e-324), R"("5e-324")");
  EXPECT_EQ(SampleValue(std::numeric_limits<double>::max()),
            R"("1.7976931348623157e+308")");
}

// Whatever the path taken (integers, the fixed fast path, the general
// digit layout), the text reads back as the same double and uses an
// exponent exactly outside [1e-6, 1e21).
TEST(JsonTest, SampleValuesRoundTrip) {
  std::mt19937_64 rng(1);
  std::uniform_real_distribution<double> mantissa(1, 10);
  for (int exp = -320; exp <= 307; ++exp) {
    for (int i = 0; i < 50; ++i) {
      double v = mantissa(rng) * std::pow(10.0, exp);
      if (i % 2 == 1) v = -v;
      if (i % 5 == 0) v = std::round(v);
      const std::string text = SampleValue(v);
      ASSERT_GE(text.size(), 3u);
      const std::string inner = text.substr(1, text.size() - 2);
      EXPECT_EQ(std::strtod(inner.c_str(), nullptr), v) << text;
      const double abs = std::fabs(v);
      const bool exponent = abs != 0 && (abs < 1e-6 || abs >= 1e21);
      EXPECT_EQ(inner.find('e') != std::string::npos, exponent) << text;
    }
  }
}

TEST(JsonTest, ScalarValuesNeverUseExponents) {
  EXPECT_EQ(ScalarValue(1e21), R"("1000000000000000000000")");
  EXPECT_EQ(ScalarValue(1e-7), R"("0.0000001")");
  EXPECT_EQ(ScalarValue(1e23), R"("100000000000000000000000")");
  EXPECT_EQ(ScalarValue(-0.0), R"("-0")");
  EXPECT_EQ(ScalarValue(kInf), R"("+Inf")");
  EXPECT_EQ(ScalarValue(1e300).size(), 303u);
}

TEST(JsonTest, SampleTimestamps) {
  EXPECT_EQ(SampleTimestamp(1700000000000), "1700000000");
  EXPECT_EQ(SampleTimestamp(1700000000123), "1700000000.123");
  EXPECT_EQ(SampleTimestamp(1700000030100), "1700000030.100");
  EXPECT_EQ(SampleTimestamp(1700000000001), "1700000000.001");
  EXPECT_EQ(SampleTimestamp(1700000000010), "1700000000.010");
  EXPECT_EQ(SampleTimestamp(0), "0");
  EXPECT_EQ(SampleTimestamp(1500), "1.500");
  EXPECT_EQ(SampleTimestamp(-1500), "-1.500");
  EXPECT_EQ(SampleTimestamp(-500), "-0.500");
  EXPECT_EQ(SampleTimestamp(std::numeric_limits<int64_t>::min()),
            "-9223372036854775.808");
  EXPECT_EQ(SampleTimestamp(std::numeric_limits<int64_t>::max()),
            "9223372036854775.807");
}

TEST(JsonTest, GoJsonFloats) {
  EXPECT_EQ(JsonFloat(1.5), "1.5");
  EXPECT_EQ(JsonFloat(1700000030.1), "1700000030.1");
  EXPECT_EQ(JsonFloat(1700000030.123), "1700000030.123");
  EXPECT_EQ(JsonFloat(0.000116875), "0.000116875");
  EXPECT_EQ(JsonFloat(1e-7), "1e-7");
  EXPECT_EQ(JsonFloat(1.5e-9), "1.5e-9");
  EXPECT_EQ(JsonFloat(1e-10), "1e-10");
  EXPECT_EQ(JsonFloat(1e21), "1e+21");
  EXPECT_EQ(JsonFloat(0), "0");
  EXPECT_EQ(JsonFloat(-0.25), "-0.25");
  EXPECT_EQ(JsonFloat(std::nan("")), "null");
}

TEST(JsonTest, StringsEscapeLikeGo) {
  EXPECT_EQ(JsonString("plain"), R"("plain")");
  EXPECT_EQ(JsonString(""), R"("")");
  EXPECT_EQ(JsonString("q\"b\\"), R"("q\"b\\")");
  EXPECT_EQ(JsonString("\n\r\t"), R"("\n\r\t")");
  EXPECT_EQ(JsonString(absl::string_view("\x00\x01\x08\x0c\x1f", 5)),
            R"("\u0000\u0001\u0008\u000c\u001f")");
  EXPECT_EQ(JsonString("\x7f"), "\"\x7f\"");
  EXPECT_EQ(JsonString("<a>&"), R"("\u003ca\u003e\u0026")");
  EXPECT_EQ(JsonString("\xe2\x80\xa8\xe2\x80\xa9"), R"("\u2028\u2029")");
  EXPECT_EQ(JsonString("\xc3\xa9\xf0\x9f\x98\x80"),
            "\"\xc3\xa9\xf0\x9f\x98\x80\"");
  // Each byte outside valid UTF-8 is one replacement character.
  EXPECT_EQ(JsonString("a\xff\xfe"
                       "b"),
            R"("a\ufffd\ufffdb")");
  EXPECT_EQ(JsonString("\xc3"), R"("\ufffd")");
  EXPECT_EQ(JsonString("\xed\xa0\x80"), R"("\ufffd\ufffd\ufffd")");
}

TEST(JsonTest, Labels) {
  std::string out;
  AppendLabelsJson(Labels(), &out);
  EXPECT_EQ(out, "{}");
  out.clear();
  AppendLabelsJson(Labels::FromPairs({{"job", "a\"b"}, {"__name__", "up"}}),
                   &out);
  EXPECT_EQ(out, R"({"__name__":"up","job":"a\"b"})");
}

TEST(JsonTest, Writer) {
  std::string out;
  JsonWriter w(&out);
  w.BeginObject();
  w.Key("a");
  w.BeginArray();
  w.Int(-1);
  w.Uint(2);
  w.Float(0.5);
  w.Bool(true);
  w.Null();
  w.String("s");
  w.BeginObject();
  w.EndObject();
  w.BeginArray();
  w.EndArray();
  w.EndArray();
  w.Key("b");
  w.Raw("[1]");
  w.EndObject();
  EXPECT_EQ(out, R"({"a":[-1,2,0.5,true,null,"s",{},[]],"b":[1]})");
}

}  // namespace
}  // namespace fraisier::api
