#include "rules/unittest/junit.h"

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/strings/str_join.h"

namespace fraisier::rules::unittest {
namespace {

std::string Seconds(absl::Duration d) {
  return absl::StrFormat("%.3f", absl::ToDoubleSeconds(d));
}

// The first line of a failure, for the `message` attribute.
absl::string_view FirstLine(absl::string_view text) {
  return text.substr(0, text.find('\n'));
}

void AppendFailure(const std::vector<std::string>& failures, std::string* out) {
  absl::StrAppend(out, "      <failure message=\"",
                  XmlEscape(FirstLine(failures[0])), "\" type=\"failure\">",
                  XmlEscape(absl::StrJoin(failures, "\n")), "</failure>\n");
}

}  // namespace

std::string XmlEscape(absl::string_view text) {
  std::string out;
  out.reserve(text.size());
  for (char c : text) {
    switch (c) {
      case '&':
        out += "&amp;";
        break;
      case '<':
        out += "&lt;";
        break;
      case '>':
        out += "&gt;";
        break;
      case '"':
        out += "&quot;";
        break;
      case '\'':
        out += "&apos;";
        break;
      default:
        if (static_cast<unsigned char>(c) < 0x20 && c != '\n' && c != '\t' &&
            c != '\r') {
          out += "\xEF\xBF\xBD";
        } else {
          out += c;
        }
    }
  }
  return out;
}

std::string JunitXml(const std::vector<FileResult>& results) {
  int tests = 0, failures = 0, skipped = 0;
  absl::Duration total;
  std::string suites;
  for (const FileResult& r : results) {
    const int file_tests =
        r.errors.empty() ? static_cast<int>(r.tests.size()) : 1;
    tests += file_tests;
    failures += r.failed();
    skipped += r.skipped();
    total += r.duration;
    const std::string name = XmlEscape(r.path);
    absl::StrAppend(&suites, "  <testsuite name=\"", name, "\" tests=\"",
                    file_tests, "\" failures=\"", r.failed(),
                    "\" errors=\"0\" skipped=\"", r.skipped(), "\" time=\"",
                    Seconds(r.duration), "\">\n");
    if (!r.errors.empty()) {
      absl::StrAppend(&suites, "    <testcase name=\"", name, "\" classname=\"",
                      name, "\" time=\"", Seconds(r.duration), "\">\n");
      AppendFailure(r.errors, &suites);
      absl::StrAppend(&suites, "    </testcase>\n");
    }
    for (const TestCaseResult& t : r.tests) {
      if (!r.errors.empty()) break;
      absl::StrAppend(&suites, "    <testcase name=\"", XmlEscape(t.name),
                      "\" classname=\"", name, "\" time=\"",
                      Seconds(t.duration), "\"");
      if (t.passed()) {
        absl::StrAppend(&suites, "/>\n");
        continue;
      }
      absl::StrAppend(&suites, ">\n");
      if (t.skipped) {
        absl::StrAppend(&suites,
                        "      <skipped message=\"not selected by --run\"/>\n");
      } else {
        AppendFailure(t.failures, &suites);
      }
      absl::StrAppend(&suites, "    </testcase>\n");
    }
    absl::StrAppend(&suites, "  </testsuite>\n");
  }
  return absl::StrCat("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n",
                      "<testsuites name=\"ruler test rules\" tests=\"", tests,
                      "\" failures=\"", failures, "\" errors=\"0\" skipped=\"",
                      skipped, "\" time=\"", Seconds(total), "\">\n", suites,
                      "</testsuites>\n");
}

}  // namespace fraisier::rules::unittest
