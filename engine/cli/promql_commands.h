// `ruler promql ...` subcommands.
#ifndef ENGINE_CLI_PROMQL_COMMANDS_H_
#define ENGINE_CLI_PROMQL_COMMANDS_H_

#include <ostream>
#include <string>
#include <vector>

namespace fraisier::cli {

// `ruler promql format EXPR`: prints EXPR in Prometheus's canonical form.
// Exit 0 on success; a parse error goes to `err` and exits 1.
int RunPromqlFormat(const std::vector<std::string>& args, std::ostream& out,
                    std::ostream& err);

}  // namespace fraisier::cli

#endif  // ENGINE_CLI_PROMQL_COMMANDS_H_
