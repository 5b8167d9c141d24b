#include "rules/rulefile/rule_file.h"

#include <cerrno>
#include <cstring>
#include <fstream>
#include <sstream>

#include "absl/container/flat_hash_map.h"
#include "absl/strings/str_cat.h"
#include "engine/base/status_macros.h"
#include "engine/model/validation.h"
#include "engine/yaml/decode.h"
#include "engine/yaml/yaml.h"
#include "promql/literals.h"
#include "promql/parser.h"

namespace fraisier::rules {
namespace {

using yaml::Diagnostics;
using yaml::MapDecoder;
using yaml::YamlNode;

// Errors about one rule carry Prometheus's context prefix.
struct RuleContext {
  Diagnostics* diag;
  const std::string* group;
  int index;  // 1-based, as Prometheus counts
  std::string name;

  void Error(const YamlNode& at, absl::string_view message) const {
    diag->Error(at, absl::StrCat("group \"", *group, "\", rule ", index, ", \"",
                                 name, "\": ", message));
  }
};

bool DecodeDuration(const YamlNode& node, Diagnostics* diag,
                    absl::Duration* out) {
  std::string text;
  if (!yaml::DecodeString(node, diag, &text)) return false;
  absl::StatusOr<int64_t> ms = promql::ParseDurationMs(text);
  if (!ms.ok()) {
    diag->Error(node, ms.status().message());
    return false;
  }
  *out = absl::Milliseconds(*ms);
  return true;
}

// Label and annotation maps: names checked, values checked and kept in
// file order.
void DecodeLabelMap(const YamlNode& node, bool annotations,
                    const RuleContext* rule, Diagnostics* diag,
                    LabelList* out) {
  if (!yaml::DecodeStringMap(node, diag, out)) return;
  for (size_t i = 0; i < out->size(); ++i) {
    const auto& [name, value] = (*out)[i];
    const YamlNode& key = node.entries[i].first;
    std::string problem;
    if (annotations) {
      if (!IsValidLabelName(name, NameValidation::kLegacy)) {
        problem = absl::StrCat("invalid annotation name: ", name);
      }
    } else if (!IsValidLabelName(name, NameValidation::kLegacy) ||
               name == kMetricNameLabel) {
      problem = absl::StrCat("invalid label name: ", name);
    } else if (!IsValidUtf8(value)) {
      problem = absl::StrCat("invalid label value: ", value);
    }
    if (problem.empty()) continue;
    if (rule != nullptr) {
      rule->Error(key, problem);
    } else {
      diag->Error(key, problem);
    }
  }
}

void DecodeRule(const YamlNode& node, const RuleFileOptions& options,
                const std::string& group, int index, Diagnostics* diag,
                RuleSpec* rule) {
  rule->line = node.line;
  rule->column = node.column;
  MapDecoder map(node, "rule", diag);
  const YamlNode* record = map.Take("record");
  const YamlNode* alert = map.Take("alert");
  if (record != nullptr) yaml::DecodeString(*record, diag, &rule->record);
  if (alert != nullptr) yaml::DecodeString(*alert, diag, &rule->alert);
  RuleContext ctx{diag, &group, index, rule->name()};
  if (!rule->record.empty() && !rule->alert.empty()) {
    ctx.Error(*record, "only one of 'record' and 'alert' must be set");
  } else if (rule->record.empty() && rule->alert.empty()) {
    ctx.Error(node, "one of 'record' or 'alert' must be set");
  }

  const YamlNode* expr = map.Take("expr");
  if (expr != nullptr) yaml::DecodeString(*expr, diag, &rule->expr);
  if (rule->expr.empty()) {
    ctx.Error(expr != nullptr ? *expr : node,
              "field 'expr' must be set in rule");
  } else {
    promql::ParseError error;
    promql::ExprPtr parsed =
        promql::ParseExprDetailed(rule->expr, promql::ParseOptions{}, &error);
    if (parsed == nullptr) {
      ctx.Error(*expr,
                absl::StrCat("could not parse expression: ", error.ToString()));
    } else {
      rule->parsed = std::move(parsed);
    }
  }
  const YamlNode* for_node = map.Take("for");
  if (for_node != nullptr) DecodeDuration(*for_node, diag, &rule->for_duration);
  const YamlNode* keep = map.Take("keep_firing_for");
  if (keep != nullptr) DecodeDuration(*keep, diag, &rule->keep_firing_for);
  if (const YamlNode* n = map.Take("labels")) {
    DecodeLabelMap(*n, /*annotations=*/false, &ctx, diag, &rule->labels);
  }
  const YamlNode* annotations = map.Take("annotations");
  if (annotations != nullptr) {
    DecodeLabelMap(*annotations, /*annotations=*/true, &ctx, diag,
                   &rule->annotations);
  }

  if (!rule->record.empty()) {
    if (annotations != nullptr && !rule->annotations.empty()) {
      ctx.Error(*annotations, "invalid field 'annotations' in recording rule");
    }
    if (for_node != nullptr && rule->for_duration != absl::ZeroDuration()) {
      ctx.Error(*for_node, "invalid field 'for' in recording rule");
    }
    if (keep != nullptr && rule->keep_firing_for != absl::ZeroDuration()) {
      ctx.Error(*keep, "invalid field 'keep_firing_for' in recording rule");
    }
    if (!IsValidMetricName(rule->record, NameValidation::kLegacy)) {
      ctx.Error(*record,
                absl::StrCat("invalid recording rule name: ", rule->record));
    }
  }
  if (rule->is_alert() && options.check_template) {
    auto check = [&](const LabelList& list, const YamlNode* at) {
      for (size_t i = 0; i < list.size(); ++i) {
        absl::Status s = options.check_template(rule->alert, list[i].second);
        if (!s.ok()) ctx.Error(at->entries[i].second, s.message());
      }
    };
    if (const YamlNode* l = node.Find("labels"); l != nullptr) {
      check(rule->labels, l);
    }
    if (annotations != nullptr) check(rule->annotations, annotations);
  }
}

void DecodeGroup(const YamlNode& node, const RuleFileOptions& options,
                 Diagnostics* diag, RuleGroupSpec* group) {
  group->line = node.line;
  group->column = node.column;
  MapDecoder map(node, "rule group", diag);
  const YamlNode* name = map.Take("name");
  if (name != nullptr) yaml::DecodeString(*name, diag, &group->name);
  if (group->name.empty()) {
    diag->Error(name != nullptr ? *name : node, "Groupname must not be empty");
  }
  if (const YamlNode* n = map.Take("interval")) {
    DecodeDuration(*n, diag, &group->interval);
  }
  if (const YamlNode* n = map.Take("query_offset")) {
    DecodeDuration(*n, diag, &group->query_offset);
  }
  if (const YamlNode* n = map.Take("limit")) {
    if (yaml::DecodeInt64(*n, diag, &group->limit) && group->limit < 0) {
      diag->Error(*n, "limit must not be negative");
    }
  }
  if (const YamlNode* n = map.Take("labels")) {
    DecodeLabelMap(*n, /*annotations=*/false, nullptr, diag, &group->labels);
  }
  const YamlNode* rules = map.Take("rules");
  if (rules == nullptr || rules->IsNull()) return;
  if (rules->kind != YamlNode::Kind::kSequence) {
    diag->Error(*rules, "rules must be a list");
    return;
  }
  for (size_t i = 0; i < rules->items.size(); ++i) {
    group->rules.emplace_back();
    DecodeRule(rules->items[i], options, group->name, static_cast<int>(i) + 1,
               diag, &group->rules.back());
  }
}

}  // namespace

int RuleFileSpec::num_rules() const {
  int n = 0;
  for (const RuleGroupSpec& g : groups) n += static_cast<int>(g.rules.size());
  return n;
}

absl::StatusOr<RuleFileSpec> ParseRuleFile(absl::string_view text,
                                           absl::string_view path,
                                           const RuleFileOptions& options) {
  FR_ASSIGN_OR_RETURN(YamlNode root, yaml::ParseYaml(text, path));
  RuleFileSpec file;
  file.path = std::string(path);
  Diagnostics diag{std::string(path)};
  {
    MapDecoder map(root, "rule file", &diag);
    const YamlNode* groups = map.Take("groups");
    if (groups != nullptr && !groups->IsNull() &&
        groups->kind != YamlNode::Kind::kSequence) {
      diag.Error(*groups, "groups must be a list");
    } else if (groups != nullptr) {
      absl::flat_hash_map<std::string, int> seen;
      for (const YamlNode& g : groups->items) {
        file.groups.emplace_back();
        RuleGroupSpec& group = file.groups.back();
        DecodeGroup(g, options, &diag, &group);
        if (group.name.empty()) continue;
        auto [it, inserted] = seen.emplace(group.name, g.line);
        if (!inserted) {
          const YamlNode* name = g.Find("name");
          diag.Error(name != nullptr ? *name : g,
                     absl::StrCat("groupname: \"", group.name,
                                  "\" is repeated in the same file"));
        }
      }
    }
  }
  FR_RETURN_IF_ERROR(diag.ToStatus());
  return file;
}

absl::StatusOr<RuleFileSpec> LoadRuleFile(const std::string& path,
                                          const RuleFileOptions& options) {
  std::ifstream in(path, std::ios::binary);
  if (!in) {
    return absl::NotFoundError(
        absl::StrCat(path, ": cannot read rule file: ", strerror(errno)));
  }
  std::stringstream text;
  text << in.rdbuf();
  return ParseRuleFile(text.str(), path, options);
}

}  // namespace fraisier::rules
