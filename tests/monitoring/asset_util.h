// Helpers for the tests of the monitoring assets (monitoring/): running a
// checker command and reading the assets from the test's runfiles.
#ifndef TESTS_MONITORING_ASSET_UTIL_H_
#define TESTS_MONITORING_ASSET_UTIL_H_

#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "engine/yaml/yaml.h"

namespace fraisier::monitoring_test {

struct CommandResult {
  int exit_code = -1;  // -1: could not run, or killed by a signal
  std::string output;  // stdout and stderr, interleaved
};

// Runs argv[0] (a path, not searched in PATH) with `argv` and waits.
CommandResult RunCommand(const std::vector<std::string>& argv);

// Whether `path` is an executable file (tools the tests skip without).
bool IsExecutable(const std::string& path);

absl::StatusOr<std::string> ReadFile(const std::string& path);

// Writes `text` to a fresh file under TEST_TMPDIR and returns its path.
std::string WriteTempFile(absl::string_view name, absl::string_view text);

// The files directly in `dir` whose names end in `suffix`, sorted.
std::vector<std::string> ListFiles(const std::string& dir,
                                   absl::string_view suffix);

// Reads and parses a YAML file.
absl::StatusOr<yaml::YamlNode> LoadYaml(const std::string& path);

// The scalar at `key` of a mapping, or "" when absent or not a scalar.
std::string ScalarAt(const yaml::YamlNode& map, absl::string_view key);

}  // namespace fraisier::monitoring_test

#endif  // TESTS_MONITORING_ASSET_UTIL_H_
