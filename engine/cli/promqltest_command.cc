#include "engine/cli/promqltest_command.h"

#include <fstream>
#include <sstream>
#include <thread>
#include <utility>

#include "absl/strings/match.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/strip.h"
#include "engine/cli/cli.h"
#include "promql/promqltest/engine_adapter.h"
#include "promql/promqltest/suite.h"

namespace fraisier::cli {
namespace {

using promql::promqltest::SuiteOptions;

constexpr absl::string_view kUsage =
    "usage: ruler promqltest [--known-failures=FILE] [--write-failures=FILE] "
    "[--list-skipped] [--jobs=N] FILE|DIR...\n";

int Usage(std::ostream& err, absl::string_view message) {
  err << "ruler promqltest: " << message << "\n" << kUsage;
  return kExitUsage;
}

}  // namespace

int RunPromqltestWithEngine(const std::vector<std::string>& args,
                            promql::promqltest::QueryEngine& engine,
                            std::ostream& out, std::ostream& err) {
  SuiteOptions options;
  options.jobs = std::max(1u, std::thread::hardware_concurrency());
  std::string known_path;
  std::string failures_path;
  std::vector<std::string> paths;
  for (size_t i = 0; i < args.size(); ++i) {
    absl::string_view a = args[i];
    if (a == "--known-failures" && i + 1 < args.size()) {
      known_path = args[++i];
    } else if (absl::ConsumePrefix(&a, "--known-failures=")) {
      known_path = std::string(a);
    } else if (absl::ConsumePrefix(&a, "--write-failures=")) {
      failures_path = std::string(a);
    } else if (a == "--list-skipped") {
      options.list_skipped = true;
    } else if (absl::ConsumePrefix(&a, "--jobs=")) {
      if (!absl::SimpleAtoi(a, &options.jobs) || options.jobs < 1) {
        return Usage(err, "--jobs needs a positive number");
      }
    } else if (a == "--") {
      paths.insert(paths.end(), args.begin() + i + 1, args.end());
      break;
    } else if (absl::StartsWith(a, "-") && a.size() > 1) {
      return Usage(err, absl::StrCat("unknown flag ", a));
    } else {
      paths.emplace_back(a);
    }
  }
  if (paths.empty()) return Usage(err, "no test files given");
  if (!known_path.empty()) {
    std::ifstream in(known_path, std::ios::binary);
    if (!in) return Usage(err, absl::StrCat("cannot open ", known_path));
    std::ostringstream content;
    content << in.rdbuf();
    auto known =
        promql::promqltest::ParseKnownFailures(known_path, content.str());
    if (!known.ok()) return Usage(err, known.status().message());
    options.known_failures = *std::move(known);
  }
  absl::StatusOr<std::vector<std::string>> files =
      promql::promqltest::ExpandTestPaths(paths);
  if (!files.ok()) return Usage(err, files.status().message());
  std::ofstream failures_file;
  if (!failures_path.empty()) {
    failures_file.open(failures_path, std::ios::binary | std::ios::trunc);
    if (!failures_file) {
      return Usage(err, absl::StrCat("cannot write ", failures_path));
    }
    options.failures_out = &failures_file;
  }
  promql::promqltest::SuiteSummary sum =
      promql::promqltest::RunSuite(*files, engine, options, out);
  return sum.failed > 0 ? kExitFailure : kExitOk;
}

int RunPromqltest(const std::vector<std::string>& args, std::ostream& out,
                  std::ostream& err) {
  promql::promqltest::EngineAdapter engine;
  return RunPromqltestWithEngine(args, engine, out, err);
}

}  // namespace fraisier::cli
