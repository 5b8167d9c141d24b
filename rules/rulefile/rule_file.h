// Prometheus rule files: loading and validation.
//
//   groups:
//     - name: fraisier
//       interval: 30s          # default: the global evaluation_interval
//       limit: 0               # most alerts/series a rule may produce
//       query_offset: 0s
//       labels: {team: x}      # added to every rule of the group
//       rules:
//         - alert: HighDeploymentFailureRate
//           expr: ...
//           for: 5m
//           keep_firing_for: 0s
//           labels: {severity: critical}
//           annotations: {summary: "..."}
//         - record: job:requests:rate5m
//           expr: ...
//
// Validation follows Prometheus's rulefmt (names, `for` and annotations
// only on alerts, expressions parse, templates parse, duplicate groups,
// unknown keys) and reports every problem at once, each as
// `file:line:col: group "g", rule N, "name": message`.
#ifndef RULES_RULEFILE_RULE_FILE_H_
#define RULES_RULEFILE_RULE_FILE_H_

#include <functional>
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "absl/time/time.h"
#include "promql/ast.h"

namespace fraisier::rules {

using LabelList = std::vector<std::pair<std::string, std::string>>;

struct RuleSpec {
  std::string record;  // exactly one of record and alert is set
  std::string alert;
  std::string expr;
  std::shared_ptr<const promql::Expr> parsed;  // expr, parsed
  absl::Duration for_duration;
  absl::Duration keep_firing_for;
  LabelList labels;       // in file order
  LabelList annotations;  // in file order
  int line = 0;           // of the rule's first key
  int column = 0;

  bool is_alert() const { return !alert.empty(); }
  const std::string& name() const { return is_alert() ? alert : record; }
};

struct RuleGroupSpec {
  std::string name;
  absl::Duration interval;  // zero: the global evaluation_interval
  int64_t limit = 0;        // zero: no limit
  absl::Duration query_offset;
  LabelList labels;
  std::vector<RuleSpec> rules;
  int line = 0;
  int column = 0;
};

struct RuleFileSpec {
  std::string path;
  std::vector<RuleGroupSpec> groups;

  int num_rules() const;
};

struct RuleFileOptions {
  // Checks one annotation or label template (e.g. that it parses); an error
  // is reported against the template's position. Unset: not checked.
  std::function<absl::Status(absl::string_view alert_name,
                             absl::string_view text)>
      check_template;
};

// Parses and validates `text` read from `path`. On failure the status is
// InvalidArgument with one error per line.
absl::StatusOr<RuleFileSpec> ParseRuleFile(absl::string_view text,
                                           absl::string_view path,
                                           const RuleFileOptions& options = {});
absl::StatusOr<RuleFileSpec> LoadRuleFile(const std::string& path,
                                          const RuleFileOptions& options = {});

}  // namespace fraisier::rules

#endif  // RULES_RULEFILE_RULE_FILE_H_
