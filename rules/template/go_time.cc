#include "rules/template/go_time.h"

#include <cstdint>
#include <string>

#include "absl/strings/str_cat.h"

namespace fraisier::rules::templates {
namespace {

constexpr int64_t kNanosPerSecond = 1000000000;

constexpr const char* kMonths[] = {
    "January", "February", "March",     "April",   "May",      "June",
    "July",    "August",   "September", "October", "November", "December"};
constexpr const char* kDays[] = {"Sunday",   "Monday", "Tuesday", "Wednesday",
                                 "Thursday", "Friday", "Saturday"};

// Floor division, so that times before 1970 land on the right day.
int64_t FloorDiv(int64_t a, int64_t b) {
  int64_t q = a / b;
  if ((a % b != 0) && ((a < 0) != (b < 0))) --q;
  return q;
}

// Appends `v` in decimal, zero-padded to `width` digits.
void AppendPadded(std::string* out, int64_t v, int width) {
  if (v < 0) {
    out->push_back('-');
    v = -v;
  }
  std::string digits = absl::StrCat(v);
  for (int i = static_cast<int>(digits.size()); i < width; ++i) {
    out->push_back('0');
  }
  out->append(digits);
}

bool IsLower(char c) { return c >= 'a' && c <= 'z'; }
bool IsDigitAt(absl::string_view s, size_t i) {
  return i < s.size() && s[i] >= '0' && s[i] <= '9';
}

// The layout elements of Go's time package that a UTC time can print.
enum class Std {
  kNone,
  kLongMonth,
  kMonth,
  kNumMonth,
  kZeroMonth,
  kLongWeekDay,
  kWeekDay,
  kDay,
  kUnderDay,
  kZeroDay,
  kHour,
  kHour12,
  kZeroHour12,
  kMinute,
  kZeroMinute,
  kSecond,
  kZeroSecond,
  kLongYear,
  kYear,
  kPM,
  kpm,
  kTZ,
  kISO8601TZ,              // Z0700
  kISO8601SecondsTZ,       // Z070000
  kISO8601ShortTZ,         // Z07
  kISO8601ColonTZ,         // Z07:00
  kISO8601ColonSecondsTZ,  // Z07:00:00
  kNumTZ,                  // -0700
  kNumSecondsTz,           // -070000
  kNumShortTZ,             // -07
  kNumColonTZ,             // -07:00
  kNumColonSecondsTZ,      // -07:00:00
  kFracSecond0,
  kFracSecond9,
};

struct Chunk {
  size_t prefix_len;  // literal text before the element
  Std std;
  size_t std_len;   // bytes of layout the element takes
  int frac_digits;  // for kFracSecond*
  char frac_sep;    // '.' or ','
};

// Go's nextStdChunk: finds the first layout element in `layout`.
Chunk NextStdChunk(absl::string_view layout) {
  auto hit = [](size_t i, Std std, size_t len) {
    return Chunk{i, std, len, 0, '.'};
  };
  auto at = [&](size_t i, absl::string_view s) {
    return layout.substr(i, s.size()) == s;
  };
  for (size_t i = 0; i < layout.size(); ++i) {
    const char c = layout[i];
    switch (c) {
      case 'J':
        if (at(i, "Jan")) {
          if (at(i, "January")) return hit(i, Std::kLongMonth, 7);
          if (!(i + 3 < layout.size() && IsLower(layout[i + 3]))) {
            return hit(i, Std::kMonth, 3);
          }
        }
        break;
      case 'M':
        if (at(i, "Mon")) {
          if (at(i, "Monday")) return hit(i, Std::kLongWeekDay, 6);
          if (!(i + 3 < layout.size() && IsLower(layout[i + 3]))) {
            return hit(i, Std::kWeekDay, 3);
          }
        }
        if (at(i, "MST")) return hit(i, Std::kTZ, 3);
        break;
      case '0':
        if (i + 1 < layout.size() && layout[i + 1] >= '1' &&
            layout[i + 1] <= '6') {
          constexpr Std kZeroX[] = {Std::kZeroMonth,  Std::kZeroDay,
                                    Std::kZeroHour12, Std::kZeroMinute,
                                    Std::kZeroSecond, Std::kYear};
          return hit(i, kZeroX[layout[i + 1] - '1'], 2);
        }
        break;
      case '1':
        if (i + 1 < layout.size() && layout[i + 1] == '5') {
          return hit(i, Std::kHour, 2);
        }
        return hit(i, Std::kNumMonth, 1);
      case '2':
        if (at(i, "2006")) return hit(i, Std::kLongYear, 4);
        return hit(i, Std::kDay, 1);
      case '_':
        if (i + 1 < layout.size() && layout[i + 1] == '2') {
          // "_2006" is a literal '_' followed by the long year.
          if (at(i + 1, "2006")) return hit(i + 1, Std::kLongYear, 4);
          return hit(i, Std::kUnderDay, 2);
        }
        break;
      case '3':
        return hit(i, Std::kHour12, 1);
      case '4':
        return hit(i, Std::kMinute, 1);
      case '5':
        return hit(i, Std::kSecond, 1);
      case 'P':
        if (i + 1 < layout.size() && layout[i + 1] == 'M') {
          return hit(i, Std::kPM, 2);
        }
        break;
      case 'p':
        if (i + 1 < layout.size() && layout[i + 1] == 'm') {
          return hit(i, Std::kpm, 2);
        }
        break;
      case '-':
        if (at(i, "-070000")) return hit(i, Std::kNumSecondsTz, 7);
        if (at(i, "-07:00:00")) return hit(i, Std::kNumColonSecondsTZ, 9);
        if (at(i, "-0700")) return hit(i, Std::kNumTZ, 5);
        if (at(i, "-07:00")) return hit(i, Std::kNumColonTZ, 6);
        if (at(i, "-07")) return hit(i, Std::kNumShortTZ, 3);
        break;
      case 'Z':
        if (at(i, "Z070000")) return hit(i, Std::kISO8601SecondsTZ, 7);
        if (at(i, "Z07:00:00")) return hit(i, Std::kISO8601ColonSecondsTZ, 9);
        if (at(i, "Z0700")) return hit(i, Std::kISO8601TZ, 5);
        if (at(i, "Z07:00")) return hit(i, Std::kISO8601ColonTZ, 6);
        if (at(i, "Z07")) return hit(i, Std::kISO8601ShortTZ, 3);
        break;
      case '.':
      case ',':
        if (i + 1 < layout.size() &&
            (layout[i + 1] == '0' || layout[i + 1] == '9')) {
          const char ch = layout[i + 1];
          size_t j = i + 1;
          while (j < layout.size() && layout[j] == ch) ++j;
          // Only a fractional second when the run of digits ends here.
          if (!IsDigitAt(layout, j)) {
            return Chunk{i, ch == '0' ? Std::kFracSecond0 : Std::kFracSecond9,
                         j - i, static_cast<int>(j - i - 1), c};
          }
        }
        break;
      default:
        break;
    }
  }
  return Chunk{layout.size(), Std::kNone, 0, 0, '.'};
}

}  // namespace

GoTime GoTimeFromUnix(int64_t sec, int64_t nsec) {
  if (nsec < 0 || nsec >= kNanosPerSecond) {
    const int64_t n = nsec / kNanosPerSecond;
    sec += n;
    nsec -= n * kNanosPerSecond;
    if (nsec < 0) {
      nsec += kNanosPerSecond;
      --sec;
    }
  }
  return GoTime{sec, static_cast<int32_t>(nsec)};
}

Civil ToCivil(GoTime t) {
  Civil c{};
  const int64_t days = FloorDiv(t.sec, 86400);
  const int64_t rem = t.sec - days * 86400;
  c.hour = static_cast<int>(rem / 3600);
  c.minute = static_cast<int>(rem % 3600 / 60);
  c.second = static_cast<int>(rem % 60);
  // 1970-01-01 was a Thursday.
  c.weekday = static_cast<int>(((days % 7) + 11) % 7);
  // Days to civil date (proleptic Gregorian), after H. Hinnant.
  const int64_t z = days + 719468;
  const int64_t era = FloorDiv(z, 146097);
  const int64_t doe = z - era * 146097;
  const int64_t yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
  const int64_t doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
  const int64_t mp = (5 * doy + 2) / 153;
  c.day = static_cast<int>(doy - (153 * mp + 2) / 5 + 1);
  c.month = static_cast<int>(mp < 10 ? mp + 3 : mp - 9);
  c.year = yoe + era * 400 + (c.month <= 2 ? 1 : 0);
  static constexpr int kCumDays[] = {0,   31,  59,  90,  120, 151,
                                     181, 212, 243, 273, 304, 334};
  const bool leap = (c.year % 4 == 0 && c.year % 100 != 0) || c.year % 400 == 0;
  c.yearday = kCumDays[c.month - 1] + c.day + (leap && c.month > 2 ? 1 : 0);
  return c;
}

std::string FormatGoTime(GoTime t) {
  return FormatGoTimeLayout(t, "2006-01-02 15:04:05.999999999 -0700 MST");
}

std::string FormatGoTimeLayout(GoTime t, absl::string_view layout) {
  const Civil c = ToCivil(t);
  std::string out;
  while (!layout.empty()) {
    const Chunk chunk = NextStdChunk(layout);
    absl::StrAppend(&out, layout.substr(0, chunk.prefix_len));
    if (chunk.std == Std::kNone) break;
    switch (chunk.std) {
      case Std::kNone:
        break;
      case Std::kYear:
        AppendPadded(&out, ((c.year % 100) + 100) % 100, 2);
        break;
      case Std::kLongYear:
        AppendPadded(&out, c.year, 4);
        break;
      case Std::kMonth:
        out.append(kMonths[c.month - 1], 3);
        break;
      case Std::kLongMonth:
        out.append(kMonths[c.month - 1]);
        break;
      case Std::kNumMonth:
        absl::StrAppend(&out, c.month);
        break;
      case Std::kZeroMonth:
        AppendPadded(&out, c.month, 2);
        break;
      case Std::kWeekDay:
        out.append(kDays[c.weekday], 3);
        break;
      case Std::kLongWeekDay:
        out.append(kDays[c.weekday]);
        break;
      case Std::kDay:
        absl::StrAppend(&out, c.day);
        break;
      case Std::kUnderDay:
        if (c.day < 10) out.push_back(' ');
        absl::StrAppend(&out, c.day);
        break;
      case Std::kZeroDay:
        AppendPadded(&out, c.day, 2);
        break;
      case Std::kHour:
        AppendPadded(&out, c.hour, 2);
        break;
      case Std::kHour12:
        absl::StrAppend(&out, c.hour % 12 == 0 ? 12 : c.hour % 12);
        break;
      case Std::kZeroHour12:
        AppendPadded(&out, c.hour % 12 == 0 ? 12 : c.hour % 12, 2);
        break;
      case Std::kMinute:
        absl::StrAppend(&out, c.minute);
        break;
      case Std::kZeroMinute:
        AppendPadded(&out, c.minute, 2);
        break;
      case Std::kSecond:
        absl::StrAppend(&out, c.second);
        break;
      case Std::kZeroSecond:
        AppendPadded(&out, c.second, 2);
        break;
      case Std::kPM:
        out.append(c.hour >= 12 ? "PM" : "AM");
        break;
      case Std::kpm:
        out.append(c.hour >= 12 ? "pm" : "am");
        break;
      case Std::kTZ:
        out.append("UTC");
        break;
      case Std::kISO8601TZ:
      case Std::kISO8601SecondsTZ:
      case Std::kISO8601ShortTZ:
      case Std::kISO8601ColonTZ:
      case Std::kISO8601ColonSecondsTZ:
        out.push_back('Z');
        break;
      case Std::kNumTZ:
        out.append("+0000");
        break;
      case Std::kNumSecondsTz:
        out.append("+000000");
        break;
      case Std::kNumShortTZ:
        out.append("+00");
        break;
      case Std::kNumColonTZ:
        out.append("+00:00");
        break;
      case Std::kNumColonSecondsTZ:
        out.append("+00:00:00");
        break;
      case Std::kFracSecond0:
      case Std::kFracSecond9: {
        std::string digits = absl::StrCat(t.nsec);
        digits.insert(0, 9 - digits.size(), '0');
        digits.resize(chunk.frac_digits < 9 ? chunk.frac_digits : 9);
        if (chunk.std == Std::kFracSecond9) {
          while (!digits.empty() && digits.back() == '0') digits.pop_back();
          if (digits.empty()) break;  // .999 drops the point too
        }
        out.push_back(chunk.frac_sep);
        out.append(digits);
        break;
      }
    }
    layout.remove_prefix(chunk.prefix_len + chunk.std_len);
  }
  return out;
}

std::string FormatGoDuration(int64_t nanos) {
  if (nanos == 0) return "0s";
  const bool neg = nanos < 0;
  uint64_t u = static_cast<uint64_t>(nanos);
  if (neg) u = ~u + 1;
  // Writes the fraction of u / 10^prec without trailing zeros (and without
  // the point when it is zero), returning u / 10^prec.
  auto frac = [](std::string* tail, uint64_t v, int prec) {
    std::string digits;
    bool print = false;
    for (int i = 0; i < prec; ++i) {
      const int digit = static_cast<int>(v % 10);
      print = print || digit != 0;
      if (print) digits.insert(digits.begin(), static_cast<char>('0' + digit));
      v /= 10;
    }
    if (print) tail->insert(0, "." + digits);
    return v;
  };
  std::string out;  // built from the right
  if (u < 1000000000) {
    const char* unit;
    int prec;
    if (u < 1000) {
      unit = "ns";
      prec = 0;
    } else if (u < 1000000) {
      unit = "\xC2\xB5s";  // µs
      prec = 3;
    } else {
      unit = "ms";
      prec = 6;
    }
    out = unit;
    u = frac(&out, u, prec);
    out.insert(0, absl::StrCat(u));
  } else {
    out = "s";
    u = frac(&out, u, 9);
    out.insert(0, absl::StrCat(u % 60));
    u /= 60;
    if (u > 0) {
      out.insert(0, absl::StrCat(u % 60, "m"));
      u /= 60;
      if (u > 0) out.insert(0, absl::StrCat(u, "h"));
    }
  }
  if (neg) out.insert(0, "-");
  return out;
}

std::string GoMonthName(int64_t month) {
  if (month >= 1 && month <= 12) return kMonths[month - 1];
  return absl::StrCat("%!Month(", month, ")");
}

std::string GoWeekdayName(int64_t weekday) {
  if (weekday >= 0 && weekday <= 6) return kDays[weekday];
  return absl::StrCat("%!Weekday(", weekday, ")");
}

}  // namespace fraisier::rules::templates
