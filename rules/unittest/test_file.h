// Rule unit-test files in promtool's format (`promtool test rules`), with
// the keys of newer promtool versions and two assertions of ours:
//
//   rule_files: [alerts.yml, "more/*.yml"]   # globs, relative to this file
//   evaluation_interval: 1m                  # default 1m
//   group_eval_order: [first, second]
//   fuzzy_compare: false                     # newer than promtool 2.42
//   tests:
//     - name: down
//       interval: 1m                         # of the input series
//       start_timestamp: 1700000000          # or RFC3339; newer than 2.42
//       external_labels: {cluster: eu1}
//       external_url: http://ruler.example
//       input_series:
//         - series: up{job="api"}
//           values: 1 1 0x10
//       alert_rule_test:
//         - eval_time: 10m
//           alertname: InstanceDown
//           exp_alerts: [{exp_labels: {job: api}, exp_annotations: {...}}]
//           exp_pending_alerts: [...]          # ours
//           exp_resolved_alerts: [...]         # ours
//       promql_expr_test:
//         - expr: up == 0
//           eval_time: 5m
//           exp_samples: [{labels: 'up{job="api"}', value: 0}]
//
// Decoding is strict as promtool's yaml.v2 UnmarshalStrict: unknown keys,
// repeated keys and values of the wrong type are errors, each reported as
// `file:line:col: message`, all at once.
#ifndef RULES_UNITTEST_TEST_FILE_H_
#define RULES_UNITTEST_TEST_FILE_H_

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "rules/rulefile/rule_file.h"

namespace fraisier::rules::unittest {

struct InputSeries {
  std::string series;  // a label set, e.g. up{job="api"}
  std::string values;  // the expanding notation, e.g. 1+1x10 _ stale
  int line = 0;
  int column = 0;
};

// One expected alert. Empty label values are kept as written: such a
// label never matches (as in promtool), since alerts carry none.
struct ExpectedAlert {
  LabelList labels;
  LabelList annotations;
};

struct AlertTestCase {
  int64_t eval_time_ms = 0;
  std::string alertname;
  std::vector<ExpectedAlert> exp_alerts;  // the firing alerts
  // Our extensions: checked only when given (an empty list asserts none).
  std::optional<std::vector<ExpectedAlert>> exp_pending_alerts;
  std::optional<std::vector<ExpectedAlert>> exp_resolved_alerts;
  int line = 0;
  int column = 0;
};

struct ExpectedSample {
  std::string labels;  // series notation; empty for a scalar result
  double value = 0;
  int line = 0;
  int column = 0;
};

struct PromqlTestCase {
  std::string expr;
  int64_t eval_time_ms = 0;
  std::vector<ExpectedSample> exp_samples;
  int line = 0;
  int column = 0;
};

struct TestGroup {
  std::string name;
  // Spacing of the input samples. Absent means zero, as promtool 2.42
  // reads it: every value of a series lands at the start time (the first
  // one wins). Newer promtool defaults to evaluation_interval.
  int64_t interval_ms = 0;
  bool interval_given = false;
  int64_t start_ms = 0;  // start_timestamp, Unix milliseconds
  std::vector<InputSeries> input_series;
  std::vector<AlertTestCase> alert_rule_tests;
  std::vector<PromqlTestCase> promql_expr_tests;
  LabelList external_labels;
  std::string external_url;
  int line = 0;
  int column = 0;
};

struct TestFile {
  std::string path;
  std::vector<std::string> rule_files;      // as written (globs)
  int64_t evaluation_interval_ms = 60'000;  // zero or absent: 1m
  std::vector<std::string> group_eval_order;
  bool fuzzy_compare = false;
  std::vector<TestGroup> tests;
};

// Decodes `text` read from `path`. On failure: InvalidArgument with one
// `path:line:col: message` per line.
absl::StatusOr<TestFile> ParseTestFile(absl::string_view text,
                                       absl::string_view path);
// Reads and decodes `path`; a file that cannot be read is NotFound.
absl::StatusOr<TestFile> LoadTestFile(const std::string& path);

}  // namespace fraisier::rules::unittest

#endif  // RULES_UNITTEST_TEST_FILE_H_
