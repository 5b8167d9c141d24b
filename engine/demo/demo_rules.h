// The rule file the demo runs: the Fraisier rules with their waiting times
// shortened. The production rules wait `for: 5m` on a `interval: 1m`
// group; no alert can fire within the demo's first five minutes that way,
// so the demo caps every `for:` and group `interval:` (keeping shorter
// ones) and leaves everything else, expressions and windows included,
// byte for byte as it was.
#ifndef ENGINE_DEMO_DEMO_RULES_H_
#define ENGINE_DEMO_DEMO_RULES_H_

#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "absl/time/time.h"

namespace fraisier::demo {

struct RuleTimingCaps {
  absl::Duration max_for = absl::Minutes(1);
  absl::Duration max_interval = absl::Seconds(15);
};

// Rewrites the `for:`, `keep_firing_for:` and `interval:` lines of a rule
// file's text. A value that is not a duration is an error naming its line
// (`file:line: ...`); other lines are kept as they are.
absl::StatusOr<std::string> CapRuleTimings(absl::string_view text,
                                           absl::string_view file,
                                           const RuleTimingCaps& caps);

// A `ruler serve` configuration for the demo: evaluation every
// `caps.max_interval`, the given rule files, and one Alertmanager at
// `alertmanager` (host:port; empty: none).
std::string DemoConfig(const std::vector<std::string>& rule_files,
                       absl::string_view alertmanager,
                       const RuleTimingCaps& caps);

}  // namespace fraisier::demo

#endif  // ENGINE_DEMO_DEMO_RULES_H_
