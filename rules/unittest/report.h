// Text output of `ruler test rules`, in the shape of promtool's
// (`Unit Testing: FILE`, then SUCCESS or FAILED with the reasons), with
// one line per test group so a failure says which group it belongs to.
#ifndef RULES_UNITTEST_REPORT_H_
#define RULES_UNITTEST_REPORT_H_

#include <string>
#include <vector>

#include "rules/unittest/runner.h"

namespace fraisier::rules::unittest {

// The block for one file, ending with an empty line.
std::string FormatFileResult(const FileResult& result);

// `N passed, M failed` (and `, K skipped` when some were), counting test
// groups, a file that failed as a whole counting as one.
std::string FormatTotals(const std::vector<FileResult>& results);

}  // namespace fraisier::rules::unittest

#endif  // RULES_UNITTEST_REPORT_H_
