// What a label-matcher regex reduces to, for the selector checks: Prometheus
// anchors every matcher regex (`=~"api"` matches only "api"), so leading `^`
// and trailing `$` are redundant, and a regex without metacharacters is an
// equality.
#ifndef RULES_LINT_REGEX_LITERAL_H_
#define RULES_LINT_REGEX_LITERAL_H_

#include <optional>
#include <string>

#include "absl/strings/string_view.h"

namespace fraisier::rules::lint {

struct RegexAnchors {
  bool leading = false;     // starts with ^
  bool trailing = false;    // ends with an unescaped $
  absl::string_view inner;  // the regex without them
};

RegexAnchors SplitAnchors(absl::string_view regex);

// The one string `regex` matches when it is a plain literal (letters,
// digits, other characters that are not metacharacters, and escaped
// punctuation such as `\.`); nullopt otherwise.
std::optional<std::string> RegexLiteral(absl::string_view regex);

}  // namespace fraisier::rules::lint

#endif  // RULES_LINT_REGEX_LITERAL_H_
