#include "engine/yaml/fast_yaml_scalars.h"

namespace fraisier::yaml {
namespace {

void AppendUtf8(char32_t cp, std::string* out) {
  if (cp < 0x80) {
    out->push_back(static_cast<char>(cp));
  } else if (cp < 0x800) {
    out->push_back(static_cast<char>(0xc0 | (cp >> 6)));
    out->push_back(static_cast<char>(0x80 | (cp & 0x3f)));
  } else if (cp < 0x10000) {
    out->push_back(static_cast<char>(0xe0 | (cp >> 12)));
    out->push_back(static_cast<char>(0x80 | ((cp >> 6) & 0x3f)));
    out->push_back(static_cast<char>(0x80 | (cp & 0x3f)));
  } else {
    out->push_back(static_cast<char>(0xf0 | (cp >> 18)));
    out->push_back(static_cast<char>(0x80 | ((cp >> 12) & 0x3f)));
    out->push_back(static_cast<char>(0x80 | ((cp >> 6) & 0x3f)));
    out->push_back(static_cast<char>(0x80 | (cp & 0x3f)));
  }
}

int HexValue(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

}  // namespace

bool AllPrintable(absl::string_view text) {
  const auto* p = reinterpret_cast<const unsigned char*>(text.data());
  const size_t n = text.size();
  for (size_t i = 0; i < n;) {
    const unsigned char c = p[i];
    if (c < 0x80) {
      if ((c < 0x20 && c != '\n') || c == 0x7f) return false;
      ++i;
      continue;
    }
    int len;
    char32_t cp;
    if ((c & 0xe0) == 0xc0) {
      len = 2;
      cp = c & 0x1f;
    } else if ((c & 0xf0) == 0xe0) {
      len = 3;
      cp = c & 0x0f;
    } else if ((c & 0xf8) == 0xf0) {
      len = 4;
      cp = c & 0x07;
    } else {
      return false;
    }
    if (i + len > n) return false;
    for (int k = 1; k < len; ++k) {
      if ((p[i + k] & 0xc0) != 0x80) return false;
      cp = (cp << 6) | (p[i + k] & 0x3f);
    }
    const char32_t min = len == 2 ? 0x80 : len == 3 ? 0x800 : 0x10000;
    if (cp < min || cp > 0x10ffff || (cp >= 0xd800 && cp <= 0xdfff)) {
      return false;
    }
    if ((cp >= 0x80 && cp <= 0x9f && cp != 0x85) || cp == 0xfeff ||
        cp == 0xfffe || cp == 0xffff) {
      return false;
    }
    i += len;
  }
  return true;
}

bool UnquoteOneLine(absl::string_view t, size_t col, std::string* out,
                    size_t* end) {
  const char quote = t[col];
  size_t i = col + 1;
  while (true) {
    if (i >= t.size()) return false;  // continues on the next line
    const char c = t[i];
    if (quote == '\'') {
      if (c == '\'') {
        if (i + 1 < t.size() && t[i + 1] == '\'') {
          out->push_back('\'');
          i += 2;
          continue;
        }
        *end = i + 1;
        return true;
      }
      out->push_back(c);
      ++i;
      continue;
    }
    if (c == '"') {
      *end = i + 1;
      return true;
    }
    if (c != '\\') {
      out->push_back(c);
      ++i;
      continue;
    }
    if (i + 1 >= t.size()) return false;  // a line continuation
    const char e = t[i + 1];
    i += 2;
    int hex_digits = 0;
    switch (e) {
      case '\\':
        out->push_back('\\');
        break;
      case '"':
        out->push_back('"');
        break;
      case '/':
        out->push_back('/');
        break;
      case 'n':
        out->push_back('\n');
        break;
      case 't':
        out->push_back('\t');
        break;
      case 'r':
        out->push_back('\r');
        break;
      case '0':
        out->push_back('\0');
        break;
      case 'a':
        out->push_back('\a');
        break;
      case 'b':
        out->push_back('\b');
        break;
      case 'v':
        out->push_back('\v');
        break;
      case 'f':
        out->push_back('\f');
        break;
      case 'e':
        out->push_back('\x1b');
        break;
      case 'x':
        hex_digits = 2;
        break;
      case 'u':
        hex_digits = 4;
        break;
      case 'U':
        hex_digits = 8;
        break;
      default:
        return false;
    }
    if (hex_digits == 0) continue;
    if (i + hex_digits > t.size()) return false;
    char32_t cp = 0;
    for (int k = 0; k < hex_digits; ++k) {
      const int v = HexValue(t[i + k]);
      if (v < 0) return false;
      cp = cp * 16 + v;
    }
    i += hex_digits;
    if (cp == 0 || cp > 0x10ffff || (cp >= 0xd800 && cp <= 0xdfff)) {
      return false;
    }
    AppendUtf8(cp, out);
  }
}

}  // namespace fraisier::yaml
