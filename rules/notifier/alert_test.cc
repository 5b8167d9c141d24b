#include "rules/notifier/alert.h"

#include <string>
#include <vector>

#include "absl/time/civil_time.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace fraisier::notifier {
namespace {

absl::Time Utc(int y, int mo, int d, int h, int mi, int s) {
  return absl::FromCivil(absl::CivilSecond(y, mo, d, h, mi, s),
                         absl::UTCTimeZone());
}

// The body Prometheus 2.42 posted for this alert (rule `vector(1) > 0`,
// external label cluster=c1 and severity=ext, the rule's own severity
// winning), captured from the wire.
constexpr absl::string_view kPrometheusBody =
    R"json([{"annotations":{"description":"naïve \"q\" \n line","empty":"","summary":"value 1 \u003cx\u003e"},"endsAt":"2026-11-24T05:09:45.632Z","startsAt":"2026-11-24T05:09:31.632Z","generatorURL":"http://vm:19556/graph?g0.expr=vector%281%29+%3E+0\u0026g0.tab=1","labels":{"alertname":"TestAlert","cluster":"c1","severity":"page","z":"a\u003cb\u0026c\u003e"}}])json";

TEST(AlertJsonTest, MatchesPrometheusBytes) {
  Alert a;
  a.labels = Labels::FromPairs({{"alertname", "TestAlert"},
                                {"cluster", "c1"},
                                {"severity", "page"},
                                {"z", "a<b&c>"}});
  // File order, as the rules engine keeps them; the encoder sorts.
  a.annotations = {{"summary", "value 1 <x>"},
                   {"empty", ""},
                   {"description", "naïve \"q\" \n line"}};
  // Sub-millisecond digits are truncated, as Go's ".000" layout does.
  a.starts_at = Utc(2026, 11, 24, 5, 9, 31) + absl::Microseconds(632999);
  a.ends_at = Utc(2026, 11, 24, 5, 9, 45) + absl::Milliseconds(632);
  a.generator_url = GeneratorUrl("http://vm:19556/", "vector(1) > 0");
  EXPECT_EQ(AlertsBody({EncodeAlert(a)}), kPrometheusBody);
}

TEST(AlertJsonTest, OmitsEmptyAnnotationsAndGeneratorUrlButNotLabels) {
  Alert a;
  a.starts_at = Utc(2026, 1, 2, 3, 4, 5);
  a.ends_at = absl::InfinitePast();
  EXPECT_EQ(AlertsBody({EncodeAlert(a)}),
            R"([{"endsAt":"0001-01-01T00:00:00.000Z",)"
            R"("startsAt":"2026-01-02T03:04:05.000Z","labels":{}}])");
}

TEST(AlertJsonTest, DuplicateAnnotationLastWins) {
  Alert a;
  a.labels = Labels::FromPairs({{"alertname", "A"}});
  a.annotations = {{"b", "1"}, {"a", "x"}, {"b", "2"}};
  std::string out;
  AppendAlertJson(a, &out);
  EXPECT_THAT(out, ::testing::StartsWith(
                       R"({"annotations":{"a":"x","b":"2"},"endsAt")"));
}

TEST(AlertJsonTest, BodyJoinsAlerts) {
  EXPECT_EQ(AlertsBody({}), "[]");
  auto one = std::make_shared<const std::string>("{1}");
  auto two = std::make_shared<const std::string>("{2}");
  EXPECT_EQ(AlertsBody({one, two, one}), "[{1},{2},{1}]");
}

TEST(FormatAlertTimeTest, MillisecondsUtc) {
  EXPECT_EQ(FormatAlertTime(absl::UnixEpoch()), "1970-01-01T00:00:00.000Z");
  EXPECT_EQ(FormatAlertTime(absl::FromUnixMillis(1700000000123)),
            "2023-11-14T22:13:20.123Z");
  EXPECT_EQ(FormatAlertTime(absl::FromUnixNanos(1700000000999999999)),
            "2023-11-14T22:13:20.999Z");
  // Before the epoch the fraction still counts forward from the second.
  EXPECT_EQ(FormatAlertTime(absl::FromUnixMillis(-1)),
            "1969-12-31T23:59:59.999Z");
  EXPECT_EQ(FormatAlertTime(absl::InfinitePast()), "0001-01-01T00:00:00.000Z");
  EXPECT_EQ(FormatAlertTime(Utc(-5, 1, 1, 0, 0, 0)),
            "0001-01-01T00:00:00.000Z");
  EXPECT_EQ(FormatAlertTime(Utc(999, 1, 1, 0, 0, 0)),
            "0999-01-01T00:00:00.000Z");
  EXPECT_EQ(FormatAlertTime(absl::InfiniteFuture()),
            "9999-12-31T23:59:59.999Z");
  EXPECT_EQ(FormatAlertTime(Utc(12345, 1, 1, 0, 0, 0)),
            "9999-12-31T23:59:59.999Z");
}

TEST(AlertEndsAtTest, FiringUsesFourResendPeriods) {
  const absl::Time t = Utc(2026, 11, 24, 5, 0, 0);
  // The larger of group interval and resend delay, times four.
  EXPECT_EQ(AlertEndsAt(t, std::nullopt, absl::Seconds(15), absl::Minutes(1)),
            t + absl::Minutes(4));
  EXPECT_EQ(AlertEndsAt(t, std::nullopt, absl::Minutes(5), absl::Minutes(1)),
            t + absl::Minutes(20));
}

TEST(AlertEndsAtTest, ResolvedUsesResolveTime) {
  const absl::Time t = Utc(2026, 11, 24, 5, 0, 0);
  const absl::Time resolved = t - absl::Seconds(30);
  EXPECT_EQ(AlertEndsAt(t, resolved, absl::Seconds(15), absl::Minutes(1)),
            resolved);
}

TEST(GeneratorUrlTest, PrometheusGraphLink) {
  EXPECT_EQ(GeneratorUrl("http://h:9099", "up == 0"),
            "http://h:9099/graph?g0.expr=up+%3D%3D+0&g0.tab=1");
  EXPECT_EQ(GeneratorUrl("http://h:9099/ruler//", "up"),
            "http://h:9099/ruler/graph?g0.expr=up&g0.tab=1");
  EXPECT_EQ(GeneratorUrl("", "a"), "/graph?g0.expr=a&g0.tab=1");
}

TEST(QueryEscapeTest, GoQueryEscape) {
  EXPECT_EQ(QueryEscape("aZ09-_.~"), "aZ09-_.~");
  EXPECT_EQ(QueryEscape("rate(x{a=\"b\"}[5m]) > 0.5"),
            "rate%28x%7Ba%3D%22b%22%7D%5B5m%5D%29+%3E+0.5");
  EXPECT_EQ(QueryEscape("é/+&"), "%C3%A9%2F%2B%26");
}

}  // namespace
}  // namespace fraisier::notifier
