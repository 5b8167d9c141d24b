// Binds alert templates (rules/template) to rule evaluation: compiles each
// label and annotation template once, expands it with the alert's labels,
// value, the external labels and URL, and lets `query` run PromQL at the
// evaluation time.
#ifndef RULES_TEMPLATE_EXPANDER_H_
#define RULES_TEMPLATE_EXPANDER_H_

#include <functional>
#include <string>

#include "absl/status/status.h"
#include "absl/strings/string_view.h"
#include "engine/model/labels.h"
#include "rules/alerting_rule.h"

namespace fraisier::rules {

struct ExpanderSettings {
  Labels external_labels;
  std::string external_url;
};

// `settings` is read at every expansion (so a reload's new external labels
// apply at once); `query` runs template queries. Thread-safe: groups
// expand concurrently; compiled templates are cached under a mutex.
ExpandFunc MakeTemplateExpander(std::function<ExpanderSettings()> settings,
                                QueryFunc query);

// For RuleFileOptions::check_template: Prometheus's parse check with its
// header and error text ("template: __alert_X:1: ...").
absl::Status CheckTemplate(absl::string_view alert_name,
                           absl::string_view text);

}  // namespace fraisier::rules

#endif  // RULES_TEMPLATE_EXPANDER_H_
