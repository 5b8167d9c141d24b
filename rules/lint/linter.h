// Runs the lint checks over rule files that passed validation and returns
// the findings the files' `# ruler disable` comments leave.
//
//   std::vector<LintFile> files = {{&spec, text}};
//   for (const Finding& f : LintFiles(files, LintOptions{}, AllCheckPtrs()))
//     ...
#ifndef RULES_LINT_LINTER_H_
#define RULES_LINT_LINTER_H_

#include <vector>

#include "absl/strings/string_view.h"
#include "rules/lint/check.h"
#include "rules/lint/finding.h"
#include "rules/rulefile/rule_file.h"

namespace fraisier::rules::lint {

// The id of the finding for a `# ruler disable` comment naming no check.
inline constexpr absl::string_view kUnknownCheckId = "disable-unknown-check";

struct LintFile {
  const RuleFileSpec* spec = nullptr;
  absl::string_view text;  // what `spec` was parsed from
};

// Pointers into AllChecks().
std::vector<const CheckDef*> AllCheckPtrs();

// Findings in file order, then by line, then in check order. Checks over
// several rules (duplicates) see every file of the call.
std::vector<Finding> LintFiles(const std::vector<LintFile>& files,
                               const LintOptions& options,
                               const std::vector<const CheckDef*>& checks);

}  // namespace fraisier::rules::lint

#endif  // RULES_LINT_LINTER_H_
