#include "rules/template/go_format.h"

#include <cmath>
#include <limits>
#include <string>
#include <vector>

#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "rules/template/go_strings.h"
#include "rules/template/go_time.h"

namespace fraisier::rules::templates {
namespace {

TEST(GoFormatFloatTest, ShortestG) {
  EXPECT_EQ(GoFormatFloat(1e21, 'g', -1), "1e+21");
  EXPECT_EQ(GoFormatFloat(1e20, 'g', -1), "1e+20");
  EXPECT_EQ(GoFormatFloat(123456, 'g', -1), "123456");
  EXPECT_EQ(GoFormatFloat(1234567, 'g', -1), "1.234567e+06");
  EXPECT_EQ(GoFormatFloat(0.0001, 'g', -1), "0.0001");
  EXPECT_EQ(GoFormatFloat(0.00001, 'g', -1), "1e-05");
  EXPECT_EQ(GoFormatFloat(0.1 + 0.2, 'g', -1), "0.30000000000000004");
  EXPECT_EQ(GoFormatFloat(-0.0, 'g', -1), "-0");
  EXPECT_EQ(GoFormatFloat(2.5e-300, 'g', -1), "2.5e-300");
  EXPECT_EQ(GoFormatFloat(std::nan(""), 'g', -1), "NaN");
  EXPECT_EQ(GoFormatFloat(std::numeric_limits<double>::infinity(), 'f', 2),
            "+Inf");
}

TEST(GoFormatFloatTest, PrecisionRoundsHalfToEven) {
  EXPECT_EQ(GoFormatFloat(2.5, 'f', 0), "2");
  EXPECT_EQ(GoFormatFloat(3.5, 'f', 0), "4");
  EXPECT_EQ(GoFormatFloat(0.125, 'f', 2), "0.12");
  EXPECT_EQ(GoFormatFloat(1234.5, 'g', 4), "1234");
  EXPECT_EQ(GoFormatFloat(1235.5, 'g', 4), "1236");
  EXPECT_EQ(GoFormatFloat(0.000012345, 'g', 3), "1.23e-05");
  EXPECT_EQ(GoFormatFloat(100000, 'g', 4), "1e+05");
  EXPECT_EQ(GoFormatFloat(1, 'e', 3), "1.000e+00");
  EXPECT_EQ(GoFormatFloat(1e-7, 'G', -1), "1E-07");
}

TEST(GoFormatFloatTest, HexAndBinary) {
  EXPECT_EQ(GoFormatFloat(1, 'x', -1), "0x1p+00");
  EXPECT_EQ(GoFormatFloat(1.5, 'x', -1), "0x1.8p+00");
  EXPECT_EQ(GoFormatFloat(-1024, 'X', -1), "-0X1P+10");
  EXPECT_EQ(GoFormatFloat(1, 'b', -1), "4503599627370496p-52");
}

std::string Sprintf(absl::string_view format, std::vector<Value> args) {
  absl::StatusOr<std::string> s = GoSprintf(format, args, 1 << 20);
  return s.ok() ? *s : std::string(s.status().message());
}

TEST(GoSprintfTest, Flags) {
  EXPECT_EQ(Sprintf("%08.3f", {Value::Float(-3.14159)}), "-003.142");
  EXPECT_EQ(Sprintf("%-8d|", {Value::Int(5)}), "5       |");
  EXPECT_EQ(Sprintf("%+.2e", {Value::Float(12345.678)}), "+1.23e+04");
  EXPECT_EQ(Sprintf("% d|% d", {Value::Int(5), Value::Int(-5)}), " 5|-5");
  EXPECT_EQ(Sprintf("%x %X %#o %#b", {Value::Int(-255), Value::Int(255),
                                      Value::Int(8), Value::Int(5)}),
            "-ff FF 010 0b101");
  EXPECT_EQ(Sprintf("%.3d|%6.3d", {Value::Int(7), Value::Int(-7)}),
            "007|  -007");
  EXPECT_EQ(Sprintf("%q %c %U", {Value::Int(0x1F600), Value::Int(0x41),
                                 Value::Int(0x1F600)}),
            "'\xF0\x9F\x98\x80' A U+1F600");
  EXPECT_EQ(Sprintf("%5t|%-6v|", {Value::Bool(true), Value::Bool(false)}),
            " true|false |");
  EXPECT_EQ(Sprintf("%6.2f%%", {Value::Float(12.3456)}), " 12.35%");
  EXPECT_EQ(
      Sprintf("%05s|%.1s|%-4q|",
              {Value::String("ab"), Value::String("é!"), Value::String("a")}),
      "000ab|\xC3\xA9|\"a\" |");
  EXPECT_EQ(Sprintf("%010.3f|%+v|% v", {Value::Float(-1.5), Value::Float(2),
                                        Value::Float(std::nan(""))}),
            "-00001.500|2| NaN");  // %+v adds field names, not signs
}

TEST(GoSprintfTest, NilAndBadVerbs) {
  EXPECT_EQ(Sprintf("%v %s %d", {Value(), Value(), Value::String("x")}),
            "<nil> %!s(<nil>) %!d(string=x)");
  EXPECT_EQ(Sprintf("%z", {Value::Float(1)}), "%!z(float64=1)");
  EXPECT_EQ(Sprintf("%[3]d", {Value::Int(1)}), "%!d(BADINDEX)");
  EXPECT_EQ(Sprintf("%*d", {Value::String("x"), Value::Int(1)}),
            "%!(BADWIDTH)1");
  EXPECT_EQ(Sprintf("%d %d", {Value::Int(1)}), "1 %!d(MISSING)");
}

TEST(GoSprintTest, SpacesOnlyBetweenNonStrings) {
  EXPECT_EQ(GoSprint({Value::Int(1), Value::Int(2), Value::String("a"),
                      Value::String("b"), Value::Float(3.5)}),
            "1 2ab3.5");
  EXPECT_EQ(GoSprintln({Value::String("a"), Value::Int(1)}), "a 1\n");
}

TEST(GoTimeTest, Formats) {
  const GoTime t = GoTimeFromUnix(1435065584, 128000000);
  EXPECT_EQ(FormatGoTime(t), "2015-06-23 13:19:44.128 +0000 UTC");
  EXPECT_EQ(FormatGoTimeLayout(t, "Monday, 02-Jan-06 15:04:05.000000 MST"),
            "Tuesday, 23-Jun-15 13:19:44.128000 UTC");
  EXPECT_EQ(FormatGoTimeLayout(t, "Jan _2 03:04:05PM -07:00 Z0700 ,999"),
            "Jun 23 01:19:44PM +00:00 Z ,128");
  EXPECT_EQ(FormatGoTime(GoTimeFromUnix(-1, 500000000)),
            "1969-12-31 23:59:59.5 +0000 UTC");
  EXPECT_EQ(FormatGoDuration(0), "0s");
  EXPECT_EQ(FormatGoDuration(1), "1ns");
  EXPECT_EQ(FormatGoDuration(1500), "1.5\xC2\xB5s");
  EXPECT_EQ(FormatGoDuration(-90000000000), "-1m30s");
  EXPECT_EQ(FormatGoDuration(3600000000000), "1h0m0s");
  EXPECT_EQ(FormatGoDuration(std::numeric_limits<int64_t>::min()),
            "-2562047h47m16.854775808s");
}

TEST(GoStringsTest, HostPortAndEscapes) {
  std::string host, port;
  EXPECT_TRUE(GoSplitHostPort("[fe80::1%eth0]:80", &host, &port));
  EXPECT_EQ(host, "fe80::1%eth0");
  EXPECT_FALSE(GoSplitHostPort("[::1]", &host, &port));
  EXPECT_FALSE(GoSplitHostPort("a]:1", &host, &port));
  EXPECT_TRUE(GoIsIP("::ffff:1.2.3.4"));
  EXPECT_FALSE(GoIsIP("01.2.3.4"));
  EXPECT_FALSE(GoIsIP("fe80::1%eth0"));
  EXPECT_EQ(GoQueryEscape("a b/~"), "a+b%2F~");
  EXPECT_EQ(GoJsEscape("\x01\xE2\x80\xA8x"), "\\u0001\\u2028x");
  EXPECT_EQ(GoToUpper("a\xFF"), "A\xEF\xBF\xBD");
  EXPECT_EQ(GoToLower("ABC"), "abc");
  EXPECT_EQ(GoTitle("hello wORLD_x y.z"), "Hello WORLD_x Y.Z");
}

}  // namespace
}  // namespace fraisier::rules::templates
