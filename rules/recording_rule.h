// A recording rule: evaluates its expression and names the result.
#ifndef RULES_RECORDING_RULE_H_
#define RULES_RECORDING_RULE_H_

#include <memory>
#include <string>

#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "promql/ast.h"
#include "promql/value.h"
#include "rules/alerting_rule.h"
#include "rules/rulefile/rule_file.h"

namespace fraisier::rules {

// Immutable after construction; Eval is thread-safe.
class RecordingRule {
 public:
  RecordingRule(const RuleSpec& spec, const LabelList& group_labels);

  // The samples to write: the result with __name__ set to the record name
  // and the rule labels applied. A scalar result becomes one sample with
  // no labels but the name, as Prometheus does. `limit` > 0 caps the
  // number of series.
  absl::StatusOr<promql::Vector> Eval(absl::Time ts, const QueryFunc& query,
                                      int64_t limit) const;

  const std::string& name() const { return name_; }
  const std::string& expr_text() const { return expr_text_; }
  const promql::Expr& expr() const { return *expr_; }
  const LabelList& labels() const { return labels_; }

 private:
  const std::string name_;
  const std::string expr_text_;
  const std::shared_ptr<const promql::Expr> expr_;
  const LabelList labels_;
};

}  // namespace fraisier::rules

#endif  // RULES_RECORDING_RULE_H_
