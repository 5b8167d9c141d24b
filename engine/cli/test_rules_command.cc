#include "engine/cli/test_rules_command.h"

#include <fstream>
#include <memory>
#include <utility>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/strip.h"
#include "engine/base/logging.h"
#include "rules/unittest/junit.h"
#include "rules/unittest/report.h"
#include "rules/unittest/runner.h"

namespace fraisier::cli {
namespace {

// Exit codes of cli.h, repeated so this library need not depend on it.
constexpr int kOk = 0;
constexpr int kFailure = 1;
constexpr int kUsage = 2;

constexpr absl::string_view kUsageText =
    "usage: ruler test rules [--run=REGEX]... [--junit=FILE] [--no-coverage] "
    "TESTFILE...\n";

constexpr absl::string_view kHelp =
    "\nRun rule unit tests (promtool's test file format).\n\n"
    "Flags:\n"
    "      --run=REGEX    Only run test groups whose name matches REGEX "
    "(repeatable).\n"
    "      --junit=FILE   Also write the results as JUnit XML to FILE.\n"
    "      --coverage     Print the rule coverage report (the default).\n"
    "      --no-coverage  Do not print the rule coverage report.\n";

struct Flags {
  rules::unittest::RunOptions options;
  std::string junit_path;
  bool coverage = true;
  std::vector<std::string> files;
  bool help = false;
};

// Reads `--name=value` or `--name value` at args[*i]; false if it is not
// the flag `name`.
bool TakeValue(const std::vector<std::string>& args, size_t* i,
               absl::string_view name, std::string* value, bool* missing) {
  absl::string_view a = args[*i];
  if (!absl::ConsumePrefix(&a, name)) return false;
  if (absl::ConsumePrefix(&a, "=")) {
    *value = std::string(a);
    return true;
  }
  if (!a.empty()) return false;
  if (*i + 1 >= args.size()) {
    *missing = true;
    return true;
  }
  *value = args[++*i];
  return true;
}

absl::StatusOr<Flags> ParseFlags(const std::vector<std::string>& args) {
  Flags flags;
  for (size_t i = 0; i < args.size(); ++i) {
    const std::string& a = args[i];
    std::string value;
    bool missing = false;
    if (TakeValue(args, &i, "--run", &value, &missing)) {
      if (missing) return absl::InvalidArgumentError("--run needs a REGEX");
      flags.options.run_patterns.push_back(std::move(value));
    } else if (TakeValue(args, &i, "--junit", &value, &missing)) {
      if (missing || value.empty()) {
        return absl::InvalidArgumentError("--junit needs a FILE");
      }
      flags.junit_path = std::move(value);
    } else if (a == "--coverage") {
      flags.coverage = true;
    } else if (a == "--no-coverage") {
      flags.coverage = false;
    } else if (a == "-h" || a == "--help") {
      flags.help = true;
    } else if (a == "--") {
      flags.files.insert(flags.files.end(), args.begin() + i + 1, args.end());
      break;
    } else if (absl::StartsWith(a, "-") && a.size() > 1) {
      return absl::InvalidArgumentError(absl::StrCat("unknown flag ", a));
    } else {
      flags.files.push_back(a);
    }
  }
  return flags;
}

// Rule evaluation logs failures as warnings; here they are test results.
class QuietLogs {
 public:
  QuietLogs() : saved_(MinLogLevel()) { SetMinLogLevel(LogLevel::kError); }
  ~QuietLogs() { SetMinLogLevel(saved_); }

 private:
  LogLevel saved_;
};

}  // namespace

int RunTestRules(const std::vector<std::string>& args, std::ostream& out,
                 std::ostream& err) {
  absl::StatusOr<Flags> flags = ParseFlags(args);
  if (!flags.ok()) {
    err << "ruler test rules: " << flags.status().message() << "\n"
        << kUsageText;
    return kUsage;
  }
  if (flags->help) {
    out << kUsageText << kHelp;
    return kOk;
  }
  if (flags->files.empty()) {
    err << "ruler test rules: no test files given\n" << kUsageText;
    return kUsage;
  }
  auto runner = rules::unittest::Runner::Create(flags->options);
  if (!runner.ok()) {
    err << "ruler test rules: " << runner.status().message() << "\n";
    return kUsage;
  }
  std::vector<rules::unittest::FileResult> results;
  {
    QuietLogs quiet;
    for (const std::string& path : flags->files) {
      results.push_back((*runner)->RunFile(path));
      out << rules::unittest::FormatFileResult(results.back()) << std::flush;
    }
  }
  int status = kOk;
  if (!flags->junit_path.empty()) {
    std::ofstream junit(flags->junit_path, std::ios::binary | std::ios::trunc);
    junit << rules::unittest::JunitXml(results);
    junit.close();
    if (!junit) {
      err << "ruler test rules: cannot write " << flags->junit_path << "\n";
      status = kFailure;
    }
  }
  if (flags->coverage) out << (*runner)->coverage().Report() << "\n";
  for (const auto& r : results) {
    if (r.failed() > 0) status = kFailure;
  }
  out << rules::unittest::FormatTotals(results) << "\n";
  return status;
}

}  // namespace fraisier::cli
