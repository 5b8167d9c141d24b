// Runs rule unit-test files (`ruler test rules`): reads a file, resolves
// its rule_files globs relative to it, loads the rule files, and runs each
// test group (RunTestGroup), collecting per-group verdicts and the rule
// coverage of the whole run.
//
// Verdicts follow promtool 2.42: a rule_files pattern that matches nothing
// is a warning, not a failure; a rule file that does not load fails every
// test group of the file (and none when the file has no tests).
#ifndef RULES_UNITTEST_RUNNER_H_
#define RULES_UNITTEST_RUNNER_H_

#include <memory>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/time/time.h"
#include "engine/base/clock.h"
#include "re2/re2.h"
#include "rules/unittest/coverage.h"

namespace fraisier::rules::unittest {

struct RunOptions {
  // --run: only test groups whose name one of these matches (unanchored,
  // RE2 syntax); empty runs every group.
  std::vector<std::string> run_patterns;
  // Measures durations (JUnit `time`); nullptr uses the real clock.
  const Clock* clock = nullptr;
};

struct TestCaseResult {
  std::string name;  // the group's name, or "#N" (1-based) without one
  bool skipped = false;
  std::vector<std::string> failures;
  absl::Duration duration;

  bool passed() const { return !skipped && failures.empty(); }
};

struct FileResult {
  std::string path;
  std::vector<std::string> warnings;
  // Problems of the file as a whole (unreadable, bad YAML, ...); such a
  // file counts as one failed test case.
  std::vector<std::string> errors;
  std::vector<TestCaseResult> tests;
  absl::Duration duration;

  int passed() const;
  int failed() const;  // failed test groups, or 1 for a file error
  int skipped() const;
};

// Not thread-safe.
class Runner {
 public:
  // Fails when a --run pattern is not a valid regular expression.
  static absl::StatusOr<std::unique_ptr<Runner>> Create(RunOptions options);

  FileResult RunFile(const std::string& path);
  const Coverage& coverage() const { return coverage_; }

 private:
  explicit Runner(RunOptions options) : options_(std::move(options)) {}
  bool Selected(const std::string& group_name) const;

  RunOptions options_;
  std::vector<std::unique_ptr<RE2>> patterns_;
  Coverage coverage_;
};

// The files `pattern` names, sorted, as Go's filepath.Glob: `*` and `?`
// match any characters but `/` (a leading dot included), `[...]` sets; a
// pattern without those characters names itself when it exists.
std::vector<std::string> GlobFiles(const std::string& pattern);

}  // namespace fraisier::rules::unittest

#endif  // RULES_UNITTEST_RUNNER_H_
