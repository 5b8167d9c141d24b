#include "engine/yaml/decode.h"

#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"

namespace fraisier::yaml {

void Diagnostics::Error(const YamlNode& at, absl::string_view message) {
  if (at.line == 0) return ErrorNoPosition(message);
  errors_.push_back(
      absl::StrCat(filename_, ":", at.line, ":", at.column, ": ", message));
}

void Diagnostics::ErrorNoPosition(absl::string_view message) {
  errors_.push_back(absl::StrCat(filename_, ": ", message));
}

absl::Status Diagnostics::ToStatus() const {
  if (errors_.empty()) return absl::OkStatus();
  return absl::InvalidArgumentError(absl::StrJoin(errors_, "\n"));
}

MapDecoder::MapDecoder(const YamlNode& node, absl::string_view type_name,
                       Diagnostics* diag)
    : node_(node),
      type_name_(type_name),
      diag_(diag),
      taken_(node.entries.size(), false) {
  if (node.kind != YamlNode::Kind::kMap && !node.IsNull()) {
    diag_->Error(
        node, absl::StrCat("cannot unmarshal ", KindName(node.kind), " into ",
                           type_name_, " (expected a mapping)"));
    finished_ = true;
  }
}

const YamlNode* MapDecoder::Take(absl::string_view key) {
  for (size_t i = 0; i < node_.entries.size(); ++i) {
    const YamlNode& k = node_.entries[i].first;
    if (k.kind == YamlNode::Kind::kScalar && k.scalar == key) {
      taken_[i] = true;
      return &node_.entries[i].second;
    }
  }
  return nullptr;
}

std::vector<const YamlNode*> MapDecoder::Keys() const {
  std::vector<const YamlNode*> keys;
  for (const auto& entry : node_.entries) keys.push_back(&entry.first);
  return keys;
}

void MapDecoder::Finish() {
  if (finished_) return;
  finished_ = true;
  for (size_t i = 0; i < node_.entries.size(); ++i) {
    if (taken_[i]) continue;
    const YamlNode& k = node_.entries[i].first;
    diag_->Error(
        k, absl::StrCat("unknown field \"", k.scalar, "\" in ", type_name_));
  }
}

namespace {

bool ExpectScalar(const YamlNode& node, Diagnostics* diag,
                  absl::string_view what) {
  if (node.kind == YamlNode::Kind::kScalar) return true;
  diag->Error(node, absl::StrCat("cannot unmarshal ", KindName(node.kind),
                                 " into ", what));
  return false;
}

}  // namespace

bool DecodeString(const YamlNode& node, Diagnostics* diag, std::string* out) {
  if (node.IsNull()) {
    out->clear();
    return true;
  }
  if (!ExpectScalar(node, diag, "a string")) return false;
  *out = node.scalar;
  return true;
}

bool DecodeBool(const YamlNode& node, Diagnostics* diag, bool* out) {
  if (!ExpectScalar(node, diag, "a boolean")) return false;
  // YAML 1.1 booleans as Go's yaml.v2 reads them.
  static constexpr absl::string_view kTrue[] = {
      "true", "True", "TRUE", "yes", "Yes", "YES", "on", "On", "ON"};
  static constexpr absl::string_view kFalse[] = {
      "false", "False", "FALSE", "no", "No", "NO", "off", "Off", "OFF"};
  if (!node.quoted) {
    for (absl::string_view t : kTrue) {
      if (node.scalar == t) return *out = true, true;
    }
    for (absl::string_view f : kFalse) {
      if (node.scalar == f) return *out = false, true;
    }
  }
  diag->Error(node, absl::StrCat("cannot unmarshal \"", node.scalar,
                                 "\" into a boolean"));
  return false;
}

bool DecodeInt64(const YamlNode& node, Diagnostics* diag, int64_t* out) {
  if (!ExpectScalar(node, diag, "an integer")) return false;
  if (node.quoted || !absl::SimpleAtoi(node.scalar, out)) {
    diag->Error(node, absl::StrCat("cannot unmarshal \"", node.scalar,
                                   "\" into an integer"));
    return false;
  }
  return true;
}

bool DecodeStringList(const YamlNode& node, Diagnostics* diag,
                      std::vector<std::string>* out) {
  out->clear();
  if (node.IsNull()) return true;
  if (node.kind != YamlNode::Kind::kSequence) {
    diag->Error(node, absl::StrCat("cannot unmarshal ", KindName(node.kind),
                                   " into a list of strings"));
    return false;
  }
  bool ok = true;
  for (const YamlNode& item : node.items) {
    std::string s;
    if (DecodeString(item, diag, &s)) {
      out->push_back(std::move(s));
    } else {
      ok = false;
    }
  }
  return ok;
}

bool DecodeStringMap(const YamlNode& node, Diagnostics* diag,
                     std::vector<std::pair<std::string, std::string>>* out) {
  out->clear();
  if (node.IsNull()) return true;
  if (node.kind != YamlNode::Kind::kMap) {
    diag->Error(node, absl::StrCat("cannot unmarshal ", KindName(node.kind),
                                   " into a mapping of strings"));
    return false;
  }
  bool ok = true;
  for (const auto& [k, v] : node.entries) {
    std::string key, value;
    if (DecodeString(k, diag, &key) && DecodeString(v, diag, &value)) {
      out->emplace_back(std::move(key), std::move(value));
    } else {
      ok = false;
    }
  }
  return ok;
}

}  // namespace fraisier::yaml
