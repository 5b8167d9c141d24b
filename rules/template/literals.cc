#include "rules/template/literals.h"

#include <cmath>
#include <cstdint>
#include <limits>
#include <string>

#include "absl/status/status.h"
#include "absl/strings/str_cat.h"
#include "engine/model/go_quote.h"
#include "engine/model/utf8.h"
#include "promql/literals.h"

namespace fraisier::rules::templates {
namespace {

char Lower(char c) { return (c >= 'A' && c <= 'Z') ? c + 32 : c; }

absl::Status InvalidSyntax() {
  return absl::InvalidArgumentError("invalid syntax");
}

// One character of a character constant (strconv.UnquoteChar with quote
// '\''): the rune and the bytes used, or 0 bytes for invalid syntax.
size_t UnquoteRune(absl::string_view s, char32_t* rune) {
  if (s.empty() || s[0] == '\'') return 0;
  if (static_cast<unsigned char>(s[0]) >= 0x80) {
    const DecodedRune d = DecodeRune(s);
    *rune = d.rune;
    return d.width;
  }
  if (s[0] != '\\') {
    *rune = static_cast<unsigned char>(s[0]);
    return 1;
  }
  if (s.size() < 2) return 0;
  switch (s[1]) {
    case 'a':
      *rune = '\a';
      return 2;
    case 'b':
      *rune = '\b';
      return 2;
    case 'f':
      *rune = '\f';
      return 2;
    case 'n':
      *rune = '\n';
      return 2;
    case 'r':
      *rune = '\r';
      return 2;
    case 't':
      *rune = '\t';
      return 2;
    case 'v':
      *rune = '\v';
      return 2;
    case '\\':
      *rune = '\\';
      return 2;
    case '\'':
      *rune = '\'';
      return 2;
    case 'x':
    case 'u':
    case 'U': {
      const size_t n = s[1] == 'x' ? 2 : (s[1] == 'u' ? 4 : 8);
      if (s.size() < 2 + n) return 0;
      uint32_t v = 0;
      for (size_t j = 0; j < n; ++j) {
        const char c = Lower(s[2 + j]);
        int h;
        if (c >= '0' && c <= '9') {
          h = c - '0';
        } else if (c >= 'a' && c <= 'f') {
          h = c - 'a' + 10;
        } else {
          return 0;
        }
        v = (v << 4) | static_cast<uint32_t>(h);
      }
      if (s[1] != 'x' && (v > kMaxRune || (v >= 0xD800 && v < 0xE000))) {
        return 0;
      }
      *rune = v;
      return 2 + n;
    }
    default:
      if (s[1] >= '0' && s[1] <= '7') {
        if (s.size() < 4) return 0;
        uint32_t v = 0;
        for (size_t j = 1; j < 4; ++j) {
          if (s[j] < '0' || s[j] > '7') return 0;
          v = (v << 3) | static_cast<uint32_t>(s[j] - '0');
        }
        if (v > 255) return 0;
        *rune = v;
        return 4;
      }
      return 0;
  }
}

}  // namespace

absl::StatusOr<std::string> GoUnquote(absl::string_view quoted) {
  if (quoted.size() >= 2 && quoted.front() == '`' && quoted.back() == '`') {
    std::string out;
    for (char c : quoted.substr(1, quoted.size() - 2)) {
      if (c == '`') return InvalidSyntax();
      if (c != '\r') out.push_back(c);
    }
    return out;
  }
  return promql::UnquoteString(quoted);
}

absl::StatusOr<NumberInfo> ParseNumberLiteral(absl::string_view text,
                                              ItemType type) {
  NumberInfo n;
  if (type == ItemType::kCharConstant) {
    char32_t rune = 0;
    const size_t used = UnquoteRune(text.substr(1), &rune);
    if (used == 0) return InvalidSyntax();
    if (text.substr(1 + used) != "'") {
      return absl::InvalidArgumentError(
          absl::StrCat("malformed character constant: ", text));
    }
    n.is_int = n.is_uint = n.is_float = true;
    n.int64 = rune;
    n.uint64 = rune;
    n.float64 = rune;
    return n;
  }
  auto simplify_complex = [&n] {
    n.is_float = n.imag == 0;
    if (n.is_float) {
      n.float64 = n.real;
      n.is_int =
          std::trunc(n.real) == n.real && n.real >= -0x1p63 && n.real < 0x1p63;
      if (n.is_int) n.int64 = static_cast<int64_t>(n.real);
      n.is_uint =
          std::trunc(n.real) == n.real && n.real >= 0 && n.real < 0x1p64;
      if (n.is_uint) n.uint64 = static_cast<uint64_t>(n.real);
    }
  };
  if (type == ItemType::kComplex) {
    // "re+imi": split before the sign that starts the imaginary part.
    size_t split = absl::string_view::npos;
    for (size_t i = 1; i < text.size(); ++i) {
      if ((text[i] == '+' || text[i] == '-') && Lower(text[i - 1]) != 'e' &&
          Lower(text[i - 1]) != 'p') {
        split = i;
      }
    }
    if (split == absl::string_view::npos || text.back() != 'i') {
      return absl::InvalidArgumentError("expected integer");
    }
    absl::StatusOr<double> re = promql::ParseGoFloat(text.substr(0, split));
    absl::StatusOr<double> im =
        promql::ParseGoFloat(text.substr(split, text.size() - split - 1));
    if (!re.ok() || !im.ok()) {
      return absl::InvalidArgumentError("expected integer");
    }
    n.is_complex = true;
    n.real = *re;
    n.imag = *im;
    simplify_complex();
    return n;
  }
  // Imaginary constants can only be complex unless they are zero.
  if (!text.empty() && text.back() == 'i') {
    absl::StatusOr<double> f =
        promql::ParseGoFloat(text.substr(0, text.size() - 1));
    if (f.ok()) {
      n.is_complex = true;
      n.real = 0;
      n.imag = *f;
      simplify_complex();
      return n;
    }
  }
  // Integers first, so that 0x123 and the like work.
  const std::optional<uint64_t> u = GoParseUint(text);
  if (u.has_value()) {
    n.is_uint = true;
    n.uint64 = *u;
  }
  if (const std::optional<int64_t> i = GoParseInt(text); i.has_value()) {
    n.is_int = true;
    n.int64 = *i;
    if (*i == 0) {  // -0
      n.is_uint = true;
      n.uint64 = u.value_or(0);
    }
  }
  if (n.is_int) {
    n.is_float = true;
    n.float64 = static_cast<double>(n.int64);
  } else if (n.is_uint) {
    n.is_float = true;
    n.float64 = static_cast<double>(n.uint64);
  } else {
    absl::StatusOr<double> f = promql::ParseGoFloat(text);
    if (f.ok()) {
      // It parsed as a float but looks like an integer: too large for one.
      if (text.find_first_of(".eEpP") == absl::string_view::npos) {
        return absl::InvalidArgumentError(
            absl::StrCat("integer overflow: ", GoQuote(text)));
      }
      n.is_float = true;
      n.float64 = *f;
      if (std::trunc(*f) == *f && *f >= -0x1p63 && *f < 0x1p63) {
        n.is_int = true;
        n.int64 = static_cast<int64_t>(*f);
      }
      if (std::trunc(*f) == *f && *f >= 0 && *f < 0x1p64) {
        n.is_uint = true;
        n.uint64 = static_cast<uint64_t>(*f);
      }
    }
  }
  if (!n.is_int && !n.is_uint && !n.is_float) {
    return absl::InvalidArgumentError(
        absl::StrCat("illegal number syntax: ", GoQuote(text)));
  }
  return n;
}

}  // namespace fraisier::rules::templates
