// Runs PromQL test scripts and prints the report `ruler promqltest` shows:
//
//   <file>: N passed, M failed, K skipped[, J known failures]   (per file)
//   FAIL <file>:<line>: <eval line>                            (failures)
//       <what differs> / expected: ... / got: ...
//   KNOWN <file>:<line>: <reason from the list>: <first line of failure>
//   known failures: J
//   skipped: K (by reason: experimental syntax=3, ...)
//   N passed, M failed                                         (last line)
//
// Known failures come from a list of `<file>:<line> <reason>` entries
// (`#` comments and blank lines allowed). An entry matches a result when
// its file equals the result's path or is a suffix of it starting after a
// `/` (so `promqltest/functions.test:12` matches
// `../shared/promqltest/functions.test`). Matching failures are counted on
// the `known failures` line instead of as failed; an entry whose eval now
// passes, or that matches no eval or problem line of a file that was run,
// is a failure ("stale known-failure entry"), so the list stays honest.
// Entries for files not in the run are ignored.
#ifndef PROMQL_PROMQLTEST_SUITE_H_
#define PROMQL_PROMQLTEST_SUITE_H_

#include <ostream>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "promql/promqltest/runner.h"

namespace fraisier::promql::promqltest {

struct KnownFailure {
  std::string file;
  int line = 0;
  std::string reason;
  int list_line = 0;  // where the entry is in the list
};

// Parses a known-failures list; `name` is used in error messages, which
// carry `name:line`.
absl::StatusOr<std::vector<KnownFailure>> ParseKnownFailures(
    absl::string_view name, absl::string_view content);

// Files to run for the given arguments: files as given, directories
// replaced by the `*.test` files directly inside them, sorted by name.
// A path that does not exist is NotFound.
absl::StatusOr<std::vector<std::string>> ExpandTestPaths(
    const std::vector<std::string>& paths);

struct SuiteOptions {
  RunnerOptions runner;
  std::vector<KnownFailure> known_failures;
  bool list_skipped = false;  // print one SKIP line per skipped eval
  int jobs = 1;               // files run in parallel
  // When set, receives one `<file>:<line> <message>` line per failure not
  // covered by known_failures: a known-failures list for the current state.
  std::ostream* failures_out = nullptr;
};

struct SuiteSummary {
  int passed = 0;
  int failed = 0;  // including stale known-failure entries
  int skipped = 0;
  int known = 0;
};

// Reads, parses and runs `files`, printing the report to `out`. A file
// that cannot be read is one failure.
SuiteSummary RunSuite(const std::vector<std::string>& files,
                      QueryEngine& engine, const SuiteOptions& options,
                      std::ostream& out);

}  // namespace fraisier::promql::promqltest

#endif  // PROMQL_PROMQLTEST_SUITE_H_
