// Go's time.Time and time.Duration formatting, for the values toTime,
// toDuration and humanizeTimestamp produce. Only UTC exists here: Prometheus
// converts every template time to UTC.
#ifndef RULES_TEMPLATE_GO_TIME_H_
#define RULES_TEMPLATE_GO_TIME_H_

#include <cstdint>
#include <string>

#include "absl/strings/string_view.h"
#include "rules/template/value.h"

namespace fraisier::rules::templates {

// time.Unix(sec, nsec) normalised (nsec may be outside [0, 1e9)).
GoTime GoTimeFromUnix(int64_t sec, int64_t nsec);

// Calendar fields of a UTC time.
struct Civil {
  int64_t year;
  int month;    // 1..12
  int day;      // 1..31
  int hour;     // 0..23
  int minute;   // 0..59
  int second;   // 0..59
  int weekday;  // 0 = Sunday
  int yearday;  // 1..366
};
Civil ToCivil(GoTime t);

// time.Time.String(): "2015-06-23 13:19:44.128 +0000 UTC".
std::string FormatGoTime(GoTime t);

// time.Time.Format(layout) with Go's reference-time layout elements
// (2006 01 02 15 04 05 Jan January Mon Monday MST -0700 Z07:00 .000 PM ...).
std::string FormatGoTimeLayout(GoTime t, absl::string_view layout);

// time.Duration.String(): "1h2m3.5s", "1.5ms", "0s".
std::string FormatGoDuration(int64_t nanos);

// time.Month.String() / time.Weekday.String(), with Go's "%!Month(13)" for
// values out of range.
std::string GoMonthName(int64_t month);
std::string GoWeekdayName(int64_t weekday);

}  // namespace fraisier::rules::templates

#endif  // RULES_TEMPLATE_GO_TIME_H_
