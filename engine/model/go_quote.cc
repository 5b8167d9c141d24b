#include "engine/model/go_quote.h"

#include <cstdint>

#include "engine/model/utf8.h"

namespace fraisier {
namespace {

constexpr char kLowerHex[] = "0123456789abcdef";

void AppendHex(uint32_t v, int digits, std::string* out) {
  for (int shift = (digits - 1) * 4; shift >= 0; shift -= 4) {
    out->push_back(kLowerHex[(v >> shift) & 0xF]);
  }
}

struct RuneRange {
  char32_t lo;
  char32_t hi;
};

// Non-printable runes at or above U+0080 (see the header for the scope).
constexpr RuneRange kNotPrintable[] = {
    {0x0080, 0x00A0},     // C1 controls, no-break space
    {0x00AD, 0x00AD},     // soft hyphen
    {0x061C, 0x061C},     // Arabic letter mark
    {0x1680, 0x1680},     // Ogham space mark
    {0x180E, 0x180E},     // Mongolian vowel separator
    {0x2000, 0x200F},     // spaces, zero-width and direction marks
    {0x2028, 0x202F},     // separators, embedding controls, narrow nbsp
    {0x205F, 0x206F},     // math space, invisible operators
    {0x3000, 0x3000},     // ideographic space
    {0xD800, 0xF8FF},     // surrogates, private use
    {0xFEFF, 0xFEFF},     // byte order mark
    {0xFFF0, 0xFFFB},     // specials, interlinear annotation
    {0xFFFE, 0xFFFF},     // noncharacters
    {0xE0000, 0xE0FFF},   // tags
    {0xF0000, 0x10FFFF},  // supplementary private use
};

}  // namespace

bool IsGoPrintable(char32_t r) {
  if (r < 0x80) return r >= 0x20 && r < 0x7F;
  if (r > kMaxRune) return false;
  for (const RuneRange& range : kNotPrintable) {
    if (r < range.lo) return true;
    if (r <= range.hi) return false;
  }
  return true;
}

void AppendGoQuote(absl::string_view s, std::string* out) {
  out->reserve(out->size() + s.size() + 2);
  out->push_back('"');
  while (!s.empty()) {
    const DecodedRune d = DecodeRune(s);
    const char32_t r = d.rune;
    if (r == kRuneError && d.width == 1) {
      out->append("\\x");
      AppendHex(static_cast<uint8_t>(s[0]), 2, out);
      s.remove_prefix(1);
      continue;
    }
    s.remove_prefix(d.width);
    if (r == '"' || r == '\\') {
      out->push_back('\\');
      out->push_back(static_cast<char>(r));
      continue;
    }
    if (IsGoPrintable(r)) {
      AppendUtf8(r, out);
      continue;
    }
    switch (r) {
      case '\a':
        out->append("\\a");
        break;
      case '\b':
        out->append("\\b");
        break;
      case '\f':
        out->append("\\f");
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
      case '\v':
        out->append("\\v");
        break;
      default:
        if (r < ' ' || r == 0x7F) {
          out->append("\\x");
          AppendHex(r, 2, out);
        } else if (r < 0x10000) {
          out->append("\\u");
          AppendHex(r, 4, out);
        } else {
          out->append("\\U");
          AppendHex(r, 8, out);
        }
    }
  }
  out->push_back('"');
}

std::string GoQuote(absl::string_view s) {
  std::string out;
  AppendGoQuote(s, &out);
  return out;
}

}  // namespace fraisier
