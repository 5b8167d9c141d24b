// Label matchers (`job="x"`, `job=~"a|b"`), with Prometheus 3 semantics.
#ifndef ENGINE_MODEL_MATCHER_H_
#define ENGINE_MODEL_MATCHER_H_

#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "engine/model/labels.h"

namespace fraisier {
namespace matcher_internal {
struct Regex;
}  // namespace matcher_internal

enum class MatchType { kEqual, kNotEqual, kRegexMatch, kRegexNoMatch };

// "=", "!=", "=~" or "!~".
absl::string_view MatchTypeToString(MatchType type);

// Matches a label value.
//
// Thread-safety: immutable after Create; copies share the compiled regex, so
// matchers may be copied and used from any number of threads.
//
// Invariants: regex_ is non-null exactly for the two regex types; it holds
// either a fast-path description proven equivalent to the regex or the
// compiled RE2. matches_empty_ caches Matches("").
class Matcher {
 public:
  // Regexes are fully anchored and `.` matches newlines: the value is
  // compiled as ^(?s:<value>)$, as Prometheus 3 does, so =~"a|b" matches "a"
  // and "b" only. An invalid regex is InvalidArgument naming the matcher and
  // RE2's reason.
  static absl::StatusOr<Matcher> Create(MatchType type, absl::string_view name,
                                        absl::string_view value);

  MatchType type() const { return type_; }
  absl::string_view name() const { return name_; }
  absl::string_view value() const { return value_; }

  bool Matches(absl::string_view v) const;

  // An absent label matches as the empty string, so {x=""} selects series
  // without x and {x!=""} only series that have it.
  bool MatchesLabels(const Labels& labels) const {
    return Matches(labels.Get(name_));
  }

  bool MatchesEmpty() const { return matches_empty_; }

  // For =~ and !~ whose regex is a literal or an alternation of literals
  // ("a", "a|b|c", "a|"), the alternatives, sorted and distinct, so an index
  // can answer the regex (or, for !~, its complement) with lookups instead of
  // scanning every value. nullopt for other regexes and for = and !=.
  std::optional<std::vector<std::string>> SetMatches() const;

  // For =~ and !~, a prefix that every string the regex matches starts with,
  // so an index can scan only the values in that range; "" when none is
  // known, and always "" for = and !=. Comes from the `lit.*` fast path or
  // from RE2's possible match range, and is at most 64 bytes long.
  absl::string_view LiteralPrefix() const;

  // Prometheus's Matcher.String(): name (quoted unless a legacy name),
  // operator, Go-quoted value; e.g. job=~"a|b".
  std::string ToString() const;

  // Same type, name and value (hence the same behaviour).
  friend bool operator==(const Matcher& a, const Matcher& b) {
    return a.type_ == b.type_ && a.name_ == b.name_ && a.value_ == b.value_;
  }
  friend bool operator!=(const Matcher& a, const Matcher& b) {
    return !(a == b);
  }

 private:
  using Regex = matcher_internal::Regex;

  Matcher(MatchType type, absl::string_view name, absl::string_view value,
          std::shared_ptr<const Regex> regex);
  bool RegexMatches(absl::string_view v) const;

  MatchType type_;
  std::string name_;
  std::string value_;
  std::shared_ptr<const Regex> regex_;
  bool matches_empty_ = false;
};

}  // namespace fraisier

#endif  // ENGINE_MODEL_MATCHER_H_
