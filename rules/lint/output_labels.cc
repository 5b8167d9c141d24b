#include "rules/lint/output_labels.h"

#include <utility>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "promql/functions.h"
#include "rules/lint/walk.h"

namespace fraisier::rules::lint {
namespace {

using promql::Expr;
using promql::NodeKind;
using promql::ValueType;

std::string ListText(const std::vector<std::string>& names) {
  return absl::StrCat("(", absl::StrJoin(names, ", "), ")");
}

bool IsVectorish(const Expr& e) {
  return e.type() == ValueType::kVector || e.type() == ValueType::kMatrix;
}

// absent(x{a="1"}) has exactly the labels of x's equality matchers.
OutputLabels AbsentLabels(const promql::Call& call) {
  std::set<std::string> names;
  if (!call.args.empty()) {
    const Expr* arg = &StripParens(*call.args[0]);
    if (arg->kind() == NodeKind::kMatrixSelector) {
      arg = static_cast<const promql::MatrixSelector*>(arg)->selector.get();
    }
    if (arg->kind() == NodeKind::kVectorSelector) {
      for (const Matcher& m :
           static_cast<const promql::VectorSelector*>(arg)->matchers) {
        if (m.type() == MatchType::kEqual && m.name() != "__name__") {
          names.insert(std::string(m.name()));
        }
      }
    }
  }
  return OutputLabels::Only(std::move(names),
                            absl::StrCat(CallName(call), "()"));
}

OutputLabels CallLabels(const promql::Call& call) {
  absl::string_view name = CallName(call);
  if (name == "vector") return OutputLabels::Only({}, "vector()");
  if (name == "absent" || name == "absent_over_time") {
    return AbsentLabels(call);
  }
  if (call.type() != ValueType::kVector) return OutputLabels::Only({}, "");
  if (name == "label_replace" || name == "label_join") {
    OutputLabels in = OutputLabelsOf(*call.args[0]);
    const Expr& dst = StripParens(*call.args[1]);
    if (dst.kind() == NodeKind::kStringLiteral) {
      in.Add(static_cast<const promql::StringLiteral&>(dst).value);
    } else {
      return OutputLabels::Any();
    }
    return in;
  }
  if (name == "histogram_quantile" && call.args.size() == 2) {
    OutputLabels in = OutputLabelsOf(*call.args[1]);
    in.Remove("le", "histogram_quantile()");
    return in;
  }
  for (const auto& arg : call.args) {
    if (IsVectorish(*arg)) return OutputLabelsOf(*arg);
  }
  return OutputLabels::Any();
}

OutputLabels AggregateLabels(const promql::AggregateExpr& a) {
  OutputLabels in = OutputLabelsOf(*a.expr);
  switch (a.op) {
    case promql::AggregateOp::kTopk:
    case promql::AggregateOp::kBottomk:
    case promql::AggregateOp::kLimitk:
    case promql::AggregateOp::kLimitRatio:
      return in;  // these pick series; the series keep their labels
    default:
      break;
  }
  std::string why = !a.without && a.grouping.empty()
                        ? absl::StrCat(promql::AggregateOpText(a.op), "()")
                        : absl::StrCat(promql::AggregateOpText(a.op),
                                       a.without ? " without " : " by ",
                                       ListText(a.grouping));
  OutputLabels out = in;
  if (a.without) {
    for (const std::string& g : a.grouping) out.Remove(g, why);
  } else {
    out.KeepOnly(std::set<std::string>(a.grouping.begin(), a.grouping.end()),
                 why);
  }
  if (a.op == promql::AggregateOp::kCountValues && a.param != nullptr) {
    const Expr& label = StripParens(*a.param);
    if (label.kind() != NodeKind::kStringLiteral) return OutputLabels::Any();
    out.Add(static_cast<const promql::StringLiteral&>(label).value);
  }
  return out;
}

OutputLabels BinaryLabels(const promql::BinaryExpr& b) {
  const bool lhs_vector = IsVectorish(*b.lhs);
  const bool rhs_vector = IsVectorish(*b.rhs);
  if (!lhs_vector && !rhs_vector) return OutputLabels::Only({}, "");
  if (!rhs_vector) return OutputLabelsOf(*b.lhs);
  if (!lhs_vector) return OutputLabelsOf(*b.rhs);
  switch (b.op) {
    case promql::BinaryOp::kAnd:
    case promql::BinaryOp::kUnless:
      return OutputLabelsOf(*b.lhs);
    case promql::BinaryOp::kOr:
      return OutputLabels::Union(OutputLabelsOf(*b.lhs),
                                 OutputLabelsOf(*b.rhs));
    default:
      break;
  }
  if (!b.matching.has_value()) return OutputLabels::Any();
  const promql::VectorMatching& m = *b.matching;
  switch (m.card) {
    case promql::Cardinality::kOneToOne: {
      OutputLabels out = OutputLabelsOf(*b.lhs);
      std::string why =
          absl::StrCat(m.on ? "on " : "ignoring ", ListText(m.matching_labels));
      if (m.on) {
        out.KeepOnly(std::set<std::string>(m.matching_labels.begin(),
                                           m.matching_labels.end()),
                     why);
      } else {
        for (const std::string& l : m.matching_labels) out.Remove(l, why);
      }
      return out;
    }
    case promql::Cardinality::kManyToOne:
    case promql::Cardinality::kOneToMany: {
      OutputLabels out = OutputLabelsOf(
          m.card == promql::Cardinality::kManyToOne ? *b.lhs : *b.rhs);
      for (const std::string& l : m.include) out.Add(l);
      return out;
    }
    case promql::Cardinality::kManyToMany:
      break;
  }
  return OutputLabels::Any();
}

}  // namespace

OutputLabels OutputLabels::Any() { return OutputLabels(); }

OutputLabels OutputLabels::Only(std::set<std::string> names, std::string why) {
  OutputLabels out;
  out.closed_ = true;
  out.names_ = std::move(names);
  out.closed_why_ = std::move(why);
  return out;
}

bool OutputLabels::MayHave(absl::string_view name) const {
  std::string key(name);
  if (closed_) return names_.count(key) > 0;
  return excluded_why_.count(key) == 0;
}

std::string OutputLabels::WhyNot(absl::string_view name) const {
  if (!closed_) {
    auto it = excluded_why_.find(std::string(name));
    if (it == excluded_why_.end()) return "";
    return absl::StrCat("`", it->second, "` removes it");
  }
  std::string after =
      closed_why_.empty() ? "" : absl::StrCat(" (after `", closed_why_, "`)");
  if (names_.empty()) return absl::StrCat("the result has no labels", after);
  return absl::StrCat("the result can only have the labels ",
                      absl::StrJoin(names_, ", "), after);
}

void OutputLabels::Remove(const std::string& name, const std::string& why) {
  if (closed_) {
    if (names_.erase(name) > 0) closed_why_ = why;
    return;
  }
  excluded_why_.emplace(name, why);
}

void OutputLabels::Add(const std::string& name) {
  if (closed_) {
    names_.insert(name);
  } else {
    excluded_why_.erase(name);
  }
}

void OutputLabels::KeepOnly(const std::set<std::string>& names,
                            const std::string& why) {
  std::set<std::string> kept;
  for (const std::string& n : names) {
    if (MayHave(n)) kept.insert(n);
  }
  *this = Only(std::move(kept), why);
}

OutputLabels OutputLabels::Union(const OutputLabels& a, const OutputLabels& b) {
  if (a.closed_ && b.closed_) {
    std::set<std::string> names = a.names_;
    names.insert(b.names_.begin(), b.names_.end());
    std::string why =
        a.closed_why_ == b.closed_why_
            ? a.closed_why_
            : absl::StrCat(a.closed_why_, "` or `", b.closed_why_);
    return Only(std::move(names), std::move(why));
  }
  // At least one side is open: a label is impossible only when neither
  // side can have it.
  OutputLabels out = Any();
  const OutputLabels& open = a.closed_ ? b : a;
  const OutputLabels& other = a.closed_ ? a : b;
  for (const auto& [name, why] : open.excluded_why_) {
    if (!other.MayHave(name)) out.excluded_why_.emplace(name, why);
  }
  return out;
}

OutputLabels OutputLabelsOf(const Expr& expr) {
  switch (expr.kind()) {
    case NodeKind::kNumberLiteral:
    case NodeKind::kStringLiteral:
      return OutputLabels::Only({}, "");
    case NodeKind::kVectorSelector:
    case NodeKind::kMatrixSelector:
      return OutputLabels::Any();
    case NodeKind::kSubquery:
      return OutputLabelsOf(*static_cast<const promql::Subquery&>(expr).expr);
    case NodeKind::kParen:
      return OutputLabelsOf(*static_cast<const promql::ParenExpr&>(expr).expr);
    case NodeKind::kUnary:
      return OutputLabelsOf(*static_cast<const promql::UnaryExpr&>(expr).expr);
    case NodeKind::kBinary:
      return BinaryLabels(static_cast<const promql::BinaryExpr&>(expr));
    case NodeKind::kAggregate:
      return AggregateLabels(static_cast<const promql::AggregateExpr&>(expr));
    case NodeKind::kCall:
      return CallLabels(static_cast<const promql::Call&>(expr));
  }
  return OutputLabels::Any();
}

}  // namespace fraisier::rules::lint
