// `ruler test rules [--run REGEX]... [--junit FILE] [--no-coverage]
// TESTFILE...`: rule unit tests in promtool's format (rules/unittest),
// promtool-shaped output per file, a coverage report of the rules the
// tests exercised, and a last line `N passed, M failed` counting test
// groups. Exit 0 when all passed, 1 when any failed, 2 on bad usage.
#ifndef ENGINE_CLI_TEST_RULES_COMMAND_H_
#define ENGINE_CLI_TEST_RULES_COMMAND_H_

#include <ostream>
#include <string>
#include <vector>

namespace fraisier::cli {

int RunTestRules(const std::vector<std::string>& args, std::ostream& out,
                 std::ostream& err);

}  // namespace fraisier::cli

#endif  // ENGINE_CLI_TEST_RULES_COMMAND_H_
