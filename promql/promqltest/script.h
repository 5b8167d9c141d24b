// PromQL test scripts (../shared/promqltest/README.promqltest.md) parsed
// into commands, following Prometheus's promql/promqltest/test.go: lines are
// trimmed, `#` lines are blank, a command's block runs to the next blank
// line; times are durations since the Unix epoch; `load` intervals place
// value i at i*interval.
//
// Parsing never stops at a bad line: a malformed command is recorded as a
// Problem with its 1-based line and the parser resumes after the block. An
// eval whose own block is malformed keeps its place as an EvalCommand with
// `problem` set, so it is reported (and counted) as that eval's failure.
//
//   Script script = ParseScript("functions.test", text);
//   for (const Command& c : script.commands) ...
#ifndef PROMQL_PROMQLTEST_SCRIPT_H_
#define PROMQL_PROMQLTEST_SCRIPT_H_

#include <array>
#include <cstdint>
#include <optional>
#include <string>
#include <variant>
#include <vector>

#include "absl/strings/string_view.h"
#include "engine/model/labels.h"
#include "engine/model/timestamp.h"
#include "promql/promqltest/series_desc.h"

namespace fraisier::promql::promqltest {

struct Problem {
  int line = 0;  // 1-based
  std::string message;
};

struct LoadSeries {
  int line = 0;
  Labels labels;
  std::vector<SequenceValue> values;
  // An `@st` line (or a standalone default `@st` line before it) gives the
  // samples start timestamps.
  bool has_start_timestamps = false;
};

struct LoadCommand {
  int line = 0;
  int64_t interval_ms = 0;
  bool with_nhcb = false;  // `load_with_nhcb`
  // One entry per distinct label set; a later line for the same labels
  // replaces the earlier one (as Prometheus's loadCmd.set does).
  std::vector<LoadSeries> series;
};

struct ClearCommand {
  int line = 0;
};

enum class ExpectType { kOrdered, kFail, kWarn, kNoWarn, kInfo, kNoInfo };
inline constexpr int kNumExpectTypes = 6;

// An `expect <type> [msg|regex]: ...` line. Without msg/regex it matches
// any message.
struct Expectation {
  int line = 0;
  std::optional<std::string> message;  // exact match
  std::optional<std::string> regex;    // RE2, unanchored (Go's MatchString)

  bool Matches(absl::string_view text) const;
  // What the failure messages print: the message or the pattern.
  std::string Describe() const;
};

struct ExpectedSeries {
  int line = 0;
  // The 1-based position among the block's result lines (Prometheus's `j`:
  // `expect` lines do not count, other directive lines do).
  int pos = 0;
  Labels labels;
  std::vector<SequenceValue> values;
};

struct EvalCommand {
  int line = 0;
  std::string text;  // the eval line itself
  std::string expr;
  bool is_range = false;
  // Instant: eval_time. Range (or `expect range vector`): start, end, step.
  Timestamp eval_time = 0;
  Timestamp start = 0;
  Timestamp end = 0;
  int64_t step_ms = 0;

  // Deprecated eval_fail / eval_warn / eval_info / eval_ordered.
  bool fail = false;
  bool warn = false;
  bool info = false;
  bool ordered = false;
  std::optional<std::string> expected_fail_message;
  std::optional<std::string> expected_fail_regexp;
  std::array<std::vector<Expectation>, kNumExpectTypes> expectations;

  // Expected result: a scalar, or series (for instant evals one value each
  // unless `expect range vector`), or a string.
  bool expect_scalar = false;
  SequenceValue scalar;
  std::vector<ExpectedSeries> series;  // label sets distinct
  std::string expected_string;
  bool expect_range_vector = false;
  bool exclude_from_range_query = false;
  // The text of the block's lines, for failure reports.
  std::vector<std::string> block;

  // Set when the eval's block could not be parsed.
  std::optional<Problem> problem;

  bool IsOrdered() const;
  bool IsFail() const;
  bool ExpectsHistogram() const;
  const std::vector<Expectation>& Expect(ExpectType t) const {
    return expectations[static_cast<int>(t)];
  }
};

using Command = std::variant<LoadCommand, ClearCommand, EvalCommand>;

struct Script {
  std::string file;
  std::vector<Command> commands;
  // Lines that are not part of any command that could be parsed (bad load
  // blocks, unknown commands). Eval problems live in EvalCommand::problem.
  std::vector<Problem> problems;
};

Script ParseScript(absl::string_view file, absl::string_view content);

// common/model.ParseDuration in milliseconds ("5m", "1h30m", "0").
absl::StatusOr<int64_t> ParseScriptDuration(absl::string_view text);

}  // namespace fraisier::promql::promqltest

#endif  // PROMQL_PROMQLTEST_SCRIPT_H_
