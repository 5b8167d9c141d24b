// The alert labels a label or annotation template reads: `$labels.x`,
// `.Labels.x` and `index $labels "x"`, found in the template's parse tree.
#ifndef RULES_LINT_TEMPLATE_REFS_H_
#define RULES_LINT_TEMPLATE_REFS_H_

#include <string>
#include <vector>

#include "absl/strings/string_view.h"

namespace fraisier::rules::lint {

// The label names `text` reads from the alert's labels, in order of first
// use, without repeats. Empty when the template reads none, does not parse,
// or rebinds `$labels` (then what it reads is not the alert's labels).
std::vector<std::string> TemplateLabelRefs(absl::string_view text);

}  // namespace fraisier::rules::lint

#endif  // RULES_LINT_TEMPLATE_REFS_H_
