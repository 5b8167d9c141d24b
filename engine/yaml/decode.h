// Helpers for turning a YamlNode tree into typed structs while collecting
// every problem (a user fixing a file wants all errors at once), each as
// `file:line:col: message`.
#ifndef ENGINE_YAML_DECODE_H_
#define ENGINE_YAML_DECODE_H_

#include <cstdint>
#include <map>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/strings/string_view.h"
#include "engine/yaml/yaml.h"

namespace fraisier::yaml {

// Collected errors of one file. Not thread-safe.
class Diagnostics {
 public:
  explicit Diagnostics(std::string filename) : filename_(std::move(filename)) {}

  void Error(const YamlNode& at, absl::string_view message);
  // An error without a position (e.g. a cross-field check).
  void ErrorNoPosition(absl::string_view message);
  bool ok() const { return errors_.empty(); }
  const std::vector<std::string>& errors() const { return errors_; }
  const std::string& filename() const { return filename_; }
  // InvalidArgument with one error per line, or OK.
  absl::Status ToStatus() const;

 private:
  std::string filename_;
  std::vector<std::string> errors_;
};

// Reads the fields of one mapping. Fields never taken are reported as
// unknown when Finish() runs (or at destruction), with their position.
// A null node decodes as an empty mapping. Not thread-safe.
class MapDecoder {
 public:
  // `type_name` names the mapping in messages: `unknown field "x" in global`.
  MapDecoder(const YamlNode& node, absl::string_view type_name,
             Diagnostics* diag);
  ~MapDecoder() { Finish(); }
  MapDecoder(const MapDecoder&) = delete;
  MapDecoder& operator=(const MapDecoder&) = delete;

  // The value of `key` (nullptr if absent) and marks it known.
  const YamlNode* Take(absl::string_view key);
  // Keys present, in order (for maps of user-chosen keys).
  std::vector<const YamlNode*> Keys() const;
  void Finish();

 private:
  const YamlNode& node_;
  std::string type_name_;
  Diagnostics* diag_;
  std::vector<bool> taken_;
  bool finished_ = false;
};

// Scalar decoders: on a type mismatch they report
// `cannot unmarshal <kind> into <what>` and return false.
bool DecodeString(const YamlNode& node, Diagnostics* diag, std::string* out);
bool DecodeBool(const YamlNode& node, Diagnostics* diag, bool* out);
bool DecodeInt64(const YamlNode& node, Diagnostics* diag, int64_t* out);
bool DecodeStringList(const YamlNode& node, Diagnostics* diag,
                      std::vector<std::string>* out);
// A mapping of string to string, keys in file order.
bool DecodeStringMap(const YamlNode& node, Diagnostics* diag,
                     std::vector<std::pair<std::string, std::string>>* out);

}  // namespace fraisier::yaml

#endif  // ENGINE_YAML_DECODE_H_
