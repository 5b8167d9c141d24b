#include "rules/recording_rule.h"

#include "absl/container/flat_hash_set.h"
#include "absl/strings/str_cat.h"

namespace fraisier::rules {
namespace {

LabelList MergeGroupLabels(const LabelList& group, const LabelList& rule) {
  LabelList out = rule;
  for (const auto& [name, value] : group) {
    bool overridden = false;
    for (const auto& [n, v] : rule) overridden = overridden || n == name;
    if (!overridden) out.emplace_back(name, value);
  }
  return out;
}

}  // namespace

RecordingRule::RecordingRule(const RuleSpec& spec,
                             const LabelList& group_labels)
    : name_(spec.record),
      expr_text_(spec.expr),
      expr_(spec.parsed),
      labels_(MergeGroupLabels(group_labels, spec.labels)) {}

absl::StatusOr<promql::Vector> RecordingRule::Eval(absl::Time ts,
                                                   const QueryFunc& query,
                                                   int64_t limit) const {
  absl::StatusOr<promql::Vector> result = query(*expr_, ts);
  if (!result.ok()) return result.status();
  absl::flat_hash_set<uint64_t> seen;
  for (promql::VectorSample& sample : *result) {
    LabelsBuilder builder(sample.metric);
    builder.Set(kMetricNameLabel, name_);
    for (const auto& [name, value] : labels_) builder.Set(name, value);
    sample.metric = builder.Build();
    sample.drop_name = false;
    sample.t = absl::ToUnixMillis(ts);
    if (!seen.insert(sample.metric.Hash()).second) {
      return absl::InvalidArgumentError(
          "vector contains metrics with the same labelset after applying "
          "rule labels");
    }
  }
  if (limit > 0 && static_cast<int64_t>(result->size()) > limit) {
    return absl::ResourceExhaustedError(absl::StrCat(
        "exceeded limit of ", limit, " with ", result->size(), " series"));
  }
  return result;
}

}  // namespace fraisier::rules
