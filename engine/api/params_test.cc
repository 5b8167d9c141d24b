// Parameter parsing. Accepted and refused inputs were tried against
// Prometheus 2.42's /api/v1/query `time` and /api/v1/query_range `step`
// (e.g. "1_000" and "1e3" are times, "0x10" and "+5" are not, every
// fraction .001 to .999 keeps its three digits).
#include "engine/api/params.h"

#include <cstdint>
#include <limits>
#include <string>

#include "absl/time/civil_time.h"
#include "absl/time/time.h"
#include "engine/base/status_matchers.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace fraisier::api {
namespace {

using ::fraisier::testing::IsOkAndHolds;
using ::fraisier::testing::StatusIs;
using ::testing::ElementsAre;
using ::testing::Eq;
using ::testing::IsEmpty;
using ::testing::Pair;

absl::Time Utc(int y, int mo, int d, int h, int mi, int s) {
  return absl::FromCivil(absl::CivilSecond(y, mo, d, h, mi, s),
                         absl::UTCTimeZone());
}

TEST(ParseTimeTest, FloatSeconds) {
  EXPECT_THAT(ParseTime("1700000000"),
              IsOkAndHolds(absl::FromUnixSeconds(1700000000)));
  EXPECT_THAT(ParseTime("1700000030.1234"),
              IsOkAndHolds(absl::FromUnixMillis(1700000030123)));
  EXPECT_THAT(ParseTime("1700000030.1236"),
              IsOkAndHolds(absl::FromUnixMillis(1700000030124)));
  EXPECT_THAT(ParseTime("-1.5"), IsOkAndHolds(absl::FromUnixMillis(-1500)));
  EXPECT_THAT(ParseTime("1e3"), IsOkAndHolds(absl::FromUnixSeconds(1000)));
  EXPECT_THAT(ParseTime("1_000"), IsOkAndHolds(absl::FromUnixSeconds(1000)));
  EXPECT_THAT(ParseTime(".5"), IsOkAndHolds(absl::FromUnixMillis(500)));
  for (int ms = 1; ms < 1000; ++ms) {
    const std::string s = "1700000030." +
                          std::string(ms < 10    ? "00"
                                      : ms < 100 ? "0"
                                                 : "") +
                          std::to_string(ms);
    EXPECT_THAT(ParseTime(s),
                IsOkAndHolds(absl::FromUnixMillis(1700000030000 + ms)))
        << s;
  }
}

TEST(ParseTimeTest, Rfc3339) {
  const absl::Time t = Utc(2023, 11, 14, 22, 13, 50);
  EXPECT_THAT(ParseTime("2023-11-14T22:13:50Z"), IsOkAndHolds(t));
  EXPECT_THAT(ParseTime("2023-11-14T22:13:50.123456789Z"),
              IsOkAndHolds(t + absl::Nanoseconds(123456789)));
  // ',' works as in Go.
  EXPECT_THAT(ParseTime("2023-11-14T22:13:50,5Z"),
              IsOkAndHolds(t + absl::Milliseconds(500)));
  EXPECT_THAT(ParseTime("2023-11-14T23:13:50+01:00"), IsOkAndHolds(t));
  EXPECT_THAT(ParseTime("2023-11-14T20:43:50-01:30"), IsOkAndHolds(t));
  EXPECT_THAT(ParseTime("2023-11-14T2:13:50Z"),
              IsOkAndHolds(Utc(2023, 11, 14, 2, 13, 50)));
  EXPECT_THAT(ParseTime("2024-02-29T00:00:00Z"),
              IsOkAndHolds(Utc(2024, 2, 29, 0, 0, 0)));
  // Prometheus's own limits, which clients send back.
  EXPECT_THAT(ParseTime("-292273086-05-16T16:47:06Z"),
              IsOkAndHolds(MinApiTime()));
  EXPECT_THAT(ParseTime("292277026-04-11T23:47:16.854775807Z"),
              IsOkAndHolds(MaxApiTime()));
}

TEST(ParseTimeTest, Refused) {
  const char* const cases[] = {
      "",
      "x",
      "0x10",
      " 5",
      "5 ",
      "2023-11-14T22:13:50",
      "2023-11-14t22:13:50z",
      "2023-11-14 22:13:50Z",
      "2023-02-29T00:00:00Z",
      "2023-13-01T00:00:00Z",
      "2023-11-14T24:00:00Z",
      "2023-11-14T22:60:00Z",
      "2023-11-14T22:13:60Z",
      "2023-11-14T22:13:50.Z",
      "2023-11-14T22:13:50.1234567891Z",
      "2023-11-14T22:13:50+0100",
      "2023-11-14T22:13:50Zjunk",
      "23-11-14T22:13:50Z",
      "NaN",
      "Inf",
      "1e300",
  };
  for (const char* s : cases) {
    EXPECT_THAT(ParseTime(s), StatusIs(absl::StatusCode::kInvalidArgument,
                                       Eq("cannot parse \"" + std::string(s) +
                                          "\" to a valid timestamp")))
        << s;
  }
}

TEST(ParseTimeTest, ApiLimitsAsTimestamps) {
  // timestamp.FromTime of Prometheus's minTime and maxTime.
  EXPECT_EQ(ApiTimestamp(MinApiTime()), int64_t{-9223309901257974000});
  EXPECT_EQ(ApiTimestamp(MaxApiTime()), int64_t{9223309901257974999});
}

TEST(ParseTimeParamTest, DefaultAndErrors) {
  const absl::Time def = absl::FromUnixSeconds(7);
  EXPECT_THAT(ParseTimeParam({}, "time", def), IsOkAndHolds(def));
  EXPECT_THAT(ParseTimeParam({{"time", ""}}, "time", def), IsOkAndHolds(def));
  EXPECT_THAT(ParseTimeParam({{"start", "x"}}, "start", def),
              StatusIs(absl::StatusCode::kInvalidArgument,
                       Eq("Invalid time value for 'start': cannot parse "
                          "\"x\" to a valid timestamp")));
}

TEST(ParseDurationTest, FloatsAndPrometheusDurations) {
  EXPECT_THAT(ParseDuration("15"), IsOkAndHolds(absl::Seconds(15)));
  EXPECT_THAT(ParseDuration("0.5"), IsOkAndHolds(absl::Milliseconds(500)));
  EXPECT_THAT(ParseDuration("-1"), IsOkAndHolds(absl::Seconds(-1)));
  EXPECT_THAT(ParseDuration("0.0001"), IsOkAndHolds(absl::Microseconds(100)));
  EXPECT_THAT(ParseDuration("15s"), IsOkAndHolds(absl::Seconds(15)));
  EXPECT_THAT(ParseDuration("1m30s"), IsOkAndHolds(absl::Seconds(90)));
  EXPECT_THAT(ParseDuration("1d"), IsOkAndHolds(absl::Hours(24)));
  EXPECT_THAT(ParseDuration("500ms"), IsOkAndHolds(absl::Milliseconds(500)));
  EXPECT_THAT(ParseDuration("0"), IsOkAndHolds(absl::ZeroDuration()));
}

TEST(ParseDurationTest, Refused) {
  for (const char* s : {"", "abc", "-1s", "1s1m", "1.5s", "5 s"}) {
    EXPECT_THAT(ParseDuration(s),
                StatusIs(absl::StatusCode::kInvalidArgument,
                         Eq("cannot parse \"" + std::string(s) +
                            "\" to a valid duration")))
        << s;
  }
  // As Go converts NaN on amd64: the most negative duration.
  EXPECT_THAT(
      ParseDuration("NaN"),
      IsOkAndHolds(absl::Nanoseconds(std::numeric_limits<int64_t>::min())));
  EXPECT_THAT(ParseDuration("1e10"),
              StatusIs(absl::StatusCode::kInvalidArgument,
                       Eq("cannot parse \"1e10\" to a valid duration. It "
                          "overflows int64")));
}

TEST(FormTest, UrlEncodedPairs) {
  Params params;
  AppendUrlEncoded(
      "query=sum(rate(x%5B5m%5D))+by+(job)&match[]=a&match%5B%5D=b"
      "&empty=&novalue&&bad=%zz&semi=a;b&plus=%2B",
      &params);
  EXPECT_THAT(params, ElementsAre(Pair("query", "sum(rate(x[5m])) by (job)"),
                                  Pair("match[]", "a"), Pair("match[]", "b"),
                                  Pair("empty", ""), Pair("novalue", ""),
                                  Pair("plus", "+")));
  EXPECT_EQ(FormValue(params, "match[]"), "a");
  EXPECT_EQ(FormValue(params, "missing"), "");
  EXPECT_THAT(FormValues(params, "match[]"), ElementsAre("a", "b"));
  EXPECT_THAT(FormValues(params, "missing"), IsEmpty());
}

TEST(FormTest, PathUnescape) {
  EXPECT_EQ(PathUnescape("a%20b+c"), "a b+c");
  EXPECT_EQ(PathUnescape("%E2%82%AC"), "\xe2\x82\xac");
  EXPECT_EQ(PathUnescape("a%2"), std::nullopt);
  EXPECT_EQ(PathUnescape("a%g0"), std::nullopt);
}

}  // namespace
}  // namespace fraisier::api
