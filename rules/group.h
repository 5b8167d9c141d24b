// A rule group: its rules evaluated in order at one evaluation time, each
// rule's results written back to the store (so later rules of the same
// cycle see them), stale markers written for series a rule stopped
// producing, and alerts handed to the notifier.
#ifndef RULES_GROUP_H_
#define RULES_GROUP_H_

#include <atomic>
#include <cstdint>
#include <functional>
#include <memory>
#include <mutex>
#include <string>
#include <variant>
#include <vector>

#include "absl/container/flat_hash_map.h"
#include "absl/time/time.h"
#include "engine/storage/storage.h"
#include "rules/alerting_rule.h"
#include "rules/recording_rule.h"
#include "rules/rulefile/rule_file.h"

namespace fraisier::rules {

// What a group needs from the rest of the system.
struct GroupContext {
  storage::Appendable* store = nullptr;
  QueryFunc query;    // instant query at a time
  ExpandFunc expand;  // templates (may be empty)
  // Alerts due to be sent (rule given for its expression: generatorURL).
  std::function<void(const AlertingRule& rule, std::vector<Alert>)> notify;
  absl::Duration resend_delay = absl::Minutes(1);
  // Where ALERTS_FOR_STATE is read back after a restart (may be null).
  storage::Queryable* queryable = nullptr;
  absl::Duration outage_tolerance = absl::Hours(1);
  absl::Duration for_grace_period = absl::Minutes(10);
};

// The outcome of a rule's last evaluation, for /api/v1/rules.
struct RuleHealth {
  std::string health = "unknown";  // "ok", "err", "unknown"
  std::string last_error;
  absl::Time last_evaluation;
  absl::Duration evaluation_time;
};

// Thread-safety: Eval runs on one thread at a time (the group's scheduler);
// the accessors may be called concurrently from the API.
// Invariants: rules_ keeps the file's order; previous_series_[i] holds the
// label sets rule i wrote at its last successful evaluation.
class Group {
 public:
  using Rule = std::variant<std::unique_ptr<AlertingRule>,
                            std::unique_ptr<RecordingRule>>;

  Group(const RuleGroupSpec& spec, std::string file,
        absl::Duration default_interval);

  // Evaluates every rule at `ts`.
  void Eval(absl::Time ts, const GroupContext& ctx);

  const std::string& name() const { return name_; }
  const std::string& file() const { return file_; }
  absl::Duration interval() const { return interval_; }
  absl::Duration query_offset() const { return query_offset_; }
  int64_t limit() const { return limit_; }
  const std::vector<Rule>& rules() const { return rules_; }
  RuleHealth health(size_t rule_index) const;
  absl::Time last_evaluation() const;
  absl::Duration last_duration() const;

  // Counters for /metrics.
  int64_t evaluations() const { return evaluations_.load(); }
  int64_t failures() const { return failures_.load(); }
  std::atomic<int64_t> missed_iterations{0};

  // The next evaluation restores alert activeAt times from
  // ALERTS_FOR_STATE (set for every group loaded at start-up).
  void RequestRestore() { restore_pending_ = true; }

  // Takes over the alert state of the same rules of `old` (hot reload):
  // an alerting rule with the same name, expression, labels and
  // annotations keeps its alerts.
  void CopyStateFrom(Group& old);

 private:
  // Writes `samples` and stale markers for the series rule `index` wrote
  // last time but not now.
  absl::Status WriteBack(size_t index, const promql::Vector& samples,
                         Timestamp t, const GroupContext& ctx);

  const std::string name_;
  const std::string file_;
  const absl::Duration interval_;
  const absl::Duration query_offset_;
  const int64_t limit_;
  std::vector<Rule> rules_;

  mutable std::mutex mu_;
  std::vector<RuleHealth> health_;  // guarded by mu_
  absl::Time last_evaluation_;      // guarded by mu_
  absl::Duration last_duration_;    // guarded by mu_
  // Only touched by Eval.
  // A series a rule wrote, and the store's reference for it, so the next
  // cycle appends by reference instead of looking the labels up again.
  struct WrittenSeries {
    Labels labels;
    storage::SeriesRef ref = 0;
  };
  std::vector<absl::flat_hash_map<uint64_t, WrittenSeries>> previous_series_;
  bool restore_pending_ = false;  // only touched by Eval and before it
  std::atomic<int64_t> evaluations_{0};
  std::atomic<int64_t> failures_{0};
};

// The first evaluation time at or after `now` for a group: Prometheus
// spreads groups over the interval by a hash of their name and file, so
// groups with the same interval do not all run at once.
absl::Time NextEvaluationTime(absl::Time now, absl::Duration interval,
                              absl::string_view name, absl::string_view file);

}  // namespace fraisier::rules

#endif  // RULES_GROUP_H_
