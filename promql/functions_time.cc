// Calendar functions: year, month, day_of_month, day_of_year, day_of_week,
// days_in_month, hour and minute, in UTC. Without an argument they apply to
// the evaluation time (one sample without labels); with one they read each
// sample's value as Unix seconds (truncated towards zero, as Go's int64
// conversion does) and the outputs drop __name__.
//
// A NaN, infinite or out-of-int64-range value gives NaN (Go's conversion
// would produce an arbitrary time there).
#include <cmath>
#include <cstdint>

#include "promql/eval_functions.h"
#include "promql/functions_internal.h"

namespace fraisier::promql {
namespace {

using functions_internal::VectorArg;
using functions_internal::VectorFunctionEntry;

struct CivilTime {
  int64_t year;
  int month;        // 1..12
  int day;          // 1..31
  int day_of_year;  // 1..366
  int day_of_week;  // 0 = Sunday
  int hour;
  int minute;
};

int64_t FloorDiv(int64_t a, int64_t b) {
  int64_t q = a / b;
  if ((a % b != 0) && ((a < 0) != (b < 0))) --q;
  return q;
}

bool IsLeapYear(int64_t y) {
  return y % 4 == 0 && (y % 100 != 0 || y % 400 == 0);
}

int DaysInMonth(int64_t year, int month) {
  static constexpr int kDays[] = {31, 28, 31, 30, 31, 30,
                                  31, 31, 30, 31, 30, 31};
  if (month == 2 && IsLeapYear(year)) return 29;
  return kDays[month - 1];
}

// Days since 1970-01-01 of a proleptic Gregorian date (H. Hinnant's
// days_from_civil).
int64_t DaysFromCivil(int64_t y, int m, int d) {
  y -= m <= 2;
  const int64_t era = FloorDiv(y, 400);
  const int64_t yoe = y - era * 400;
  const int64_t doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
  const int64_t doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
  return era * 146097 + doe - 719468;
}

CivilTime ToCivil(int64_t unix_seconds) {
  const int64_t days = FloorDiv(unix_seconds, 86400);
  const int64_t secs = unix_seconds - days * 86400;
  // civil_from_days.
  const int64_t z = days + 719468;
  const int64_t era = FloorDiv(z, 146097);
  const int64_t doe = z - era * 146097;
  const int64_t yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
  const int64_t doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
  const int64_t mp = (5 * doy + 2) / 153;
  CivilTime t;
  t.day = static_cast<int>(doy - (153 * mp + 2) / 5 + 1);
  t.month = static_cast<int>(mp < 10 ? mp + 3 : mp - 9);
  t.year = yoe + era * 400 + (t.month <= 2);
  t.day_of_year = static_cast<int>(days - DaysFromCivil(t.year, 1, 1)) + 1;
  // 1970-01-01 was a Thursday.
  const int64_t weekday = (days + 4) % 7;
  t.day_of_week = static_cast<int>(weekday < 0 ? weekday + 7 : weekday);
  t.hour = static_cast<int>(secs / 3600);
  t.minute = static_cast<int>(secs % 3600 / 60);
  return t;
}

using CivilField = double (*)(const CivilTime&);

double Year(const CivilTime& t) { return static_cast<double>(t.year); }
double Month(const CivilTime& t) { return t.month; }
double DayOfMonth(const CivilTime& t) { return t.day; }
double DayOfYear(const CivilTime& t) { return t.day_of_year; }
double DayOfWeek(const CivilTime& t) { return t.day_of_week; }
double DaysInMonthField(const CivilTime& t) {
  return DaysInMonth(t.year, t.month);
}
double Hour(const CivilTime& t) { return t.hour; }
double Minute(const CivilTime& t) { return t.minute; }

template <CivilField F>
absl::Status DateFunction(const VectorContext& ctx, absl::Span<const Arg> args,
                          Vector* out) {
  if (args.empty()) {
    // Go: time.Unix(ts/1000, 0), integer division.
    out->push_back(
        VectorSample{Labels(), ctx.ts, F(ToCivil(ctx.ts / 1000)), false});
    return absl::OkStatus();
  }
  absl::StatusOr<const Vector*> in = VectorArg(args, 0);
  if (!in.ok()) return in.status();
  out->reserve((*in)->size());
  for (const VectorSample& s : **in) {
    double v = std::nan("");
    // 2^63: the first double beyond int64.
    if (std::isfinite(s.f) && std::fabs(s.f) < 9223372036854775808.0) {
      v = F(ToCivil(static_cast<int64_t>(s.f)));
    }
    out->push_back(VectorSample{s.metric, ctx.ts, v, true});
  }
  return absl::OkStatus();
}

constexpr VectorFunctionEntry kTimeFunctions[] = {
    {"day_of_month", DateFunction<DayOfMonth>},
    {"day_of_week", DateFunction<DayOfWeek>},
    {"day_of_year", DateFunction<DayOfYear>},
    {"days_in_month", DateFunction<DaysInMonthField>},
    {"hour", DateFunction<Hour>},
    {"minute", DateFunction<Minute>},
    {"month", DateFunction<Month>},
    {"year", DateFunction<Year>},
};

}  // namespace

absl::Span<const VectorFunctionEntry> functions_internal::TimeFunctions() {
  return kTimeFunctions;
}

}  // namespace fraisier::promql
