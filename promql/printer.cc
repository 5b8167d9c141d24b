#include "promql/printer.h"

#include <algorithm>
#include <charconv>
#include <cmath>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/strings/str_join.h"
#include "engine/model/go_quote.h"
#include "engine/model/labels.h"
#include "promql/functions.h"
#include "promql/literals.h"

namespace fraisier::promql {
namespace {

constexpr absl::string_view kMetricNameLabel = "__name__";

// Grouping and matching label lists quote names that are not legacy names.
void AppendLabelList(const std::vector<std::string>& names, std::string* out) {
  for (size_t i = 0; i < names.size(); ++i) {
    if (i > 0) out->append(", ");
    AppendLabelName(names[i], out);
  }
}

// Prometheus prints `@` before `offset` whatever order they were written in.
void AppendModifiers(const TimeModifiers& m, std::string* out) {
  if (m.at_ms.has_value()) {
    absl::StrAppendFormat(out, " @ %.3f", static_cast<double>(*m.at_ms) / 1000);
  } else if (m.at_modifier == AtModifier::kStart) {
    out->append(" @ start()");
  } else if (m.at_modifier == AtModifier::kEnd) {
    out->append(" @ end()");
  }
  if (m.offset_ms > 0) {
    absl::StrAppend(out, " offset ", FormatDurationMs(m.offset_ms));
  } else if (m.offset_ms < 0) {
    absl::StrAppend(out, " offset -", FormatDurationMs(-m.offset_ms));
  }
}

// The selector without its time modifiers: the name, then the matchers
// sorted by their text and joined by a bare comma. The __name__ matcher
// implied by a written name is left out; so is any explicit duplicate of it.
void AppendSelectorBody(const VectorSelector& vs, std::string* out) {
  std::vector<std::string> texts;
  texts.reserve(vs.matchers.size());
  for (const Matcher& m : vs.matchers) {
    if (m.name() == kMetricNameLabel && m.type() == MatchType::kEqual &&
        m.value() == vs.name && !m.value().empty()) {
      continue;
    }
    texts.push_back(m.ToString());
  }
  out->append(vs.name);
  if (texts.empty()) {
    // A selector with no matchers at all (info()'s label-only argument)
    // still needs its braces to reparse.
    if (vs.name.empty()) out->append("{}");
    return;
  }
  std::sort(texts.begin(), texts.end());
  absl::StrAppend(out, "{", absl::StrJoin(texts, ","), "}");
}

void AppendMatching(const VectorMatching& vm, std::string* out) {
  const bool grouped =
      vm.card == Cardinality::kManyToOne || vm.card == Cardinality::kOneToMany;
  // `ignoring ()` means nothing and is dropped; `on ()` is meaningful.
  if (!vm.matching_labels.empty() || vm.on || grouped) {
    out->append(vm.on ? " on (" : " ignoring (");
    AppendLabelList(vm.matching_labels, out);
    out->push_back(')');
  }
  if (grouped) {
    out->append(vm.card == Cardinality::kManyToOne ? " group_left ("
                                                   : " group_right (");
    AppendLabelList(vm.include, out);
    out->push_back(')');
  }
}

void AppendExpr(const Expr& e, std::string* out) {
  switch (e.kind()) {
    case NodeKind::kNumberLiteral: {
      const auto& number = static_cast<const NumberLiteral&>(e);
      if (!number.is_duration) {
        AppendGoFloat(number.value, out);
        return;
      }
      // Written as a duration, printed as one: `5m`, `-1h30m`.
      int64_t ms = std::llround(number.value * 1000);
      // The sign of a zero duration matters: 1 / -0s is -Inf.
      if (std::signbit(number.value)) {
        out->push_back('-');
        ms = -ms;
      }
      out->append(FormatDurationMs(ms));
      return;
    }
    case NodeKind::kStringLiteral:
      AppendGoQuote(static_cast<const StringLiteral&>(e).value, out);
      return;
    case NodeKind::kVectorSelector: {
      const auto& vs = static_cast<const VectorSelector&>(e);
      AppendSelectorBody(vs, out);
      AppendModifiers(vs.modifiers, out);
      return;
    }
    case NodeKind::kMatrixSelector: {
      // The modifiers belong to the inner selector but print after the
      // range: `a[5m] @ 10.000 offset 1m`.
      const auto& ms = static_cast<const MatrixSelector&>(e);
      AppendSelectorBody(*ms.selector, out);
      absl::StrAppend(out, "[", FormatDurationMs(ms.range_ms), "]");
      AppendModifiers(ms.selector->modifiers, out);
      return;
    }
    case NodeKind::kSubquery: {
      const auto& sq = static_cast<const Subquery&>(e);
      AppendExpr(*sq.expr, out);
      absl::StrAppend(out, "[", FormatDurationMs(sq.range_ms), ":");
      if (sq.step_ms != 0) out->append(FormatDurationMs(sq.step_ms));
      out->push_back(']');
      AppendModifiers(sq.modifiers, out);
      return;
    }
    case NodeKind::kParen:
      out->push_back('(');
      AppendExpr(*static_cast<const ParenExpr&>(e).expr, out);
      out->push_back(')');
      return;
    case NodeKind::kUnary: {
      const auto& u = static_cast<const UnaryExpr&>(e);
      out->push_back(u.negate ? '-' : '+');
      AppendExpr(*u.expr, out);
      return;
    }
    case NodeKind::kBinary: {
      const auto& b = static_cast<const BinaryExpr&>(e);
      // `+Inf ^ 2` would reparse as `+(Inf ^ 2)`: unary operators bind
      // looser than ^. The unsigned spelling parses to the same literal.
      const auto* lit = b.lhs->kind() == NodeKind::kNumberLiteral
                            ? static_cast<const NumberLiteral*>(b.lhs.get())
                            : nullptr;
      if (b.op == BinaryOp::kPow && lit != nullptr && !lit->is_duration &&
          std::isinf(lit->value) && lit->value > 0) {
        out->append("Inf");
      } else {
        AppendExpr(*b.lhs, out);
      }
      absl::StrAppend(out, " ", BinaryOpText(b.op));
      if (b.return_bool) out->append(" bool");
      if (b.matching.has_value()) AppendMatching(*b.matching, out);
      out->push_back(' ');
      AppendExpr(*b.rhs, out);
      return;
    }
    case NodeKind::kAggregate: {
      const auto& agg = static_cast<const AggregateExpr&>(e);
      absl::StrAppend(out, AggregateOpText(agg.op));
      // `without ()` keeps every label but the metric name, so it must be
      // printed; `by ()` means the same as no clause and is dropped.
      if (agg.without || !agg.grouping.empty()) {
        out->append(agg.without ? " without (" : " by (");
        AppendLabelList(agg.grouping, out);
        out->append(") ");
      }
      out->push_back('(');
      if (AggregateTakesParam(agg.op) && agg.param != nullptr) {
        AppendExpr(*agg.param, out);
        out->append(", ");
      }
      AppendExpr(*agg.expr, out);
      out->push_back(')');
      return;
    }
    case NodeKind::kCall: {
      const auto& call = static_cast<const Call&>(e);
      absl::StrAppend(out, call.func->name, "(");
      for (size_t i = 0; i < call.args.size(); ++i) {
        if (i > 0) out->append(", ");
        AppendExpr(*call.args[i], out);
      }
      out->push_back(')');
      return;
    }
  }
}

}  // namespace

// Go's strconv.FormatFloat(v, 'f', -1, 64): the shortest digits that
// round-trip, laid out without an exponent. std::to_chars in fixed mode is
// not the same thing: it minimises characters rather than digits, so for
// 1e23 it prints the exact integer 99999999999999991611392 where Go prints
// 100000000000000000000000. Hence: shortest digits from the scientific
// form, positioned by hand.
void AppendGoFloat(double v, std::string* out) {
  if (std::isnan(v)) {
    out->append("NaN");
    return;
  }
  if (std::isinf(v)) {
    out->append(v > 0 ? "+Inf" : "-Inf");
    return;
  }
  char buf[64];
  const auto res =
      std::to_chars(buf, buf + sizeof(buf), v, std::chars_format::scientific);
  absl::string_view sci(buf, res.ptr - buf);
  // Go keeps the sign of negative zero.
  if (std::signbit(v)) out->push_back('-');
  if (!sci.empty() && sci.front() == '-') sci.remove_prefix(1);
  const size_t e = sci.find('e');
  std::string digits;
  for (char c : sci.substr(0, e)) {
    if (c != '.') digits.push_back(c);
  }
  absl::string_view exp_text = sci.substr(e + 1);
  const bool exp_negative = !exp_text.empty() && exp_text.front() == '-';
  if (!exp_text.empty() &&
      (exp_text.front() == '-' || exp_text.front() == '+')) {
    exp_text.remove_prefix(1);
  }
  int exp = 0;
  std::from_chars(exp_text.data(), exp_text.data() + exp_text.size(), exp);
  if (exp_negative) exp = -exp;
  // Strip trailing zeros so that zero itself becomes no digits, as in Go.
  while (!digits.empty() && digits.back() == '0') digits.pop_back();
  const int nd = static_cast<int>(digits.size());
  const int dp = nd == 0 ? 0 : exp + 1;  // digits are 0.d1d2... x 10^dp
  if (dp > 0) {
    const int m = std::min(nd, dp);
    out->append(digits, 0, m);
    out->append(dp - m, '0');
  } else {
    out->push_back('0');
  }
  if (nd > dp) {
    out->push_back('.');
    for (int i = dp; i < nd; ++i) out->push_back(i < 0 ? '0' : digits[i]);
  }
}

std::string FormatGoFloat(double v) {
  std::string out;
  AppendGoFloat(v, &out);
  return out;
}

std::string Format(const Expr& e) {
  std::string out;
  AppendExpr(e, &out);
  return out;
}

}  // namespace fraisier::promql
