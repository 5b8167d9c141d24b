// Parses every eval query of a directory of PromQL test scripts (Prometheus's
// promqltest corpus) and checks that the parser accepts it and that
// printing round-trips: Parse(Format(e)) succeeds and equals e.
//
//   bazel run //tests/promql:corpus_parse -- /abs/path/to/promqltest
//
// Outcomes per query:
//   PASS     parsed and round-tripped (an `expect fail` query that parses
//            passes too: the corpus's failures all happen at evaluation)
//   SKIPPED  rejected as experimental syntax that is not enabled (duration
//            expressions, `fill` modifiers, `anchored`/`smoothed`)
//   FAIL     anything else; `expect fail` queries rejected at parse time
//            are listed separately for review, since Prometheus's runner
//            treats a parse error in a script as a broken script.
// Ends with `skipped: K (experimental syntax)` and `N passed, M failed`;
// exits 1 when M > 0, 2 when the corpus cannot be read.
#include <cstdio>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/string_view.h"
#include "promql/ast.h"
#include "promql/parser.h"
#include "promql/printer.h"
#include "tests/promql/corpus.h"

namespace fraisier::promql::testing {
namespace {

// Parse errors that mean "valid, but behind a feature flag we do not
// enable": Prometheus runs these scripts with the flags on.
constexpr absl::string_view kExperimentalSyntaxErrors[] = {
    "experimental duration expression is not enabled",
    "binop fill modifiers are experimental and not enabled",
    "modifier is experimental and not enabled",
};

enum class Outcome { kPass, kSkip, kFail };

struct Result {
  Outcome outcome = Outcome::kPass;
  std::string detail;  // for failures
};

bool IsExperimentalSyntaxError(absl::string_view message) {
  for (absl::string_view marker : kExperimentalSyntaxErrors) {
    if (absl::StrContains(message, marker)) return true;
  }
  return false;
}

Result Check(const EvalCase& c, const ParseOptions& options) {
  absl::StatusOr<ExprPtr> first = ParseExpr(c.expr, options);
  if (!first.ok()) {
    if (IsExperimentalSyntaxError(first.status().message())) {
      return {Outcome::kSkip, ""};
    }
    return {Outcome::kFail,
            absl::StrCat("parse error: ", first.status().message())};
  }
  std::string formatted = Format(**first);
  absl::StatusOr<ExprPtr> second = ParseExpr(formatted, options);
  if (!second.ok()) {
    return {Outcome::kFail, absl::StrCat("round trip: Format gave `", formatted,
                                         "`, which does not parse: ",
                                         second.status().message())};
  }
  std::string reformatted = Format(**second);
  if (!AstEqual(**first, **second)) {
    return {Outcome::kFail,
            absl::StrCat("round trip: trees differ\n    Format(parse):   ",
                         formatted, "\n    Format(reparse): ", reformatted)};
  }
  if (reformatted != formatted) {
    return {Outcome::kFail,
            absl::StrCat("round trip: Format not idempotent\n    first:  ",
                         formatted, "\n    second: ", reformatted)};
  }
  return {Outcome::kPass, ""};
}

int Run(absl::string_view dir) {
  absl::StatusOr<std::vector<CorpusFile>> files = ExtractCorpusDir(dir);
  if (!files.ok()) {
    std::fprintf(stderr, "corpus_parse: %s\n",
                 std::string(files.status().message()).c_str());
    return 2;
  }
  if (files->empty()) {
    std::fprintf(stderr, "corpus_parse: no *.test files in %s\n",
                 std::string(dir).c_str());
    return 2;
  }
  ParseOptions options;
  options.enable_experimental_functions = true;

  int passed = 0, failed = 0, skipped = 0;
  std::vector<std::string> expect_fail_rejected;
  for (const CorpusFile& file : *files) {
    int file_passed = 0, file_failed = 0, file_skipped = 0;
    for (const EvalCase& c : file.cases) {
      Result r = Check(c, options);
      switch (r.outcome) {
        case Outcome::kPass:
          ++file_passed;
          break;
        case Outcome::kSkip:
          ++file_skipped;
          break;
        case Outcome::kFail:
          ++file_failed;
          std::printf("FAIL %s:%d%s: %s\n    %s\n", file.name.c_str(), c.line,
                      c.expect_fail ? " (expect fail)" : "", c.expr.c_str(),
                      r.detail.c_str());
          if (c.expect_fail && absl::StartsWith(r.detail, "parse error")) {
            expect_fail_rejected.push_back(absl::StrCat(
                file.name, ":", c.line, ": ", c.expr, "\n    ", r.detail));
          }
          break;
      }
    }
    std::printf("%-28s %4d passed, %d failed, %d skipped\n",
                (file.name + ":").c_str(), file_passed, file_failed,
                file_skipped);
    passed += file_passed;
    failed += file_failed;
    skipped += file_skipped;
  }
  if (!expect_fail_rejected.empty()) {
    std::printf(
        "expect-fail queries rejected at parse time (Prometheus fails them "
        "only at evaluation; review each):\n");
    for (const std::string& s : expect_fail_rejected) {
      std::printf("  %s\n", s.c_str());
    }
  }
  std::printf("skipped: %d (experimental syntax)\n", skipped);
  std::printf("%d passed, %d failed\n", passed, failed);
  return failed > 0 ? 1 : 0;
}

}  // namespace
}  // namespace fraisier::promql::testing

int main(int argc, char** argv) {
  if (argc != 2) {
    std::fprintf(stderr, "usage: %s DIR  (a directory of *.test scripts)\n",
                 argv[0]);
    return 2;
  }
  return fraisier::promql::testing::Run(argv[1]);
}
