#include "engine/cli/lint_output.h"

#include <string>

#include "absl/status/status.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "absl/strings/strip.h"
#include "engine/api/json.h"

namespace fraisier::cli {
namespace {

using rules::lint::Finding;
using rules::lint::Severity;
using rules::lint::SeverityName;

std::string Where(const Finding& f) {
  if (f.group.empty()) return "";
  if (f.rule.empty()) return absl::StrCat("group \"", f.group, "\": ");
  return absl::StrCat("group \"", f.group, "\", rule \"", f.rule, "\": ");
}

void WriteText(const std::vector<CheckedFile>& files, Severity fail_on,
               std::ostream& out) {
  for (const CheckedFile& file : files) {
    out << "Checking " << file.path << "\n";
    if (!file.valid) {
      out << "  FAILED:\n" << file.validation_error << "\n\n";
      continue;
    }
    out << "  SUCCESS: " << file.num_rules << " rules found\n\n";
    if (file.findings.empty()) continue;
    for (const Finding& f : file.findings) out << FindingText(f) << "\n";
    if (file.failing_findings > 0) {
      out << "  FAILED: " << file.failing_findings << " lint finding"
          << (file.failing_findings == 1 ? "" : "s") << " at or above "
          << SeverityName(fail_on) << " (--fail-on)\n";
    }
    out << "\n";
  }
}

void WriteJson(const std::vector<CheckedFile>& files, std::ostream& out) {
  std::string text;
  api::JsonWriter w(&text);
  int passed = 0;
  w.BeginObject();
  w.Key("files");
  w.BeginArray();
  for (const CheckedFile& file : files) {
    if (file.passed()) ++passed;
    w.BeginObject();
    w.Key("file");
    w.String(file.path);
    w.Key("passed");
    w.Bool(file.passed());
    w.Key("valid");
    w.Bool(file.valid);
    w.Key("rules");
    w.Int(file.num_rules);
    w.Key("errors");
    w.BeginArray();
    if (!file.valid) {
      for (absl::string_view line :
           absl::StrSplit(file.validation_error, '\n', absl::SkipEmpty())) {
        w.String(line);
      }
    }
    w.EndArray();
    w.Key("findings");
    w.BeginArray();
    for (const Finding& f : file.findings) {
      w.BeginObject();
      w.Key("check");
      w.String(f.check);
      w.Key("severity");
      w.String(SeverityName(f.severity));
      w.Key("file");
      w.String(f.file);
      w.Key("line");
      w.Int(f.line);
      w.Key("column");
      w.Int(f.column);
      w.Key("group");
      w.String(f.group);
      w.Key("rule");
      w.String(f.rule);
      w.Key("message");
      w.String(f.message);
      w.EndObject();
    }
    w.EndArray();
    w.EndObject();
  }
  w.EndArray();
  w.Key("passed");
  w.Int(passed);
  w.Key("failed");
  w.Int(static_cast<int64_t>(files.size()) - passed);
  w.EndObject();
  out << text << "\n";
}

// GitHub's workflow-command escaping: data escapes %, CR and LF; property
// values also ':' and ','.
std::string EscapeData(absl::string_view s) {
  std::string out;
  for (char c : s) {
    switch (c) {
      case '%':
        out += "%25";
        break;
      case '\r':
        out += "%0D";
        break;
      case '\n':
        out += "%0A";
        break;
      default:
        out += c;
    }
  }
  return out;
}

std::string EscapeProperty(absl::string_view s) {
  std::string out;
  for (char c : EscapeData(s)) {
    if (c == ':') {
      out += "%3A";
    } else if (c == ',') {
      out += "%2C";
    } else {
      out += c;
    }
  }
  return out;
}

void Annotation(absl::string_view level, absl::string_view file, int line,
                int column, absl::string_view title, absl::string_view message,
                std::ostream& out) {
  out << "::" << level << " file=" << EscapeProperty(file);
  if (line > 0) out << ",line=" << line;
  if (column > 0) out << ",col=" << column;
  out << ",title=" << EscapeProperty(title) << "::" << EscapeData(message)
      << "\n";
}

// A validation error line `path:line:col: message` as an annotation.
void ValidationAnnotation(absl::string_view path, absl::string_view error,
                          std::ostream& out) {
  int line = 0, column = 0;
  absl::string_view rest = error;
  if (absl::ConsumePrefix(&rest, path) && absl::ConsumePrefix(&rest, ":")) {
    std::vector<absl::string_view> parts =
        absl::StrSplit(rest, absl::MaxSplits(':', 2));
    if (parts.size() == 3 && absl::SimpleAtoi(parts[0], &line) &&
        absl::SimpleAtoi(parts[1], &column)) {
      error = absl::StripLeadingAsciiWhitespace(parts[2]);
    } else {
      line = column = 0;
    }
  }
  Annotation("error", path, line, column, "invalid rule file", error, out);
}

void WriteGithub(const std::vector<CheckedFile>& files, std::ostream& out) {
  for (const CheckedFile& file : files) {
    if (!file.valid) {
      for (absl::string_view error :
           absl::StrSplit(file.validation_error, '\n', absl::SkipEmpty())) {
        ValidationAnnotation(file.path, error, out);
      }
      continue;
    }
    for (const Finding& f : file.findings) {
      Annotation(SeverityName(f.severity), f.file, f.line, f.column,
                 absl::StrCat("ruler ", f.check),
                 absl::StrCat(Where(f), f.message), out);
    }
  }
}

}  // namespace

absl::StatusOr<OutputFormat> ParseOutputFormat(absl::string_view text) {
  if (text == "text") return OutputFormat::kText;
  if (text == "json") return OutputFormat::kJson;
  if (text == "github") return OutputFormat::kGithub;
  return absl::InvalidArgumentError(absl::StrCat(
      "unknown format \"", text, "\" (expected text, json or github)"));
}

std::string FindingText(const Finding& f) {
  return absl::StrCat(f.file, ":", f.line, ":", f.column, ": ",
                      SeverityName(f.severity), ": ", Where(f), f.message, " [",
                      f.check, "]");
}

void WriteCheckResults(const std::vector<CheckedFile>& files,
                       OutputFormat format, Severity fail_on,
                       std::ostream& out) {
  switch (format) {
    case OutputFormat::kText:
      WriteText(files, fail_on, out);
      break;
    case OutputFormat::kJson:
      WriteJson(files, out);
      break;
    case OutputFormat::kGithub:
      WriteGithub(files, out);
      break;
  }
}

}  // namespace fraisier::cli
