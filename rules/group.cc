#include "rules/group.h"

#include <chrono>
#include <optional>

#include "absl/strings/str_cat.h"
#include "engine/base/logging.h"
#include "engine/model/matcher.h"
#include "engine/model/value.h"

namespace fraisier::rules {
namespace {

uint64_t Fnv1a64(absl::string_view s) {
  uint64_t h = 14695981039346656037ULL;
  for (unsigned char c : s) {
    h ^= c;
    h *= 1099511628211ULL;
  }
  return h;
}

// The newest ALERTS_FOR_STATE sample of `alert_labels` in
// [ts - tolerance, ts].
std::optional<ForState> ReadForState(storage::Queryable& queryable,
                                     const Labels& alert_labels, absl::Time ts,
                                     absl::Duration tolerance) {
  std::vector<Matcher> matchers;
  absl::StatusOr<Matcher> name =
      Matcher::Create(MatchType::kEqual, kMetricNameLabel, "ALERTS_FOR_STATE");
  if (!name.ok()) return std::nullopt;
  matchers.push_back(*std::move(name));
  for (const Label& l : alert_labels) {
    absl::StatusOr<Matcher> m =
        Matcher::Create(MatchType::kEqual, l.name, l.value);
    if (!m.ok()) return std::nullopt;
    matchers.push_back(*std::move(m));
  }
  auto querier = queryable.NewQuerier(absl::ToUnixMillis(ts - tolerance),
                                      absl::ToUnixMillis(ts));
  if (!querier.ok()) return std::nullopt;
  std::unique_ptr<storage::SeriesSet> set =
      (*querier)->Select(false, nullptr, matchers);
  std::optional<ForState> newest;
  while (set->Next()) {
    // Exactly the alert's labels plus the name: no extra labels.
    if (set->At().labels().size() != alert_labels.size() + 1) continue;
    std::unique_ptr<storage::SampleIterator> it = set->At().Iterator();
    while (it->Next()) {
      const Sample s = it->At();
      if (IsStaleNaN(s.v)) continue;
      if (!newest || absl::FromUnixMillis(s.t) > newest->sample_time) {
        newest = ForState{absl::FromUnixMillis(s.t),
                          absl::FromUnixSeconds(static_cast<int64_t>(s.v))};
      }
    }
  }
  return newest;
}

}  // namespace

absl::Time NextEvaluationTime(absl::Time now, absl::Duration interval,
                              absl::string_view name, absl::string_view file) {
  const int64_t interval_ns = absl::ToInt64Nanoseconds(interval);
  if (interval_ns <= 0) return now;
  // As Prometheus's Group.EvalTimestamp: a per-group offset from the
  // interval grid, by a hash of name and file.
  const int64_t offset =
      static_cast<int64_t>(Fnv1a64(absl::StrCat(name, ";", file)) %
                           static_cast<uint64_t>(interval_ns));
  const int64_t now_ns = absl::ToUnixNanos(now);
  const int64_t adjusted = now_ns - offset;
  int64_t base = adjusted - (adjusted % interval_ns);
  if (adjusted < 0 && adjusted % interval_ns != 0) base -= interval_ns;
  int64_t next = base + offset;
  if (next < now_ns) next += interval_ns;
  return absl::FromUnixNanos(next);
}

Group::Group(const RuleGroupSpec& spec, std::string file,
             absl::Duration default_interval)
    : name_(spec.name),
      file_(std::move(file)),
      interval_(spec.interval > absl::ZeroDuration() ? spec.interval
                                                     : default_interval),
      query_offset_(spec.query_offset),
      limit_(spec.limit) {
  for (const RuleSpec& r : spec.rules) {
    if (r.is_alert()) {
      rules_.emplace_back(std::make_unique<AlertingRule>(r, spec.labels));
    } else {
      rules_.emplace_back(std::make_unique<RecordingRule>(r, spec.labels));
    }
  }
  health_.resize(rules_.size());
  previous_series_.resize(rules_.size());
}

absl::Status Group::WriteBack(size_t index, const promql::Vector& samples,
                              Timestamp t, const GroupContext& ctx) {
  if (ctx.store == nullptr) return absl::OkStatus();
  std::unique_ptr<storage::Appender> app = ctx.store->NewAppender();
  absl::flat_hash_map<uint64_t, WrittenSeries>& previous =
      previous_series_[index];
  absl::flat_hash_map<uint64_t, WrittenSeries> current;
  current.reserve(samples.size());
  int64_t refused = 0;
  std::string first_error;
  for (const promql::VectorSample& s : samples) {
    const uint64_t hash = s.metric.Hash();
    storage::SeriesRef known = 0;
    if (auto it = previous.find(hash);
        it != previous.end() && it->second.labels == s.metric) {
      known = it->second.ref;
    }
    absl::StatusOr<storage::SeriesRef> ref =
        app->Append(known, s.metric, t, s.f);
    if (!ref.ok()) {
      // Out of order after a restart or a clock step: the rest still goes.
      if (refused++ == 0) first_error = std::string(ref.status().message());
    }
    current.emplace(hash, WrittenSeries{s.metric, ref.ok() ? *ref : 0});
  }
  // Series this rule wrote last time and not now become stale, so queries
  // stop seeing them at once rather than after the lookback window.
  for (const auto& [h, written] : previous) {
    if (current.contains(h)) continue;
    (void)app->Append(written.ref, written.labels, t, StaleNaN());
  }
  absl::Status commit = app->Commit();
  previous_series_[index] = std::move(current);
  if (!commit.ok()) return commit;
  if (refused > 0) {
    return absl::InternalError(absl::StrCat("writing back ", refused,
                                            " samples failed: ", first_error));
  }
  return absl::OkStatus();
}

void Group::Eval(absl::Time ts, const GroupContext& ctx) {
  const auto start = std::chrono::steady_clock::now();
  const absl::Time query_time = ts - query_offset_;
  const Timestamp write_ms = absl::ToUnixMillis(query_time);
  QueryFunc query = [this, &ctx](const promql::Expr& expr, absl::Time t) {
    return ctx.query(expr, t - query_offset_);
  };
  const bool restore = restore_pending_ && ctx.queryable != nullptr;
  restore_pending_ = false;
  RestoreFunc restore_fn = [&ctx, ts](const Labels& labels) {
    return ReadForState(*ctx.queryable, labels, ts, ctx.outage_tolerance);
  };
  bool failed = false;
  for (size_t i = 0; i < rules_.size(); ++i) {
    const auto rule_start = std::chrono::steady_clock::now();
    absl::StatusOr<promql::Vector> samples;
    std::vector<Alert> to_send;
    const AlertingRule* alert_rule = nullptr;
    if (auto* alerting =
            std::get_if<std::unique_ptr<AlertingRule>>(&rules_[i])) {
      samples = (*alerting)->Eval(ts, query, ctx.expand, limit_,
                                  restore ? &restore_fn : nullptr,
                                  ctx.for_grace_period);
      to_send = (*alerting)->TakeAlertsToSend(ts, ctx.resend_delay, interval_);
      alert_rule = alerting->get();
    } else {
      samples = std::get<std::unique_ptr<RecordingRule>>(rules_[i])->Eval(
          query_time, ctx.query, limit_);
    }
    absl::Status status = samples.status();
    if (samples.ok()) {
      for (promql::VectorSample& s : *samples) s.t = write_ms;
      status = WriteBack(i, *samples, write_ms, ctx);
    }
    if (!to_send.empty() && ctx.notify) {
      ctx.notify(*alert_rule, std::move(to_send));
    }
    if (!status.ok()) {
      failed = true;
      FR_LOG(WARNING) << "Evaluating rule failed: group " << name_ << ", rule "
                      << i + 1 << ": " << status.message();
    }
    std::lock_guard<std::mutex> lock(mu_);
    RuleHealth& h = health_[i];
    h.health = status.ok() ? "ok" : "err";
    h.last_error = status.ok() ? "" : std::string(status.message());
    h.last_evaluation = ts;
    h.evaluation_time =
        absl::FromChrono(std::chrono::steady_clock::now() - rule_start);
  }
  evaluations_.fetch_add(1);
  if (failed) failures_.fetch_add(1);
  std::lock_guard<std::mutex> lock(mu_);
  last_evaluation_ = ts;
  last_duration_ = absl::FromChrono(std::chrono::steady_clock::now() - start);
}

RuleHealth Group::health(size_t rule_index) const {
  std::lock_guard<std::mutex> lock(mu_);
  return rule_index < health_.size() ? health_[rule_index] : RuleHealth{};
}

absl::Time Group::last_evaluation() const {
  std::lock_guard<std::mutex> lock(mu_);
  return last_evaluation_;
}

absl::Duration Group::last_duration() const {
  std::lock_guard<std::mutex> lock(mu_);
  return last_duration_;
}

void Group::CopyStateFrom(Group& old) {
  // Matched by position among equal rules, as Prometheus matches by name
  // and then by order.
  for (auto& rule : rules_) {
    auto* mine = std::get_if<std::unique_ptr<AlertingRule>>(&rule);
    if (mine == nullptr) continue;
    for (auto& old_rule : old.rules_) {
      auto* theirs = std::get_if<std::unique_ptr<AlertingRule>>(&old_rule);
      if (theirs == nullptr || *theirs == nullptr) continue;
      if ((*theirs)->name() != (*mine)->name() ||
          (*theirs)->expr_text() != (*mine)->expr_text() ||
          (*theirs)->labels() != (*mine)->labels() ||
          (*theirs)->annotations() != (*mine)->annotations() ||
          (*theirs)->hold_duration() != (*mine)->hold_duration()) {
        continue;
      }
      *mine = std::move(*theirs);
      break;
    }
  }
}

}  // namespace fraisier::rules
