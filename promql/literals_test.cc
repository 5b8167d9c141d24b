#include "promql/literals.h"

#include <cmath>
#include <cstdint>
#include <limits>
#include <string>

#include "engine/base/status_matchers.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace fraisier::promql {
namespace {

using ::fraisier::testing::IsOkAndHolds;
using ::fraisier::testing::StatusIs;
using ::testing::Eq;
using ::testing::PrintToString;

constexpr double kInf = std::numeric_limits<double>::infinity();

TEST(ParseNumberTest, Valid) {
  struct Case {
    std::string text;
    double want;
  };
  const Case cases[] = {
      {"1", 1},
      {"0", 0},
      {"1.5", 1.5},
      {".5", 0.5},
      {"5.", 5},
      {"4.23", 4.23},
      {"1e3", 1000},
      {"1E-3", 0.001},
      {"1.5e+2", 150},
      {"0x1F", 31},
      {"0X1f", 31},
      {"0x_1F", 31},
      {"017", 15},  // octal, as Go's ParseInt with base 0
      {"0o17", 15},
      {"0O17", 15},
      {"0b101", 5},
      {"0B101", 5},
      {"0_17", 15},
      {"1_000", 1000},
      {"1_000_000", 1000000},
      {"1_000.5", 1000.5},  // ParseFloat allows underscores between digits
      {"1e1_0", 1e10},
      {"08", 8},  // not octal, so ParseFloat reads it as decimal
      {"09.5", 9.5},
      {"0x1p-2", 0.25},
      {"0x1.8p1", 3},
      {"0X_1FFFP-16", 0.1249847412109375},
      {"+5", 5},
      {"-5", -5},
      {"-1.5", -1.5},
      {"9223372036854775807", 9223372036854775807.0},
      {"9223372036854775808", 9223372036854775808.0},
      {"-9223372036854775808", -9223372036854775808.0},
      {"18446744073709551616", 18446744073709551616.0},
      {"0.1", 0.1},
      {"123456789012345678901234567890", 1.2345678901234568e29},
      {"4.9406564584124654e-324", 4.9406564584124654e-324},
      {"1e-400", 0},  // Go returns zero on underflow, without an error
      {"Inf", kInf},
      {"inf", kInf},
      {"INF", kInf},
      {"+Inf", kInf},
      {"-inf", -kInf},
      {"infinity", kInf},
      {"+InFiNiTy", kInf},
  };
  for (const Case& c : cases) {
    EXPECT_THAT(ParseNumber(c.text), IsOkAndHolds(Eq(c.want)))
        << PrintToString(c.text);
  }
}

TEST(ParseNumberTest, NaN) {
  for (const char* text : {"NaN", "nan", "nAn", "NAN"}) {
    const absl::StatusOr<double> got = ParseNumber(text);
    ASSERT_TRUE(got.ok()) << text;
    EXPECT_TRUE(std::isnan(*got)) << text;
  }
}

TEST(ParseNumberTest, Invalid) {
  const char* const cases[] = {
      "",      "1__000", "_1",   "1_",   "1_.5", "1._5",  "0x",
      "0x1.8", "0x1p",   "0b2",  "0o8x", "abc",  "1.2.3", "+nan",
      "-NaN",  "infx",   "inff", "1e",   "1e+",  "e5",    ".",
      "1a",    "0x1e_",  "- 1",  "1 ",   "0x_",  "1e5_",  "0b_",
      "++1",   "0x.p1",  "1ms",  "0x1g", "\xff", "1,000",
  };
  for (const char* text : cases) {
    EXPECT_THAT(ParseNumber(text),
                StatusIs(absl::StatusCode::kInvalidArgument,
                         Eq(std::string("error parsing number: "
                                        "strconv.ParseFloat: parsing ") +
                            (std::string(text) == "\xff"
                                 ? std::string(R"("\xff")")
                                 : "\"" + std::string(text) + "\"") +
                            ": invalid syntax")))
        << PrintToString(text);
  }
}

TEST(ParseNumberTest, OutOfRange) {
  for (const char* text : {"1e400", "-1e400", "0x1p2000", "1.8e308"}) {
    EXPECT_THAT(ParseNumber(text),
                StatusIs(absl::StatusCode::kInvalidArgument,
                         Eq(std::string("error parsing number: "
                                        "strconv.ParseFloat: parsing \"") +
                            text + "\": value out of range")))
        << text;
  }
}

TEST(ParseDurationMsTest, Valid) {
  struct Case {
    std::string text;
    int64_t want;
  };
  constexpr int64_t kSecond = 1000;
  constexpr int64_t kMinute = 60 * kSecond;
  constexpr int64_t kHour = 60 * kMinute;
  constexpr int64_t kDay = 24 * kHour;
  const Case cases[] = {
      {"0", 0},
      {"0s", 0},
      {"0ms", 0},
      {"1ms", 1},
      {"1s", kSecond},
      {"1m", kMinute},
      {"1h", kHour},
      {"1d", kDay},
      {"1w", 7 * kDay},
      {"1y", 365 * kDay},
      {"500ms", 500},
      {"90m", 90 * kMinute},
      {"1h30m", 90 * kMinute},
      {"1s500ms", 1500},
      {"1y2w3d4h5m6s7ms", 365 * kDay + 14 * kDay + 3 * kDay + 4 * kHour +
                              5 * kMinute + 6 * kSecond + 7},
      {"007m", 7 * kMinute},
      {"292y", 292 * 365 * kDay},
      {"9223372036854ms", 9223372036854},
      {"106751d23h47m16s854ms", 9223372036854},
  };
  for (const Case& c : cases) {
    EXPECT_THAT(ParseDurationMs(c.text), IsOkAndHolds(Eq(c.want))) << c.text;
  }
}

TEST(ParseDurationMsTest, Invalid) {
  struct Case {
    std::string text;
    std::string error;
  };
  const Case cases[] = {
      {"", "empty duration string"},
      {"1", R"(not a valid duration string: "1")"},
      {"m", R"(not a valid duration string: "m")"},
      {"1m1h", R"(not a valid duration string: "1m1h")"},
      {"1s1m", R"(not a valid duration string: "1s1m")"},
      {"1ms1s", R"(not a valid duration string: "1ms1s")"},
      {"1m1m", R"(not a valid duration string: "1m1m")"},
      {"1y1y", R"(not a valid duration string: "1y1y")"},
      {"-1m", R"(not a valid duration string: "-1m")"},
      {"1m30", R"(not a valid duration string: "1m30")"},
      {" 1m", R"(not a valid duration string: " 1m")"},
      {"99999999999999999999s",
       R"(not a valid duration string: "99999999999999999999s")"},
      {"1x", R"(unknown unit "x" in duration "1x")"},
      {"1hs", R"(unknown unit "hs" in duration "1hs")"},
      {"1.5h", R"(unknown unit "." in duration "1.5h")"},
      {"1h 30m", R"(unknown unit "h " in duration "1h 30m")"},
      {"1M", R"(unknown unit "M" in duration "1M")"},
      {"300y", "duration out of range"},
      {"293y", "duration out of range"},
      {"292y1000w", "duration out of range"},
      {"106751d23h47m16s855ms", "duration out of range"},
      {"18446744073709551615ms", "duration out of range"},
  };
  for (const Case& c : cases) {
    EXPECT_THAT(ParseDurationMs(c.text),
                StatusIs(absl::StatusCode::kInvalidArgument, Eq(c.error)))
        << c.text;
  }
}

TEST(FormatDurationMsTest, Table) {
  struct Case {
    int64_t ms;
    std::string want;
  };
  constexpr int64_t kDay = 24 * 3600 * 1000;
  const Case cases[] = {
      {0, "0s"},
      {1, "1ms"},
      {999, "999ms"},
      {1000, "1s"},
      {1500, "1s500ms"},
      {60000, "1m"},
      {5400000, "1h30m"},
      {kDay, "1d"},
      {kDay + 1, "1d1ms"},
      {7 * kDay, "1w"},
      {14 * kDay, "2w"},
      {90 * kDay, "90d"},  // years and weeks only when exact
      {365 * kDay, "1y"},
      {730 * kDay, "2y"},
      {366 * kDay, "366d"},
      {379 * kDay, "379d"},
      {371 * kDay + 3600000, "371d1h"},
      {-300000, "-5m"},
      {-1, "-1ms"},
      {std::numeric_limits<int64_t>::max(), "106751991167d7h12m55s807ms"},
      {std::numeric_limits<int64_t>::min(), "-106751991167d7h12m55s808ms"},
  };
  for (const Case& c : cases) {
    EXPECT_EQ(FormatDurationMs(c.ms), c.want) << c.ms;
  }
}

TEST(FormatDurationMsTest, RoundTrip) {
  for (const char* text : {"1h30m", "1s500ms", "2w", "1y", "90d", "5m", "1ms",
                           "1d2h3m4s5ms", "3y", "52w", "10d23h59m59s999ms"}) {
    const absl::StatusOr<int64_t> ms = ParseDurationMs(text);
    ASSERT_TRUE(ms.ok()) << text;
    EXPECT_EQ(FormatDurationMs(*ms), text);
  }
}

TEST(UnquoteStringTest, Valid) {
  struct Case {
    std::string quoted;
    std::string want;
  };
  const Case cases[] = {
      {R"("abc")", "abc"},
      {"'abc'", "abc"},
      {"`abc`", "abc"},
      {R"("")", ""},
      {"''", ""},
      {"``", ""},
      {R"("\a\b\f\n\r\t\v\\\"")", "\a\b\f\n\r\t\v\\\""},
      {R"('\a\b\f\n\r\t\v\\\'')", "\a\b\f\n\r\t\v\\'"},
      {R"("a'b")", "a'b"},
      {R"('a"b')", "a\"b"},
      {R"("\x41\x62")", "Ab"},
      {R"("\101\142")", "Ab"},
      {R"("\000")", std::string("\0", 1)},
      {R"("\xff")", "\xff"},
      {R"("\377")", "\xff"},
      {R"("\u00e9")", "\xc3\xa9"},
      {R"("\u65e5\u672c")", "\xe6\x97\xa5\xe6\x9c\xac"},
      {R"("\U0001F600")", "\xf0\x9f\x98\x80"},
      {R"("\U0010FFFF")", "\xf4\x8f\xbf\xbf"},
      {R"("\ud800")", "\xef\xbf\xbd"},  // surrogates become U+FFFD
      {"\"\xe6\x97\xa5\xe6\x9c\xac\"", "\xe6\x97\xa5\xe6\x9c\xac"},
      {"'\xc3\xa9t\xc3\xa9'", "\xc3\xa9t\xc3\xa9"},
      // Without escapes the bytes are kept even when not UTF-8; with escapes
      // a bad byte becomes U+FFFD.
      {"\"\xff\"", "\xff"},
      {"\"\xff\\n\"", "\xef\xbf\xbd\n"},
      {"`a\\nb`", "a\\nb"},
      {"`a\nb`", "a\nb"},
      {"`a\"'b`", "a\"'b"},
      {"'long single-quoted string'", "long single-quoted string"},
  };
  for (const Case& c : cases) {
    EXPECT_THAT(UnquoteString(c.quoted), IsOkAndHolds(Eq(c.want)))
        << PrintToString(c.quoted);
  }
}

TEST(UnquoteStringTest, Invalid) {
  const char* const cases[] = {
      "",         "\"",        "'",         "`",
      "\"abc",    "'abc\"",    "abc",       "xabcx",
      "\"a\nb\"", "'a\nb'",    R"("a"b")",  R"('a'b')",
      "`a`b`",    R"("\'")",   R"('\"')",   R"("\q")",
      R"("\x4")", R"("\x4g")", R"("\u12")", R"("\18")",
      R"("\1")",  R"("\400")", R"("\")",    R"("\U00110000")",
      R"("\8")",  R"("\ ")",   R"("\`")",
  };
  for (const char* quoted : cases) {
    EXPECT_THAT(
        UnquoteString(quoted),
        StatusIs(absl::StatusCode::kInvalidArgument, Eq("invalid syntax")))
        << PrintToString(quoted);
  }
}

TEST(ParseGoFloatTest, FloatsOnly) {
  EXPECT_THAT(ParseGoFloat("1.5"), IsOkAndHolds(1.5));
  EXPECT_THAT(ParseGoFloat("-1e3"), IsOkAndHolds(-1000));
  EXPECT_THAT(ParseGoFloat("1_000"), IsOkAndHolds(1000));
  EXPECT_THAT(ParseGoFloat("0x1p4"), IsOkAndHolds(16));
  EXPECT_THAT(ParseGoFloat("+Inf"),
              IsOkAndHolds(std::numeric_limits<double>::infinity()));
  // Unlike ParseNumber, integer base prefixes are not floats.
  EXPECT_THAT(ParseGoFloat("0x10"), StatusIs(absl::StatusCode::kInvalidArgument,
                                             Eq("invalid syntax")));
  EXPECT_THAT(ParseGoFloat(" 5"), StatusIs(absl::StatusCode::kInvalidArgument));
  EXPECT_THAT(ParseGoFloat(""), StatusIs(absl::StatusCode::kInvalidArgument));
  EXPECT_THAT(
      ParseGoFloat("1e400"),
      StatusIs(absl::StatusCode::kInvalidArgument, Eq("value out of range")));
}

}  // namespace
}  // namespace fraisier::promql
