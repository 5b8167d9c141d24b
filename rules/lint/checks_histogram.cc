// Checks on classic histograms: histogram_quantile() over `_bucket` series
// that went through rate() and kept `le`, and histogram base names that
// select nothing.
#include <set>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "promql/ast.h"
#include "promql/printer.h"
#include "rules/lint/check.h"
#include "rules/lint/metric_names.h"
#include "rules/lint/output_labels.h"
#include "rules/lint/walk.h"

namespace fraisier::rules::lint {
namespace {

using promql::Expr;
using promql::NodeKind;

struct BucketRead {
  std::string name;
  bool rated = false;  // under rate(), irate() or increase()
};

// The selectors whose values histogram_quantile's second argument reads
// (the right side of `and`/`unless` only filters, so it is skipped).
std::vector<BucketRead> BucketReads(const Expr& arg) {
  std::vector<BucketRead> reads;
  Walk(arg, [&reads](const Expr& e, Ancestors ancestors) {
    if (e.kind() != NodeKind::kVectorSelector) return;
    BucketRead read;
    read.name =
        std::string(MetricName(static_cast<const promql::VectorSelector&>(e)));
    if (read.name.empty() || IsRecordedName(read.name)) return;
    const Expr* child = &e;
    for (size_t i = ancestors.size(); i-- > 0;) {
      const Expr& parent = *ancestors[i];
      absl::string_view fn = CallName(parent);
      if (fn == "rate" || fn == "irate" || fn == "increase") read.rated = true;
      if (parent.kind() == NodeKind::kBinary) {
        const auto& b = static_cast<const promql::BinaryExpr&>(parent);
        if ((b.op == promql::BinaryOp::kAnd ||
             b.op == promql::BinaryOp::kUnless) &&
            child == b.rhs.get()) {
          return;
        }
      }
      child = &parent;
    }
    reads.push_back(std::move(read));
  });
  return reads;
}

std::string BucketNameFor(const std::string& name) {
  if (IsBucketName(name)) return name;
  absl::string_view base = HistogramBaseOf(name);
  return absl::StrCat(base.empty() ? absl::string_view(name) : base, "_bucket");
}

// Calls `fn(call, reads)` for each histogram_quantile(φ, v) in the rule.
template <typename Fn>
void ForEachQuantile(const RuleSpec& rule, Fn fn) {
  if (rule.parsed == nullptr) return;
  Walk(*rule.parsed, [&fn](const Expr& e, Ancestors) {
    if (CallName(e) != "histogram_quantile") return;
    const auto& call = static_cast<const promql::Call&>(e);
    if (call.args.size() != 2) return;
    fn(call, BucketReads(*call.args[1]));
  });
}

void CheckQuantileRate(const RuleSpec& rule, const LintContext&,
                       std::vector<std::string>* messages) {
  ForEachQuantile(rule, [&](const promql::Call& call,
                            const std::vector<BucketRead>& reads) {
    std::set<std::string> reported;
    for (const BucketRead& r : reads) {
      if (r.rated || !reported.insert(r.name).second) continue;
      messages->push_back(absl::StrCat(
          "`", promql::Format(call), "` reads ", r.name,
          " without rate() or increase(): bucket counters count from process "
          "start, so this is the quantile over the whole lifetime, not now; "
          "use histogram_quantile(",
          promql::Format(*call.args[0]), ", sum by (le) (rate(",
          BucketNameFor(r.name), "[5m])))"));
    }
  });
}

void CheckQuantileBucket(const RuleSpec& rule, const LintContext&,
                         std::vector<std::string>* messages) {
  ForEachQuantile(rule, [&](const promql::Call& call,
                            const std::vector<BucketRead>& reads) {
    std::set<std::string> reported;
    for (const BucketRead& r : reads) {
      if (IsBucketName(r.name) || !reported.insert(r.name).second) continue;
      messages->push_back(absl::StrCat(
          "`", promql::Format(call), "` reads ", r.name,
          ", which does not end in _bucket: a classic histogram's quantiles "
          "come from its _bucket series and their le label; use ",
          BucketNameFor(r.name),
          " (disable this check on the rule if it is a native histogram)"));
    }
  });
}

void CheckQuantileLe(const RuleSpec& rule, const LintContext&,
                     std::vector<std::string>* messages) {
  ForEachQuantile(rule, [&](const promql::Call& call,
                            const std::vector<BucketRead>& reads) {
    if (reads.empty()) return;
    for (const BucketRead& r : reads) {
      if (!IsBucketName(r.name)) return;  // maybe native: no le needed
    }
    OutputLabels labels = OutputLabelsOf(*call.args[1]);
    if (labels.MayHave("le")) return;
    messages->push_back(absl::StrCat(
        "`", promql::Format(call), "` gets no le label (", labels.WhyNot("le"),
        "), so it returns nothing; keep le when aggregating buckets: "
        "sum by (le, ...) (rate(...[5m]))"));
  });
}

bool HasQuantileMatcher(const promql::VectorSelector& s) {
  for (const Matcher& m : s.matchers) {
    if (m.name() == "quantile") return true;
  }
  return false;
}

void CheckBaseName(const RuleSpec& rule, const LintContext& ctx,
                   std::vector<std::string>* messages) {
  if (rule.parsed == nullptr) return;
  std::set<std::string> reported;
  Walk(*rule.parsed, [&](const Expr& e, Ancestors ancestors) {
    if (e.kind() != NodeKind::kVectorSelector) return;
    for (const Expr* a : ancestors) {
      if (CallName(*a) == "histogram_quantile") return;  // its own checks
    }
    const auto& selector = static_cast<const promql::VectorSelector&>(e);
    std::string name(MetricName(selector));
    if (name.empty() || !HistogramBaseOf(name).empty() ||
        HasQuantileMatcher(selector)) {
      return;
    }
    std::string why;
    if (auto it = ctx.histogram_evidence.find(name);
        it != ctx.histogram_evidence.end()) {
      why = it->second;
    } else if (LooksLikeHistogramName(name)) {
      why = "it is named like one";
    } else {
      return;
    }
    if (!reported.insert(name).second) return;
    messages->push_back(absl::StrCat(
        name, " looks like a histogram (", why,
        "), but a classic histogram has no series of that name, only ", name,
        "_bucket, ", name, "_sum and ", name,
        "_count, and a summary's series are quantiles that cannot be "
        "averaged or summed; for the mean use sum(rate(",
        name, "_sum[5m])) / sum(rate(", name,
        "_count[5m])), for a quantile histogram_quantile(0.95, sum by (le) "
        "(rate(",
        name, "_bucket[5m])))"));
  });
}

}  // namespace

std::vector<CheckDef> HistogramChecks() {
  return {
      {"histogram-quantile-no-rate", Severity::kError,
       "histogram_quantile() over buckets not passed through rate() or "
       "increase()",
       CheckQuantileRate},
      {"histogram-quantile-no-bucket", Severity::kWarning,
       "histogram_quantile() over a series not ending in _bucket",
       CheckQuantileBucket},
      {"histogram-quantile-no-le", Severity::kError,
       "histogram_quantile() after an aggregation that drops le",
       CheckQuantileLe},
      {"histogram-base-name", Severity::kWarning,
       "a histogram's base name used as a series (e.g. avg() over it)",
       CheckBaseName},
  };
}

}  // namespace fraisier::rules::lint
