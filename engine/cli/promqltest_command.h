// `ruler promqltest [flags] FILE|DIR...`: runs PromQL test scripts
// (../shared/promqltest/README.promqltest.md) against the query engine and
// an in-memory store. A directory stands for the `*.test` files in it.
//
// Flags:
//   --known-failures=FILE  `<file>:<line> <reason>` entries whose failures
//                          are reported as known, not failed (see
//                          promql/promqltest/suite.h)
//   --write-failures=FILE  write the failures not in the list as entries
//                          of that format (a starting point for the list)
//   --list-skipped         print every skipped eval with its reason
//   --jobs=N               files run in parallel (default: CPU count)
//
// Output: one `<file>: N passed, M failed, K skipped` line per file, the
// failures (file:line, query, what differs, expected and got), the known
// failures, `known failures: J`, `skipped: K (by reason: ...)` and, last,
// `N passed, M failed`. Exit 0 when M is 0, 1 when not, 2 on bad usage.
#ifndef ENGINE_CLI_PROMQLTEST_COMMAND_H_
#define ENGINE_CLI_PROMQLTEST_COMMAND_H_

#include <ostream>
#include <string>
#include <vector>

#include "promql/promqltest/runner.h"

namespace fraisier::cli {

// The handler wired into DefaultCommands: the real engine.
int RunPromqltest(const std::vector<std::string>& args, std::ostream& out,
                  std::ostream& err);

// The same against any engine (tests use a fake).
int RunPromqltestWithEngine(const std::vector<std::string>& args,
                            promql::promqltest::QueryEngine& engine,
                            std::ostream& out, std::ostream& err);

}  // namespace fraisier::cli

#endif  // ENGINE_CLI_PROMQLTEST_COMMAND_H_
