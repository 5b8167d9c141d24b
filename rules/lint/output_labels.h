// Which labels the series of an expression's result can carry, worked out
// from the expression alone: after `sum by (job)` only `job`; after
// `sum without (instance)` anything but `instance`; a bare selector may
// carry anything. Used to tell that `$labels.instance` in an alert template
// can never be filled. Where the analysis is unsure it answers "anything",
// so it never claims a label is impossible when it is not.
#ifndef RULES_LINT_OUTPUT_LABELS_H_
#define RULES_LINT_OUTPUT_LABELS_H_

#include <map>
#include <set>
#include <string>

#include "absl/strings/string_view.h"
#include "promql/ast.h"

namespace fraisier::rules::lint {

class OutputLabels {
 public:
  // Any label may be present.
  static OutputLabels Any();
  // Only labels in `names`; `why` names what restricted them
  // ("sum by (job)"), for messages.
  static OutputLabels Only(std::set<std::string> names, std::string why);

  bool MayHave(absl::string_view name) const;
  // Why `name` cannot be present (call only when !MayHave(name)), e.g.
  // "the result only has the labels job (after `sum by (job)`)".
  std::string WhyNot(absl::string_view name) const;

  // Narrowing and widening, as operators do.
  void Remove(const std::string& name, const std::string& why);
  void Add(const std::string& name);
  void KeepOnly(const std::set<std::string>& names, const std::string& why);
  // Either side's labels (`a or b`).
  static OutputLabels Union(const OutputLabels& a, const OutputLabels& b);

  bool closed() const { return closed_; }
  const std::set<std::string>& names() const { return names_; }

 private:
  bool closed_ = false;
  // closed_: the labels that may be present. Otherwise: the labels that
  // cannot be, each with its reason in excluded_why_.
  std::set<std::string> names_;
  std::string closed_why_;
  std::map<std::string, std::string> excluded_why_;
};

OutputLabels OutputLabelsOf(const promql::Expr& expr);

}  // namespace fraisier::rules::lint

#endif  // RULES_LINT_OUTPUT_LABELS_H_
