#include "rules/unittest/test_file.h"

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <fstream>
#include <sstream>
#include <utility>
#include <vector>

#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/strings/str_split.h"
#include "absl/strings/strip.h"
#include "engine/base/status_macros.h"
#include "engine/yaml/decode.h"
#include "engine/yaml/yaml.h"
#include "rules/unittest/yaml_values.h"

namespace fraisier::rules::unittest {
namespace {

using yaml::Diagnostics;
using yaml::MapDecoder;
using yaml::YamlNode;

// Calls `each` for every item of a list; null is the empty list.
template <typename Fn>
void ForEachItem(const YamlNode* node, absl::string_view what,
                 Diagnostics* diag, Fn each) {
  if (node == nullptr || node->IsNull()) return;
  if (node->kind != YamlNode::Kind::kSequence) {
    diag->Error(*node,
                absl::StrCat("cannot unmarshal ", yaml::KindName(node->kind),
                             " into ", what, " (expected a list)"));
    return;
  }
  for (const YamlNode& item : node->items) each(item);
}

void DecodeStringField(MapDecoder& map, absl::string_view key,
                       Diagnostics* diag, std::string* out) {
  if (const YamlNode* n = map.Take(key)) yaml::DecodeString(*n, diag, out);
}

std::vector<ExpectedAlert> DecodeAlerts(const YamlNode* node,
                                        absl::string_view what,
                                        Diagnostics* diag) {
  std::vector<ExpectedAlert> out;
  ForEachItem(node, what, diag, [&](const YamlNode& item) {
    MapDecoder map(item, "alert", diag);
    ExpectedAlert alert;
    if (const YamlNode* n = map.Take("exp_labels")) {
      yaml::DecodeStringMap(*n, diag, &alert.labels);
    }
    if (const YamlNode* n = map.Take("exp_annotations")) {
      yaml::DecodeStringMap(*n, diag, &alert.annotations);
    }
    out.push_back(std::move(alert));
  });
  return out;
}

AlertTestCase DecodeAlertTest(const YamlNode& node, Diagnostics* diag) {
  AlertTestCase test;
  test.line = node.line;
  test.column = node.column;
  MapDecoder map(node, "alert_rule_test", diag);
  if (const YamlNode* n = map.Take("eval_time")) {
    DecodeDurationMs(*n, diag, &test.eval_time_ms);
  }
  DecodeStringField(map, "alertname", diag, &test.alertname);
  test.exp_alerts = DecodeAlerts(map.Take("exp_alerts"), "exp_alerts", diag);
  if (const YamlNode* n = map.Take("exp_pending_alerts")) {
    test.exp_pending_alerts = DecodeAlerts(n, "exp_pending_alerts", diag);
  }
  if (const YamlNode* n = map.Take("exp_resolved_alerts")) {
    test.exp_resolved_alerts = DecodeAlerts(n, "exp_resolved_alerts", diag);
  }
  return test;
}

PromqlTestCase DecodePromqlTest(const YamlNode& node, Diagnostics* diag) {
  PromqlTestCase test;
  test.line = node.line;
  test.column = node.column;
  MapDecoder map(node, "promql_expr_test", diag);
  DecodeStringField(map, "expr", diag, &test.expr);
  if (const YamlNode* n = map.Take("eval_time")) {
    DecodeDurationMs(*n, diag, &test.eval_time_ms);
  }
  ForEachItem(map.Take("exp_samples"), "exp_samples", diag,
              [&](const YamlNode& item) {
                MapDecoder sample_map(item, "sample", diag);
                ExpectedSample sample;
                sample.line = item.line;
                sample.column = item.column;
                DecodeStringField(sample_map, "labels", diag, &sample.labels);
                if (const YamlNode* n = sample_map.Take("value")) {
                  DecodeFloat(*n, diag, &sample.value);
                }
                test.exp_samples.push_back(std::move(sample));
              });
  return test;
}

TestGroup DecodeTestGroup(const YamlNode& node, Diagnostics* diag) {
  TestGroup group;
  group.line = node.line;
  group.column = node.column;
  MapDecoder map(node, "test group", diag);
  DecodeStringField(map, "name", diag, &group.name);
  if (const YamlNode* n = map.Take("interval")) {
    group.interval_given = !n->IsNull();
    DecodeDurationMs(*n, diag, &group.interval_ms);
  }
  if (const YamlNode* n = map.Take("start_timestamp")) {
    DecodeTimestampMs(*n, diag, &group.start_ms);
  }
  ForEachItem(map.Take("input_series"), "input_series", diag,
              [&](const YamlNode& item) {
                MapDecoder series_map(item, "series", diag);
                InputSeries series;
                series.line = item.line;
                series.column = item.column;
                DecodeStringField(series_map, "series", diag, &series.series);
                DecodeStringField(series_map, "values", diag, &series.values);
                group.input_series.push_back(std::move(series));
              });
  ForEachItem(map.Take("alert_rule_test"), "alert_rule_test", diag,
              [&](const YamlNode& item) {
                group.alert_rule_tests.push_back(DecodeAlertTest(item, diag));
              });
  ForEachItem(map.Take("promql_expr_test"), "promql_expr_test", diag,
              [&](const YamlNode& item) {
                group.promql_expr_tests.push_back(DecodePromqlTest(item, diag));
              });
  if (const YamlNode* n = map.Take("external_labels")) {
    yaml::DecodeStringMap(*n, diag, &group.external_labels);
  }
  DecodeStringField(map, "external_url", diag, &group.external_url);
  return group;
}

// The errors in file order (nested mappings report theirs first).
absl::Status SortedErrors(const Diagnostics& diag) {
  if (diag.ok()) return absl::OkStatus();
  auto position = [&diag](const std::string& error) {
    std::pair<int, int> pos{0, 0};
    absl::string_view rest = error;
    if (!absl::ConsumePrefix(&rest, diag.filename()) ||
        !absl::ConsumePrefix(&rest, ":")) {
      return pos;
    }
    std::vector<absl::string_view> parts = absl::StrSplit(rest, ':');
    if (parts.size() < 2 || !absl::SimpleAtoi(parts[0], &pos.first) ||
        !absl::SimpleAtoi(parts[1], &pos.second)) {
      return std::pair<int, int>{0, 0};
    }
    return pos;
  };
  std::vector<std::string> errors = diag.errors();
  std::stable_sort(errors.begin(), errors.end(),
                   [&](const std::string& a, const std::string& b) {
                     return position(a) < position(b);
                   });
  return absl::InvalidArgumentError(absl::StrJoin(errors, "\n"));
}

}  // namespace

absl::StatusOr<TestFile> ParseTestFile(absl::string_view text,
                                       absl::string_view path) {
  FR_ASSIGN_OR_RETURN(YamlNode root, yaml::ParseYaml(text, path));
  TestFile file;
  file.path = std::string(path);
  Diagnostics diag{std::string(path)};
  {
    MapDecoder map(root, "unit test file", &diag);
    if (const YamlNode* n = map.Take("rule_files")) {
      yaml::DecodeStringList(*n, &diag, &file.rule_files);
    }
    if (const YamlNode* n = map.Take("evaluation_interval")) {
      DecodeDurationMs(*n, &diag, &file.evaluation_interval_ms);
    }
    // promtool treats a zero interval as absent.
    if (file.evaluation_interval_ms == 0) file.evaluation_interval_ms = 60'000;
    if (const YamlNode* n = map.Take("group_eval_order")) {
      yaml::DecodeStringList(*n, &diag, &file.group_eval_order);
    }
    if (const YamlNode* n = map.Take("fuzzy_compare")) {
      yaml::DecodeBool(*n, &diag, &file.fuzzy_compare);
    }
    ForEachItem(map.Take("tests"), "tests", &diag, [&](const YamlNode& item) {
      file.tests.push_back(DecodeTestGroup(item, &diag));
    });
  }
  FR_RETURN_IF_ERROR(SortedErrors(diag));
  return file;
}

absl::StatusOr<TestFile> LoadTestFile(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) {
    return absl::NotFoundError(
        absl::StrCat(path, ": cannot read test file: ", strerror(errno)));
  }
  std::stringstream text;
  text << in.rdbuf();
  return ParseTestFile(text.str(), path);
}

}  // namespace fraisier::rules::unittest
