#include "rules/template/go_strings.h"

#include <arpa/inet.h>
#include <locale.h>
#include <wctype.h>

#include <string>

#include "absl/strings/str_cat.h"
#include "engine/model/go_quote.h"
#include "engine/model/utf8.h"

namespace fraisier::rules::templates {
namespace {

// The C library's Unicode tables, through a locale object rather than the
// process-wide locale so that nothing global changes. Created once; locale_t
// objects may be used from any thread.
locale_t Utf8Locale() {
  static const locale_t loc = [] {
    locale_t l = newlocale(LC_CTYPE_MASK, "C.UTF-8", static_cast<locale_t>(0));
    return l;
  }();
  return loc;
}

bool IsAscii(absl::string_view s) {
  for (char c : s) {
    if (static_cast<unsigned char>(c) >= 0x80) return false;
  }
  return true;
}

char32_t ToUpperRune(char32_t r) {
  if (r < 0x80) return (r >= 'a' && r <= 'z') ? r - 32 : r;
  const locale_t loc = Utf8Locale();
  if (loc == static_cast<locale_t>(0)) return r;
  return static_cast<char32_t>(towupper_l(static_cast<wint_t>(r), loc));
}

char32_t ToLowerRune(char32_t r) {
  if (r < 0x80) return (r >= 'A' && r <= 'Z') ? r + 32 : r;
  const locale_t loc = Utf8Locale();
  if (loc == static_cast<locale_t>(0)) return r;
  return static_cast<char32_t>(towlower_l(static_cast<wint_t>(r), loc));
}

// unicode.ToTitle: the upper case except for the four digraphs whose title
// case is a distinct code point.
char32_t ToTitleRune(char32_t r) {
  switch (r) {
    case 0x01C4:
    case 0x01C5:
    case 0x01C6:
      return 0x01C5;
    case 0x01C7:
    case 0x01C8:
    case 0x01C9:
      return 0x01C8;
    case 0x01CA:
    case 0x01CB:
    case 0x01CC:
      return 0x01CB;
    case 0x01F1:
    case 0x01F2:
    case 0x01F3:
      return 0x01F2;
    default:
      return ToUpperRune(r);
  }
}

// strings.Map: applies `f` to every rune; an invalid byte decodes to U+FFFD,
// which is what gets written.
template <typename F>
std::string MapRunes(absl::string_view s, F f) {
  std::string out;
  out.reserve(s.size());
  while (!s.empty()) {
    const DecodedRune d = DecodeRune(s);
    AppendUtf8(f(d.rune), &out);
    s.remove_prefix(d.width);
  }
  return out;
}

// strings.Title's word boundaries.
bool IsSeparator(char32_t r) {
  if (r <= 0x7F) {
    return !((r >= '0' && r <= '9') || (r >= 'a' && r <= 'z') ||
             (r >= 'A' && r <= 'Z') || r == '_');
  }
  if (GoIsLetter(r) || GoIsDigit(r)) return false;
  return GoIsSpace(r);
}

}  // namespace

bool GoIsLetter(char32_t r) {
  if (r < 0x80) return (r >= 'a' && r <= 'z') || (r >= 'A' && r <= 'Z');
  const locale_t loc = Utf8Locale();
  return loc != static_cast<locale_t>(0) &&
         iswalpha_l(static_cast<wint_t>(r), loc) != 0 && !GoIsDigit(r);
}

bool GoIsDigit(char32_t r) {
  if (r < 0x80) return r >= '0' && r <= '9';
  // glibc files non-ASCII decimal digits under "alpha" and has no class for
  // them; the Unicode Nd blocks below cover the scripts in use.
  static constexpr char32_t kZeros[] = {
      0x0660, 0x06F0, 0x07C0, 0x0966, 0x09E6, 0x0A66, 0x0AE6, 0x0B66, 0x0BE6,
      0x0C66, 0x0CE6, 0x0D66, 0x0DE6, 0x0E50, 0x0ED0, 0x0F20, 0x1040, 0x1090,
      0x17E0, 0x1810, 0x1946, 0x19D0, 0x1A80, 0x1A90, 0x1B50, 0x1BB0, 0x1C40,
      0x1C50, 0xA620, 0xA8D0, 0xA900, 0xA9D0, 0xA9F0, 0xAA50, 0xABF0, 0xFF10};
  for (char32_t zero : kZeros) {
    if (r >= zero && r < zero + 10) return true;
  }
  return false;
}

bool GoIsSpace(char32_t r) {
  switch (r) {
    case '\t':
    case '\n':
    case '\v':
    case '\f':
    case '\r':
    case ' ':
    case 0x85:
    case 0xA0:
    case 0x1680:
    case 0x2028:
    case 0x2029:
    case 0x202F:
    case 0x205F:
    case 0x3000:
      return true;
    default:
      return r >= 0x2000 && r <= 0x200A;
  }
}

std::string GoToUpper(absl::string_view s) {
  if (IsAscii(s)) {
    std::string out(s);
    for (char& c : out) {
      if (c >= 'a' && c <= 'z') c -= 32;
    }
    return out;
  }
  return MapRunes(s, ToUpperRune);
}

std::string GoToLower(absl::string_view s) {
  if (IsAscii(s)) {
    std::string out(s);
    for (char& c : out) {
      if (c >= 'A' && c <= 'Z') c += 32;
    }
    return out;
  }
  return MapRunes(s, ToLowerRune);
}

std::string GoTitle(absl::string_view s) {
  char32_t prev = ' ';
  return MapRunes(s, [&prev](char32_t r) {
    const char32_t out = IsSeparator(prev) ? ToTitleRune(r) : r;
    prev = r;
    return out;
  });
}

bool GoSplitHostPort(absl::string_view hostport, std::string* host,
                     std::string* port) {
  const size_t i = hostport.rfind(':');
  if (i == absl::string_view::npos) return false;  // missing port
  size_t j = 0;
  size_t k = 0;
  if (!hostport.empty() && hostport[0] == '[') {
    const size_t end = hostport.find(']');
    if (end == absl::string_view::npos) return false;  // missing ']'
    if (end + 1 != i) return false;  // missing port or too many colons
    *host = std::string(hostport.substr(1, end - 1));
    j = 1;
    k = end + 1;
  } else {
    *host = std::string(hostport.substr(0, i));
    if (host->find(':') != std::string::npos) return false;  // too many colons
  }
  if (hostport.substr(j).find('[') != absl::string_view::npos) return false;
  if (hostport.substr(k).find(']') != absl::string_view::npos) return false;
  *port = std::string(hostport.substr(i + 1));
  return true;
}

std::string GoJoinHostPort(absl::string_view host, absl::string_view port) {
  if (host.find(':') != absl::string_view::npos) {
    return absl::StrCat("[", host, "]:", port);
  }
  return absl::StrCat(host, ":", port);
}

bool GoIsIP(absl::string_view s) {
  const std::string str(s);
  if (str.find('\0') != std::string::npos) return false;
  unsigned char buf[16];
  if (str.find(':') != std::string::npos) {
    return inet_pton(AF_INET6, str.c_str(), buf) == 1;
  }
  // glibc's inet_pton rejects leading zeros, as Go's ParseIP does since 1.17.
  return inet_pton(AF_INET, str.c_str(), buf) == 1;
}

std::string GoQueryEscape(absl::string_view s) {
  static constexpr char kHex[] = "0123456789ABCDEF";
  std::string out;
  out.reserve(s.size());
  for (char ch : s) {
    const unsigned char c = static_cast<unsigned char>(ch);
    if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
        (c >= '0' && c <= '9') || c == '-' || c == '_' || c == '.' ||
        c == '~') {
      out.push_back(ch);
    } else if (c == ' ') {
      out.push_back('+');
    } else {
      out.push_back('%');
      out.push_back(kHex[c >> 4]);
      out.push_back(kHex[c & 0xF]);
    }
  }
  return out;
}

std::string GoHtmlEscape(absl::string_view s) {
  std::string out;
  out.reserve(s.size());
  for (char c : s) {
    switch (c) {
      case '\0':
        out.append("\xEF\xBF\xBD");
        break;
      case '"':
        out.append("&#34;");
        break;
      case '\'':
        out.append("&#39;");
        break;
      case '&':
        out.append("&amp;");
        break;
      case '<':
        out.append("&lt;");
        break;
      case '>':
        out.append("&gt;");
        break;
      default:
        out.push_back(c);
    }
  }
  return out;
}

std::string GoJsEscape(absl::string_view s) {
  static constexpr char kHex[] = "0123456789ABCDEF";
  std::string out;
  out.reserve(s.size());
  size_t i = 0;
  while (i < s.size()) {
    const unsigned char c = static_cast<unsigned char>(s[i]);
    if (c < 0x80) {
      switch (c) {
        case '\\':
          out.append("\\\\");
          break;
        case '\'':
          out.append("\\'");
          break;
        case '"':
          out.append("\\\"");
          break;
        case '<':
          out.append("\\u003C");
          break;
        case '>':
          out.append("\\u003E");
          break;
        case '&':
          out.append("\\u0026");
          break;
        case '=':
          out.append("\\u003D");
          break;
        default:
          if (c < ' ') {
            out.append("\\u00");
            out.push_back(kHex[c >> 4]);
            out.push_back(kHex[c & 0xF]);
          } else {
            out.push_back(static_cast<char>(c));
          }
      }
      ++i;
      continue;
    }
    const DecodedRune d = DecodeRune(s.substr(i));
    if (IsGoPrintable(d.rune)) {  // an invalid byte (U+FFFD) is copied
      absl::StrAppend(&out, s.substr(i, d.width));
    } else {
      std::string hex = absl::StrCat(absl::Hex(d.rune, absl::kZeroPad4));
      for (char& h : hex) {
        if (h >= 'a' && h <= 'f') h -= 32;
      }
      absl::StrAppend(&out, "\\u", hex);
    }
    i += d.width;
  }
  return out;
}

}  // namespace fraisier::rules::templates
