#include "rules/template/go_format.h"

#include <charconv>
#include <cmath>
#include <cstdint>
#include <cstring>
#include <string>

#include "absl/status/status.h"
#include "absl/strings/ascii.h"
#include "absl/strings/str_cat.h"
#include "engine/model/go_quote.h"
#include "engine/model/utf8.h"
#include "rules/template/go_printer.h"
#include "rules/template/go_time.h"

namespace fraisier::rules::templates {
namespace {

constexpr absl::string_view kNilAngle = "<nil>";
// Go's fmt refuses widths and precisions above this (tooLarge).
constexpr int kTooLarge = 1000000;

std::string ToChars(double v, std::chars_format format, int prec) {
  char buf[400];  // enough for any double in fixed notation with prec <= 60
  std::to_chars_result r =
      prec < 0 ? std::to_chars(buf, buf + sizeof buf, v, format)
               : std::to_chars(buf, buf + sizeof buf, v, format, prec);
  if (r.ec != std::errc()) {
    // Only very large precisions overflow the buffer.
    std::string big(static_cast<size_t>(prec) + 400, '\0');
    r = std::to_chars(big.data(), big.data() + big.size(), v, format, prec);
    big.resize(r.ptr - big.data());
    return big;
  }
  return std::string(buf, r.ptr);
}

// strconv's %x for floats: 0x1.8p+00 (mantissa normalised to 1.x, exponent
// with at least two digits).
std::string HexFloat(double v, int prec, bool upper) {
  std::string out;
  if (std::signbit(v)) out.push_back('-');
  v = std::fabs(v);
  std::string body;
  if (v == 0) {
    body = prec > 0 ? "0." + std::string(prec, '0') + "p+00" : "0p+00";
  } else {
    int exp = 0;
    const double frac =
        std::frexp(v, &exp);  // v = frac * 2^exp, frac in [.5,1)
    std::string m = ToChars(frac * 2, std::chars_format::hex, prec);
    // m is "1.xxxp+0"; Go prints the exponent of the normalised value.
    m = m.substr(0, m.find('p'));
    const int e = exp - 1;
    body = absl::StrCat(m, "p", e < 0 ? "-" : "+");
    const int ae = e < 0 ? -e : e;
    if (ae < 10) body.push_back('0');
    absl::StrAppend(&body, ae);
  }
  out += "0x" + body;
  if (upper) absl::AsciiStrToUpper(&out);
  return out;
}

std::string BinaryFloat(double v) {
  uint64_t bits;
  std::memcpy(&bits, &v, sizeof bits);
  const bool neg = bits >> 63;
  int exp = static_cast<int>((bits >> 52) & 0x7FF);
  uint64_t mant = bits & ((uint64_t{1} << 52) - 1);
  if (exp == 0) {
    exp = 1;  // denormal
  } else {
    mant |= uint64_t{1} << 52;
  }
  exp -= 1023 + 52;
  return absl::StrCat(neg ? "-" : "", mant, "p", exp >= 0 ? "+" : "", exp);
}

}  // namespace

std::string GoFormatFloat(double v, char fmt, int prec) {
  if (std::isnan(v)) return "NaN";
  if (std::isinf(v)) return v > 0 ? "+Inf" : "-Inf";
  const bool upper = fmt == 'E' || fmt == 'G' || fmt == 'X';
  std::string out;
  switch (fmt) {
    case 'e':
    case 'E':
      out = ToChars(v, std::chars_format::scientific, prec);
      break;
    case 'f':
    case 'F':
      out = ToChars(v, std::chars_format::fixed, prec);
      break;
    case 'g':
    case 'G':
      if (prec >= 0) {
        out = ToChars(v, std::chars_format::general, prec == 0 ? 1 : prec);
      } else {
        // Shortest digits; %e when the exponent is < -4 or >= 6 (strconv
        // decides with precision 6 for the shortest form; 21 is JSON's).
        out = ToChars(v, std::chars_format::scientific, -1);
        const size_t e = out.find('e');
        const int exp = std::atoi(out.c_str() + e + 1);
        if (exp >= -4 && exp < 6) {
          out = ToChars(v, std::chars_format::fixed, -1);
        }
      }
      break;
    case 'x':
    case 'X':
      return HexFloat(v, prec, upper);
    case 'b':
      return BinaryFloat(v);
    default:
      return absl::StrCat("%", std::string(1, fmt));
  }
  if (upper) {
    for (char& c : out) {
      if (c == 'e') c = 'E';
    }
  }
  return out;
}

namespace {

using internal::Flags;
using internal::Printer;

bool IsStringKind(const Value& v) { return v.kind() == Value::Kind::kString; }

// Go's parsenum: a decimal number at s[i..end), capped like fmt's tooLarge.
bool ParseNum(absl::string_view s, size_t* i, int* num) {
  bool isnum = false;
  *num = 0;
  while (*i < s.size() && s[*i] >= '0' && s[*i] <= '9') {
    if (*num > kTooLarge) {
      *i = s.size();
      *num = 0;
      return false;
    }
    *num = *num * 10 + (s[*i] - '0');
    isnum = true;
    ++*i;
  }
  return isnum;
}

}  // namespace

namespace {

// fmt.Sprint; with `follow_pointers`, each *sample prints as the struct it
// points to, as text/template's printableValue arranges.
std::string Sprint(absl::Span<const Value> args, bool follow_pointers) {
  Printer p;
  bool prev_string = false;
  for (size_t i = 0; i < args.size(); ++i) {
    const bool is_string = IsStringKind(args[i]);
    if (i > 0 && !is_string && !prev_string) p.buf.push_back(' ');
    if (follow_pointers && args[i].kind() == Value::Kind::kSample &&
        args[i].sample() != nullptr) {
      p.PrintPointee(args[i], 'v');
    } else {
      p.PrintArg(args[i], 'v');
    }
    prev_string = is_string;
  }
  return std::move(p.buf);
}

}  // namespace

std::string GoSprint(absl::Span<const Value> args) {
  return Sprint(args, false);
}

std::string GoSprintln(absl::Span<const Value> args) {
  Printer p;
  for (size_t i = 0; i < args.size(); ++i) {
    if (i > 0) p.buf.push_back(' ');
    p.PrintArg(args[i], 'v');
  }
  p.buf.push_back('\n');
  return std::move(p.buf);
}

absl::StatusOr<std::string> GoSprintf(absl::string_view format,
                                      absl::Span<const Value> args,
                                      size_t max_bytes) {
  Printer p;
  size_t arg_num = 0;
  bool reordered = false;
  const size_t end = format.size();
  // Go's argNumber: an explicit [n] index at format[i].
  auto arg_number = [&](size_t* i, bool* good) -> bool {
    if (*i >= end || format[*i] != '[') return false;
    reordered = true;
    size_t close = *i + 1;
    while (close < end && format[close] != ']') ++close;
    if (close >= end || *i + 3 > end) {
      *good = false;
      *i += 1;
      return false;
    }
    size_t j = *i + 1;
    int n = 0;
    const bool ok = ParseNum(format.substr(0, close), &j, &n) && j == close;
    *i = close + 1;
    if (ok && n >= 1 && static_cast<size_t>(n) <= args.size()) {
      arg_num = static_cast<size_t>(n - 1);
      return true;
    }
    *good = false;
    return ok;
  };
  auto int_from_arg = [&](int* num) -> bool {
    if (arg_num >= args.size()) return false;
    const Value& a = args[arg_num++];
    int64_t n = 0;
    if (a.kind() == Value::Kind::kInt) {
      n = a.int_value();
    } else if (a.kind() == Value::Kind::kUint) {
      n = static_cast<int64_t>(a.uint_value());
    } else {
      return false;
    }
    if (n > kTooLarge || n < -kTooLarge) return false;
    *num = static_cast<int>(n);
    return true;
  };
  size_t i = 0;
  while (i < end) {
    bool good_arg_num = true;
    const size_t lasti = i;
    while (i < end && format[i] != '%') ++i;
    absl::StrAppend(&p.buf, format.substr(lasti, i - lasti));
    if (i >= end) break;
    ++i;  // the '%'
    p.f = Flags();
    for (; i < end; ++i) {
      const char c = format[i];
      if (c == '#') {
        p.f.sharp = true;
      } else if (c == '0') {
        p.f.zero = !p.f.minus;
      } else if (c == '+') {
        p.f.plus = true;
      } else if (c == '-') {
        p.f.minus = true;
        p.f.zero = false;
      } else if (c == ' ') {
        p.f.space = true;
      } else {
        break;
      }
    }
    bool after_index = arg_number(&i, &good_arg_num);
    if (i < end && format[i] == '*') {
      ++i;
      p.f.wid_present = int_from_arg(&p.f.wid);
      if (!p.f.wid_present) p.buf.append("%!(BADWIDTH)");
      if (p.f.wid < 0) {
        p.f.wid = -p.f.wid;
        p.f.minus = true;
        p.f.zero = false;
      }
      after_index = false;
    } else {
      p.f.wid_present = ParseNum(format, &i, &p.f.wid);
      if (after_index && p.f.wid_present) good_arg_num = false;
    }
    if (i + 1 < end && format[i] == '.') {
      ++i;
      if (after_index) good_arg_num = false;
      after_index = arg_number(&i, &good_arg_num);
      if (i < end && format[i] == '*') {
        ++i;
        p.f.prec_present = int_from_arg(&p.f.prec);
        if (p.f.prec < 0) {
          p.f.prec = 0;
          p.f.prec_present = false;
        }
        if (!p.f.prec_present) p.buf.append("%!(BADPREC)");
        after_index = false;
      } else {
        p.f.prec_present = ParseNum(format, &i, &p.f.prec);
        if (!p.f.prec_present) {
          p.f.prec = 0;
          p.f.prec_present = true;
        }
      }
    }
    if (!after_index) after_index = arg_number(&i, &good_arg_num);
    if (i >= end) {
      p.buf.append("%!(NOVERB)");
      break;
    }
    if (static_cast<size_t>(p.f.wid) > max_bytes ||
        static_cast<size_t>(p.f.prec) > max_bytes) {
      return absl::ResourceExhaustedError(
          absl::StrCat("printf width or precision exceeds the limit of ",
                       max_bytes, " bytes"));
    }
    const DecodedRune d = DecodeRune(format.substr(i));
    char32_t verb = d.rune;
    i += d.width == 0 ? 1 : d.width;
    if (verb == '%') {
      p.buf.push_back('%');
    } else if (!good_arg_num) {
      p.buf.append("%!");
      AppendUtf8(verb, &p.buf);
      p.buf.append("(BADINDEX)");
    } else if (arg_num >= args.size()) {
      p.buf.append("%!");
      AppendUtf8(verb, &p.buf);
      p.buf.append("(MISSING)");
    } else {
      if (verb == 'v') {
        p.f.sharp_v = p.f.sharp;
        p.f.sharp = false;
        p.f.plus_v = p.f.plus;
        p.f.plus = false;
      }
      p.PrintArg(args[arg_num++], verb);
    }
    if (p.buf.size() > max_bytes) {
      return absl::ResourceExhaustedError(absl::StrCat(
          "printf result exceeds the limit of ", max_bytes, " bytes"));
    }
  }
  if (!reordered && arg_num < args.size()) {
    p.f = Flags();
    p.buf.append("%!(EXTRA ");
    for (size_t k = arg_num; k < args.size(); ++k) {
      if (k > arg_num) p.buf.append(", ");
      if (!args[k].valid() || args[k].kind() == Value::Kind::kNilIface) {
        absl::StrAppend(&p.buf, kNilAngle);
      } else {
        p.buf.append(TypeName(args[k]));
        p.buf.push_back('=');
        p.PrintArg(args[k], 'v');
      }
    }
    p.buf.push_back(')');
  }
  return std::move(p.buf);
}

void AppendTemplateValue(const Value& v, std::string* out) {
  switch (v.kind()) {
    case Value::Kind::kInvalid:
      out->append("<no value>");
      return;
    default:
      // printableValue follows a pointer: a *sample prints as {...}.
      out->append(Sprint(absl::MakeConstSpan(&v, 1), true));
      return;
  }
}

std::string TemplateArgsString(absl::Span<const Value> args) {
  if (args.size() == 1 && args[0].kind() == Value::Kind::kString &&
      args[0].tag() == TypeTag::kDefault) {
    return args[0].string_value();
  }
  return Sprint(args, true);
}

}  // namespace fraisier::rules::templates
