#include "rules/alerting_rule.h"

#include <algorithm>

#include "absl/container/flat_hash_set.h"
#include "absl/strings/str_cat.h"

namespace fraisier::rules {
namespace {

constexpr absl::string_view kAlertNameLabel = "alertname";
constexpr absl::string_view kAlertStateLabel = "alertstate";

// Rule labels win over group labels of the same name.
LabelList MergeLabels(const LabelList& group, const LabelList& rule) {
  LabelList out = rule;
  for (const auto& [name, value] : group) {
    bool overridden = false;
    for (const auto& [n, v] : rule) overridden = overridden || n == name;
    if (!overridden) out.emplace_back(name, value);
  }
  return out;
}

double UnixSeconds(absl::Time t) {
  return static_cast<double>(absl::ToUnixSeconds(t));
}

// Prometheus's RestoreForState arithmetic: the time the process was down
// does not count as pending time; an alert that had little pending time
// left waits at least `grace`.
absl::Time RestoredActiveAt(const ForState& old, absl::Time ts,
                            absl::Duration hold, absl::Duration grace) {
  const absl::Duration spent_pending = old.sample_time - old.active_at;
  const absl::Duration remaining = hold - spent_pending;
  if (remaining <= absl::ZeroDuration()) return old.active_at;
  if (remaining < grace) return ts + grace - hold;
  return old.active_at + (ts - old.sample_time);
}

}  // namespace

absl::string_view AlertStateName(AlertState state) {
  switch (state) {
    case AlertState::kInactive:
      return "inactive";
    case AlertState::kPending:
      return "pending";
    case AlertState::kFiring:
      return "firing";
  }
  return "unknown";
}

bool Alert::NeedsSending(absl::Time ts, absl::Duration resend_delay) const {
  if (state == AlertState::kPending) return false;
  // A resolve that happened after the last send must go out.
  if (resolved_at > last_sent_at) return true;
  return last_sent_at + resend_delay < ts;
}

AlertingRule::AlertingRule(const RuleSpec& spec, const LabelList& group_labels)
    : name_(spec.alert),
      expr_text_(spec.expr),
      expr_(spec.parsed),
      for_(spec.for_duration),
      keep_firing_for_(spec.keep_firing_for),
      labels_(MergeLabels(group_labels, spec.labels)),
      annotations_(spec.annotations) {}

absl::StatusOr<promql::Vector> AlertingRule::Eval(
    absl::Time ts, const QueryFunc& query, const ExpandFunc& expand,
    int64_t limit, const RestoreFunc* restore, absl::Duration grace) {
  absl::StatusOr<promql::Vector> result = query(*expr_, ts);
  if (!result.ok()) return result.status();

  // The alerts this evaluation produces, by label-set hash.
  absl::flat_hash_map<uint64_t, Alert> current;
  for (const promql::VectorSample& sample : *result) {
    LabelsBuilder series(sample.metric);
    series.Del(kMetricNameLabel);
    const Labels series_labels = series.Build();
    // Templates see the sample's own labels, __name__ included when the
    // expression kept it (as Prometheus passes smpl.Metric).
    const TemplateContext ctx{name_, &sample.metric, sample.f, ts};
    auto expand_text = [&](absl::string_view text) {
      return expand ? expand(text, ctx) : std::string(text);
    };
    LabelsBuilder builder(series_labels);
    for (const auto& [name, value] : labels_) {
      builder.Set(name, expand_text(value));
    }
    builder.Set(kAlertNameLabel, name_);
    Alert alert;
    alert.labels = builder.Build();
    for (const auto& [name, value] : annotations_) {
      alert.annotations.emplace_back(name, expand_text(value));
    }
    alert.value = sample.f;
    alert.active_at = ts;
    alert.state = AlertState::kPending;
    const uint64_t h = alert.labels.Hash();
    if (!current.emplace(h, std::move(alert)).second) {
      return absl::InvalidArgumentError(
          "vector contains metrics with the same labelset after applying "
          "alert labels");
    }
  }

  std::lock_guard<std::mutex> lock(mu_);
  for (auto& [h, alert] : current) {
    auto it = active_.find(h);
    if (it != active_.end() && it->second.state != AlertState::kInactive) {
      it->second.value = alert.value;
      it->second.annotations = std::move(alert.annotations);
      continue;
    }
    if (restore != nullptr && for_ >= grace) {
      if (std::optional<ForState> old = (*restore)(alert.labels)) {
        alert.active_at = RestoredActiveAt(*old, ts, for_, grace);
      }
    }
    active_[h] = std::move(alert);
  }

  promql::Vector out;
  int64_t active_or_pending = 0;
  std::vector<uint64_t> remove;
  for (auto& [h, a] : active_) {
    if (!current.contains(h)) {
      bool keep_firing = false;
      if (a.state == AlertState::kFiring &&
          keep_firing_for_ > absl::ZeroDuration()) {
        if (a.keep_firing_since == absl::Time()) a.keep_firing_since = ts;
        keep_firing = ts - a.keep_firing_since < keep_firing_for_;
      }
      // A pending alert just goes; a resolved one is kept for a while so
      // Alertmanager hears about the resolution.
      if (a.state == AlertState::kPending ||
          (a.resolved_at != absl::Time() &&
           ts - a.resolved_at > kResolvedRetention)) {
        remove.push_back(h);
      }
      if (a.state != AlertState::kInactive && !keep_firing) {
        a.state = AlertState::kInactive;
        a.resolved_at = ts;
      }
      if (!keep_firing) continue;
    } else {
      a.keep_firing_since = absl::Time();
    }
    ++active_or_pending;
    if (a.state == AlertState::kPending && ts - a.active_at >= for_) {
      a.state = AlertState::kFiring;
      a.fired_at = ts;
    }
    const Timestamp t = absl::ToUnixMillis(ts);
    LabelsBuilder alerts_series(a.labels);
    alerts_series.Set(kMetricNameLabel, "ALERTS");
    alerts_series.Set(kAlertStateLabel, AlertStateName(a.state));
    out.push_back({alerts_series.Build(), t, 1.0, false});
    LabelsBuilder for_state(a.labels);
    for_state.Set(kMetricNameLabel, "ALERTS_FOR_STATE");
    out.push_back({for_state.Build(), t, UnixSeconds(a.active_at), false});
  }
  for (uint64_t h : remove) active_.erase(h);

  if (limit > 0 && active_or_pending > limit) {
    active_.clear();
    return absl::ResourceExhaustedError(absl::StrCat(
        "exceeded limit of ", limit, " with ", active_or_pending, " alerts"));
  }
  return out;
}

std::vector<Alert> AlertingRule::TakeAlertsToSend(absl::Time ts,
                                                  absl::Duration resend_delay,
                                                  absl::Duration interval) {
  std::vector<Alert> out;
  std::lock_guard<std::mutex> lock(mu_);
  for (auto& [h, a] : active_) {
    if (!a.NeedsSending(ts, resend_delay)) continue;
    a.last_sent_at = ts;
    a.valid_until = ts + 4 * std::max(interval, resend_delay);
    out.push_back(a);
  }
  return out;
}

std::vector<Alert> AlertingRule::ActiveAlerts() const {
  std::vector<Alert> out;
  std::lock_guard<std::mutex> lock(mu_);
  for (const auto& [h, a] : active_) out.push_back(a);
  std::sort(out.begin(), out.end(),
            [](const Alert& x, const Alert& y) { return x.labels < y.labels; });
  return out;
}

AlertState AlertingRule::State() const {
  AlertState state = AlertState::kInactive;
  std::lock_guard<std::mutex> lock(mu_);
  for (const auto& [h, a] : active_) {
    if (static_cast<int>(a.state) > static_cast<int>(state)) state = a.state;
  }
  return state;
}

void AlertingRule::RestoreActiveAt(const Labels& alert_labels,
                                   absl::Time active_at) {
  std::lock_guard<std::mutex> lock(mu_);
  auto it = active_.find(alert_labels.Hash());
  if (it == active_.end() || it->second.state == AlertState::kInactive) {
    return;
  }
  it->second.active_at = active_at;
}

}  // namespace fraisier::rules
