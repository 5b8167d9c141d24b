#include "engine/cli/promql_commands.h"

#include "absl/strings/str_join.h"
#include "engine/cli/cli.h"
#include "promql/parser.h"
#include "promql/printer.h"

namespace fraisier::cli {

int RunPromqlFormat(const std::vector<std::string>& args, std::ostream& out,
                    std::ostream& err) {
  if (args.size() != 1) {
    err << "ruler promql format: expected exactly one argument, the "
           "expression (quote it in the shell)\n";
    return kExitUsage;
  }
  promql::ParseOptions options;
  // Formatting should accept whatever some Prometheus can run.
  options.enable_experimental_functions = true;
  absl::StatusOr<promql::ExprPtr> expr = promql::ParseExpr(args[0], options);
  if (!expr.ok()) {
    err << "ruler promql format: " << expr.status().message() << "\n";
    return kExitFailure;
  }
  out << promql::Format(**expr) << "\n";
  return kExitOk;
}

}  // namespace fraisier::cli
