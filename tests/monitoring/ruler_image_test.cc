// The runtime stage of monitoring/Dockerfile installs every Debian package
// that provides a shared library the ruler binary links (its ELF NEEDED
// entries), so a new dependency of //engine:ruler cannot silently break the
// image. Package owners come from this machine's dpkg (Debian 12, as the
// image). Skipped without readelf or dpkg.
#include <map>
#include <set>
#include <string>
#include <vector>

#include "absl/strings/match.h"
#include "absl/strings/str_split.h"
#include "absl/strings/strip.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "re2/re2.h"
#include "tests/monitoring/asset_util.h"

namespace fraisier::monitoring_test {
namespace {

constexpr char kRuler[] = "engine/ruler";  // a data dependency
constexpr char kReadelf[] = "/usr/bin/readelf";
constexpr char kDpkg[] = "/usr/bin/dpkg";

// Packages of debian:12-slim itself (essential or required by apt).
const std::set<std::string>& BaseImagePackages() {
  static const auto* base =
      new std::set<std::string>{"libc6", "libgcc-s1", "libstdc++6", "zlib1g"};
  return *base;
}

// The packages `apt-get install` names in the Dockerfile's last stage.
std::set<std::string> RuntimePackages(const std::string& dockerfile) {
  std::set<std::string> packages;
  const size_t last_stage = dockerfile.rfind("\nFROM ");
  if (last_stage == std::string::npos) return packages;
  const size_t install = dockerfile.find("apt-get install", last_stage);
  if (install == std::string::npos) return packages;
  const size_t end = dockerfile.find("&&", install);
  std::string command = dockerfile.substr(install, end - install);
  for (absl::string_view word :
       absl::StrSplit(command, absl::ByAnyChar(" \\\n"), absl::SkipEmpty())) {
    if (word[0] != '-' && word != "apt-get" && word != "install") {
      packages.insert(std::string(word));
    }
  }
  return packages;
}

std::vector<std::string> NeededLibraries(const std::string& binary) {
  std::vector<std::string> libraries;
  CommandResult r = RunCommand({kReadelf, "-d", binary});
  re2::StringPiece input(r.output);
  std::string soname;
  static const LazyRE2 kNeeded = {
      R"(\(NEEDED\)\s+Shared library: \[([^\]]+)\])"};
  while (RE2::FindAndConsume(&input, *kNeeded, &soname)) {
    libraries.push_back(soname);
  }
  return libraries;
}

// The package installing each of `sonames` in a multiarch library
// directory (/usr/lib/x86_64-linux-gnu/...; not /lib32 and the like), from
// one dpkg call.
std::map<std::string, std::string> OwningPackages(
    const std::vector<std::string>& sonames) {
  std::vector<std::string> argv = {kDpkg, "-S"};
  argv.insert(argv.end(), sonames.begin(), sonames.end());
  CommandResult r = RunCommand(argv);
  std::map<std::string, std::string> owner;
  for (absl::string_view line : absl::StrSplit(r.output, '\n')) {
    std::vector<absl::string_view> parts = absl::StrSplit(line, ": ");
    if (parts.size() != 2 || !absl::StrContains(parts[1], "-linux-gnu/")) {
      continue;
    }
    const std::string soname(parts[1].substr(parts[1].rfind('/') + 1));
    absl::string_view package = parts[0];
    package = package.substr(0, package.find(':'));  // drop ":amd64"
    owner.emplace(soname, std::string(package));
  }
  return owner;
}

TEST(RulerImageTest, RuntimeStageInstallsEveryLinkedLibrary) {
  if (!IsExecutable(kReadelf) || !IsExecutable(kDpkg)) {
    GTEST_SKIP() << "needs " << kReadelf << " and " << kDpkg;
  }
  absl::StatusOr<std::string> dockerfile = ReadFile("monitoring/Dockerfile");
  ASSERT_TRUE(dockerfile.ok()) << dockerfile.status();
  const std::set<std::string> installed = RuntimePackages(*dockerfile);
  ASSERT_THAT(installed, ::testing::Contains("libabsl20220623"));

  const std::vector<std::string> needed = NeededLibraries(kRuler);
  ASSERT_GT(needed.size(), 5u);
  const std::map<std::string, std::string> owner = OwningPackages(needed);
  std::set<std::string> missing;
  for (const std::string& soname : needed) {
    auto it = owner.find(soname);
    const std::string package = it == owner.end() ? "" : it->second;
    if (package.empty()) {
      ADD_FAILURE() << "no Debian package owns " << soname;
    } else if (!installed.count(package) &&
               !BaseImagePackages().count(package)) {
      missing.insert(package + " (" + soname + ")");
    }
  }
  EXPECT_THAT(missing, ::testing::IsEmpty())
      << "add these to the runtime stage of monitoring/Dockerfile";
}

}  // namespace
}  // namespace fraisier::monitoring_test
