// A fast path for ParseYaml: a parser for the block-style YAML that rule
// and config files are written in, building the same YamlNode tree (kinds,
// scalars, quoted flags, positions) as the yaml-cpp adapter, about 20x
// faster (yaml-cpp's scanner alone takes ~100 ms for a 5,000-rule file).
//
// It declines (nullopt) whatever it does not handle exactly like yaml-cpp:
// anchors, aliases, tags, directives and document markers, tabs, CR,
// control characters or invalid UTF-8, multi-line plain or quoted scalars,
// flow collections over several lines, block-scalar indentation indicators
// and more-indented folded lines, duplicate keys and every syntax error.
// ParseYaml then uses yaml-cpp, whose messages users see. A differential
// test (fast_yaml_test.cc) holds the two to the same trees.
#ifndef ENGINE_YAML_FAST_YAML_H_
#define ENGINE_YAML_FAST_YAML_H_

#include <optional>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "engine/yaml/yaml.h"

namespace fraisier::yaml {

std::optional<YamlNode> FastParseYaml(absl::string_view text);

namespace internal {
// ParseYaml without the fast path (for the differential test).
absl::StatusOr<YamlNode> ParseYamlWithYamlCpp(absl::string_view text,
                                              absl::string_view filename);
}  // namespace internal

}  // namespace fraisier::yaml

#endif  // ENGINE_YAML_FAST_YAML_H_
