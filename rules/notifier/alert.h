// The alert the notifier sends to Alertmanager, and the rules that shape
// it on the wire: Prometheus 2.42's endsAt rule, its generatorURL and the
// exact JSON body of `POST /api/v2/alerts`.
//
// The body is Alertmanager's PostableAlert as Go marshals it (checked
// byte for byte against Prometheus 2.42 sending to a capture server):
//
//   [{"annotations":{"summary":"x"},"endsAt":"2026-11-24T05:09:45.632Z",
//     "startsAt":"2026-11-24T05:09:31.632Z",
//     "generatorURL":"http://h:9090/graph?g0.expr=up\u0026g0.tab=1",
//     "labels":{"alertname":"A","cluster":"c1"}}]
//
// Keys in that order (go-swagger concatenates the two halves of the
// model), map keys sorted, Go's HTML-safe string escaping, times in UTC
// with exactly three fractional digits, "annotations" left out when there
// are none (an annotation with an empty value is kept), "generatorURL"
// left out when empty, "labels" always present.
#ifndef RULES_NOTIFIER_ALERT_H_
#define RULES_NOTIFIER_ALERT_H_

#include <memory>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "absl/strings/string_view.h"
#include "absl/time/time.h"
#include "absl/types/span.h"
#include "engine/model/labels.h"

namespace fraisier::notifier {

// Annotation name/value pairs in any order. Not Labels: an annotation whose
// template expanded to "" is still sent (as Prometheus does), and Labels
// drops empty values.
using Annotations = std::vector<std::pair<std::string, std::string>>;

struct Alert {
  Labels labels;  // identity; should include alertname
  Annotations annotations;
  // absl::InfinitePast() means unset and is written as Go's zero time
  // (0001-01-01T00:00:00.000Z), which Alertmanager reads as "not given".
  absl::Time starts_at = absl::InfinitePast();
  absl::Time ends_at = absl::InfinitePast();
  std::string generator_url;  // empty: the key is left out
};

// Prometheus's endsAt: a resolved alert ends at its resolve time; a firing
// one at eval_time + 4 * max(group_interval, resend_delay), so that when the
// ruler stops sending (crash, partition) Alertmanager resolves the alert by
// itself after four missed resends rather than never.
absl::Time AlertEndsAt(absl::Time eval_time,
                       std::optional<absl::Time> resolved_at,
                       absl::Duration group_interval,
                       absl::Duration resend_delay);

// Prometheus's generatorURL: external_url (trailing '/' removed) +
// "/graph?g0.expr=" + Go's url.QueryEscape(expr) + "&g0.tab=1".
std::string GeneratorUrl(absl::string_view external_url,
                         absl::string_view expr);

// Go's url.QueryEscape: bytes other than [A-Za-z0-9-_.~] as %XX (upper-case
// hex), space as '+'.
std::string QueryEscape(absl::string_view s);

// Go's strfmt.DateTime text in UTC: 2026-11-24T05:09:31.632Z (fractional
// seconds truncated to milliseconds, as Go's ".000" layout does). Times
// before year 1 (InfinitePast) give Go's zero time, times after 9999
// (InfiniteFuture) 9999-12-31T23:59:59.999Z.
std::string FormatAlertTime(absl::Time t);

// Appends one alert as a JSON object of the body above.
void AppendAlertJson(const Alert& alert, std::string* out);

// One alert's JSON object, encoded once and shared by every Alertmanager
// queue it goes to.
using EncodedAlert = std::shared_ptr<const std::string>;

EncodedAlert EncodeAlert(const Alert& alert);

// A whole request body: the JSON array of the encoded alerts.
std::string AlertsBody(absl::Span<const EncodedAlert> alerts);

}  // namespace fraisier::notifier

#endif  // RULES_NOTIFIER_ALERT_H_
