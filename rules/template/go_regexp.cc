#include "rules/template/go_regexp.h"

#include <map>
#include <string>
#include <utility>
#include <vector>

#include "absl/status/status.h"
#include "absl/strings/str_cat.h"
#include "engine/model/go_quote.h"
#include "engine/model/utf8.h"
#include "rules/template/go_strings.h"

namespace fraisier::rules::templates {
namespace {

// regexp/syntax ErrorCode strings for RE2's codes.
absl::string_view GoErrorCode(RE2::ErrorCode code) {
  switch (code) {
    case RE2::ErrorBadEscape:
      return "invalid escape sequence";
    case RE2::ErrorBadCharClass:
      return "invalid character class";
    case RE2::ErrorBadCharRange:
      return "invalid character class range";
    case RE2::ErrorMissingBracket:
      return "missing closing ]";
    case RE2::ErrorMissingParen:
      return "missing closing )";
    case RE2::ErrorUnexpectedParen:
      return "unexpected )";
    case RE2::ErrorTrailingBackslash:
      return "trailing backslash at end of expression";
    case RE2::ErrorRepeatArgument:
      return "missing argument to repetition operator";
    case RE2::ErrorRepeatSize:
      return "invalid repeat count";
    case RE2::ErrorRepeatOp:
      return "invalid nested repetition operator";
    case RE2::ErrorBadPerlOp:
      return "invalid or unsupported Perl syntax";
    case RE2::ErrorBadUTF8:
      return "invalid UTF-8";
    case RE2::ErrorBadNamedCapture:
      return "invalid named capture";
    case RE2::ErrorPatternTooLarge:
      return "expression too large";
    default:
      return "regexp/syntax: internal error";
  }
}

// regexp's extract: the group reference after a '$'.
bool Extract(absl::string_view str, std::string* name, int* num,
             absl::string_view* rest) {
  if (str.empty()) return false;
  bool brace = false;
  if (str[0] == '{') {
    brace = true;
    str.remove_prefix(1);
  }
  size_t i = 0;
  while (i < str.size()) {
    const DecodedRune d = DecodeRune(str.substr(i));
    if (!GoIsLetter(d.rune) && !GoIsDigit(d.rune) && d.rune != '_') break;
    i += d.width;
  }
  if (i == 0) return false;  // an empty name is not a reference
  *name = std::string(str.substr(0, i));
  if (brace) {
    if (i >= str.size() || str[i] != '}') return false;
    ++i;
  }
  *num = 0;
  for (char c : *name) {
    if (c < '0' || c > '9' || *num >= 100000000) {
      *num = -1;
      break;
    }
    *num = *num * 10 + (c - '0');
  }
  if ((*name)[0] == '0' && name->size() > 1) *num = -1;  // no leading zeros
  *rest = str.substr(i);
  return true;
}

}  // namespace

absl::StatusOr<std::unique_ptr<RE2>> CompileGoRegexp(
    absl::string_view pattern) {
  RE2::Options options;
  options.set_log_errors(false);
  auto re = std::make_unique<RE2>(
      re2::StringPiece(pattern.data(), pattern.size()), options);
  if (!re->ok()) {
    return absl::InvalidArgumentError(
        absl::StrCat("error parsing regexp: ", GoErrorCode(re->error_code()),
                     ": `", re->error_arg(), "`"));
  }
  return re;
}

std::string GoRegexpQuote(absl::string_view pattern) {
  // strconv.CanBackquote: no backquote, no control characters but tab, and
  // valid UTF-8.
  bool can = IsValidUtf8(pattern);
  for (char c : pattern) {
    const unsigned char u = static_cast<unsigned char>(c);
    if (c == '`' || (u < ' ' && c != '\t') || u == 0x7F) can = false;
  }
  if (can) return absl::StrCat("`", pattern, "`");
  return GoQuote(pattern);
}

bool GoMatchString(const RE2& re, absl::string_view s) {
  return re.Match(re2::StringPiece(s.data(), s.size()), 0, s.size(),
                  RE2::UNANCHORED, nullptr, 0);
}

absl::StatusOr<std::string> GoReplaceAllString(const RE2& re,
                                               absl::string_view src,
                                               absl::string_view repl,
                                               size_t max_bytes) {
  const int ngroups = 1 + re.NumberOfCapturingGroups();
  const std::map<std::string, int>& names = re.NamedCapturingGroups();
  std::vector<re2::StringPiece> match(ngroups);
  const re2::StringPiece text(src.data(), src.size());
  std::string dst;
  size_t last_match_end = 0;
  size_t search_pos = 0;
  while (search_pos <= src.size()) {
    if (!re.Match(text, search_pos, src.size(), RE2::UNANCHORED, match.data(),
                  ngroups)) {
      break;
    }
    const size_t a0 = match[0].data() - src.data();
    const size_t a1 = a0 + match[0].size();
    absl::StrAppend(&dst, src.substr(last_match_end, a0 - last_match_end));
    // No replacement for an empty match right after the previous match.
    if (a1 > last_match_end || a0 == 0) {
      absl::string_view tmpl = repl;
      while (!tmpl.empty()) {
        const size_t dollar = tmpl.find('$');
        if (dollar == absl::string_view::npos) break;
        absl::StrAppend(&dst, tmpl.substr(0, dollar));
        tmpl.remove_prefix(dollar + 1);
        if (!tmpl.empty() && tmpl[0] == '$') {
          dst.push_back('$');
          tmpl.remove_prefix(1);
          continue;
        }
        std::string name;
        int num = -1;
        absl::string_view rest;
        if (!Extract(tmpl, &name, &num, &rest)) {
          dst.push_back('$');  // malformed: a literal '$'
          continue;
        }
        tmpl = rest;
        int group = num;
        if (group < 0) {
          auto it = names.find(name);
          group = it == names.end() ? -1 : it->second;
        }
        if (group >= 0 && group < ngroups && match[group].data() != nullptr) {
          dst.append(match[group].data(), match[group].size());
        }
      }
      absl::StrAppend(&dst, tmpl);
    }
    if (dst.size() > max_bytes) {
      return absl::ResourceExhaustedError(absl::StrCat(
          "a function result exceeds the limit of ", max_bytes, " bytes"));
    }
    last_match_end = a1;
    // Advance past this match, by at least one character.
    const size_t width =
        search_pos < src.size() ? DecodeRune(src.substr(search_pos)).width : 0;
    if (search_pos + width > a1) {
      search_pos += width;
    } else if (search_pos + 1 > a1) {
      ++search_pos;  // only at the end of the input
    } else {
      search_pos = a1;
    }
  }
  absl::StrAppend(&dst, src.substr(last_match_end));
  if (dst.size() > max_bytes) {
    return absl::ResourceExhaustedError(absl::StrCat(
        "a function result exceeds the limit of ", max_bytes, " bytes"));
  }
  return dst;
}

}  // namespace fraisier::rules::templates
