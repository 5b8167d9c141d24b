// Checks on alerting rules: a condition in the expression, absent() with a
// short `for`, template labels the expression cannot produce.
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/time/time.h"
#include "promql/ast.h"
#include "promql/literals.h"
#include "rules/lint/check.h"
#include "rules/lint/output_labels.h"
#include "rules/lint/template_refs.h"
#include "rules/lint/walk.h"

namespace fraisier::rules::lint {
namespace {

using promql::Expr;
using promql::NodeKind;

bool IsVectorish(const Expr& e) {
  return e.type() == promql::ValueType::kVector ||
         e.type() == promql::ValueType::kMatrix;
}

// Whether the expression returns only the series for which something held,
// rather than every series it selects.
bool HasCondition(const Expr& e) {
  switch (e.kind()) {
    case NodeKind::kNumberLiteral:
    case NodeKind::kStringLiteral:
    case NodeKind::kVectorSelector:
    case NodeKind::kMatrixSelector:
      return false;
    case NodeKind::kSubquery:
      return HasCondition(*static_cast<const promql::Subquery&>(e).expr);
    case NodeKind::kParen:
      return HasCondition(*static_cast<const promql::ParenExpr&>(e).expr);
    case NodeKind::kUnary:
      return HasCondition(*static_cast<const promql::UnaryExpr&>(e).expr);
    case NodeKind::kAggregate:
      return HasCondition(*static_cast<const promql::AggregateExpr&>(e).expr);
    case NodeKind::kCall: {
      absl::string_view name = CallName(e);
      if (name == "absent" || name == "absent_over_time") return true;
      for (const auto& arg : static_cast<const promql::Call&>(e).args) {
        if (IsVectorish(*arg) && HasCondition(*arg)) return true;
      }
      return false;
    }
    case NodeKind::kBinary: {
      const auto& b = static_cast<const promql::BinaryExpr&>(e);
      if (promql::IsComparison(b.op)) {
        if (!b.return_bool) return true;
        return HasCondition(*b.lhs) || HasCondition(*b.rhs);
      }
      switch (b.op) {
        case promql::BinaryOp::kAnd:
        case promql::BinaryOp::kUnless:
          return true;  // presence of the other side is the condition
        case promql::BinaryOp::kOr:
          return HasCondition(*b.lhs) && HasCondition(*b.rhs);
        default:
          // Arithmetic returns a series only where every vector operand
          // has one, so a condition on either side carries through.
          return (IsVectorish(*b.lhs) && HasCondition(*b.lhs)) ||
                 (IsVectorish(*b.rhs) && HasCondition(*b.rhs));
      }
    }
  }
  return false;
}

void CheckComparison(const RuleSpec& rule, const LintContext&,
                     std::vector<std::string>* messages) {
  if (!rule.is_alert() || rule.parsed == nullptr) return;
  if (HasCondition(*rule.parsed)) return;
  messages->push_back(
      "the alert's expression has no condition (no comparison such as "
      "`> 0.1`), so it fires for every series it returns whatever the value; "
      "add a comparison, or disable this check on the rule when the series "
      "existing is the condition");
}

bool CallsAbsent(const Expr& root) {
  bool found = false;
  Walk(root, [&found](const Expr& e, Ancestors) {
    if (CallName(e) == "absent") found = true;
  });
  return found;
}

void CheckAbsentFor(const RuleSpec& rule, const LintContext& ctx,
                    std::vector<std::string>* messages) {
  if (!rule.is_alert() || rule.parsed == nullptr) return;
  const absl::Duration min_for = 2 * ctx.options.scrape_interval;
  if (rule.for_duration >= min_for || !CallsAbsent(*rule.parsed)) return;
  messages->push_back(absl::StrCat(
      "absent() is briefly true after a restart or one failed scrape, and "
      "the alert has `for: ",
      promql::FormatDurationMs(absl::ToInt64Milliseconds(rule.for_duration)),
      "`; set `for` to at least twice the scrape interval (",
      promql::FormatDurationMs(absl::ToInt64Milliseconds(min_for)),
      ") so a single missed scrape does not "
      "page"));
}

void CheckTemplateLabels(const RuleSpec& rule, const LintContext&,
                         std::vector<std::string>* messages) {
  if (!rule.is_alert() || rule.parsed == nullptr) return;
  std::vector<std::pair<std::string, std::vector<std::string>>> uses;
  for (const LabelList* list : {&rule.labels, &rule.annotations}) {
    for (const auto& [key, text] : *list) {
      std::vector<std::string> refs = TemplateLabelRefs(text);
      if (!refs.empty()) uses.emplace_back(key, std::move(refs));
    }
  }
  if (uses.empty()) return;
  const OutputLabels labels = OutputLabelsOf(*rule.parsed);
  for (const auto& [key, refs] : uses) {
    for (const std::string& name : refs) {
      if (labels.MayHave(name)) continue;
      messages->push_back(absl::StrCat(
          "template `", key, "` uses $labels.", name,
          ", which is always empty: ", labels.WhyNot(name),
          "; keep the label in the expression (e.g. add it to by (...)) or "
          "stop using it in the template"));
    }
  }
}

}  // namespace

std::vector<CheckDef> AlertChecks() {
  return {
      {"alert-no-comparison", Severity::kWarning,
       "alert expression without a comparison", CheckComparison},
      {"template-label-missing", Severity::kError,
       "$labels.x in a template that the expression cannot produce",
       CheckTemplateLabels},
      {"absent-short-for", Severity::kWarning,
       "absent() in an alert whose `for` is under 2x the scrape interval",
       CheckAbsentFor},
  };
}

}  // namespace fraisier::rules::lint
