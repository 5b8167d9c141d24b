#include "rules/unittest/runner.h"

#include <glob.h>
#include <sys/stat.h>

#include <algorithm>
#include <set>
#include <utility>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/strings/str_split.h"
#include "rules/template_expander.h"
#include "rules/unittest/group_run.h"
#include "rules/unittest/test_file.h"

namespace fraisier::rules::unittest {
namespace {

// Go's filepath.Clean for '/'-separated paths.
std::string CleanPath(absl::string_view path) {
  const bool absolute = !path.empty() && path[0] == '/';
  std::vector<std::string> parts;
  for (absl::string_view part : absl::StrSplit(path, '/', absl::SkipEmpty())) {
    if (part == ".") continue;
    if (part == ".." && !parts.empty() && parts.back() != "..") {
      parts.pop_back();
    } else if (part != ".." || !absolute) {
      parts.emplace_back(part);
    }
  }
  std::string out =
      absl::StrCat(absolute ? "/" : "", absl::StrJoin(parts, "/"));
  return out.empty() ? "." : out;
}

std::string DirName(const std::string& path) {
  const size_t slash = path.rfind('/');
  if (slash == std::string::npos) return ".";
  return slash == 0 ? "/" : path.substr(0, slash);
}

bool HasGlobMeta(absl::string_view s) {
  return s.find_first_of("*?[\\") != absl::string_view::npos;
}

std::string CaseName(const TestGroup& group, size_t index) {
  return group.name.empty() ? absl::StrCat("#", index + 1) : group.name;
}

}  // namespace

int FileResult::passed() const {
  if (!errors.empty()) return 0;
  return static_cast<int>(std::count_if(
      tests.begin(), tests.end(), [](const auto& t) { return t.passed(); }));
}

int FileResult::failed() const {
  if (!errors.empty()) return 1;
  return static_cast<int>(std::count_if(
      tests.begin(), tests.end(),
      [](const auto& t) { return !t.skipped && !t.failures.empty(); }));
}

int FileResult::skipped() const {
  if (!errors.empty()) return 0;
  return static_cast<int>(std::count_if(
      tests.begin(), tests.end(), [](const auto& t) { return t.skipped; }));
}

std::vector<std::string> GlobFiles(const std::string& pattern) {
  if (!HasGlobMeta(pattern)) {
    struct stat st;
    if (lstat(pattern.c_str(), &st) != 0) return {};
    return {pattern};
  }
  glob_t g;
  std::vector<std::string> out;
  // GLOB_PERIOD: Go's `*` matches a leading dot too.
  if (glob(pattern.c_str(), GLOB_PERIOD, nullptr, &g) == 0) {
    for (size_t i = 0; i < g.gl_pathc; ++i) out.emplace_back(g.gl_pathv[i]);
  }
  globfree(&g);
  std::sort(out.begin(), out.end());
  return out;
}

absl::StatusOr<std::unique_ptr<Runner>> Runner::Create(RunOptions options) {
  std::unique_ptr<Runner> runner(new Runner(std::move(options)));
  for (const std::string& p : runner->options_.run_patterns) {
    auto re = std::make_unique<RE2>(p, RE2::Quiet);
    if (!re->ok()) {
      return absl::InvalidArgumentError(absl::StrCat(
          "--run: invalid regular expression \"", p, "\": ", re->error()));
    }
    runner->patterns_.push_back(std::move(re));
  }
  return runner;
}

bool Runner::Selected(const std::string& group_name) const {
  if (patterns_.empty()) return true;
  for (const auto& re : patterns_) {
    if (RE2::PartialMatch(group_name, *re)) return true;
  }
  return false;
}

FileResult Runner::RunFile(const std::string& path) {
  const Clock& clock =
      options_.clock != nullptr ? *options_.clock : *RealClock::Get();
  const absl::Time file_start = clock.Now();
  FileResult result;
  result.path = path;
  auto finish = [&] {
    result.duration = clock.Now() - file_start;
    return std::move(result);
  };
  absl::StatusOr<TestFile> file = LoadTestFile(path);
  if (!file.ok()) {
    result.errors.emplace_back(file.status().message());
    return finish();
  }

  // rule_files: relative to the test file, globs expanded, each file once.
  std::vector<std::string> rule_paths;
  std::set<std::string> seen;
  for (const std::string& pattern : file->rule_files) {
    std::string resolved = pattern;
    if (!pattern.empty() && pattern[0] != '/') {
      resolved = CleanPath(absl::StrCat(DirName(path), "/", pattern));
    }
    std::vector<std::string> matches =
        pattern.empty() ? std::vector<std::string>{} : GlobFiles(resolved);
    if (matches.empty()) {
      result.warnings.push_back(absl::StrCat(
          "no file matches rule_files pattern \"", resolved, "\""));
    }
    for (std::string& m : matches) {
      if (seen.insert(m).second) rule_paths.push_back(std::move(m));
    }
  }
  std::set<std::string> order_names;
  for (const std::string& name : file->group_eval_order) {
    if (!order_names.insert(name).second) {
      result.errors.push_back(absl::StrCat(
          path, ": group name repeated in group_eval_order: ", name));
      return finish();
    }
  }

  std::vector<LoadedRuleFile> rule_files;
  std::vector<std::string> load_errors;
  RuleFileOptions rule_options;
  rule_options.check_template = CheckTemplate;
  for (const std::string& rule_path : rule_paths) {
    absl::StatusOr<RuleFileSpec> spec = LoadRuleFile(rule_path, rule_options);
    if (!spec.ok()) {
      load_errors.emplace_back(spec.status().message());
      continue;
    }
    const size_t first = coverage_.AddRuleFile(*spec);
    rule_files.push_back({*std::move(spec), first});
  }
  if (!load_errors.empty() && file->tests.empty()) {
    result.warnings.push_back(absl::StrCat(
        "rule files do not load, but no test uses them (promtool passes "
        "such a file too):\n",
        absl::StrJoin(load_errors, "\n")));
  }

  for (size_t i = 0; i < file->tests.size(); ++i) {
    const TestGroup& group = file->tests[i];
    TestCaseResult test;
    test.name = CaseName(group, i);
    if (!Selected(group.name)) {
      test.skipped = true;
      result.tests.push_back(std::move(test));
      continue;
    }
    const absl::Time start = clock.Now();
    if (!group.interval_given && !group.input_series.empty()) {
      result.warnings.push_back(absl::StrCat(
          "test ", test.name,
          " has no interval: as promtool 2.42 does, every "
          "input sample is placed at the start time (newer promtool uses "
          "evaluation_interval); set interval to be sure"));
    }
    if (!load_errors.empty()) {
      test.failures = load_errors;
    } else {
      test.failures = RunTestGroup(*file, group, rule_files, &coverage_);
    }
    test.duration = clock.Now() - start;
    result.tests.push_back(std::move(test));
  }
  return finish();
}

}  // namespace fraisier::rules::unittest
