#include "engine/api/json.h"

#include <charconv>
#include <cmath>
#include <cstdint>
#include <cstring>
#include <system_error>

#include "engine/model/utf8.h"

namespace fraisier::api {
namespace {

constexpr char kHex[] = "0123456789abcdef";

// The shortest round-trip decimal digits of a finite, non-zero |v|: the
// value is 0.d1d2...dn x 10^point.
struct Digits {
  char d[24];
  int n = 0;
  int point = 0;
};

Digits ShortestDigits(double v) {
  // std::to_chars gives the shortest digits that round-trip (what Go's
  // strconv uses with precision -1) as d.ddde±XX.
  char buf[48];
  const std::to_chars_result r = std::to_chars(
      buf, buf + sizeof(buf), std::fabs(v), std::chars_format::scientific);
  Digits out;
  const char* p = buf;
  for (; p < r.ptr && *p != 'e'; ++p) {
    if (*p != '.') out.d[out.n++] = *p;
  }
  int exp = 0;
  if (p < r.ptr) {
    ++p;  // 'e'
    const bool negative = *p == '-';
    ++p;  // sign
    for (; p < r.ptr; ++p) exp = exp * 10 + (*p - '0');
    if (negative) exp = -exp;
  }
  while (out.n > 1 && out.d[out.n - 1] == '0') --out.n;
  out.point = exp + 1;
  return out;
}

// The longest float text: a sign, "0." and 323 zeros before the 17 digits
// of the smallest subnormal in 'f' layout, or 309 digits of the largest.
constexpr size_t kMaxFloatText = 400;

// Go's %f layout of shortest digits (strconv 'f' with precision -1); returns
// the end of the text written at `p`.
char* WriteFixed(const Digits& digits, char* p) {
  if (digits.point > 0) {
    const int m = digits.point < digits.n ? digits.point : digits.n;
    std::memcpy(p, digits.d, m);
    p += m;
    std::memset(p, '0', digits.point - m);
    p += digits.point - m;
  } else {
    *p++ = '0';
  }
  if (digits.n > digits.point) {
    *p++ = '.';
    for (int i = digits.point; i < digits.n; ++i) {
      *p++ = i < 0 ? '0' : digits.d[i];
    }
  }
  return p;
}

// Go's %e layout of shortest digits: d[.ddd]e±XX, at least two exponent
// digits. `min_exp_digits` is 1 for encoding/json's cleaned-up form.
char* WriteExponent(const Digits& digits, int min_exp_digits, char* p) {
  *p++ = digits.d[0];
  if (digits.n > 1) {
    *p++ = '.';
    std::memcpy(p, digits.d + 1, digits.n - 1);
    p += digits.n - 1;
  }
  int exp = digits.point - 1;
  *p++ = 'e';
  *p++ = exp < 0 ? '-' : '+';
  if (exp < 0) exp = -exp;
  char buf[8];
  int n = 0;
  do {
    buf[n++] = static_cast<char>('0' + exp % 10);
    exp /= 10;
  } while (exp > 0);
  while (n < min_exp_digits) buf[n++] = '0';
  while (n > 0) *p++ = buf[--n];
  return p;
}

// Go's strconv.FormatFloat(v, fmt, -1, 64) at `p`, where `fmt` is 'f', 'e'
// or 'g' meaning the sample-value rule ('e' outside [1e-6, 1e21)), and
// `min_exp_digits` as in WriteExponent. Returns the end of the text.
char* WriteGoFloat(double v, char fmt, int min_exp_digits, char* p) {
  if (std::isnan(v)) {
    std::memcpy(p, "NaN", 3);
    return p + 3;
  }
  if (std::isinf(v)) {
    std::memcpy(p, v > 0 ? "+Inf" : "-Inf", 4);
    return p + 4;
  }
  if (std::signbit(v)) *p++ = '-';
  if (v == 0) {
    *p++ = '0';
    return p;
  }
  const double abs = std::fabs(v);
  // Integers below 2^53 print as themselves in every format used here;
  // this skips digit generation for the most common sample values.
  if (abs < 1e15 && abs == std::trunc(abs)) {
    return std::to_chars(p, p + 24, static_cast<int64_t>(abs)).ptr;
  }
  if (fmt == 'g') fmt = (abs < 1e-6 || abs >= 1e21) ? 'e' : 'f';
  // Below 2^53 std::to_chars' shortest fixed form has Go's digits (fewest
  // characters is fewest digits once the integer part is exact; checked on
  // millions of values against the general path), at half its cost.
  if (fmt == 'f' && abs >= 1e-6 && abs < 9007199254740992.0) {
    return std::to_chars(p, p + kMaxFloatText, abs, std::chars_format::fixed)
        .ptr;
  }
  const Digits digits = ShortestDigits(abs);
  return fmt == 'e' ? WriteExponent(digits, min_exp_digits, p)
                    : WriteFixed(digits, p);
}

// Appends WriteGoFloat's text, in quotes when `quoted`.
void AppendGoFloat(double v, char fmt, int min_exp_digits, bool quoted,
                   std::string* out) {
  char buf[kMaxFloatText + 2];
  char* p = buf;
  if (quoted) *p++ = '"';
  p = WriteGoFloat(v, fmt, min_exp_digits, p);
  if (quoted) *p++ = '"';
  out->append(buf, p - buf);
}

bool NeedsEscape(unsigned char c) {
  return c < 0x20 || c == '"' || c == '\\' || c == '<' || c == '>' ||
         c == '&' || c >= 0x80;
}

}  // namespace

void AppendJsonString(absl::string_view s, std::string* out) {
  out->push_back('"');
  size_t start = 0;  // first byte not yet copied
  size_t i = 0;
  while (i < s.size()) {
    const unsigned char c = static_cast<unsigned char>(s[i]);
    if (!NeedsEscape(c)) {
      ++i;
      continue;
    }
    if (c >= 0x80) {
      const DecodedRune r = DecodeRune(s.substr(i));
      if (r.rune == kRuneError && r.width == 1) {
        out->append(s.data() + start, i - start);
        out->append("\\ufffd");
        start = ++i;
      } else if (r.rune == 0x2028 || r.rune == 0x2029) {
        // JSONP-safe, as Go writes them.
        out->append(s.data() + start, i - start);
        out->append(r.rune == 0x2028 ? "\\u2028" : "\\u2029");
        i += r.width;
        start = i;
      } else {
        i += r.width;
      }
      continue;
    }
    out->append(s.data() + start, i - start);
    switch (c) {
      case '"':
        out->append("\\\"");
        break;
      case '\\':
        out->append("\\\\");
        break;
      case '\n':
        out->append("\\n");
        break;
      case '\r':
        out->append("\\r");
        break;
      case '\t':
        out->append("\\t");
        break;
      default:
        // Other controls and the HTML characters < > &.
        out->append("\\u00");
        out->push_back(kHex[c >> 4]);
        out->push_back(kHex[c & 0xF]);
        break;
    }
    start = ++i;
  }
  out->append(s.data() + start, s.size() - start);
  out->push_back('"');
}

void AppendSampleValue(double v, std::string* out) {
  AppendGoFloat(v, 'g', 2, true, out);
}

void AppendScalarValue(double v, std::string* out) {
  AppendGoFloat(v, 'f', 2, true, out);
}

void AppendSampleTimestamp(Timestamp t, std::string* out) {
  // Unsigned so that the most negative timestamp has a magnitude.
  uint64_t magnitude = static_cast<uint64_t>(t);
  if (t < 0) {
    out->push_back('-');
    magnitude = ~magnitude + 1;
  }
  char buf[24];
  const std::to_chars_result r =
      std::to_chars(buf, buf + sizeof(buf), magnitude / 1000);
  out->append(buf, r.ptr - buf);
  const unsigned fraction = static_cast<unsigned>(magnitude % 1000);
  if (fraction != 0) {
    out->push_back('.');
    out->push_back(static_cast<char>('0' + fraction / 100));
    out->push_back(static_cast<char>('0' + fraction / 10 % 10));
    out->push_back(static_cast<char>('0' + fraction % 10));
  }
}

void AppendJsonFloat(double v, std::string* out) {
  if (!std::isfinite(v)) {
    out->append("null");
    return;
  }
  // encoding/json writes negative zero as -0 too.
  AppendGoFloat(v, 'g', 1, false, out);
}

void AppendLabelsJson(const Labels& labels, std::string* out) {
  out->push_back('{');
  bool first = true;
  for (const Label& l : labels) {
    if (!first) out->push_back(',');
    first = false;
    AppendJsonString(l.name, out);
    out->push_back(':');
    AppendJsonString(l.value, out);
  }
  out->push_back('}');
}

void JsonWriter::BeforeValue() {
  if (after_key_) {
    after_key_ = false;
    return;
  }
  if (!has_element_.empty()) {
    if (has_element_.back()) out_->push_back(',');
    has_element_.back() = true;
  }
}

void JsonWriter::BeginObject() {
  BeforeValue();
  out_->push_back('{');
  has_element_.push_back(false);
}

void JsonWriter::EndObject() {
  out_->push_back('}');
  if (!has_element_.empty()) has_element_.pop_back();
}

void JsonWriter::BeginArray() {
  BeforeValue();
  out_->push_back('[');
  has_element_.push_back(false);
}

void JsonWriter::EndArray() {
  out_->push_back(']');
  if (!has_element_.empty()) has_element_.pop_back();
}

void JsonWriter::Key(absl::string_view key) {
  BeforeValue();
  AppendJsonString(key, out_);
  out_->push_back(':');
  after_key_ = true;
}

void JsonWriter::String(absl::string_view s) {
  BeforeValue();
  AppendJsonString(s, out_);
}

void JsonWriter::Int(int64_t v) {
  BeforeValue();
  char buf[24];
  const std::to_chars_result r = std::to_chars(buf, buf + sizeof(buf), v);
  out_->append(buf, r.ptr - buf);
}

void JsonWriter::Uint(uint64_t v) {
  BeforeValue();
  char buf[24];
  const std::to_chars_result r = std::to_chars(buf, buf + sizeof(buf), v);
  out_->append(buf, r.ptr - buf);
}

void JsonWriter::Float(double v) {
  BeforeValue();
  AppendJsonFloat(v, out_);
}

void JsonWriter::Bool(bool v) {
  BeforeValue();
  out_->append(v ? "true" : "false");
}

void JsonWriter::Null() {
  BeforeValue();
  out_->append("null");
}

void JsonWriter::Raw(absl::string_view json) {
  BeforeValue();
  out_->append(json.data(), json.size());
}

}  // namespace fraisier::api
