// How `ruler check rules` prints its results: promtool's text (validation
// blocks, then lint findings in compiler style), one JSON document, or
// GitHub Actions workflow commands that annotate the rule files in a pull
// request.
#ifndef ENGINE_CLI_LINT_OUTPUT_H_
#define ENGINE_CLI_LINT_OUTPUT_H_

#include <ostream>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "rules/lint/finding.h"

namespace fraisier::cli {

enum class OutputFormat { kText, kJson, kGithub };

// "text", "json" or "github"; InvalidArgument for anything else.
absl::StatusOr<OutputFormat> ParseOutputFormat(absl::string_view text);

struct CheckedFile {
  std::string path;
  bool valid = false;
  int num_rules = 0;             // when valid
  std::string validation_error;  // when not: one problem per line
  std::vector<rules::lint::Finding> findings;
  // Findings at or above --fail-on.
  int failing_findings = 0;

  bool passed() const { return valid && failing_findings == 0; }
};

// Everything but the final `N passed, M failed` line, which the caller
// writes (to stdout, or to stderr for JSON so stdout stays one document).
void WriteCheckResults(const std::vector<CheckedFile>& files,
                       OutputFormat format, rules::lint::Severity fail_on,
                       std::ostream& out);

// One finding as a text line:
// `file:line:col: warning: group "g", rule "r": message [check-id]`.
std::string FindingText(const rules::lint::Finding& finding);

}  // namespace fraisier::cli

#endif  // ENGINE_CLI_LINT_OUTPUT_H_
