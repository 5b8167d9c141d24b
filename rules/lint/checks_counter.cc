// Checks on counters, judged by the metric naming convention: rate() and
// friends over names that are not counters, `_total` counters used raw,
// and rate ranges too short for the scrape interval.
#include <set>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/time/time.h"
#include "promql/ast.h"
#include "promql/literals.h"
#include "promql/printer.h"
#include "rules/lint/check.h"
#include "rules/lint/metric_names.h"
#include "rules/lint/walk.h"

namespace fraisier::rules::lint {
namespace {

using promql::Expr;
using promql::NodeKind;

bool IsCounterFunction(absl::string_view name) {
  return name == "rate" || name == "irate" || name == "increase";
}

// Functions that need two samples in their range.
bool NeedsTwoSamples(absl::string_view name) {
  return IsCounterFunction(name) || name == "delta" || name == "idelta" ||
         name == "deriv";
}

std::string DurationText(absl::Duration d) {
  return promql::FormatDurationMs(absl::ToInt64Milliseconds(d));
}

void CheckRateOnNonCounter(const RuleSpec& rule, const LintContext&,
                           std::vector<std::string>* messages) {
  if (rule.parsed == nullptr) return;
  std::set<std::string> reported;
  Walk(*rule.parsed, [&](const Expr& e, Ancestors) {
    absl::string_view fn = CallName(e);
    if (!IsCounterFunction(fn)) return;
    const promql::MatrixSelector* m = MatrixArg(e, 0);
    if (m == nullptr) return;
    std::string name(MetricName(*m->selector));
    std::string reason = NotCounterReason(name);
    if (reason.empty() || !reported.insert(name).second) return;
    std::string fix =
        IsRecordedName(name)
            ? std::string(
                  "use the recorded value as it is, or record the "
                  "counter itself and rate that")
            : absl::StrCat(
                  "use delta() or deriv() for a gauge's change; if "
                  "it really counts up, expose it as ",
                  name, "_total");
    messages->push_back(
        absl::StrCat("`", promql::Format(e), "`: ", name,
                     " is not a counter by convention (", reason, "), and ", fn,
                     "() reads each of its drops as a counter reset; ", fix));
  });
}

// Whether a `_total` selector reaches its consumer through something that
// does not need its value: count(), absent(), the right side of `and`, or
// a subquery a range function reads.
bool ValueUnused(const Expr& node, Ancestors ancestors) {
  const Expr* child = &node;
  for (size_t i = ancestors.size(); i-- > 0;) {
    const Expr& parent = *ancestors[i];
    switch (parent.kind()) {
      case NodeKind::kSubquery:
        return true;
      case NodeKind::kAggregate: {
        auto op = static_cast<const promql::AggregateExpr&>(parent).op;
        if (op == promql::AggregateOp::kCount ||
            op == promql::AggregateOp::kGroup) {
          return true;
        }
        break;
      }
      case NodeKind::kCall: {
        absl::string_view fn = CallName(parent);
        if (fn == "absent" || fn == "timestamp") return true;
        break;
      }
      case NodeKind::kBinary: {
        const auto& b = static_cast<const promql::BinaryExpr&>(parent);
        if ((b.op == promql::BinaryOp::kAnd ||
             b.op == promql::BinaryOp::kUnless) &&
            child == b.rhs.get()) {
          return true;
        }
        break;
      }
      default:
        break;
    }
    child = &parent;
  }
  return false;
}

void CheckCounterWithoutRate(const RuleSpec& rule, const LintContext& ctx,
                             std::vector<std::string>* messages) {
  if (rule.parsed == nullptr) return;
  std::set<std::string> reported;
  Walk(*rule.parsed, [&](const Expr& e, Ancestors ancestors) {
    if (e.kind() != NodeKind::kVectorSelector) return;
    if (!ancestors.empty() &&
        ancestors.back()->kind() == NodeKind::kMatrixSelector) {
      return;
    }
    std::string name(MetricName(static_cast<const promql::VectorSelector&>(e)));
    std::string why;
    if (IsTotalCounter(name)) {
      why = "by its _total name";
    } else if (auto it = ctx.counter_evidence.find(name);
               it != ctx.counter_evidence.end()) {
      why = it->second;
    } else {
      return;
    }
    if (ValueUnused(e, ancestors) || !reported.insert(name).second) return;
    messages->push_back(absl::StrCat(
        name, " is a counter (", why,
        ") used as a raw value: it only counts since the process started and "
        "falls to zero on restart; use rate(",
        name, "[5m]) or increase(", name,
        "[1h]), and divide rates by rates for a ratio"));
  });
}

void CheckRateRange(const RuleSpec& rule, const LintContext& ctx,
                    std::vector<std::string>* messages) {
  if (rule.parsed == nullptr) return;
  const absl::Duration scrape = ctx.options.scrape_interval;
  Walk(*rule.parsed, [&](const Expr& e, Ancestors) {
    absl::string_view fn = CallName(e);
    if (!NeedsTwoSamples(fn)) return;
    const promql::MatrixSelector* m = MatrixArg(e, 0);
    if (m == nullptr) return;
    const absl::Duration range = absl::Milliseconds(m->range_ms);
    if (range >= 2 * scrape) return;
    messages->push_back(absl::StrCat(
        "`", promql::Format(e), "`: the range ", DurationText(range),
        " is shorter than two scrape intervals (the scrape interval is ",
        DurationText(scrape),
        ", see --lint.scrape-interval), so it often "
        "holds fewer than the two samples ",
        fn, "() needs and returns nothing; use at least [",
        DurationText(2 * scrape), "], better [", DurationText(4 * scrape),
        "]"));
  });
}

}  // namespace

std::vector<CheckDef> CounterChecks() {
  return {
      {"rate-on-non-counter", Severity::kWarning,
       "rate()/irate()/increase() over a name that by convention is not a "
       "counter",
       CheckRateOnNonCounter},
      {"counter-without-rate", Severity::kWarning,
       "a counter (_total, or rated elsewhere) used without rate() or "
       "increase()",
       CheckCounterWithoutRate},
      {"rate-range-too-short", Severity::kWarning,
       "a rate range shorter than twice the scrape interval", CheckRateRange},
  };
}

}  // namespace fraisier::rules::lint
