#include "promql/checker.h"

#include <algorithm>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "engine/model/go_quote.h"
#include "promql/functions.h"

namespace fraisier::promql {
namespace {

// The %s form of Go's parser.ValueType, used by one message.
absl::string_view ValueTypeName(ValueType type) {
  switch (type) {
    case ValueType::kNone:
      return "none";
    case ValueType::kScalar:
      return "scalar";
    case ValueType::kVector:
      return "vector";
    case ValueType::kMatrix:
      return "matrix";
    case ValueType::kString:
      return "string";
  }
  return "none";
}

bool IsSpace(char c) { return c == ' ' || c == '\t' || c == '\n' || c == '\r'; }

class Checker {
 public:
  Checker(absl::string_view input, CheckError* error)
      : input_(input), error_(error) {}

  // Returns the node's type; on error returns kNone with failed_ set.
  ValueType Check(Expr& node);
  bool failed() const { return failed_; }

 private:
  void Fail(PosRange pos, std::string message) {
    if (failed_) return;
    failed_ = true;
    error_->pos = pos;
    error_->message = std::move(message);
  }

  void ExpectType(Expr& node, ValueType want, absl::string_view context) {
    ValueType got = Check(node);
    if (failed_) return;
    if (got != want) {
      Fail(node.pos,
           absl::StrCat("expected type ", DocumentedType(want), " in ", context,
                        ", got ", DocumentedType(got)));
    }
  }

  // The operator's position in a binary expression: the first non-space
  // byte after the left operand.
  PosRange OperatorRange(const BinaryExpr& n) const {
    int32_t start = n.lhs->pos.end;
    while (start < static_cast<int32_t>(input_.size()) &&
           IsSpace(input_[start])) {
      ++start;
    }
    int32_t end = std::max(start, n.rhs->pos.start - 1);
    while (end > start && IsSpace(input_[end])) --end;
    return {start, end};
  }

  void CheckAggregate(AggregateExpr& n);
  void CheckBinary(BinaryExpr& n);
  void CheckCall(Call& n);
  void CheckVectorSelector(VectorSelector& n);

  absl::string_view input_;
  CheckError* error_;
  bool failed_ = false;
  // info()'s label-selector argument, which may match the empty string.
  const VectorSelector* bypass_empty_matcher_check_ = nullptr;
};

ValueType Checker::Check(Expr& node) {
  if (failed_) return ValueType::kNone;
  ValueType type = node.type();
  switch (node.kind()) {
    case NodeKind::kAggregate:
      CheckAggregate(static_cast<AggregateExpr&>(node));
      break;
    case NodeKind::kBinary:
      CheckBinary(static_cast<BinaryExpr&>(node));
      break;
    case NodeKind::kCall:
      CheckCall(static_cast<Call&>(node));
      break;
    case NodeKind::kParen:
      Check(*static_cast<ParenExpr&>(node).expr);
      break;
    case NodeKind::kUnary: {
      auto& n = static_cast<UnaryExpr&>(node);
      ValueType t = Check(*n.expr);
      if (!failed_ && t != ValueType::kScalar && t != ValueType::kVector) {
        Fail(n.pos, absl::StrCat("unary expression only allowed on "
                                 "expressions of type scalar or instant "
                                 "vector, got \"",
                                 DocumentedType(t), "\""));
      }
      break;
    }
    case NodeKind::kSubquery: {
      auto& n = static_cast<Subquery&>(node);
      ValueType t = Check(*n.expr);
      if (!failed_ && t != ValueType::kVector) {
        Fail(n.pos, absl::StrCat("subquery is only allowed on instant "
                                 "vector, got ",
                                 ValueTypeName(t), " instead"));
      }
      break;
    }
    case NodeKind::kMatrixSelector:
      Check(*static_cast<MatrixSelector&>(node).selector);
      break;
    case NodeKind::kVectorSelector:
      CheckVectorSelector(static_cast<VectorSelector&>(node));
      break;
    case NodeKind::kNumberLiteral:
    case NodeKind::kStringLiteral:
      break;
  }
  return failed_ ? ValueType::kNone : type;
}

void Checker::CheckAggregate(AggregateExpr& n) {
  ExpectType(*n.expr, ValueType::kVector, "aggregation expression");
  if (failed_ || n.param == nullptr) return;
  if (n.op == AggregateOp::kCountValues) {
    ExpectType(*n.param, ValueType::kString, "aggregation parameter");
  } else {
    ExpectType(*n.param, ValueType::kScalar, "aggregation parameter");
  }
}

void Checker::CheckBinary(BinaryExpr& n) {
  ValueType lt = Check(*n.lhs);
  ValueType rt = Check(*n.rhs);
  if (failed_) return;
  if (n.return_bool && !IsComparison(n.op)) {
    return Fail(OperatorRange(n),
                "bool modifier can only be used on comparison operators");
  }
  if (IsComparison(n.op) && !n.return_bool && lt == ValueType::kScalar &&
      rt == ValueType::kScalar) {
    return Fail(OperatorRange(n),
                "comparisons between scalars must use BOOL modifier");
  }
  if (n.matching.has_value()) {
    VectorMatching& m = *n.matching;
    if (IsSetOperator(n.op) && m.card == Cardinality::kOneToOne) {
      m.card = Cardinality::kManyToMany;
    }
    if (m.on) {
      for (const std::string& l1 : m.matching_labels) {
        if (std::find(m.include.begin(), m.include.end(), l1) !=
            m.include.end()) {
          return Fail(OperatorRange(n),
                      absl::StrCat("label ", GoQuote(l1),
                                   " must not occur in ON and GROUP clause "
                                   "at once"));
        }
      }
    }
  }
  if (lt != ValueType::kScalar && lt != ValueType::kVector) {
    return Fail(n.lhs->pos,
                "binary expression must contain only scalar and "
                "instant vector types");
  }
  if (rt != ValueType::kScalar && rt != ValueType::kVector) {
    return Fail(n.rhs->pos,
                "binary expression must contain only scalar and "
                "instant vector types");
  }
  if ((lt != ValueType::kVector || rt != ValueType::kVector) &&
      n.matching.has_value()) {
    if (!n.matching->matching_labels.empty()) {
      return Fail(n.pos,
                  "vector matching only allowed between instant vectors");
    }
    n.matching.reset();
  } else if (IsSetOperator(n.op) && n.matching.has_value()) {
    Cardinality card = n.matching->card;
    if (card == Cardinality::kOneToMany || card == Cardinality::kManyToOne) {
      return Fail(n.pos, absl::StrCat("no grouping allowed for \"",
                                      BinaryOpText(n.op), "\" operation"));
    }
    if (card != Cardinality::kManyToMany) {
      return Fail(n.pos, "set operations must always be many-to-many");
    }
  }
  if ((lt == ValueType::kScalar || rt == ValueType::kScalar) &&
      IsSetOperator(n.op)) {
    return Fail(n.pos, absl::StrCat("set operator \"", BinaryOpText(n.op),
                                    "\" not allowed in binary scalar "
                                    "expression"));
  }
}

void Checker::CheckCall(Call& n) {
  const FunctionInfo& f = *n.func;
  int nargs = static_cast<int>(f.arg_types.size());
  int got = static_cast<int>(n.args.size());
  std::string quoted = GoQuote(f.name);
  if (f.variadic == 0) {
    if (nargs != got) {
      return Fail(n.pos, absl::StrFormat(
                             "expected %d argument(s) in call to %s, got %d",
                             nargs, quoted, got));
    }
  } else {
    int min_args = nargs - 1;
    if (min_args > got) {
      return Fail(n.pos,
                  absl::StrFormat(
                      "expected at least %d argument(s) in call to %s, got %d",
                      min_args, quoted, got));
    }
    int max_args = min_args + f.variadic;
    if (f.variadic > 0 && max_args < got) {
      return Fail(n.pos,
                  absl::StrFormat(
                      "expected at most %d argument(s) in call to %s, got %d",
                      max_args, quoted, got));
    }
  }
  if (f.name == "info" && got > 1) {
    // The second argument selects info metrics by their labels alone.
    const Expr& selector = *n.args[1];
    if (selector.type() != ValueType::kVector) {
      return Fail(n.pos, absl::StrCat("expected type instant vector in call "
                                      "to function \"info\", got ",
                                      DocumentedType(selector.type())));
    }
    if (selector.kind() != NodeKind::kVectorSelector) {
      return Fail(selector.pos, "expected label selectors only");
    }
    const auto& vs = static_cast<const VectorSelector&>(selector);
    if (!vs.name.empty()) {
      return Fail(selector.pos,
                  "expected label selectors only, got vector selector "
                  "instead");
    }
    bypass_empty_matcher_check_ = &vs;
  }
  for (int i = 0; i < got; ++i) {
    int type_index = i;
    if (i >= nargs) {
      // Extra arguments of a non-variadic function were reported above.
      if (f.variadic == 0) break;
      type_index = nargs - 1;
    }
    ValueType t = Check(*n.args[i]);
    if (failed_) return;
    if (t != f.arg_types[type_index]) {
      return Fail(n.args[i]->pos,
                  absl::StrCat("expected type ",
                               DocumentedType(f.arg_types[type_index]),
                               " in call to function ", quoted, ", got ",
                               DocumentedType(t)));
    }
  }
}

void Checker::CheckVectorSelector(VectorSelector& n) {
  if (!n.name.empty()) {
    // The last matcher is the one implied by the name before the braces.
    for (size_t i = 0; i + 1 < n.matchers.size(); ++i) {
      if (n.matchers[i].name() == "__name__") {
        return Fail(n.pos, absl::StrCat("metric name must not be set twice: ",
                                        GoQuote(n.name), " or ",
                                        GoQuote(n.matchers[i].value())));
      }
    }
    return;
  }
  if (&n == bypass_empty_matcher_check_) return;
  // A selector must not match everything by accident (a typo such as {}).
  for (const Matcher& m : n.matchers) {
    if (!m.MatchesEmpty()) return;
  }
  Fail(n.pos, "vector selector must contain at least one non-empty matcher");
}

}  // namespace

bool CheckAst(Expr& expr, absl::string_view input, CheckError* error) {
  Checker checker(input, error);
  checker.Check(expr);
  return !checker.failed();
}

}  // namespace fraisier::promql
