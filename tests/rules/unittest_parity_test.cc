// `ruler test rules` against `promtool test rules` (Prometheus 2.42) on the
// unit-test files of tests/rules/unittest_parity: both must pass or both
// fail, file by file. Files named ok_* must pass and bad_* must fail, which
// is checked even where promtool is not installed (the parity half is then
// skipped, saying so).
//
// tests/rules/unittest_ours holds files that use what promtool 2.42 does
// not know (start_timestamp and fuzzy_compare of newer promtool, our
// exp_pending_alerts and exp_resolved_alerts): ruler must give the verdict
// the name says, and promtool 2.42 must reject the ok_ ones (so the docs'
// list of differences stays true).
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <array>
#include <cstdio>
#include <filesystem>
#include <string>
#include <vector>

#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "gtest/gtest.h"

namespace {

constexpr char kDir[] = "tests/rules/unittest_parity";
constexpr char kOursDir[] = "tests/rules/unittest_ours";
constexpr char kRuler[] = "engine/ruler";
constexpr char kPromtool[] = "/usr/bin/promtool";

struct Outcome {
  int exit_code = -1;
  std::string output;
};

// Runs `command` (stdout and stderr together) from the runfiles root.
Outcome RunCommand(const std::string& command) {
  Outcome outcome;
  FILE* pipe = popen(absl::StrCat(command, " 2>&1").c_str(), "r");
  if (pipe == nullptr) return outcome;
  std::array<char, 4096> buffer;
  size_t n;
  while ((n = fread(buffer.data(), 1, buffer.size(), pipe)) > 0) {
    outcome.output.append(buffer.data(), n);
  }
  const int status = pclose(pipe);
  outcome.exit_code = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
  return outcome;
}

std::vector<std::string> YamlFiles(const char* dir) {
  std::vector<std::string> files;
  std::error_code ec;
  for (const auto& entry : std::filesystem::directory_iterator(dir, ec)) {
    const std::string name = entry.path().filename().string();
    if (absl::EndsWith(name, ".yml")) files.push_back(name);
  }
  std::sort(files.begin(), files.end());
  return files;
}

std::vector<std::string> ParityFiles() { return YamlFiles(kDir); }
std::vector<std::string> OurFiles() { return YamlFiles(kOursDir); }

std::string TestName(const ::testing::TestParamInfo<std::string>& info) {
  std::string name = info.param.substr(0, info.param.size() - 4);
  for (char& c : name) {
    if (!absl::ascii_isalnum(static_cast<unsigned char>(c))) c = '_';
  }
  return name;
}

class UnitTestParity : public ::testing::TestWithParam<std::string> {};

TEST(UnitTestParityCorpus, HasAtLeastThirtyFilesOfEachVerdict) {
  int ok = 0, bad = 0;
  for (const std::string& f : ParityFiles()) {
    if (absl::StartsWith(f, "ok_")) ++ok;
    if (absl::StartsWith(f, "bad_")) ++bad;
  }
  EXPECT_GE(ok + bad, 30);
  EXPECT_GE(ok, 10);
  EXPECT_GE(bad, 10);
  EXPECT_EQ(ok + bad, static_cast<int>(ParityFiles().size()))
      << "every file is named ok_* or bad_*";
}

TEST_P(UnitTestParity, SameVerdictAsPromtool) {
  const std::string path = absl::StrCat(kDir, "/", GetParam());
  const Outcome ruler =
      RunCommand(absl::StrCat(kRuler, " test rules --no-coverage ", path));
  ASSERT_GE(ruler.exit_code, 0) << ruler.output;
  const bool want_pass = absl::StartsWith(GetParam(), "ok_");
  EXPECT_EQ(ruler.exit_code == 0, want_pass)
      << "ruler exit " << ruler.exit_code << ":\n"
      << ruler.output;
  EXPECT_NE(ruler.exit_code, 2) << "usage error:\n" << ruler.output;
  if (access(kPromtool, X_OK) != 0) {
    GTEST_SKIP() << kPromtool
                 << " is not installed (tools/setup): parity not checked";
  }
  const Outcome promtool =
      RunCommand(absl::StrCat(kPromtool, " test rules ", path));
  ASSERT_GE(promtool.exit_code, 0) << promtool.output;
  EXPECT_EQ(ruler.exit_code == 0, promtool.exit_code == 0)
      << "ruler:\n"
      << ruler.output << "\npromtool:\n"
      << promtool.output;
}

INSTANTIATE_TEST_SUITE_P(Files, UnitTestParity,
                         ::testing::ValuesIn(ParityFiles()), TestName);

class OurExtensions : public ::testing::TestWithParam<std::string> {};

TEST_P(OurExtensions, VerdictAsNamedAndNewerThanPromtool242) {
  const std::string path = absl::StrCat(kOursDir, "/", GetParam());
  const Outcome ruler =
      RunCommand(absl::StrCat(kRuler, " test rules --no-coverage ", path));
  const bool want_pass = absl::StartsWith(GetParam(), "ok_");
  EXPECT_EQ(ruler.exit_code, want_pass ? 0 : 1) << ruler.output;
  if (!want_pass) return;
  if (access(kPromtool, X_OK) != 0) {
    GTEST_SKIP() << kPromtool << " is not installed (tools/setup)";
  }
  const Outcome promtool =
      RunCommand(absl::StrCat(kPromtool, " test rules ", path));
  EXPECT_NE(promtool.exit_code, 0) << "promtool 2.42 accepts " << path
                                   << ": then it is not newer than 2.42\n"
                                   << promtool.output;
}

INSTANTIATE_TEST_SUITE_P(Files, OurExtensions, ::testing::ValuesIn(OurFiles()),
                         TestName);

}  // namespace
