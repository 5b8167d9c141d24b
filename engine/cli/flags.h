// Command-line flags in kingpin's style, as promtool and prometheus take
// them: `--name=value` or `--name value`, booleans as `--name` / `--no-name`.
// Values stay strings here; commands convert and validate them so that
// errors can name the flag.
#ifndef ENGINE_CLI_FLAGS_H_
#define ENGINE_CLI_FLAGS_H_

#include <string>
#include <utility>
#include <vector>

#include "absl/status/status.h"
#include "absl/strings/string_view.h"

namespace fraisier::cli {

// Not thread-safe; used once per command invocation.
class FlagSet {
 public:
  // `*value` holds the default on entry; `*set` (optional) tells whether the
  // command line gave the flag.
  void AddString(std::string name, std::string help, std::string* value,
                 bool* set = nullptr);
  void AddBool(std::string name, std::string help, bool* value);

  // Parses `args`; arguments that are not flags go to `positional` (all
  // arguments after "--" are positional). Unknown flags are errors.
  absl::Status Parse(const std::vector<std::string>& args,
                     std::vector<std::string>* positional);
  // One line per flag: `      --name=DEFAULT  help`.
  std::string Usage() const;
  // Every flag with its current value, for /api/v1/status/flags.
  std::vector<std::pair<std::string, std::string>> Values() const;

 private:
  struct Flag {
    std::string name;
    std::string help;
    std::string* string_value = nullptr;
    bool* bool_value = nullptr;
    bool* set = nullptr;
    std::string default_text;
  };
  Flag* Find(absl::string_view name);

  std::vector<Flag> flags_;
};

}  // namespace fraisier::cli

#endif  // ENGINE_CLI_FLAGS_H_
