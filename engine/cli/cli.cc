#include "engine/cli/cli.h"

#include <algorithm>
#include <cstddef>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "engine/cli/check_rules_command.h"
#include "engine/cli/demo_command.h"
#include "engine/cli/promql_commands.h"
#include "engine/cli/promqltest_command.h"
#include "engine/cli/query_command.h"
#include "engine/cli/serve_command.h"
#include "engine/cli/test_rules_command.h"

namespace fraisier::cli {
namespace {

constexpr absl::string_view kDescription =
    "fraisier-ruler: an alert rule evaluation engine. It receives Prometheus\n"
    "remote-write into its own time-series store, evaluates PromQL recording\n"
    "and alerting rules, and sends alerts to Alertmanager.";

std::string Synopsis(const Command& command) {
  std::string text = absl::StrJoin(command.words, " ");
  if (!command.usage.empty()) absl::StrAppend(&text, " ", command.usage);
  return text;
}

void PrintHelp(const std::vector<Command>& commands, std::ostream& out) {
  out << "usage: ruler [<flags>] <command> [<args> ...]\n\n"
      << kDescription << "\n\n"
      << "Flags:\n"
      << "  -h, --help     Show this help.\n"
      << "      --version  Show the version.\n\n"
      << "Commands:\n";
  size_t width = 0;
  for (const Command& c : commands) width = std::max(width, Synopsis(c).size());
  for (const Command& c : commands) {
    std::string synopsis = Synopsis(c);
    out << "  " << synopsis << std::string(width + 2 - synopsis.size(), ' ')
        << c.summary << (c.handler ? "" : " (not built yet)") << "\n";
  }
  out << "\nRun 'ruler <command> --help' for a command's flags.\n";
}

// The commands whose leading words match `args` exactly, longest first.
const Command* FindCommand(const std::vector<Command>& commands,
                           const std::vector<std::string>& args) {
  const Command* best = nullptr;
  for (const Command& c : commands) {
    if (c.words.size() > args.size()) continue;
    if (!std::equal(c.words.begin(), c.words.end(), args.begin())) continue;
    if (best == nullptr || c.words.size() > best->words.size()) best = &c;
  }
  return best;
}

// Subcommand words that may follow `prefix`, for "expected one of" errors.
std::vector<std::string> NextWords(const std::vector<Command>& commands,
                                   const std::vector<std::string>& prefix) {
  std::vector<std::string> next;
  for (const Command& c : commands) {
    if (c.words.size() <= prefix.size()) continue;
    if (!std::equal(prefix.begin(), prefix.end(), c.words.begin())) continue;
    const std::string& word = c.words[prefix.size()];
    if (std::find(next.begin(), next.end(), word) == next.end()) {
      next.push_back(word);
    }
  }
  return next;
}

}  // namespace

std::vector<Command> DefaultCommands() {
  return {
      {{"serve"},
       "[--config.file=FILE]",
       "Run the evaluator service: remote-write in, rules, alerts, HTTP API.",
       RunServe},
      {{"check", "rules"},
       "FILE...",
       "Check and lint rule files.",
       RunCheckRules,
       /*own_help=*/true},
      {{"check", "config"},
       "FILE...",
       "Check configuration files.",
       RunCheckConfig},
      {{"test", "rules"},
       "TESTFILE...",
       "Run rule unit tests (promtool's format; --run=REGEX, "
       "--junit=FILE, --no-coverage).",
       RunTestRules},
      {{"query", "instant"},
       "[SERVER] EXPR",
       "Run an instant query against a ruler.",
       RunQueryInstant,
       /*own_help=*/true},
      {{"query", "range"},
       "[SERVER] EXPR",
       "Run a range query against a ruler.",
       RunQueryRange,
       /*own_help=*/true},
      {{"promql", "format"},
       "EXPR",
       "Print EXPR in canonical form.",
       RunPromqlFormat},
      {{"promqltest"},
       "FILE...",
       "Run PromQL test scripts (files or directories of *.test).",
       RunPromqltest},
      {{"demo"},
       "[--url=URL] [--scenario=incidents]",
       "Remote-write a simulated Fraisier installation with incidents.",
       RunDemo},
      {{"demo", "setup"},
       "DIR",
       "Write a ruler config and capped rule timings for the demo.",
       RunDemoSetup},
  };
}

int Run(const std::vector<std::string>& argv,
        const std::vector<Command>& commands, std::ostream& out,
        std::ostream& err) {
  std::vector<std::string> args(argv.begin() + (argv.empty() ? 0 : 1),
                                argv.end());
  if (args.empty()) {
    PrintHelp(commands, err);
    return kExitUsage;
  }
  if (args[0] == "-h" || args[0] == "--help" || args[0] == "help") {
    PrintHelp(commands, out);
    return kExitOk;
  }
  if (args[0] == "--version" || args[0] == "version") {
    out << "ruler, version " << kVersion << "\n";
    return kExitOk;
  }
  const Command* command = FindCommand(commands, args);
  if (command == nullptr) {
    // Either an unknown word or a group named without its subcommand.
    std::vector<std::string> prefix;
    while (prefix.size() < args.size()) {
      std::vector<std::string> next = NextWords(commands, prefix);
      if (std::find(next.begin(), next.end(), args[prefix.size()]) ==
          next.end()) {
        break;
      }
      prefix.push_back(args[prefix.size()]);
    }
    std::string where = absl::StrJoin(prefix, " ");
    std::vector<std::string> expected = NextWords(commands, prefix);
    if (prefix.size() < args.size()) {
      err << "ruler" << (where.empty() ? "" : " ") << where
          << ": unknown command \"" << args[prefix.size()]
          << "\"; expected one of: " << absl::StrJoin(expected, ", ")
          << " (see 'ruler --help')\n";
    } else {
      err << "ruler " << where
          << ": expected a subcommand: " << absl::StrJoin(expected, ", ")
          << "\n";
    }
    return kExitUsage;
  }
  std::vector<std::string> rest(args.begin() + command->words.size(),
                                args.end());
  std::string name = absl::StrJoin(command->words, " ");
  if (!command->handler) {
    err << "ruler " << name
        << ": not built yet in this version of fraisier-ruler\n";
    return kExitUsage;
  }
  if (!rest.empty() && (rest[0] == "-h" || rest[0] == "--help") &&
      !command->own_help) {
    out << "usage: ruler " << Synopsis(*command) << "\n\n"
        << command->summary << "\n";
    return kExitOk;
  }
  return command->handler(rest, out, err);
}

}  // namespace fraisier::cli
