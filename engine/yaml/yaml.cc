#include "engine/yaml/yaml.h"

#include <exception>
#include <vector>

#include "absl/container/flat_hash_map.h"
#include "absl/strings/str_cat.h"
#include "engine/yaml/fast_yaml.h"
#include "yaml-cpp/yaml.h"

namespace fraisier::yaml {
namespace {

std::string Position(absl::string_view filename, int line, int column) {
  return absl::StrCat(filename, ":", line, ":", column);
}

// yaml-cpp bounds its own nesting (depthguard, 2000 levels), so the
// recursion here is bounded by what the parser accepted.
absl::Status Convert(const YAML::Node& in, absl::string_view filename,
                     YamlNode* out) {
  const YAML::Mark mark = in.Mark();
  out->line = mark.line + 1;
  out->column = mark.column + 1;
  switch (in.Type()) {
    case YAML::NodeType::Undefined:
    case YAML::NodeType::Null:
      out->kind = YamlNode::Kind::kNull;
      return absl::OkStatus();
    case YAML::NodeType::Scalar:
      out->kind = YamlNode::Kind::kScalar;
      out->scalar = in.Scalar();
      out->quoted = in.Tag() == "!";
      return absl::OkStatus();
    case YAML::NodeType::Sequence:
      out->kind = YamlNode::Kind::kSequence;
      out->items.reserve(in.size());
      for (const YAML::Node& item : in) {
        out->items.emplace_back();
        if (absl::Status s = Convert(item, filename, &out->items.back());
            !s.ok()) {
          return s;
        }
      }
      return absl::OkStatus();
    case YAML::NodeType::Map: {
      out->kind = YamlNode::Kind::kMap;
      absl::flat_hash_map<std::string, int> seen;  // key -> line
      for (const auto& kv : in) {
        YamlNode key, value;
        if (absl::Status s = Convert(kv.first, filename, &key); !s.ok()) {
          return s;
        }
        if (absl::Status s = Convert(kv.second, filename, &value); !s.ok()) {
          return s;
        }
        if (key.kind == YamlNode::Kind::kScalar) {
          auto [it, inserted] = seen.emplace(key.scalar, key.line);
          if (!inserted) {
            return absl::InvalidArgumentError(
                absl::StrCat(Position(filename, key.line, key.column),
                             ": yaml: mapping key \"", key.scalar,
                             "\" already defined at line ", it->second));
          }
        }
        out->entries.push_back({std::move(key), std::move(value)});
      }
      return absl::OkStatus();
    }
  }
  return absl::OkStatus();
}

}  // namespace

const YamlNode* YamlNode::Find(absl::string_view key) const {
  for (const auto& [k, v] : entries) {
    if (k.kind == Kind::kScalar && k.scalar == key) return &v;
  }
  return nullptr;
}

absl::string_view KindName(YamlNode::Kind kind) {
  switch (kind) {
    case YamlNode::Kind::kNull:
      return "null";
    case YamlNode::Kind::kScalar:
      return "scalar";
    case YamlNode::Kind::kSequence:
      return "sequence";
    case YamlNode::Kind::kMap:
      return "mapping";
  }
  return "unknown";
}

absl::StatusOr<YamlNode> ParseYaml(absl::string_view text,
                                   absl::string_view filename) {
  if (std::optional<YamlNode> fast = FastParseYaml(text)) {
    return *std::move(fast);
  }
  return internal::ParseYamlWithYamlCpp(text, filename);
}

absl::StatusOr<YamlNode> internal::ParseYamlWithYamlCpp(
    absl::string_view text, absl::string_view filename) {
  std::vector<YAML::Node> docs;
  try {
    docs = YAML::LoadAll(std::string(text));
  } catch (const YAML::Exception& e) {
    return absl::InvalidArgumentError(
        absl::StrCat(Position(filename, e.mark.line + 1, e.mark.column + 1),
                     ": yaml: ", e.msg));
  } catch (const std::exception& e) {
    return absl::InvalidArgumentError(
        absl::StrCat(filename, ": yaml: ", e.what()));
  }
  YamlNode root;
  root.line = 1;
  root.column = 1;
  if (docs.empty()) return root;
  if (docs.size() > 1) {
    const YAML::Mark mark = docs[1].Mark();
    return absl::InvalidArgumentError(
        absl::StrCat(Position(filename, mark.line + 1, mark.column + 1),
                     ": yaml: expected a single document, found another"));
  }
  try {
    if (absl::Status s = Convert(docs[0], filename, &root); !s.ok()) return s;
  } catch (const std::exception& e) {
    return absl::InvalidArgumentError(
        absl::StrCat(filename, ": yaml: ", e.what()));
  }
  return root;
}

}  // namespace fraisier::yaml
