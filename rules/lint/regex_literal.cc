#include "rules/lint/regex_literal.h"

#include <cctype>

#include "absl/strings/match.h"

namespace fraisier::rules::lint {
namespace {

bool IsMeta(char c) {
  switch (c) {
    case '.':
    case '+':
    case '*':
    case '?':
    case '(':
    case ')':
    case '|':
    case '[':
    case ']':
    case '{':
    case '}':
    case '^':
    case '$':
    case '\\':
      return true;
    default:
      return false;
  }
}

}  // namespace

RegexAnchors SplitAnchors(absl::string_view regex) {
  RegexAnchors out;
  out.inner = regex;
  if (absl::StartsWith(out.inner, "^")) {
    out.leading = true;
    out.inner.remove_prefix(1);
  }
  if (absl::EndsWith(out.inner, "$")) {
    // Escaped when an odd number of backslashes precede it.
    size_t backslashes = 0;
    for (size_t i = out.inner.size() - 1; i-- > 0 && out.inner[i] == '\\';) {
      ++backslashes;
    }
    if (backslashes % 2 == 0) {
      out.trailing = true;
      out.inner.remove_suffix(1);
    }
  }
  return out;
}

std::optional<std::string> RegexLiteral(absl::string_view regex) {
  std::string literal;
  for (size_t i = 0; i < regex.size(); ++i) {
    const char c = regex[i];
    if (c == '\\') {
      if (i + 1 == regex.size()) return std::nullopt;
      const unsigned char next = static_cast<unsigned char>(regex[i + 1]);
      // \d, \w, \b, \pL and friends are classes or assertions.
      if (std::isalnum(next) || next >= 0x80) return std::nullopt;
      literal.push_back(static_cast<char>(next));
      ++i;
      continue;
    }
    if (IsMeta(c)) return std::nullopt;
    literal.push_back(c);
  }
  return literal;
}

}  // namespace fraisier::rules::lint
