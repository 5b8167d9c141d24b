// Checks on label matchers: regex anchors Prometheus already adds, and
// regexes that are plain equality.
#include <optional>
#include <set>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "engine/model/go_quote.h"
#include "promql/ast.h"
#include "rules/lint/check.h"
#include "rules/lint/regex_literal.h"
#include "rules/lint/walk.h"

namespace fraisier::rules::lint {
namespace {

using promql::Expr;
using promql::NodeKind;

bool IsRegex(const Matcher& m) {
  return m.type() == MatchType::kRegexMatch ||
         m.type() == MatchType::kRegexNoMatch;
}

std::string MatcherText(absl::string_view name, MatchType type,
                        absl::string_view value) {
  return absl::StrCat(name, MatchTypeToString(type), GoQuote(value));
}

MatchType EqualityOf(MatchType regex_type) {
  return regex_type == MatchType::kRegexMatch ? MatchType::kEqual
                                              : MatchType::kNotEqual;
}

// Calls `fn(matcher)` once per distinct regex matcher of the rule.
template <typename Fn>
void ForEachRegexMatcher(const RuleSpec& rule, Fn fn) {
  if (rule.parsed == nullptr) return;
  std::set<std::string> seen;
  Walk(*rule.parsed, [&](const Expr& e, Ancestors) {
    if (e.kind() != NodeKind::kVectorSelector) return;
    for (const Matcher& m :
         static_cast<const promql::VectorSelector&>(e).matchers) {
      if (IsRegex(m) && seen.insert(m.ToString()).second) fn(m);
    }
  });
}

void CheckAnchors(const RuleSpec& rule, const LintContext&,
                  std::vector<std::string>* messages) {
  ForEachRegexMatcher(rule, [&](const Matcher& m) {
    RegexAnchors anchors = SplitAnchors(m.value());
    if (!anchors.leading && !anchors.trailing) return;
    std::string message = absl::StrCat(
        "`", m.ToString(),
        "`: Prometheus anchors matcher regexes at both ends, so ^ and $ are "
        "redundant (and `^foo` does not mean a prefix: write foo.* for "
        "that); write `",
        MatcherText(m.name(), m.type(), anchors.inner), "`");
    if (std::optional<std::string> literal = RegexLiteral(anchors.inner)) {
      absl::StrAppend(&message, ", or as it matches one value, `",
                      MatcherText(m.name(), EqualityOf(m.type()), *literal),
                      "`");
    }
    messages->push_back(std::move(message));
  });
}

void CheckEquality(const RuleSpec& rule, const LintContext&,
                   std::vector<std::string>* messages) {
  ForEachRegexMatcher(rule, [&](const Matcher& m) {
    RegexAnchors anchors = SplitAnchors(m.value());
    if (anchors.leading || anchors.trailing) return;  // the anchor check
    std::optional<std::string> literal = RegexLiteral(m.value());
    if (!literal.has_value()) return;
    messages->push_back(
        absl::StrCat("`", m.ToString(), "` matches exactly one value; write `",
                     MatcherText(m.name(), EqualityOf(m.type()), *literal),
                     "`, which says so and is cheaper to evaluate"));
  });
}

}  // namespace

std::vector<CheckDef> SelectorChecks() {
  return {
      {"regex-redundant-anchor", Severity::kWarning,
       "^ or $ in a matcher regex, which Prometheus anchors anyway",
       CheckAnchors},
      {"regex-is-equality", Severity::kWarning,
       "a matcher regex without metacharacters (use = or !=)", CheckEquality},
  };
}

}  // namespace fraisier::rules::lint
