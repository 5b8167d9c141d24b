// Turns the rules engine's alerts into notifier alerts, as Prometheus's
// rules.SendAlerts does: startsAt is when the alert started firing, endsAt
// its resolve time or, while it fires, the valid_until the rule set when it
// marked the alert sent (eval time + 4 * max(interval, resend delay)).
#ifndef RULES_NOTIFIER_FROM_RULES_H_
#define RULES_NOTIFIER_FROM_RULES_H_

#include <vector>

#include "absl/strings/string_view.h"
#include "absl/types/span.h"
#include "rules/alerting_rule.h"
#include "rules/notifier/alert.h"

namespace fraisier::notifier {

// `expr` is the rule's expression text, `external_url` the ruler's
// --web.external-url; together they make the generatorURL (empty
// external_url: relative "/graph?..." link, as Prometheus with an empty
// URL would send).
std::vector<Alert> FromRuleAlerts(absl::Span<const rules::Alert> alerts,
                                  absl::string_view expr,
                                  absl::string_view external_url);

}  // namespace fraisier::notifier

#endif  // RULES_NOTIFIER_FROM_RULES_H_
