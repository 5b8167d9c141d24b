// Extracts the queries of PromQL test scripts (the `promqltest` format, see
// ../shared/promqltest/README.promqltest.md) so the parser can be checked
// against every expression of Prometheus's own test suite.
//
// The reading follows Prometheus's promqltest/test.go: lines are trimmed,
// lines starting with `#` are blank, commands are `load` (with its indented
// block), `clear` and `eval...`; an eval's block runs to the next blank line.
//
//   FR_ASSIGN_OR_RETURN(std::vector<EvalCase> cases,
//                       ExtractEvalCases("functions.test", text));
#ifndef TESTS_PROMQL_CORPUS_H_
#define TESTS_PROMQL_CORPUS_H_

#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"

namespace fraisier::promql::testing {

enum class EvalKind { kInstant, kRange };

// One eval command of a test script.
struct EvalCase {
  std::string file;  // as passed to ExtractEvalCases
  int line = 0;      // 1-based line of the eval command
  EvalKind kind = EvalKind::kInstant;
  std::string expr;  // the query text, trimmed
  // `expect fail` follows, or the command is the deprecated `eval_fail`:
  // the query must fail, which for this corpus means at evaluation time.
  bool expect_fail = false;
};

// Extracts the eval commands of one script. An unknown command or an eval
// line that matches neither the instant nor the range form is an
// InvalidArgument error naming `file:line`.
absl::StatusOr<std::vector<EvalCase>> ExtractEvalCases(
    absl::string_view file, absl::string_view content);

// The `*.test` files directly in `dir`, sorted by name, each read and
// extracted (EvalCase::file is the base name).
struct CorpusFile {
  std::string name;
  std::vector<EvalCase> cases;
};
absl::StatusOr<std::vector<CorpusFile>> ExtractCorpusDir(absl::string_view dir);

}  // namespace fraisier::promql::testing

#endif  // TESTS_PROMQL_CORPUS_H_
