#include "engine/cli/check_rules_command.h"

#include <fstream>
#include <optional>
#include <sstream>
#include <utility>

#include "absl/status/status.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/strings/str_split.h"
#include "engine/cli/cli.h"
#include "engine/cli/flags.h"
#include "engine/cli/lint_output.h"
#include "promql/literals.h"
#include "rules/lint/linter.h"
#include "rules/rulefile/rule_file.h"
#include "rules/template_expander.h"

namespace fraisier::cli {
namespace {

using rules::lint::CheckDef;
using rules::lint::Severity;

constexpr absl::string_view kUsage =
    "usage: ruler check rules [<flags>] FILE...\n\n"
    "Check Prometheus rule files (YAML, names, expressions, templates, as\n"
    "promtool check rules does), then lint the valid ones. A file fails when\n"
    "it is invalid or has a lint finding at or above --fail-on.\n\n"
    "Flags:\n";

struct CheckRulesFlags {
  OutputFormat format = OutputFormat::kText;
  Severity fail_on = Severity::kError;
  std::vector<const CheckDef*> checks;
  rules::lint::LintOptions lint;
};

// --lint: "all", "none", or check ids separated by commas (promtool's
// "duplicate-rules" names our duplicate-rule).
absl::StatusOr<std::vector<const CheckDef*>> ParseLintFlag(
    absl::string_view value) {
  if (value == "all") return rules::lint::AllCheckPtrs();
  std::vector<const CheckDef*> checks;
  if (value == "none") return checks;
  for (absl::string_view id : absl::StrSplit(value, ',', absl::SkipEmpty())) {
    if (id == "duplicate-rules") id = "duplicate-rule";
    const CheckDef* def = rules::lint::FindCheck(id);
    if (def == nullptr) {
      return absl::InvalidArgumentError(
          absl::StrCat("--lint: unknown check \"", id, "\""));
    }
    checks.push_back(def);
  }
  return checks;
}

std::string ChecksHelp() {
  std::string text =
      "\nLint checks (disable one in a rule file with "
      "`# ruler disable <id>`):\n";
  for (const CheckDef& def : rules::lint::AllChecks()) {
    absl::StrAppend(
        &text, "  ", def.id,
        std::string(30 - std::min<size_t>(def.id.size(), 28), ' '),
        absl::StrFormat("%-9s", rules::lint::SeverityName(def.severity)),
        def.summary, "\n");
  }
  return text;
}

// Reads `path`; nullopt (and the loader's error in *error) when it cannot.
std::optional<std::string> ReadFile(const std::string& path,
                                    std::string* error) {
  std::ifstream in(path, std::ios::binary);
  if (!in) {
    *error = std::string(rules::LoadRuleFile(path).status().message());
    return std::nullopt;
  }
  std::stringstream text;
  text << in.rdbuf();
  return text.str();
}

rules::RuleFileOptions ValidationOptions() {
  rules::RuleFileOptions options;
  options.check_template = rules::CheckTemplate;
  return options;
}

}  // namespace

bool CheckRuleFile(const std::string& path, std::ostream& out) {
  out << "Checking " << path << "\n";
  absl::StatusOr<rules::RuleFileSpec> file =
      rules::LoadRuleFile(path, ValidationOptions());
  if (!file.ok()) {
    out << "  FAILED:\n" << file.status().message() << "\n\n";
    return false;
  }
  out << "  SUCCESS: " << file->num_rules() << " rules found\n\n";
  return true;
}

int RunCheckRules(const std::vector<std::string>& args, std::ostream& out,
                  std::ostream& err) {
  std::string format = "text", fail_on = "error", lint = "all",
              scrape_interval = "1m";
  bool help = false;
  FlagSet flags;
  flags.AddString("format", "Output: text, json or github (annotations).",
                  &format);
  flags.AddString("fail-on",
                  "Lowest lint severity that fails a file: warning or error.",
                  &fail_on);
  flags.AddString("lint", "Lint checks to run: all, none, or ids (a,b).",
                  &lint);
  flags.AddString("lint.scrape-interval",
                  "Scrape interval the rules' data arrives at (rate ranges "
                  "must cover two).",
                  &scrape_interval);
  flags.AddBool("help", "Show this help.", &help);
  std::vector<std::string> paths;
  if (!args.empty() && args[0] == "-h") help = true;
  if (absl::Status s = flags.Parse(args, &paths); !help && !s.ok()) {
    err << "ruler check rules: " << s.message() << "\n"
        << kUsage << flags.Usage();
    return kExitUsage;
  }
  if (help) {
    out << kUsage << flags.Usage() << ChecksHelp();
    return kExitOk;
  }
  CheckRulesFlags parsed;
  absl::Status bad;
  if (auto f = ParseOutputFormat(format); f.ok()) {
    parsed.format = *f;
  } else {
    bad = absl::InvalidArgumentError(
        absl::StrCat("--format: ", f.status().message()));
  }
  if (auto s = rules::lint::ParseSeverity(fail_on); s.ok()) {
    parsed.fail_on = *s;
  } else {
    bad = absl::InvalidArgumentError(
        absl::StrCat("--fail-on: ", s.status().message()));
  }
  if (auto c = ParseLintFlag(lint); c.ok()) {
    parsed.checks = *std::move(c);
  } else {
    bad = c.status();
  }
  if (auto ms = promql::ParseDurationMs(scrape_interval); ms.ok() && *ms > 0) {
    parsed.lint.scrape_interval = absl::Milliseconds(*ms);
  } else {
    bad = absl::InvalidArgumentError(
        absl::StrCat("--lint.scrape-interval: not a positive duration: \"",
                     scrape_interval, "\""));
  }
  if (!bad.ok()) {
    err << "ruler check rules: " << bad.message() << "\n";
    return kExitUsage;
  }
  if (paths.empty()) {
    err << "ruler check rules: expected at least one FILE\n"
        << kUsage << flags.Usage();
    return kExitUsage;
  }

  std::vector<CheckedFile> results(paths.size());
  std::vector<std::string> texts(paths.size());
  std::vector<std::optional<rules::RuleFileSpec>> specs(paths.size());
  const rules::RuleFileOptions options = ValidationOptions();
  for (size_t i = 0; i < paths.size(); ++i) {
    CheckedFile& result = results[i];
    result.path = paths[i];
    std::optional<std::string> text =
        ReadFile(paths[i], &result.validation_error);
    if (!text.has_value()) continue;
    texts[i] = *std::move(text);
    absl::StatusOr<rules::RuleFileSpec> spec =
        rules::ParseRuleFile(texts[i], paths[i], options);
    if (!spec.ok()) {
      result.validation_error = std::string(spec.status().message());
      continue;
    }
    result.valid = true;
    result.num_rules = spec->num_rules();
    specs[i] = *std::move(spec);
  }

  std::vector<rules::lint::LintFile> lint_files;
  std::vector<size_t> lint_index;  // lint_files[k] is results[lint_index[k]]
  for (size_t i = 0; i < paths.size(); ++i) {
    if (!specs[i].has_value()) continue;
    lint_files.push_back({&*specs[i], texts[i]});
    lint_index.push_back(i);
  }
  if (!parsed.checks.empty() && !lint_files.empty()) {
    for (rules::lint::Finding& f :
         rules::lint::LintFiles(lint_files, parsed.lint, parsed.checks)) {
      for (size_t k = 0; k < lint_files.size(); ++k) {
        if (lint_files[k].spec->path != f.file) continue;
        CheckedFile& result = results[lint_index[k]];
        if (f.severity >= parsed.fail_on) ++result.failing_findings;
        result.findings.push_back(std::move(f));
        break;
      }
    }
  }

  int passed = 0;
  for (const CheckedFile& r : results) passed += r.passed() ? 1 : 0;
  const int failed = static_cast<int>(results.size()) - passed;
  WriteCheckResults(results, parsed.format, parsed.fail_on, out);
  // JSON keeps stdout one document; the summary line goes to stderr.
  std::ostream& summary = parsed.format == OutputFormat::kJson ? err : out;
  summary << passed << " passed, " << failed << " failed\n";
  return failed > 0 ? kExitFailure : kExitOk;
}

}  // namespace fraisier::cli
