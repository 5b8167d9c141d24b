// `ruler check rules` gives the same pass or fail as `promtool check rules`
// (Prometheus 2.42, /usr/bin/promtool) on every file of
// tests/rules/check_parity/, apart from the listed features newer than 2.42.
//
// The lint is an addition over promtool: parity is checked with the lint
// off (--lint=none), and then the default run (lint on, --fail-on=error)
// must give the same verdict except on the files listed as having lint
// errors, so lint warnings never turn a pass into a fail.
#include <dirent.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <map>
#include <set>
#include <sstream>
#include <string>
#include <vector>

#include "absl/strings/match.h"
#include "engine/cli/cli.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace fraisier {
namespace {

constexpr char kPromtool[] = "/usr/bin/promtool";
constexpr char kDir[] = "tests/rules/check_parity";

// File -> why ruler and promtool 2.42 disagree.
const std::map<std::string, std::string>& NewerThan242() {
  static const auto* const m = new std::map<std::string, std::string>{
      {"newer_group_labels.yml",
       "group `labels` (Prometheus 3.0): 2.42 rejects the unknown field"},
      {"newer_query_offset.yml",
       "group `query_offset` (Prometheus 2.53): 2.42 rejects the unknown "
       "field"},
      {"newer_utf8_names.yml",
       "quoted UTF-8 metric and label names (Prometheus 3.0): 2.42 cannot "
       "parse them"},
      {"newer_holt_winters.yml",
       "holt_winters() (removed in Prometheus 3.0, now "
       "double_exponential_smoothing behind a feature flag): 2.42 accepts "
       "it"},
  };
  return *m;
}

// Valid files whose lint findings include errors.
const std::set<std::string>& LintErrorFiles() {
  static const auto* const s =
      new std::set<std::string>{"valid_lint_errors.yml"};
  return *s;
}

std::vector<std::string> RuleFiles() {
  std::vector<std::string> names;
  DIR* dir = opendir(kDir);
  if (dir == nullptr) return names;
  while (dirent* e = readdir(dir)) {
    std::string name = e->d_name;
    if (absl::EndsWith(name, ".yml")) names.push_back(name);
  }
  closedir(dir);
  std::sort(names.begin(), names.end());
  return names;
}

// Exit status of `promtool check rules <path>`, output discarded.
int RunPromtool(const std::string& path) {
  pid_t pid = fork();
  if (pid == 0) {
    int null = open("/dev/null", O_WRONLY);
    dup2(null, 1);
    dup2(null, 2);
    execl(kPromtool, kPromtool, "check", "rules", path.c_str(),
          static_cast<char*>(nullptr));
    _exit(127);
  }
  int status = 0;
  if (pid < 0 || waitpid(pid, &status, 0) != pid) return -1;
  return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
}

bool RulerPasses(const std::string& path, const std::string& flag) {
  std::vector<std::string> argv = {"ruler", "check", "rules"};
  if (!flag.empty()) argv.push_back(flag);
  argv.push_back(path);
  std::ostringstream out, err;
  return cli::Run(argv, cli::DefaultCommands(), out, err) == cli::kExitOk;
}

TEST(CheckParityTest, SamePassOrFailAsPromtool) {
  struct stat st;
  if (stat(kPromtool, &st) != 0) {
    GTEST_SKIP() << kPromtool << " is not installed (Debian package "
                 << "prometheus); skipping the parity check";
  }
  std::vector<std::string> files = RuleFiles();
  int compared = 0, passing = 0;
  for (const std::string& name : files) {
    const std::string path = std::string(kDir) + "/" + name;
    const int promtool = RunPromtool(path);
    ASSERT_TRUE(promtool == 0 || promtool == 1) << name << ": " << promtool;
    const bool promtool_passes = promtool == 0;
    const bool ruler_passes = RulerPasses(path, "--lint=none");
    if (NewerThan242().count(name) > 0) {
      EXPECT_NE(ruler_passes, promtool_passes)
          << name << " is listed as differing (" << NewerThan242().at(name)
          << ") but does not";
      continue;
    }
    ++compared;
    passing += promtool_passes ? 1 : 0;
    EXPECT_EQ(ruler_passes, promtool_passes)
        << name << ": promtool " << (promtool_passes ? "passes" : "fails")
        << " it, ruler check rules --lint=none "
        << (ruler_passes ? "passes" : "fails") << " it";

    const bool with_lint = RulerPasses(path, "");
    if (LintErrorFiles().count(name) > 0) {
      EXPECT_TRUE(ruler_passes && !with_lint)
          << name << " should be valid and fail only by lint errors";
    } else {
      EXPECT_EQ(with_lint, ruler_passes)
          << name << ": the lint changed the verdict";
    }
  }
  // The issue asks for at least 30 files, valid and invalid.
  EXPECT_GE(compared, 30);
  EXPECT_GE(passing, 10);
  EXPECT_GE(compared - passing, 10);
}

}  // namespace
}  // namespace fraisier
