#include "engine/api/json.h"

#include <charconv>
#include <cmath>
#include <cstdint>
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

// Go's %f layout of shortest digits (strconv 'f' with precision -1).
void AppendFixed(const Digits& digits, std::string* out) {
  if (digits.point > 0) {
    const int m = digits.point < digits.n ? digits.point : digits.n;
    out->append(digits.d, m);
    out->append(digits.point - m, '0');
  } else {
    out->push_back('0');
  }
  if (digits.n > digits.point) {
    out->push_back('.');
    for (int i = digits.point; i < digits.n; ++i) {
      out->push_back(i < 0 ? '0' : digits.d[i]);
    }
  }
}

// Go's %e layout of shortest digits: d[.ddd]e±XX, at least two exponent
// digits. `min_exp_digits` is 1 for encoding/json's cleaned-up form.
void AppendExponent(const Digits& digits, int min_exp_digits,
                    std::string* out) {
  out->push_back(digits.d[0]);
  if (digits.n > 1) {
    out->push_back('.');
    out->append(digits.d + 1, digits.n - 1);
  }
  int exp = digits.point - 1;
  out->push_back('e');
  out->push_back(exp < 0 ? '-' : '+');
  if (exp < 0) exp = -exp;
  char buf[8];
  int n = 0;
  do {
    buf[n++] = static_cast<char>('0' + exp % 10);
    exp /= 10;
  } while (exp > 0);
  while (n < min_exp_digits) buf[n++] = '0';
  while (n > 0) out->push_back(buf[--n]);
}

// Integers below 2^53 print as themselves in every format used here; this
// skips the general digit generation for the most common sample values.
bool AppendSmallInteger(double v, std::string* out) {
  if (!(std::fabs(v) < 1e15) || v != std::trunc(v) || v == 0) return false;
  const int64_t i = static_cast<int64_t>(v);
  char buf[24];
  const std::to_chars_result r = std::to_chars(buf, buf + sizeof(buf), i);
  out->append(buf, r.ptr - buf);
  return true;
}

// `fmt` is 'f', 'e' or 'g' (the sample-value rule: 'e' outside
// [1e-6, 1e21)); `min_exp_digits` as in AppendExponent.
void AppendGoFloat(double v, char fmt, int min_exp_digits, std::string* out) {
  if (std::isnan(v)) {
    out->append("NaN");
    return;
  }
  if (std::isinf(v)) {
    out->append(v > 0 ? "+Inf" : "-Inf");
    return;
  }
  if (v == 0) {
    out->append(std::signbit(v) ? "-0" : "0");
    return;
  }
  if (AppendSmallInteger(v, out)) return;
  if (v < 0) out->push_back('-');
  const Digits digits = ShortestDigits(v);
  if (fmt == 'g') {
    const double abs = std::fabs(v);
    fmt = (abs < 1e-6 || abs >= 1e21) ? 'e' : 'f';
  }
  if (fmt == 'e') {
    AppendExponent(digits, min_exp_digits, out);
  } else {
    AppendFixed(digits, out);
  }
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
  out->push_back('"');
  AppendGoFloat(v, 'g', 2, out);
  out->push_back('"');
}

void AppendScalarValue(double v, std::string* out) {
  out->push_back('"');
  AppendGoFloat(v, 'f', 2, out);
  out->push_back('"');
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
  if (v == 0) {
    // encoding/json writes negative zero as -0 too.
    out->append(std::signbit(v) ? "-0" : "0");
    return;
  }
  AppendGoFloat(v, 'g', 1, out);
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
