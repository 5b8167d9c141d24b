// Runs a parsed PromQL test script against an in-memory store and a query
// engine, with Prometheus's rules (promqltest/test.go):
//
// - `load` appends the float samples at i*interval (from t=0); `clear`
//   starts over with an empty store.
// - An instant eval runs the query at its time, then (unless the query
//   calls a time-dependent function) again with `@ <t>` set on every
//   selector for t in {-10t, 0, t/5, t, 10t} ({-1s, 0, 1s} when t=0), and
//   each of those also as a range query from t-1m to t+1m step 1m whose
//   point at t must match too (not for `expect ordered`, `expect string`,
//   `expect range vector`, or queries using start()/end()/range()/step()).
// - Results are compared with AlmostEqual (relative 1e-6), label sets
//   exactly, order only under `expect ordered`; annotations and failures
//   against the expect lines.
//
// Evals the project cannot run yet are skipped with a reason, never
// passed: experimental syntax our parser rejects ("... not enabled"),
// expected native-histogram results, queries selecting series loaded with
// native histograms, with load_with_nhcb (the converted histogram series)
// or with @st start timestamps, queries over the experimental type-and-unit
// labels (`__type__`, `__unit__`: selected by a matcher or carried by a
// loaded series the query selects), and unsupported functions.
//
//   EngineAdapter engine;  // or a fake
//   FileResult r = RunScript(ParseScript(name, text), engine, {});
#ifndef PROMQL_PROMQLTEST_RUNNER_H_
#define PROMQL_PROMQLTEST_RUNNER_H_

#include <cstdint>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "engine/storage/storage.h"
#include "promql/ast.h"
#include "promql/engine.h"
#include "promql/promqltest/script.h"

namespace fraisier::promql::promqltest {

// The engine as the runner drives it. Implementations must be usable from
// several threads at once when the runner runs files in parallel.
class QueryEngine {
 public:
  virtual ~QueryEngine() = default;
  virtual absl::StatusOr<QueryResult> InstantQuery(storage::Queryable& q,
                                                   const Expr& expr,
                                                   Timestamp ts) = 0;
  virtual absl::StatusOr<QueryResult> RangeQuery(storage::Queryable& q,
                                                 const Expr& expr,
                                                 Timestamp start, Timestamp end,
                                                 int64_t step_ms) = 0;
};

// Skip reasons, as counted in the summary.
inline constexpr char kSkipExperimentalSyntax[] = "experimental syntax";
inline constexpr char kSkipHistogramResult[] = "histogram result expected";
inline constexpr char kSkipNativeHistograms[] = "native histogram series";
inline constexpr char kSkipNhcb[] = "load_with_nhcb series";
inline constexpr char kSkipStartTimestamps[] = "@st start timestamps";
inline constexpr char kSkipTypeAndUnit[] = "type-and-unit labels";
inline constexpr char kSkipUnsupportedFunctionPrefix[] =
    "unsupported function ";

struct RunnerOptions {
  // Functions whose evals are skipped (reason "unsupported function NAME").
  std::vector<std::string> unsupported_functions = {"info", "start_timestamp"};
  // Prometheus's extra instant-eval checks (see the file comment).
  bool at_modifier_variants = true;
  bool range_mode_check = true;
};

enum class Outcome { kPassed, kFailed, kSkipped };

// The outcome of one eval, or a failure for a script line that is not an
// eval (a malformed command, a load the store refused).
struct EvalResult {
  int line = 0;         // 1-based line of the eval (or the bad line)
  std::string command;  // the eval line, "" for other lines
  Outcome outcome = Outcome::kPassed;
  std::string message;   // failure: what went wrong; skip: the reason
  std::string expected;  // failure: the eval's block lines
  std::string got;       // failure: the result that did not match, if any
};

struct FileResult {
  std::string file;
  std::vector<EvalResult> results;  // in line order

  int Count(Outcome o) const;
};

FileResult RunScript(const Script& script, QueryEngine& engine,
                     const RunnerOptions& options);

}  // namespace fraisier::promql::promqltest

#endif  // PROMQL_PROMQLTEST_RUNNER_H_
