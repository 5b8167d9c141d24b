#include "promql/literals.h"

#include <cmath>
#include <cstdint>
#include <limits>
#include <optional>
#include <string>

#include "absl/status/status.h"
#include "absl/strings/charconv.h"
#include "absl/strings/str_cat.h"
#include "engine/model/go_quote.h"
#include "engine/model/utf8.h"

namespace fraisier::promql {
namespace {

char Lower(char c) { return (c >= 'A' && c <= 'Z') ? c - 'A' + 'a' : c; }
bool IsDigit(char c) { return c >= '0' && c <= '9'; }
bool IsHexDigit(char c) {
  return IsDigit(c) || (Lower(c) >= 'a' && Lower(c) <= 'f');
}

// Go's strconv.underscoreOK: underscores only between digits, or between a
// base prefix and a digit.
bool UnderscoreOk(absl::string_view s) {
  char saw = '^';
  size_t i = 0;
  if (!s.empty() && (s[0] == '-' || s[0] == '+')) s.remove_prefix(1);
  bool hex = false;
  if (s.size() >= 2 && s[0] == '0' &&
      (Lower(s[1]) == 'b' || Lower(s[1]) == 'o' || Lower(s[1]) == 'x')) {
    i = 2;
    saw = '0';
    hex = Lower(s[1]) == 'x';
  }
  for (; i < s.size(); ++i) {
    const char c = s[i];
    if (IsDigit(c) || (hex && IsHexDigit(c))) {
      saw = '0';
      continue;
    }
    if (c == '_') {
      if (saw != '0') return false;
      saw = '_';
      continue;
    }
    if (saw == '_') return false;
    saw = '!';
  }
  return saw != '_';
}

// Go's strconv.special: "inf", "infinity" (optionally signed) and "nan", any
// case. Returns the number of bytes matched, 0 when nothing matched.
size_t GoSpecial(absl::string_view s, double* value) {
  if (s.empty()) return 0;
  auto common_prefix = [](absl::string_view s, absl::string_view word) {
    size_t n = 0;
    while (n < s.size() && n < word.size() && Lower(s[n]) == word[n]) ++n;
    return n;
  };
  size_t sign_len = 0;
  double sign = 1;
  if (s[0] == '+' || s[0] == '-') {
    sign = s[0] == '-' ? -1 : 1;
    sign_len = 1;
    s.remove_prefix(1);
  } else if (Lower(s[0]) == 'n') {
    if (common_prefix(s, "nan") == 3) {
      *value = std::numeric_limits<double>::quiet_NaN();
      return 3;
    }
    return 0;
  }
  size_t n = common_prefix(s, "infinity");
  if (n > 3 && n < 8) n = 3;
  if (n == 3 || n == 8) {
    *value = sign * std::numeric_limits<double>::infinity();
    return sign_len + n;
  }
  return 0;
}

enum class FloatError { kNone, kSyntax, kRange };

// Go's strconv.ParseFloat(s, 64): the syntax check of readFloat, then a
// correctly rounded conversion. Overflow is an error, underflow is not.
FloatError GoParseFloat(absl::string_view s, double* value) {
  double special = 0;
  if (const size_t n = GoSpecial(s, &special); n > 0) {
    if (n != s.size()) return FloatError::kSyntax;
    *value = special;
    return FloatError::kNone;
  }
  size_t i = 0;
  bool neg = false;
  if (i < s.size() && (s[i] == '+' || s[i] == '-')) {
    neg = s[i] == '-';
    ++i;
  }
  bool hex = false;
  if (i + 2 < s.size() && s[i] == '0' && Lower(s[i + 1]) == 'x') {
    hex = true;
    i += 2;
  }
  const char exp_char = hex ? 'p' : 'e';
  std::string digits;  // the number without sign, prefix and underscores
  bool underscores = false;
  bool saw_dot = false;
  bool saw_digits = false;
  for (; i < s.size(); ++i) {
    const char c = s[i];
    if (c == '_') {
      underscores = true;
      continue;
    }
    if (c == '.') {
      if (saw_dot) break;
      saw_dot = true;
    } else if (IsDigit(c) || (hex && IsHexDigit(c))) {
      saw_digits = true;
    } else {
      break;
    }
    digits.push_back(c);
  }
  if (!saw_digits) return FloatError::kSyntax;
  if (i < s.size() && Lower(s[i]) == exp_char) {
    digits.push_back(exp_char);
    ++i;
    if (i >= s.size()) return FloatError::kSyntax;
    if (s[i] == '+' || s[i] == '-') digits.push_back(s[i++]);
    if (i >= s.size() || !IsDigit(s[i])) return FloatError::kSyntax;
    for (; i < s.size() && (IsDigit(s[i]) || s[i] == '_'); ++i) {
      if (s[i] == '_') {
        underscores = true;
      } else {
        digits.push_back(s[i]);
      }
    }
  } else if (hex) {
    return FloatError::kSyntax;  // hex mantissas need a 'p' exponent
  }
  if (underscores && !UnderscoreOk(s.substr(0, i))) return FloatError::kSyntax;
  if (i != s.size()) return FloatError::kSyntax;

  double v = 0;
  const absl::from_chars_result r = absl::from_chars(
      digits.data(), digits.data() + digits.size(), v,
      hex ? absl::chars_format::hex : absl::chars_format::general);
  if (r.ptr != digits.data() + digits.size()) return FloatError::kSyntax;
  if (r.ec == std::errc::result_out_of_range) {
    // Only a value that rounds to zero is an underflow; Go returns that zero
    // without an error.
    if (v != 0 && std::fabs(v) >= 1) return FloatError::kRange;
    v = 0;
  } else if (r.ec != std::errc()) {
    return FloatError::kSyntax;
  }
  *value = neg ? -v : v;
  return FloatError::kNone;
}

struct DurationUnit {
  absl::string_view name;
  uint64_t nanos;
};

// In the only order ParseDuration accepts them.
constexpr DurationUnit kDurationUnits[] = {
    {"y", uint64_t{365} * 24 * 3600 * 1000000000},
    {"w", uint64_t{7} * 24 * 3600 * 1000000000},
    {"d", uint64_t{24} * 3600 * 1000000000},
    {"h", uint64_t{3600} * 1000000000},
    {"m", uint64_t{60} * 1000000000},
    {"s", uint64_t{1000000000}},
    {"ms", uint64_t{1000000}},
};

int HexValue(char c) {
  if (IsDigit(c)) return c - '0';
  if (Lower(c) >= 'a' && Lower(c) <= 'f') return Lower(c) - 'a' + 10;
  return -1;
}

absl::Status InvalidSyntax() {
  return absl::InvalidArgumentError("invalid syntax");
}

// Decodes one character or escape of a quoted string's body into `out` and
// returns how many bytes of `s` it used, 0 for invalid syntax.
size_t UnquoteChar(absl::string_view s, char quote, std::string* out) {
  const char c = s[0];
  if (c == quote) return 0;
  if (static_cast<unsigned char>(c) >= 0x80) {
    const DecodedRune d = DecodeRune(s);
    AppendUtf8(d.rune, out);
    return d.width;
  }
  if (c != '\\') {
    out->push_back(c);
    return 1;
  }
  if (s.size() <= 1) return 0;
  const char e = s[1];
  switch (e) {
    case 'a':
      out->push_back('\a');
      return 2;
    case 'b':
      out->push_back('\b');
      return 2;
    case 'f':
      out->push_back('\f');
      return 2;
    case 'n':
      out->push_back('\n');
      return 2;
    case 'r':
      out->push_back('\r');
      return 2;
    case 't':
      out->push_back('\t');
      return 2;
    case 'v':
      out->push_back('\v');
      return 2;
    case '\\':
      out->push_back('\\');
      return 2;
    case '\'':
    case '"':
      if (e != quote) return 0;
      out->push_back(e);
      return 2;
    case 'x':
    case 'u':
    case 'U': {
      const size_t n = e == 'x' ? 2 : (e == 'u' ? 4 : 8);
      if (s.size() < 2 + n) return 0;
      uint32_t v = 0;
      for (size_t j = 0; j < n; ++j) {
        const int h = HexValue(s[2 + j]);
        if (h < 0) return 0;
        v = (v << 4) | static_cast<uint32_t>(h);
      }
      if (e == 'x') {
        // A single byte, possibly not valid UTF-8 on its own.
        out->push_back(static_cast<char>(v));
      } else {
        if (v > kMaxRune) return 0;
        AppendUtf8(v, out);
      }
      return 2 + n;
    }
    case '0':
    case '1':
    case '2':
    case '3':
    case '4':
    case '5':
    case '6':
    case '7': {
      if (s.size() < 4) return 0;
      uint32_t v = e - '0';
      for (size_t j = 2; j < 4; ++j) {
        if (s[j] < '0' || s[j] > '7') return 0;
        v = (v << 3) | static_cast<uint32_t>(s[j] - '0');
      }
      if (v > 255) return 0;
      out->push_back(static_cast<char>(v));
      return 4;
    }
    default:
      return 0;
  }
}

}  // namespace

std::optional<uint64_t> GoParseUint(absl::string_view s) {
  if (s.empty()) return std::nullopt;
  const absl::string_view s0 = s;
  int base = 10;
  if (s[0] == '0') {
    if (s.size() >= 3 && Lower(s[1]) == 'b') {
      base = 2;
      s.remove_prefix(2);
    } else if (s.size() >= 3 && Lower(s[1]) == 'o') {
      base = 8;
      s.remove_prefix(2);
    } else if (s.size() >= 3 && Lower(s[1]) == 'x') {
      base = 16;
      s.remove_prefix(2);
    } else {
      base = 8;
      s.remove_prefix(1);
    }
  }
  bool underscores = false;
  uint64_t n = 0;
  for (char c : s) {
    int d;
    if (c == '_') {
      underscores = true;
      continue;
    }
    if (c >= '0' && c <= '9') {
      d = c - '0';
    } else if (Lower(c) >= 'a' && Lower(c) <= 'z') {
      d = Lower(c) - 'a' + 10;
    } else {
      return std::nullopt;
    }
    if (d >= base) return std::nullopt;
    if (n > (std::numeric_limits<uint64_t>::max() - d) / base) {
      return std::nullopt;  // range error
    }
    n = n * base + d;
  }
  if (underscores && !UnderscoreOk(s0)) return std::nullopt;
  return n;
}

std::optional<int64_t> GoParseInt(absl::string_view s) {
  if (s.empty()) return std::nullopt;
  bool neg = false;
  if (s[0] == '+' || s[0] == '-') {
    neg = s[0] == '-';
    s.remove_prefix(1);
  }
  const std::optional<uint64_t> u = GoParseUint(s);
  if (!u.has_value()) return std::nullopt;
  constexpr uint64_t kCutoff = uint64_t{1} << 63;
  if (!neg && *u >= kCutoff) return std::nullopt;
  if (neg && *u > kCutoff) return std::nullopt;
  return neg ? static_cast<int64_t>(~*u + 1) : static_cast<int64_t>(*u);
}

absl::StatusOr<double> ParseNumber(absl::string_view text) {
  if (const std::optional<int64_t> n = GoParseInt(text); n.has_value()) {
    return static_cast<double>(*n);
  }
  double value = 0;
  switch (GoParseFloat(text, &value)) {
    case FloatError::kNone:
      return value;
    case FloatError::kRange:
      return absl::InvalidArgumentError(
          absl::StrCat("error parsing number: strconv.ParseFloat: parsing ",
                       GoQuote(text), ": value out of range"));
    case FloatError::kSyntax:
      break;
  }
  return absl::InvalidArgumentError(
      absl::StrCat("error parsing number: strconv.ParseFloat: parsing ",
                   GoQuote(text), ": invalid syntax"));
}

absl::StatusOr<double> ParseGoFloat(absl::string_view text) {
  double value = 0;
  switch (GoParseFloat(text, &value)) {
    case FloatError::kNone:
      return value;
    case FloatError::kRange:
      return absl::InvalidArgumentError("value out of range");
    case FloatError::kSyntax:
      break;
  }
  return absl::InvalidArgumentError("invalid syntax");
}

absl::StatusOr<int64_t> ParseDurationMs(absl::string_view text) {
  if (text == "0") return 0;
  if (text.empty()) return absl::InvalidArgumentError("empty duration string");
  auto invalid = [text] {
    return absl::InvalidArgumentError(
        absl::StrCat("not a valid duration string: ", GoQuote(text)));
  };
  // Go's time.Duration counts nanoseconds in an int64; the range check is
  // done there so that the limits match Prometheus's.
  constexpr uint64_t kMaxNanos = (uint64_t{1} << 63) - 1;
  uint64_t nanos = 0;
  size_t next_unit = 0;  // index into kDurationUnits of the smallest allowed
  absl::string_view s = text;
  while (!s.empty()) {
    if (!IsDigit(s[0])) return invalid();
    size_t i = 0;
    uint64_t v = 0;
    bool overflow = false;
    for (; i < s.size() && IsDigit(s[i]); ++i) {
      const uint64_t d = s[i] - '0';
      if (v > (std::numeric_limits<uint64_t>::max() - d) / 10) overflow = true;
      v = v * 10 + d;
    }
    if (overflow) return invalid();  // ParseUint fails on more than 64 bits
    s.remove_prefix(i);
    i = 0;
    while (i < s.size() && !IsDigit(s[i])) ++i;
    if (i == 0) return invalid();
    const absl::string_view unit_name = s.substr(0, i);
    s.remove_prefix(i);
    size_t unit = 0;
    while (unit < std::size(kDurationUnits) &&
           kDurationUnits[unit].name != unit_name) {
      ++unit;
    }
    if (unit == std::size(kDurationUnits)) {
      return absl::InvalidArgumentError(absl::StrCat(
          "unknown unit ", GoQuote(unit_name), " in duration ", GoQuote(text)));
    }
    if (unit < next_unit) return invalid();
    next_unit = unit + 1;
    const uint64_t mult = kDurationUnits[unit].nanos;
    if (v > (uint64_t{1} << 63) / mult) {
      return absl::InvalidArgumentError("duration out of range");
    }
    nanos += v * mult;
    if (nanos > kMaxNanos) {
      return absl::InvalidArgumentError("duration out of range");
    }
  }
  return static_cast<int64_t>(nanos / 1000000);
}

std::string FormatDurationMs(int64_t ms) {
  if (ms == 0) return "0s";
  std::string out;
  // Unsigned so that the most negative value can be negated.
  uint64_t rest = static_cast<uint64_t>(ms);
  if (ms < 0) {
    out.push_back('-');
    rest = ~rest + 1;
  }
  struct Unit {
    absl::string_view name;
    uint64_t ms;
    bool exact;  // years and weeks only when nothing smaller remains
  };
  constexpr Unit kUnits[] = {
      {"y", uint64_t{365} * 24 * 3600 * 1000, true},
      {"w", uint64_t{7} * 24 * 3600 * 1000, true},
      {"d", uint64_t{24} * 3600 * 1000, false},
      {"h", uint64_t{3600} * 1000, false},
      {"m", uint64_t{60} * 1000, false},
      {"s", uint64_t{1000}, false},
      {"ms", uint64_t{1}, false},
  };
  for (const Unit& unit : kUnits) {
    if (unit.exact && rest % unit.ms != 0) continue;
    if (const uint64_t v = rest / unit.ms; v > 0) {
      absl::StrAppend(&out, v, unit.name);
      rest -= v * unit.ms;
    }
  }
  return out;
}

absl::StatusOr<std::string> UnquoteString(absl::string_view quoted) {
  if (quoted.size() < 2) return InvalidSyntax();
  const char quote = quoted.front();
  if (quote != quoted.back()) return InvalidSyntax();
  absl::string_view s = quoted.substr(1, quoted.size() - 2);
  if (quote == '`') {
    if (s.find('`') != absl::string_view::npos) return InvalidSyntax();
    return std::string(s);
  }
  if (quote != '"' && quote != '\'') return InvalidSyntax();
  if (s.find('\n') != absl::string_view::npos) return InvalidSyntax();
  // Like Go, a body without escapes or quotes is returned byte for byte, even
  // if it is not valid UTF-8.
  if (s.find('\\') == absl::string_view::npos &&
      s.find(quote) == absl::string_view::npos) {
    return std::string(s);
  }
  std::string out;
  out.reserve(s.size());
  while (!s.empty()) {
    const size_t used = UnquoteChar(s, quote, &out);
    if (used == 0) return InvalidSyntax();
    s.remove_prefix(used);
  }
  return out;
}

}  // namespace fraisier::promql
