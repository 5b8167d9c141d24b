// An alerting rule and the state of its alerts, as the Alert Generator
// Compliance Specification and Prometheus's rules/alerting.go define them:
//
//   inactive --(expression returns the series)--> pending
//   pending  --(held for `for`)--> firing          (for: 0 fires at once)
//   pending  --(series gone)--> deleted
//   firing   --(series gone, after keep_firing_for)--> inactive (resolved),
//            kept 15 minutes so Alertmanager hears it resolved, then deleted.
//
// Evaluation time is always a parameter; nothing here reads a clock.
#ifndef RULES_ALERTING_RULE_H_
#define RULES_ALERTING_RULE_H_

#include <cstdint>
#include <functional>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

#include "absl/container/flat_hash_map.h"
#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "engine/model/labels.h"
#include "promql/ast.h"
#include "promql/value.h"
#include "rules/rulefile/rule_file.h"

namespace fraisier::rules {

enum class AlertState { kInactive, kPending, kFiring };
absl::string_view AlertStateName(AlertState state);  // "inactive", ...

struct Alert {
  AlertState state = AlertState::kInactive;
  Labels labels;          // alert labels incl. alertname
  LabelList annotations;  // expanded
  double value = 0;
  absl::Time active_at;          // when it first became pending
  absl::Time fired_at;           // zero until firing
  absl::Time resolved_at;        // zero until resolved
  absl::Time last_sent_at;       // zero until sent
  absl::Time valid_until;        // endsAt of the last send
  absl::Time keep_firing_since;  // zero unless kept by keep_firing_for

  // Prometheus's needsSending: pending alerts never; a resolve not yet
  // sent always; otherwise once resend_delay has passed.
  bool NeedsSending(absl::Time ts, absl::Duration resend_delay) const;
};

// Runs the rule's query at an evaluation time: the rules engine binds it to
// the PromQL engine and the store.
using QueryFunc = std::function<absl::StatusOr<promql::Vector>(
    const promql::Expr& expr, absl::Time ts)>;

// Expands one label or annotation template for one alert. On a template
// error it returns the text Prometheus stores instead (the error message).
// Unset: templates are used verbatim.
struct TemplateContext {
  absl::string_view alert_name;
  const Labels* labels;  // the sample's labels (with __name__ if kept)
  double value;
  absl::Time ts;
};
using ExpandFunc =
    std::function<std::string(absl::string_view text, const TemplateContext&)>;

// Looks up the active time an alert had before a restart (the last
// ALERTS_FOR_STATE sample within the outage tolerance): returns the
// sample's time and value (the old activeAt, in seconds), or nullopt.
struct ForState {
  absl::Time sample_time;
  absl::Time active_at;
};
using RestoreFunc = std::function<std::optional<ForState>(const Labels&)>;

// Thread-safety: Eval and the accessors may be called from different
// threads (the group's evaluation and the API); a mutex guards the alerts.
// Invariants: at most one alert per label set; a pending alert's
// active_at <= the last evaluation time; resolved alerts are inactive.
class AlertingRule {
 public:
  static constexpr absl::Duration kResolvedRetention = absl::Minutes(15);

  AlertingRule(const RuleSpec& spec, const LabelList& group_labels);

  // Evaluates at `ts`; returns the ALERTS and ALERTS_FOR_STATE samples to
  // write back. `limit` > 0 caps firing+pending alerts: over it every
  // alert is dropped and the evaluation fails, as Prometheus does.
  //
  // With `restore` (the first evaluation after a start), new alerts take
  // their activeAt from before the restart, adjusted as Prometheus does
  // (time spent down does not count towards `for`, and an alert close to
  // firing waits at least `grace`). Deviation from Prometheus, on purpose:
  // an alert whose restored time already satisfies `for` is firing in this
  // very evaluation, so ALERTS shows no pending blip after a restart.
  absl::StatusOr<promql::Vector> Eval(absl::Time ts, const QueryFunc& query,
                                      const ExpandFunc& expand, int64_t limit,
                                      const RestoreFunc* restore = nullptr,
                                      absl::Duration grace = absl::Minutes(10));

  // Alerts to send at `ts` (marking them sent, with valid_until set to
  // ts + 4 * max(interval, resend_delay)).
  std::vector<Alert> TakeAlertsToSend(absl::Time ts,
                                      absl::Duration resend_delay,
                                      absl::Duration interval);

  std::vector<Alert> ActiveAlerts() const;  // pending, firing, resolved
  AlertState State() const;                 // the "highest" state

  // Restores the active time of a firing or pending alert found in
  // ALERTS_FOR_STATE after a restart.
  void RestoreActiveAt(const Labels& alert_labels, absl::Time active_at);

  const std::string& name() const { return name_; }
  const std::string& expr_text() const { return expr_text_; }
  const promql::Expr& expr() const { return *expr_; }
  absl::Duration hold_duration() const { return for_; }
  absl::Duration keep_firing_for() const { return keep_firing_for_; }
  const LabelList& labels() const { return labels_; }
  const LabelList& annotations() const { return annotations_; }

 private:
  const std::string name_;
  const std::string expr_text_;
  const std::shared_ptr<const promql::Expr> expr_;
  const absl::Duration for_;
  const absl::Duration keep_firing_for_;
  const LabelList labels_;  // rule labels over group labels
  const LabelList annotations_;

  mutable std::mutex mu_;
  absl::flat_hash_map<uint64_t, Alert> active_;  // guarded by mu_
};

}  // namespace fraisier::rules

#endif  // RULES_ALERTING_RULE_H_
