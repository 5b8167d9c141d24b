// `ruler serve` and `ruler check config`.
#ifndef ENGINE_CLI_SERVE_COMMAND_H_
#define ENGINE_CLI_SERVE_COMMAND_H_

#include <ostream>
#include <string>
#include <vector>

namespace fraisier::cli {

// Runs the service until SIGTERM or SIGINT (graceful: stop accepting,
// finish in-flight requests, flush the WAL, exit 0). SIGHUP reloads the
// configuration.
int RunServe(const std::vector<std::string>& args, std::ostream& out,
             std::ostream& err);

// Validates a configuration file and the rule-file globs it names, as
// `promtool check config` does; ends with `N passed, M failed`.
int RunCheckConfig(const std::vector<std::string>& args, std::ostream& out,
                   std::ostream& err);

}  // namespace fraisier::cli

#endif  // ENGINE_CLI_SERVE_COMMAND_H_
