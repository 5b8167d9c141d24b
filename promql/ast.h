// The PromQL abstract syntax tree.
//
// Nodes own their children through std::unique_ptr. Every node records the
// byte range of the input it was parsed from. The parser bounds the depth of
// any tree it returns (ParseOptions::max_depth), so recursive walks over a
// parsed tree — printing, checking, comparing, destroying — cannot exhaust
// the stack; code that builds trees by hand must respect the same bound.
//
// Durations and timestamps are int64 milliseconds, as everywhere else.
#ifndef PROMQL_AST_H_
#define PROMQL_AST_H_

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "absl/strings/string_view.h"
#include "engine/model/matcher.h"

namespace fraisier::promql {

struct FunctionInfo;

// Byte range [start, end) in the parsed input.
struct PosRange {
  int32_t start = 0;
  int32_t end = 0;
};

enum class ValueType : uint8_t { kNone, kScalar, kVector, kMatrix, kString };

// Prometheus's documented names: "scalar", "instant vector", "range vector",
// "string", "none".
absl::string_view DocumentedType(ValueType type);

enum class NodeKind : uint8_t {
  kNumberLiteral,
  kStringLiteral,
  kVectorSelector,
  kMatrixSelector,
  kSubquery,
  kParen,
  kUnary,
  kBinary,
  kAggregate,
  kCall,
};

enum class BinaryOp : uint8_t {
  kAdd,
  kSub,
  kMul,
  kDiv,
  kMod,
  kPow,
  kAtan2,
  kTrimUpper,  // </
  kTrimLower,  // >/
  kEql,        // ==
  kNeq,
  kGtr,
  kLss,
  kGte,
  kLte,
  kAnd,
  kOr,
  kUnless,
};

absl::string_view BinaryOpText(BinaryOp op);  // "+", "==", "and", "atan2"
bool IsComparison(BinaryOp op);
bool IsSetOperator(BinaryOp op);

enum class AggregateOp : uint8_t {
  kSum,
  kAvg,
  kCount,
  kMin,
  kMax,
  kGroup,
  kStddev,
  kStdvar,
  kTopk,
  kBottomk,
  kCountValues,
  kQuantile,
  kLimitk,
  kLimitRatio,
};

absl::string_view AggregateOpText(AggregateOp op);  // "sum", "count_values"
// topk, bottomk, count_values, quantile, limitk, limit_ratio.
bool AggregateTakesParam(AggregateOp op);

// `@ start()` / `@ end()`.
enum class AtModifier : uint8_t { kNone, kStart, kEnd };

class Expr {
 public:
  virtual ~Expr() = default;
  Expr(const Expr&) = delete;
  Expr& operator=(const Expr&) = delete;

  NodeKind kind() const { return kind_; }
  virtual ValueType type() const = 0;

  PosRange pos;

 protected:
  explicit Expr(NodeKind kind) : kind_(kind) {}

 private:
  const NodeKind kind_;
};

using ExprPtr = std::unique_ptr<Expr>;

class NumberLiteral final : public Expr {
 public:
  explicit NumberLiteral(double v) : Expr(NodeKind::kNumberLiteral), value(v) {}
  ValueType type() const override { return ValueType::kScalar; }
  double value;
  // Written as a duration (`5m` is the number 300): prints as a duration.
  bool is_duration = false;
};

class StringLiteral final : public Expr {
 public:
  explicit StringLiteral(std::string v)
      : Expr(NodeKind::kStringLiteral), value(std::move(v)) {}
  ValueType type() const override { return ValueType::kString; }
  std::string value;  // unquoted
};

// Modifiers shared by vector selectors and subqueries.
struct TimeModifiers {
  int64_t offset_ms = 0;                       // `offset 5m` (may be negative)
  std::optional<int64_t> at_ms;                // `@ 1700000000.123`
  AtModifier at_modifier = AtModifier::kNone;  // `@ start()` / `@ end()`

  bool has_at() const {
    return at_ms.has_value() || at_modifier != AtModifier::kNone;
  }
};

// `metric{label="value"} offset 5m @ 123`
class VectorSelector final : public Expr {
 public:
  VectorSelector() : Expr(NodeKind::kVectorSelector) {}
  ValueType type() const override { return ValueType::kVector; }

  // The name written before the braces, "" when absent. When set, the last
  // element of `matchers` is the implied `__name__="<name>"` matcher.
  std::string name;
  std::vector<Matcher> matchers;
  TimeModifiers modifiers;
};

// `selector[5m]`; modifiers live on the inner selector.
class MatrixSelector final : public Expr {
 public:
  MatrixSelector() : Expr(NodeKind::kMatrixSelector) {}
  ValueType type() const override { return ValueType::kMatrix; }

  std::unique_ptr<VectorSelector> selector;
  int64_t range_ms = 0;
};

// `expr[30m:1m]`; step_ms is 0 for `[30m:]` (use the default resolution).
class Subquery final : public Expr {
 public:
  Subquery() : Expr(NodeKind::kSubquery) {}
  ValueType type() const override { return ValueType::kMatrix; }

  ExprPtr expr;
  int64_t range_ms = 0;
  int64_t step_ms = 0;
  TimeModifiers modifiers;
};

class ParenExpr final : public Expr {
 public:
  ParenExpr() : Expr(NodeKind::kParen) {}
  ValueType type() const override { return expr->type(); }
  ExprPtr expr;
};

// Unary `-x` or `+x`.
class UnaryExpr final : public Expr {
 public:
  UnaryExpr() : Expr(NodeKind::kUnary) {}
  ValueType type() const override { return expr->type(); }
  bool negate = true;  // false for unary plus
  ExprPtr expr;
};

enum class Cardinality : uint8_t {
  kOneToOne,
  kManyToOne,   // group_left
  kOneToMany,   // group_right
  kManyToMany,  // set operators
};

// `on(a, b) group_left(c)` and friends.
struct VectorMatching {
  Cardinality card = Cardinality::kOneToOne;
  bool on = false;                           // on(...) vs ignoring(...)
  std::vector<std::string> matching_labels;  // the on/ignoring list
  std::vector<std::string> include;          // the group_left/right list
};

class BinaryExpr final : public Expr {
 public:
  BinaryExpr() : Expr(NodeKind::kBinary) {}
  ValueType type() const override;

  BinaryOp op = BinaryOp::kAdd;
  ExprPtr lhs;
  ExprPtr rhs;
  bool return_bool = false;
  // Present when both sides are instant vectors.
  std::optional<VectorMatching> matching;
};

class AggregateExpr final : public Expr {
 public:
  AggregateExpr() : Expr(NodeKind::kAggregate) {}
  ValueType type() const override { return ValueType::kVector; }

  AggregateOp op = AggregateOp::kSum;
  ExprPtr expr;
  ExprPtr param;  // topk's k, quantile's φ, count_values's label; else null
  std::vector<std::string> grouping;
  bool without = false;
};

class Call final : public Expr {
 public:
  Call() : Expr(NodeKind::kCall) {}
  ValueType type() const override;

  const FunctionInfo* func = nullptr;  // never null in a parsed tree
  std::vector<ExprPtr> args;
};

// Structural equality ignoring positions; NaN literals equal each other.
bool AstEqual(const Expr& a, const Expr& b);

// The depth of the tree: 1 for a leaf.
int AstDepth(const Expr& e);

}  // namespace fraisier::promql

#endif  // PROMQL_AST_H_
