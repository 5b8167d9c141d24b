#include "rules/template/go_printer.h"

#include <cstdint>
#include <string>

#include "absl/strings/ascii.h"
#include "absl/strings/str_cat.h"
#include "engine/model/go_quote.h"
#include "engine/model/utf8.h"
#include "rules/template/go_format.h"
#include "rules/template/go_time.h"

namespace fraisier::rules::templates::internal {
namespace {

constexpr absl::string_view kNilAngle = "<nil>";

size_t RuneCountImpl(absl::string_view s) {
  size_t n = 0;
  while (!s.empty()) {
    const DecodedRune d = DecodeRune(s);
    s.remove_prefix(d.width == 0 ? 1 : d.width);
    ++n;
  }
  return n;
}

// A fake but stable address for a pointer Go would print as 0xc000...
uint64_t FakeAddress(const Value& v) {
  if (v.kind() == Value::Kind::kSample && v.sample() != nullptr) {
    return 0xc000010000 + 0x20 * v.sample()->id;
  }
  return 0xc000100000;
}

}  // namespace

size_t RuneCount(absl::string_view s) { return RuneCountImpl(s); }

void Printer::BadVerb(char32_t verb, const Value& arg) {
  buf.append("%!");
  AppendUtf8(verb, &buf);
  buf.push_back('(');
  if (arg.valid() && arg.kind() != Value::Kind::kNilIface) {
    buf.append(TypeName(arg));
    buf.push_back('=');
    PrintArg(arg, 'v');
  } else {
    absl::StrAppend(&buf, kNilAngle);
  }
  buf.push_back(')');
}

void Printer::FmtBool(bool b, char32_t verb, const Value& arg) {
  if (verb == 't' || verb == 'v') {
    Pad(b ? "true" : "false");
  } else {
    BadVerb(verb, arg);
  }
}

void Printer::FmtInteger(uint64_t u, int base, bool is_signed, char32_t verb,
                         bool upper) {
  const bool negative = is_signed && static_cast<int64_t>(u) < 0;
  if (negative) u = ~u + 1;
  int prec = 0;
  if (f.prec_present) {
    prec = f.prec;
    if (prec == 0 && u == 0) {
      const bool old = f.zero;
      f.zero = false;
      WritePadding(f.wid);
      f.zero = old;
      return;
    }
  } else if (f.zero && f.wid_present) {
    prec = f.wid;
    if (negative || f.plus || f.space) --prec;  // room for the sign
  }
  const char* digits = upper ? "0123456789ABCDEFX" : "0123456789abcdefx";
  std::string rev;
  do {
    rev.push_back(digits[u % base]);
    u /= base;
  } while (u != 0);
  while (static_cast<int>(rev.size()) < prec) rev.push_back('0');
  if (f.sharp) {
    if (base == 2) {
      rev.append("b0");
    } else if (base == 8) {
      if (rev.back() != '0') rev.push_back('0');
    } else if (base == 16) {
      rev.push_back(digits[16]);
      rev.push_back('0');
    }
  }
  if (verb == 'O') rev.append("o0");
  if (negative) {
    rev.push_back('-');
  } else if (f.plus) {
    rev.push_back('+');
  } else if (f.space) {
    rev.push_back(' ');
  }
  std::string s(rev.rbegin(), rev.rend());
  const bool old = f.zero;
  f.zero = false;
  Pad(s);
  f.zero = old;
}

void Printer::FmtC(uint64_t c) {
  std::string s;
  AppendUtf8(c > kMaxRune ? kRuneError : static_cast<char32_t>(c), &s);
  Pad(s);
}

void Printer::FmtQc(uint64_t c) {
  const char32_t r = c > kMaxRune ? kRuneError : static_cast<char32_t>(c);
  std::string s;
  if (r == '\'') {
    s = "'\\''";
  } else if (r == '"') {
    s = "'\"'";
  } else {
    std::string utf8;
    AppendUtf8(r, &utf8);
    s = GoQuote(utf8);
    s.front() = '\'';
    s.back() = '\'';
  }
  Pad(s);
}

void Printer::FmtUnicode(uint64_t u) {
  std::string hex = absl::StrCat(absl::Hex(u));
  absl::AsciiStrToUpper(&hex);
  int prec = 4;
  if (f.prec_present && f.prec > 4) prec = f.prec;
  std::string s = "U+";
  for (int i = static_cast<int>(hex.size()); i < prec; ++i) s.push_back('0');
  s += hex;
  if (f.sharp && u <= kMaxRune && IsGoPrintable(static_cast<char32_t>(u))) {
    s += " '";
    AppendUtf8(static_cast<char32_t>(u), &s);
    s += "'";
  }
  const bool old = f.zero;
  f.zero = false;
  Pad(s);
  f.zero = old;
}

void Printer::FmtIntegerVerb(uint64_t u, bool is_signed, char32_t verb,
                             const Value& arg) {
  switch (verb) {
    case 'v':
    case 'd':
      FmtInteger(u, 10, is_signed, verb, false);
      break;
    case 'b':
      FmtInteger(u, 2, is_signed, verb, false);
      break;
    case 'o':
    case 'O':
      FmtInteger(u, 8, is_signed, verb, false);
      break;
    case 'x':
      FmtInteger(u, 16, is_signed, verb, false);
      break;
    case 'X':
      FmtInteger(u, 16, is_signed, verb, true);
      break;
    case 'c':
      FmtC(u);
      break;
    case 'q':
      FmtQc(u);
      break;
    case 'U':
      FmtUnicode(u);
      break;
    default:
      BadVerb(verb, arg);
  }
}

void Printer::FmtFloat(double v, char verb, int prec) {
  if (f.prec_present) prec = f.prec;
  std::string num = GoFormatFloat(v, verb, prec);
  if (num[0] != '-' && num[0] != '+') num.insert(num.begin(), '+');
  if (f.space && num[0] == '+' && !f.plus) num[0] = ' ';
  if (num[1] == 'I' || num[1] == 'N') {
    // Infinities and NaN are not zero-padded; NaN has no sign unless asked.
    const bool old = f.zero;
    f.zero = false;
    if (num[1] == 'N' && !f.space && !f.plus) num.erase(0, 1);
    Pad(num);
    f.zero = old;
    return;
  }
  if (f.plus || num[0] != '+') {
    if (f.zero && f.wid_present && f.wid > static_cast<int>(num.size())) {
      buf.push_back(num[0]);
      WritePadding(f.wid - static_cast<int>(num.size()));
      buf.append(num, 1);
      return;
    }
    Pad(num);
    return;
  }
  Pad(absl::string_view(num).substr(1));
}

void Printer::FmtFloatVerb(double v, char32_t verb, const Value& arg) {
  switch (verb) {
    case 'v':
      FmtFloat(v, 'g', -1);
      break;
    case 'b':
    case 'g':
    case 'G':
    case 'x':
    case 'X':
      FmtFloat(v, static_cast<char>(verb), -1);
      break;
    case 'f':
    case 'e':
    case 'E':
      FmtFloat(v, static_cast<char>(verb), 6);
      break;
    case 'F':
      FmtFloat(v, 'f', 6);
      break;
    default:
      BadVerb(verb, arg);
  }
}

void Printer::FmtS(absl::string_view s) { Pad(Truncate(s)); }

void Printer::FmtSx(absl::string_view s, bool upper) {
  const char* digits = upper ? "0123456789ABCDEF" : "0123456789abcdef";
  size_t length = s.size();
  if (f.prec_present && f.prec < static_cast<int>(length)) length = f.prec;
  std::string out;
  for (size_t i = 0; i < length; ++i) {
    if (f.space && i > 0) out.push_back(' ');
    if (f.sharp && (f.space || i == 0)) {
      out.push_back('0');
      out.push_back(upper ? 'X' : 'x');
    }
    const unsigned char c = static_cast<unsigned char>(s[i]);
    out.push_back(digits[c >> 4]);
    out.push_back(digits[c & 0xF]);
  }
  Pad(out);
}

void Printer::FmtQ(absl::string_view s) {
  s = Truncate(s);
  if (f.sharp && s.find('`') == absl::string_view::npos && IsValidUtf8(s)) {
    bool can_backquote = true;
    for (char c : s) {
      if ((c < ' ' && c != '\t') || c == 0x7F) can_backquote = false;
    }
    if (can_backquote) {
      Pad(absl::StrCat("`", s, "`"));
      return;
    }
  }
  Pad(GoQuote(s));
}

void Printer::FmtString(const std::string& s, char32_t verb, const Value& arg) {
  switch (verb) {
    case 'v':
      if (f.sharp_v) {
        FmtQ(s);
      } else {
        FmtS(s);
      }
      break;
    case 's':
      FmtS(s);
      break;
    case 'x':
      FmtSx(s, false);
      break;
    case 'X':
      FmtSx(s, true);
      break;
    case 'q':
      FmtQ(s);
      break;
    default:
      BadVerb(verb, arg);
  }
}

void Printer::FmtPointer(const Value& v, char32_t verb) {
  const bool nil = v.IsNilPointer();
  const uint64_t u = nil ? 0 : FakeAddress(v);
  switch (verb) {
    case 'v':
      if (nil) {
        Pad(kNilAngle);
      } else {
        Pad(absl::StrCat("0x", absl::Hex(u)));
      }
      break;
    case 'p':
      Pad(absl::StrCat("0x", absl::Hex(u)));
      break;
    case 'b':
    case 'o':
    case 'd':
    case 'x':
    case 'X': {
      const bool old = f.sharp;
      f.sharp = verb != 'd';
      FmtIntegerVerb(u, false, verb, v);
      f.sharp = old;
      break;
    }
    default:
      BadVerb(verb, v);
  }
}

bool Printer::HandleMethods(const Value& v, char32_t verb) {
  if (verb != 'v' && verb != 's' && verb != 'x' && verb != 'X' && verb != 'q') {
    return false;
  }
  std::string s;
  switch (v.kind()) {
    case Value::Kind::kTime:
      s = FormatGoTime(v.time_value());
      break;
    case Value::Kind::kDuration:
      s = FormatGoDuration(v.duration_nanos());
      break;
    case Value::Kind::kInt:
      if (v.tag() == TypeTag::kMonth) {
        s = GoMonthName(v.int_value());
      } else if (v.tag() == TypeTag::kWeekday) {
        s = GoWeekdayName(v.int_value());
      } else {
        return false;
      }
      break;
    default:
      return false;
  }
  FmtString(s, verb, v);
  return true;
}

void Printer::PrintStruct(const Value& v, char32_t verb, int depth) {
  buf.push_back('{');
  auto field = [&](absl::string_view name, const Value& value, bool first) {
    if (!first) buf.push_back(' ');
    if (f.plus_v) absl::StrAppend(&buf, name, ":");
    if (!value.valid() || value.kind() == Value::Kind::kNilIface) {
      absl::StrAppend(&buf, kNilAngle);
    } else {
      PrintValue(value, verb, depth + 1);
    }
  };
  if (v.kind() == Value::Kind::kData) {
    const DataRec& d = v.data();
    field("Labels", d.labels, true);
    field("ExternalLabels", d.external_labels, false);
    field("ExternalURL", d.external_url, false);
    field("Value", d.value, false);
  } else {
    const SampleRec& s = *v.sample();
    field("Labels", Value::Map(s.labels), true);
    field("Value", Value::Float(s.value), false);
  }
  buf.push_back('}');
}

void Printer::PrintTimeFields(const Value& v, char32_t verb) {
  // A UTC time without a monotonic reading: wall holds the nanoseconds, ext
  // the seconds since January 1 of year 1, loc is nil.
  const GoTime t = v.time_value();
  const uint64_t wall = static_cast<uint64_t>(t.nsec);
  const int64_t ext = t.sec + 62135596800;
  buf.push_back('{');
  FmtIntegerVerb(wall, false, verb, Value::Uint64(wall));
  buf.push_back(' ');
  FmtIntegerVerb(static_cast<uint64_t>(ext), true, verb,
                 Value::Int(ext, TypeTag::kInt64));
  buf.push_back(' ');
  switch (verb) {
    case 'b':
    case 'o':
    case 'd':
    case 'x':
    case 'X':
      FmtInteger(0,
                 verb == 'b'   ? 2
                 : verb == 'o' ? 8
                 : verb == 'd' ? 10
                               : 16,
                 false, verb, verb == 'X');
      break;
    default:
      buf.append("%!");
      AppendUtf8(verb, &buf);
      buf.append("(*time.Location=<nil>)");
  }
  buf.push_back('}');
}

void Printer::PrintGoSyntaxMap(const Value& v) {
  buf.append("map[string]string{");
  bool first = true;
  for (const auto& [key, value] : v.string_map()) {
    if (!first) buf.append(", ");
    first = false;
    absl::StrAppend(&buf, GoQuote(key), ":", GoQuote(value));
  }
  buf.push_back('}');
}

void Printer::PrintValue(const Value& v, char32_t verb, int depth) {
  if (depth > 0 && HandleMethods(v, verb)) return;
  switch (v.kind()) {
    case Value::Kind::kInvalid:
    case Value::Kind::kNilIface:
      if (verb == 'v') {
        absl::StrAppend(&buf, kNilAngle);
      } else {
        BadVerb(verb, v);
      }
      return;
    case Value::Kind::kBool:
      FmtBool(v.bool_value(), verb, v);
      return;
    case Value::Kind::kInt:
    case Value::Kind::kDuration:
      if (v.kind() == Value::Kind::kDuration && v.tag() != TypeTag::kValue) {
        FmtPointer(v, verb);  // a *time.Duration without String()
        return;
      }
      FmtIntegerVerb(static_cast<uint64_t>(v.kind() == Value::Kind::kInt
                                               ? v.int_value()
                                               : v.duration_nanos()),
                     true, verb, v);
      return;
    case Value::Kind::kUint:
      FmtIntegerVerb(v.uint_value(), false, verb, v);
      return;
    case Value::Kind::kFloat:
      FmtFloatVerb(v.float_value(), verb, v);
      return;
    case Value::Kind::kComplex: {
      switch (verb) {
        case 'v':
        case 'b':
        case 'g':
        case 'G':
        case 'x':
        case 'X':
        case 'f':
        case 'F':
        case 'e':
        case 'E': {
          const bool old_plus = f.plus;
          buf.push_back('(');
          FmtFloatVerb(v.float_value(), verb, v);
          f.plus = true;  // the imaginary part always has a sign
          FmtFloatVerb(v.imag_value(), verb, v);
          buf.append("i)");
          f.plus = old_plus;
          return;
        }
        default:
          BadVerb(verb, v);
          return;
      }
    }
    case Value::Kind::kString:
      FmtString(v.string_value(), verb, v);
      return;
    case Value::Kind::kStringMap: {
      if (f.sharp_v) {
        PrintGoSyntaxMap(v);
        return;
      }
      buf.append("map[");
      bool first = true;
      for (const auto& [key, value] : v.string_map()) {
        if (!first) buf.push_back(' ');
        first = false;
        FmtString(key, verb, Value::String(key));
        buf.push_back(':');
        FmtString(value, verb, Value::String(value));
      }
      buf.push_back(']');
      return;
    }
    case Value::Kind::kAnyMap: {
      buf.append("map[");
      bool first = true;
      for (const auto& [key, value] : v.any_map()) {
        if (!first) buf.push_back(' ');
        first = false;
        FmtString(key, verb, Value::String(key));
        buf.push_back(':');
        PrintValue(value, verb, depth + 1);
      }
      buf.push_back(']');
      return;
    }
    case Value::Kind::kSamples: {
      buf.push_back('[');
      bool first = true;
      for (const SamplePtr& s : *v.samples()) {
        if (!first) buf.push_back(' ');
        first = false;
        FmtPointer(Value::Sample(s), verb);
      }
      buf.push_back(']');
      return;
    }
    case Value::Kind::kSample:
      if (depth == 0 && v.sample() != nullptr) {
        buf.push_back('&');
        PrintStruct(v, verb, depth + 1);
        return;
      }
      FmtPointer(v, verb);
      return;
    case Value::Kind::kTime:
      // Verbs String() does not serve print the struct's fields, behind
      // '&' for the *time.Time at the top.
      if (v.tag() != TypeTag::kValue && depth > 0) {
        FmtPointer(v, verb);
        return;
      }
      if (v.tag() != TypeTag::kValue) buf.push_back('&');
      PrintTimeFields(v, verb);
      return;
    case Value::Kind::kData:
      PrintStruct(v, verb, depth);
      return;
  }
}

void Printer::PrintArg(const Value& arg, char32_t verb) {
  if (!arg.valid() || arg.kind() == Value::Kind::kNilIface) {
    if (verb == 'T' || verb == 'v') {
      Pad(kNilAngle);
    } else {
      BadVerb(verb, arg);
    }
    return;
  }
  if (verb == 'T') {
    FmtS(TypeName(arg));
    return;
  }
  if (verb == 'p') {
    FmtPointer(arg, 'p');
    return;
  }
  if (HandleMethods(arg, verb)) return;
  PrintValue(arg, verb, 0);
}

}  // namespace fraisier::rules::templates::internal
