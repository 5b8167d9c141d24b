#include "rules/unittest/report.h"

#include "absl/strings/str_cat.h"
#include "absl/strings/str_replace.h"
#include "engine/model/go_quote.h"

namespace fraisier::rules::unittest {
namespace {

// Indents every line of `text` by `indent`.
std::string Indent(absl::string_view text, absl::string_view indent) {
  return absl::StrCat(
      indent, absl::StrReplaceAll(text, {{"\n", absl::StrCat("\n", indent)}}));
}

std::string CaseTitle(const TestCaseResult& t) {
  if (!t.name.empty() && t.name[0] == '#') return absl::StrCat("test ", t.name);
  return absl::StrCat("test ", GoQuote(t.name));
}

}  // namespace

std::string FormatFileResult(const FileResult& result) {
  std::string out = absl::StrCat("Unit Testing: ", result.path, "\n");
  for (const std::string& w : result.warnings) {
    absl::StrAppend(&out, Indent(absl::StrCat("WARNING: ", w), "  "), "\n");
  }
  if (!result.errors.empty()) {
    absl::StrAppend(&out, "  FAILED:\n");
    for (const std::string& e : result.errors) {
      absl::StrAppend(&out, Indent(e, "    "), "\n");
    }
    absl::StrAppend(&out, "\n");
    return out;
  }
  for (const TestCaseResult& t : result.tests) {
    if (t.skipped) {
      absl::StrAppend(&out, "  ", CaseTitle(t),
                      " SKIPPED (not selected by --run)\n");
    } else if (t.failures.empty()) {
      absl::StrAppend(&out, "  ", CaseTitle(t), " SUCCESS\n");
    } else {
      absl::StrAppend(&out, "  ", CaseTitle(t), " FAILED:\n");
      for (const std::string& f : t.failures) {
        absl::StrAppend(&out, Indent(f, "    "), "\n");
      }
    }
  }
  const int failed = result.failed();
  if (failed == 0) {
    absl::StrAppend(&out, "  SUCCESS\n\n");
  } else {
    absl::StrAppend(&out, "  FAILED (", failed, " of ",
                    result.tests.size() - result.skipped(),
                    " tests failed)\n\n");
  }
  return out;
}

std::string FormatTotals(const std::vector<FileResult>& results) {
  int passed = 0, failed = 0, skipped = 0;
  for (const FileResult& r : results) {
    passed += r.passed();
    failed += r.failed();
    skipped += r.skipped();
  }
  std::string out = absl::StrCat(passed, " passed, ", failed, " failed");
  if (skipped > 0) absl::StrAppend(&out, ", ", skipped, " skipped");
  return out;
}

}  // namespace fraisier::rules::unittest
