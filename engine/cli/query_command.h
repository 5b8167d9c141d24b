// `ruler query instant|range`: runs PromQL against a running ruler (or any
// Prometheus-compatible API) and prints a table or JSON. Arguments follow
// promtool's `query instant <server> <expr>` and `query range <server>
// <expr>` (--time; --start, --end, --step); the server may also be given
// as --server=URL and defaults to http://localhost:9099.
#ifndef ENGINE_CLI_QUERY_COMMAND_H_
#define ENGINE_CLI_QUERY_COMMAND_H_

#include <ostream>
#include <string>
#include <vector>

#include "engine/base/clock.h"

namespace fraisier::cli {

int RunQueryInstant(const std::vector<std::string>& args, std::ostream& out,
                    std::ostream& err);
int RunQueryRange(const std::vector<std::string>& args, std::ostream& out,
                  std::ostream& err);

// The above with the clock that gives the default times ("now").
int RunQuery(bool range, const std::vector<std::string>& args,
             const Clock& clock, std::ostream& out, std::ostream& err);

}  // namespace fraisier::cli

#endif  // ENGINE_CLI_QUERY_COMMAND_H_
