#include "engine/model/matcher.h"

#include <algorithm>
#include <utility>
#include <vector>

#include "absl/container/flat_hash_set.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/strip.h"
#include "engine/model/go_quote.h"
#include "engine/model/utf8.h"
#include "re2/re2.h"

namespace fraisier {

// Either a fast path or RE2. Fast paths are only chosen for patterns whose
// meaning is obvious from the syntax (literals, literal alternations,
// .* / .+ around a literal), so they can skip RE2 entirely, including its
// compilation: huge literal alternations are common in generated rules and
// RE2 would spend memory (and may hit its size limit) on them.
//
// One deliberate difference from RE2: on label values that are not valid
// UTF-8, `.` in RE2 does not match the invalid bytes while Go's regexp (and
// so Prometheus) does; the .* / .+ fast paths follow Go. Values are meant to
// be checked with ValidateLabels on ingestion, so this only matters for label
// sets built without validation.
namespace matcher_internal {

struct Regex {
  enum class Kind {
    kRe2,
    kAny,       // .*
    kNonEmpty,  // .+
    kLiterals,  // lit or lit|lit|...
    kPrefix,    // lit.*
    kSuffix,    // .*lit
    kContains,  // .*lit.*
  };
  Kind kind = Kind::kRe2;
  std::unique_ptr<const RE2> re;
  // kLiterals: small sets are scanned, large ones hashed.
  std::vector<std::string> literals;
  absl::flat_hash_set<std::string> literal_set;
  // kPrefix, kSuffix, kContains.
  std::string literal;
  // A prefix of every match; only for kPrefix (== literal) and kRe2.
  std::string prefix;
};

}  // namespace matcher_internal

namespace {

// Small literal sets are faster to scan than to hash.
constexpr size_t kMaxScannedLiterals = 8;

// Longer prefixes narrow an index scan no further in practice.
constexpr int kMaxPrefixBytes = 64;

// Every anchored match s of `re` lies in [min, max]; the strings in such a
// range all share the common prefix of min and max, so that prefix is a
// prefix of every match.
std::string RequiredPrefix(const RE2& re) {
  std::string min, max;
  if (!re.PossibleMatchRange(&min, &max, kMaxPrefixBytes)) return "";
  size_t n = 0;
  while (n < min.size() && n < max.size() && min[n] == max[n]) ++n;
  min.resize(n);
  return min;
}

bool IsRegexMeta(char c) {
  switch (c) {
    case '\\':
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
      return true;
    default:
      return false;
  }
}

// Decodes `s` when it is a plain literal: ordinary characters and escaped
// metacharacters only. Anything else (classes, \d, flags...) is left to RE2.
bool ParseLiteral(absl::string_view s, std::string* out) {
  out->clear();
  for (size_t i = 0; i < s.size(); ++i) {
    const char c = s[i];
    if (c == '\\') {
      if (i + 1 == s.size() || !IsRegexMeta(s[i + 1])) return false;
      out->push_back(s[++i]);
    } else if (IsRegexMeta(c)) {
      return false;
    } else {
      out->push_back(c);
    }
  }
  return true;
}

// Splits `s` at '|' that are not escaped.
std::vector<absl::string_view> SplitAlternatives(absl::string_view s) {
  std::vector<absl::string_view> parts;
  size_t start = 0;
  for (size_t i = 0; i < s.size(); ++i) {
    if (s[i] == '\\') {
      ++i;
    } else if (s[i] == '|') {
      parts.push_back(s.substr(start, i - start));
      start = i + 1;
    }
  }
  parts.push_back(s.substr(start));
  return parts;
}

// Chooses a fast path for `pattern`, or returns false. Patterns containing
// invalid UTF-8 are never fast-pathed so that RE2 reports them.
bool ChooseFastPath(absl::string_view pattern, matcher_internal::Regex* re) {
  using Kind = matcher_internal::Regex::Kind;
  if (!IsValidUtf8(pattern)) return false;
  if (pattern == ".*") {
    re->kind = Kind::kAny;
    return true;
  }
  if (pattern == ".+") {
    re->kind = Kind::kNonEmpty;
    return true;
  }
  std::string lit;
  absl::string_view middle = pattern;
  const bool leading_any = absl::ConsumePrefix(&middle, ".*");
  // In `a\.*` the ".*" is an escaped dot repeated, not "anything": then the
  // rest ends in a lone backslash and does not parse as a literal.
  const bool trailing_any =
      absl::EndsWith(middle, ".*") &&
      ParseLiteral(middle.substr(0, middle.size() - 2), &lit);
  if (trailing_any) middle.remove_suffix(2);
  if (leading_any || trailing_any) {
    if (!ParseLiteral(middle, &lit)) return false;
    re->literal = std::move(lit);
    if (!leading_any) re->prefix = re->literal;
    re->kind = leading_any && trailing_any ? Kind::kContains
               : leading_any               ? Kind::kSuffix
                                           : Kind::kPrefix;
    return true;
  }
  std::vector<std::string> literals;
  for (absl::string_view part : SplitAlternatives(pattern)) {
    if (!ParseLiteral(part, &lit)) return false;
    literals.push_back(lit);
  }
  re->kind = Kind::kLiterals;
  if (literals.size() <= kMaxScannedLiterals) {
    re->literals = std::move(literals);
  } else {
    re->literal_set.insert(literals.begin(), literals.end());
  }
  return true;
}

std::string MatcherText(MatchType type, absl::string_view name,
                        absl::string_view value) {
  std::string out;
  AppendLabelName(name, &out);
  const absl::string_view op = MatchTypeToString(type);
  out.append(op.data(), op.size());
  AppendGoQuote(value, &out);
  return out;
}

}  // namespace

absl::string_view MatchTypeToString(MatchType type) {
  switch (type) {
    case MatchType::kEqual:
      return "=";
    case MatchType::kNotEqual:
      return "!=";
    case MatchType::kRegexMatch:
      return "=~";
    case MatchType::kRegexNoMatch:
      return "!~";
  }
  return "?";
}

Matcher::Matcher(MatchType type, absl::string_view name,
                 absl::string_view value, std::shared_ptr<const Regex> regex)
    : type_(type), name_(name), value_(value), regex_(std::move(regex)) {
  matches_empty_ = Matches("");
}

absl::StatusOr<Matcher> Matcher::Create(MatchType type, absl::string_view name,
                                        absl::string_view value) {
  if (type == MatchType::kEqual || type == MatchType::kNotEqual) {
    return Matcher(type, name, value, nullptr);
  }
  auto regex = std::make_shared<Regex>();
  if (!ChooseFastPath(value, regex.get())) {
    RE2::Options options;
    options.set_log_errors(false);
    // Go's regexp has no memory cap; RE2's default (8 MiB) rejects some
    // large patterns that Prometheus accepts.
    options.set_max_mem(int64_t{64} << 20);
    const std::string anchored = absl::StrCat("^(?s:", value, ")$");
    auto re = std::make_unique<RE2>(anchored, options);
    if (!re->ok()) {
      // RE2 quotes the whole anchored pattern; recompiling the bare value
      // gives a reason in terms of what the user wrote. Values that only
      // fail inside the wrapper keep the wrapped reason.
      std::string reason = re->error();
      const RE2 bare(re2::StringPiece(value.data(), value.size()), options);
      if (!bare.ok()) reason = bare.error();
      return absl::InvalidArgumentError(
          absl::StrCat("invalid regular expression in matcher ",
                       MatcherText(type, name, value), ": ", reason));
    }
    regex->prefix = RequiredPrefix(*re);
    regex->re = std::move(re);
  }
  return Matcher(type, name, value, std::move(regex));
}

bool Matcher::RegexMatches(absl::string_view v) const {
  const Regex& re = *regex_;
  switch (re.kind) {
    case Regex::Kind::kRe2:
      return re.re->Match(re2::StringPiece(v.data(), v.size()), 0, v.size(),
                          RE2::ANCHOR_BOTH, nullptr, 0);
    case Regex::Kind::kAny:
      return true;
    case Regex::Kind::kNonEmpty:
      return !v.empty();
    case Regex::Kind::kLiterals:
      if (re.literals.empty()) return re.literal_set.contains(v);
      return std::find(re.literals.begin(), re.literals.end(), v) !=
             re.literals.end();
    case Regex::Kind::kPrefix:
      return absl::StartsWith(v, re.literal);
    case Regex::Kind::kSuffix:
      return absl::EndsWith(v, re.literal);
    case Regex::Kind::kContains:
      return absl::StrContains(v, re.literal);
  }
  return false;
}

bool Matcher::Matches(absl::string_view v) const {
  switch (type_) {
    case MatchType::kEqual:
      return v == value_;
    case MatchType::kNotEqual:
      return v != value_;
    case MatchType::kRegexMatch:
      return RegexMatches(v);
    case MatchType::kRegexNoMatch:
      return !RegexMatches(v);
  }
  return false;
}

std::optional<std::vector<std::string>> Matcher::SetMatches() const {
  if (regex_ == nullptr || regex_->kind != Regex::Kind::kLiterals) {
    return std::nullopt;
  }
  std::vector<std::string> values;
  if (regex_->literals.empty()) {
    values.assign(regex_->literal_set.begin(), regex_->literal_set.end());
  } else {
    values = regex_->literals;
  }
  std::sort(values.begin(), values.end());
  values.erase(std::unique(values.begin(), values.end()), values.end());
  return values;
}

absl::string_view Matcher::LiteralPrefix() const {
  if (regex_ == nullptr) return "";
  return regex_->prefix;
}

std::string Matcher::ToString() const {
  return MatcherText(type_, name_, value_);
}

}  // namespace fraisier
