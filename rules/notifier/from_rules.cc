#include "rules/notifier/from_rules.h"

#include <string>

namespace fraisier::notifier {

std::vector<Alert> FromRuleAlerts(absl::Span<const rules::Alert> alerts,
                                  absl::string_view expr,
                                  absl::string_view external_url) {
  const std::string generator_url = GeneratorUrl(external_url, expr);
  std::vector<Alert> out;
  out.reserve(alerts.size());
  for (const rules::Alert& a : alerts) {
    Alert n;
    n.labels = a.labels;
    n.annotations = a.annotations;
    n.starts_at = a.fired_at;
    // rules::Alert marks "not resolved" with the zero absl::Time.
    n.ends_at = a.resolved_at != absl::Time() ? a.resolved_at : a.valid_until;
    n.generator_url = generator_url;
    out.push_back(std::move(n));
  }
  return out;
}

}  // namespace fraisier::notifier
