#include "rules/lint/finding.h"

#include "absl/status/status.h"
#include "absl/strings/str_cat.h"

namespace fraisier::rules::lint {

absl::string_view SeverityName(Severity severity) {
  return severity == Severity::kError ? "error" : "warning";
}

absl::StatusOr<Severity> ParseSeverity(absl::string_view text) {
  if (text == "warning") return Severity::kWarning;
  if (text == "error") return Severity::kError;
  return absl::InvalidArgumentError(absl::StrCat(
      "unknown severity \"", text, "\" (expected warning or error)"));
}

}  // namespace fraisier::rules::lint
