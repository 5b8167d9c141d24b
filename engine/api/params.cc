#include "engine/api/params.h"

#include <cmath>
#include <cstdint>
#include <limits>

#include "absl/status/status.h"
#include "absl/strings/str_cat.h"
#include "absl/time/civil_time.h"
#include "engine/model/go_quote.h"
#include "promql/literals.h"

namespace fraisier::api {
namespace {

int HexValue(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

// Go's url.unescape; `plus_is_space` for query components.
std::optional<std::string> Unescape(absl::string_view s, bool plus_is_space) {
  std::string out;
  out.reserve(s.size());
  for (size_t i = 0; i < s.size(); ++i) {
    const char c = s[i];
    if (c == '%') {
      if (i + 2 >= s.size()) return std::nullopt;
      const int hi = HexValue(s[i + 1]);
      const int lo = HexValue(s[i + 2]);
      if (hi < 0 || lo < 0) return std::nullopt;
      out.push_back(static_cast<char>(hi * 16 + lo));
      i += 2;
    } else if (c == '+' && plus_is_space) {
      out.push_back(' ');
    } else {
      out.push_back(c);
    }
  }
  return out;
}

absl::Status CannotParseTime(absl::string_view s) {
  return absl::InvalidArgumentError(
      absl::StrCat("cannot parse ", GoQuote(s), " to a valid timestamp"));
}

// Reads exactly `n` digits at s[*pos]; -1 when they are not all digits.
int FixedDigits(absl::string_view s, size_t* pos, size_t n) {
  if (*pos + n > s.size()) return -1;
  int v = 0;
  for (size_t i = 0; i < n; ++i) {
    const char c = s[*pos + i];
    if (c < '0' || c > '9') return -1;
    v = v * 10 + (c - '0');
  }
  *pos += n;
  return v;
}

bool IsLeap(int64_t year) {
  return year % 4 == 0 && (year % 100 != 0 || year % 400 == 0);
}

int DaysIn(int month, int64_t year) {
  static constexpr int kDays[] = {31, 28, 31, 30, 31, 30,
                                  31, 31, 30, 31, 30, 31};
  return month == 2 && IsLeap(year) ? 29 : kDays[month - 1];
}

// Go's time.Parse(time.RFC3339Nano, s): "2006-01-02T15:04:05.999999999Z07:00"
// where the hour may have one digit, the fraction is optional, has one to
// nine digits and may follow ',' too, and the zone is "Z" or ±hh:mm.
// Letters are case-sensitive.
std::optional<absl::Time> ParseRfc3339(absl::string_view s) {
  size_t pos = 0;
  const int year = FixedDigits(s, &pos, 4);
  if (year < 0 || pos >= s.size() || s[pos++] != '-') return std::nullopt;
  const int month = FixedDigits(s, &pos, 2);
  if (month < 1 || month > 12 || pos >= s.size() || s[pos++] != '-') {
    return std::nullopt;
  }
  const int day = FixedDigits(s, &pos, 2);
  if (day < 1 || day > DaysIn(month, year)) return std::nullopt;
  if (pos >= s.size() || s[pos++] != 'T') return std::nullopt;
  // Go's "15" takes one or two digits.
  int hour = FixedDigits(s, &pos, 1);
  if (hour < 0) return std::nullopt;
  if (pos < s.size() && s[pos] >= '0' && s[pos] <= '9') {
    hour = hour * 10 + (s[pos++] - '0');
  }
  if (hour > 23 || pos >= s.size() || s[pos++] != ':') return std::nullopt;
  const int minute = FixedDigits(s, &pos, 2);
  if (minute < 0 || minute > 59 || pos >= s.size() || s[pos++] != ':') {
    return std::nullopt;
  }
  const int second = FixedDigits(s, &pos, 2);
  if (second < 0 || second > 59) return std::nullopt;
  int64_t nanos = 0;
  if (pos + 1 < s.size() && (s[pos] == '.' || s[pos] == ',') &&
      s[pos + 1] >= '0' && s[pos + 1] <= '9') {
    ++pos;
    int digits = 0;
    while (pos < s.size() && s[pos] >= '0' && s[pos] <= '9') {
      // Go 1.19 refuses more than nanosecond precision here.
      if (++digits > 9) return std::nullopt;
      nanos = nanos * 10 + (s[pos] - '0');
      ++pos;
    }
    for (; digits < 9; ++digits) nanos *= 10;
  }
  int offset_seconds = 0;
  if (pos < s.size() && s[pos] == 'Z') {
    ++pos;
  } else if (pos < s.size() && (s[pos] == '+' || s[pos] == '-')) {
    const bool negative = s[pos++] == '-';
    const int hh = FixedDigits(s, &pos, 2);
    if (hh < 0 || hh > 24 || pos >= s.size() || s[pos++] != ':') {
      return std::nullopt;
    }
    const int mm = FixedDigits(s, &pos, 2);
    if (mm < 0 || mm > 59) return std::nullopt;
    offset_seconds = (hh * 3600 + mm * 60) * (negative ? -1 : 1);
  } else {
    return std::nullopt;
  }
  if (pos != s.size()) return std::nullopt;
  const absl::Time local =
      absl::FromCivil(absl::CivilSecond(year, month, day, hour, minute, second),
                      absl::UTCTimeZone());
  return local - absl::Seconds(offset_seconds) + absl::Nanoseconds(nanos);
}

}  // namespace

absl::string_view FormValue(const Params& params, absl::string_view name) {
  for (const auto& [key, value] : params) {
    if (key == name) return value;
  }
  return "";
}

std::vector<absl::string_view> FormValues(const Params& params,
                                          absl::string_view name) {
  std::vector<absl::string_view> values;
  for (const auto& [key, value] : params) {
    if (key == name) values.push_back(value);
  }
  return values;
}

void AppendUrlEncoded(absl::string_view encoded, Params* out) {
  while (!encoded.empty()) {
    const size_t amp = encoded.find('&');
    absl::string_view pair = encoded.substr(0, amp);
    encoded = amp == absl::string_view::npos ? absl::string_view()
                                             : encoded.substr(amp + 1);
    // Go 1.17+ refuses ';' as a separator and drops the pair.
    if (pair.empty() || pair.find(';') != absl::string_view::npos) continue;
    const size_t eq = pair.find('=');
    std::optional<std::string> key = Unescape(pair.substr(0, eq), true);
    std::optional<std::string> value =
        eq == absl::string_view::npos ? std::string()
                                      : Unescape(pair.substr(eq + 1), true);
    if (!key.has_value() || !value.has_value()) continue;
    out->emplace_back(*std::move(key), *std::move(value));
  }
}

std::optional<std::string> PathUnescape(absl::string_view segment) {
  return Unescape(segment, false);
}

absl::Time MinApiTime() {
  return absl::FromUnixSeconds(std::numeric_limits<int64_t>::min() / 1000 +
                               62135596801);
}

absl::Time MaxApiTime() {
  return absl::FromUnixSeconds(std::numeric_limits<int64_t>::max() / 1000 -
                               62135596801) +
         absl::Nanoseconds(999999999);
}

absl::StatusOr<absl::Time> ParseTime(absl::string_view s) {
  if (absl::StatusOr<double> seconds = promql::ParseGoFloat(s); seconds.ok()) {
    // 9.2e15 s is where milliseconds leave the int64 range.
    if (!std::isfinite(*seconds) || std::fabs(*seconds) >= 9.2e15) {
      return CannotParseTime(s);
    }
    return TimeFromTimestamp(TimestampFromSeconds(*seconds));
  }
  if (std::optional<absl::Time> t = ParseRfc3339(s); t.has_value()) return *t;
  // Go cannot parse years beyond four digits, so Prometheus recognises the
  // formatted forms of its own limits, which clients send back.
  if (s == "-292273086-05-16T16:47:06Z") return MinApiTime();
  if (s == "292277026-04-11T23:47:16.854775807Z") return MaxApiTime();
  return CannotParseTime(s);
}

absl::StatusOr<absl::Duration> ParseDuration(absl::string_view s) {
  if (absl::StatusOr<double> seconds = promql::ParseGoFloat(s); seconds.ok()) {
    const double nanos = *seconds * 1e9;
    // 2^63: the first value past Go's time.Duration.
    constexpr double kLimit = 9223372036854775808.0;
    if (nanos >= kLimit || nanos < -kLimit) {
      return absl::InvalidArgumentError(
          absl::StrCat("cannot parse ", GoQuote(s),
                       " to a valid duration. It overflows int64"));
    }
    // Go converts float to Duration by truncation toward zero; NaN becomes
    // the most negative Duration on amd64, so Prometheus calls a NaN step
    // "zero or negative".
    if (std::isnan(nanos)) {
      return absl::Nanoseconds(std::numeric_limits<int64_t>::min());
    }
    return absl::Nanoseconds(static_cast<int64_t>(nanos));
  }
  if (absl::StatusOr<int64_t> ms = promql::ParseDurationMs(s); ms.ok()) {
    return absl::Milliseconds(*ms);
  }
  return absl::InvalidArgumentError(
      absl::StrCat("cannot parse ", GoQuote(s), " to a valid duration"));
}

absl::StatusOr<absl::Time> ParseTimeParam(const Params& params,
                                          absl::string_view name,
                                          absl::Time default_value) {
  const absl::string_view value = FormValue(params, name);
  if (value.empty()) return default_value;
  absl::StatusOr<absl::Time> t = ParseTime(value);
  if (!t.ok()) {
    return absl::InvalidArgumentError(absl::StrCat(
        "Invalid time value for '", name, "': ", t.status().message()));
  }
  return t;
}

Timestamp ApiTimestamp(absl::Time t) { return TimestampFromTime(t); }

}  // namespace fraisier::api
