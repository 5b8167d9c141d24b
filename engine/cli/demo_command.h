// `ruler demo` and `ruler demo setup`: the quick start's workload
// (engine/demo) from the command line.
#ifndef ENGINE_CLI_DEMO_COMMAND_H_
#define ENGINE_CLI_DEMO_COMMAND_H_

#include <ostream>
#include <string>
#include <vector>

namespace fraisier::cli {

// Remote-writes a simulated Fraisier installation's metrics, with scripted
// incidents, until SIGINT/SIGTERM or --duration. Exit 0, or 1 when no
// write succeeded; 2 for bad flags.
int RunDemo(const std::vector<std::string>& args, std::ostream& out,
            std::ostream& err);

// `ruler demo setup DIR`: writes DIR/ruler.yml (evaluation interval,
// Alertmanager, the rule file) and the rule file with its waiting times
// capped (engine/demo/demo_rules.h), ready for `ruler serve`.
int RunDemoSetup(const std::vector<std::string>& args, std::ostream& out,
                 std::ostream& err);

}  // namespace fraisier::cli

#endif  // ENGINE_CLI_DEMO_COMMAND_H_
