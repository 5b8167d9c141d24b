// JUnit XML for `ruler test rules --junit FILE`, the shape CI systems
// (GitLab, Jenkins, GitHub test reporters) read: one <testsuite> per test
// file, one <testcase> per test group, a <failure> per failed group with
// the text report, <skipped/> for groups --run left out. A file that fails
// as a whole is one failed test case named after the file.
#ifndef RULES_UNITTEST_JUNIT_H_
#define RULES_UNITTEST_JUNIT_H_

#include <string>
#include <vector>

#include "absl/strings/string_view.h"
#include "rules/unittest/runner.h"

namespace fraisier::rules::unittest {

std::string JunitXml(const std::vector<FileResult>& results);

// Escapes text for XML attributes and content; characters XML 1.0 cannot
// carry (most C0 controls) become U+FFFD.
std::string XmlEscape(absl::string_view text);

}  // namespace fraisier::rules::unittest

#endif  // RULES_UNITTEST_JUNIT_H_
