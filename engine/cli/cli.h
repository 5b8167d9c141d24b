// The `ruler` command line: one binary with promtool-style subcommands
// (DESIGN §5). The dispatcher is a plain function over argv and two streams
// so tests can drive it without spawning processes.
#ifndef ENGINE_CLI_CLI_H_
#define ENGINE_CLI_CLI_H_

#include <functional>
#include <ostream>
#include <string>
#include <vector>

#include "absl/strings/string_view.h"
#include "engine/base/version.h"

namespace fraisier::cli {

// Exit codes, as promtool uses them.
inline constexpr int kExitOk = 0;
inline constexpr int kExitFailure = 1;  // the checked thing has problems
inline constexpr int kExitUsage = 2;    // bad invocation or not available

inline constexpr absl::string_view kVersion = kBuildVersion;

// Runs a subcommand with the arguments that follow its words.
using Handler = std::function<int(const std::vector<std::string>& args,
                                  std::ostream& out, std::ostream& err)>;

struct Command {
  std::vector<std::string> words;  // e.g. {"check", "rules"}
  std::string usage;               // argument synopsis, e.g. "FILE..."
  std::string summary;             // one line for --help
  Handler handler;                 // empty: not built yet (exit 2)
  // The handler prints its own --help (its flags); otherwise the
  // dispatcher prints the synopsis and summary.
  bool own_help = false;
};

// Every subcommand of DESIGN §5, in --help order. Handlers are attached as
// the subsystems land.
std::vector<Command> DefaultCommands();

// Runs `ruler` with argv (argv[0] included) against `commands`.
int Run(const std::vector<std::string>& argv,
        const std::vector<Command>& commands, std::ostream& out,
        std::ostream& err);

}  // namespace fraisier::cli

#endif  // ENGINE_CLI_CLI_H_
