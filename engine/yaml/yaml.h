// The one adapter over yaml-cpp (which throws). Documents are converted into
// an owned tree of YamlNode with 1-based line and column positions, so that
// config and rule-file loaders can report `file:line:col: message` and never
// see an exception.
//
// Checks Go's yaml.v2 makes and yaml-cpp does not: a key defined twice in one
// mapping is an error (`mapping key "x" already defined at line N`).
#ifndef ENGINE_YAML_YAML_H_
#define ENGINE_YAML_YAML_H_

#include <string>
#include <utility>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"

namespace fraisier::yaml {

struct YamlNode {
  enum class Kind { kNull, kScalar, kSequence, kMap };
  // A mapping entry. (Not std::pair: a pair of the still-incomplete
  // YamlNode does not compile with clang's checks.)
  struct Entry;

  Kind kind = Kind::kNull;
  std::string scalar;           // kScalar: the text, after YAML unquoting
  bool quoted = false;          // kScalar: written as '...' or "..." or a block
  int line = 0;                 // 1-based; 0 for a node made up by the loader
  int column = 0;               // 1-based
  std::vector<YamlNode> items;  // kSequence
  std::vector<Entry> entries;   // kMap, in order

  bool IsNull() const { return kind == Kind::kNull; }
  // The value of `key` in a map, or nullptr.
  const YamlNode* Find(absl::string_view key) const;
};

struct YamlNode::Entry {
  YamlNode first;   // the key
  YamlNode second;  // the value
};

// Parses one YAML document; an empty text gives a kNull node. Syntax errors
// read `file:line:col: yaml: <what>`. More than one document is an error.
absl::StatusOr<YamlNode> ParseYaml(absl::string_view text,
                                   absl::string_view filename);

// "mapping", "sequence", "scalar" or "null", for error messages.
absl::string_view KindName(YamlNode::Kind kind);

}  // namespace fraisier::yaml

#endif  // ENGINE_YAML_YAML_H_
