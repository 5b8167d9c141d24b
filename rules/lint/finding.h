// What the rule-file lint reports: findings with a check id, a severity and
// a message that says what is wrong and how to fix it.
#ifndef RULES_LINT_FINDING_H_
#define RULES_LINT_FINDING_H_

#include <string>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"

namespace fraisier::rules::lint {

// Ordered: a finding fails a run when its severity is at least --fail-on.
enum class Severity { kWarning = 0, kError = 1 };

// "warning" or "error".
absl::string_view SeverityName(Severity severity);
// The inverse of SeverityName; InvalidArgument for anything else.
absl::StatusOr<Severity> ParseSeverity(absl::string_view text);

struct Finding {
  std::string check;  // the check's id, e.g. "rate-on-non-counter"
  Severity severity = Severity::kWarning;
  std::string file;
  int line = 0;  // of the rule (or group) the finding is about; 1-based
  int column = 0;
  std::string group;  // "" for file-level findings
  std::string rule;   // "" for group- and file-level findings
  std::string message;
};

}  // namespace fraisier::rules::lint

#endif  // RULES_LINT_FINDING_H_
