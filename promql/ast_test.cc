#include "promql/ast.h"

#include <cmath>
#include <limits>
#include <memory>
#include <string>
#include <utility>

#include "engine/model/matcher.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "promql/functions.h"

namespace fraisier::promql {
namespace {

Matcher M(MatchType type, absl::string_view name, absl::string_view value) {
  auto m = Matcher::Create(type, name, value);
  EXPECT_TRUE(m.ok()) << m.status();
  return *std::move(m);
}

ExprPtr Num(double v, PosRange pos = {}) {
  auto n = std::make_unique<NumberLiteral>(v);
  n->pos = pos;
  return n;
}

ExprPtr Str(std::string v) { return std::make_unique<StringLiteral>(v); }

std::unique_ptr<VectorSelector> Sel(std::string name) {
  auto vs = std::make_unique<VectorSelector>();
  vs->name = name;
  vs->matchers.push_back(M(MatchType::kEqual, "__name__", name));
  return vs;
}

ExprPtr Matrix(std::string name, int64_t range_ms) {
  auto ms = std::make_unique<MatrixSelector>();
  ms->selector = Sel(name);
  ms->range_ms = range_ms;
  return ms;
}

ExprPtr Bin(BinaryOp op, ExprPtr lhs, ExprPtr rhs) {
  auto b = std::make_unique<BinaryExpr>();
  b->op = op;
  b->lhs = std::move(lhs);
  b->rhs = std::move(rhs);
  return b;
}

ExprPtr Paren(ExprPtr e) {
  auto p = std::make_unique<ParenExpr>();
  p->expr = std::move(e);
  return p;
}

ExprPtr CallOf(absl::string_view name, ExprPtr arg) {
  auto c = std::make_unique<Call>();
  c->func = LookupFunction(name);
  if (arg != nullptr) c->args.push_back(std::move(arg));
  return c;
}

TEST(AstTest, DocumentedType) {
  EXPECT_EQ(DocumentedType(ValueType::kNone), "none");
  EXPECT_EQ(DocumentedType(ValueType::kScalar), "scalar");
  EXPECT_EQ(DocumentedType(ValueType::kVector), "instant vector");
  EXPECT_EQ(DocumentedType(ValueType::kMatrix), "range vector");
  EXPECT_EQ(DocumentedType(ValueType::kString), "string");
}

TEST(AstTest, OperatorText) {
  EXPECT_EQ(BinaryOpText(BinaryOp::kAdd), "+");
  EXPECT_EQ(BinaryOpText(BinaryOp::kPow), "^");
  EXPECT_EQ(BinaryOpText(BinaryOp::kMod), "%");
  EXPECT_EQ(BinaryOpText(BinaryOp::kAtan2), "atan2");
  EXPECT_EQ(BinaryOpText(BinaryOp::kEql), "==");
  EXPECT_EQ(BinaryOpText(BinaryOp::kNeq), "!=");
  EXPECT_EQ(BinaryOpText(BinaryOp::kGte), ">=");
  EXPECT_EQ(BinaryOpText(BinaryOp::kLte), "<=");
  EXPECT_EQ(BinaryOpText(BinaryOp::kUnless), "unless");
  EXPECT_EQ(AggregateOpText(AggregateOp::kCountValues), "count_values");
  EXPECT_EQ(AggregateOpText(AggregateOp::kLimitRatio), "limit_ratio");
  EXPECT_EQ(AggregateOpText(AggregateOp::kStdvar), "stdvar");
  EXPECT_EQ(AggregateOpText(AggregateOp::kGroup), "group");
}

TEST(AstTest, OperatorClasses) {
  EXPECT_TRUE(IsComparison(BinaryOp::kEql));
  EXPECT_TRUE(IsComparison(BinaryOp::kLte));
  EXPECT_FALSE(IsComparison(BinaryOp::kAdd));
  EXPECT_FALSE(IsComparison(BinaryOp::kAnd));
  EXPECT_TRUE(IsSetOperator(BinaryOp::kAnd));
  EXPECT_TRUE(IsSetOperator(BinaryOp::kOr));
  EXPECT_TRUE(IsSetOperator(BinaryOp::kUnless));
  EXPECT_FALSE(IsSetOperator(BinaryOp::kAtan2));
  EXPECT_FALSE(IsSetOperator(BinaryOp::kEql));
  for (AggregateOp op : {AggregateOp::kTopk, AggregateOp::kBottomk,
                         AggregateOp::kCountValues, AggregateOp::kQuantile,
                         AggregateOp::kLimitk, AggregateOp::kLimitRatio}) {
    EXPECT_TRUE(AggregateTakesParam(op)) << AggregateOpText(op);
  }
  for (AggregateOp op :
       {AggregateOp::kSum, AggregateOp::kAvg, AggregateOp::kCount,
        AggregateOp::kMin, AggregateOp::kMax, AggregateOp::kGroup,
        AggregateOp::kStddev, AggregateOp::kStdvar}) {
    EXPECT_FALSE(AggregateTakesParam(op)) << AggregateOpText(op);
  }
}

TEST(AstTest, Types) {
  EXPECT_EQ(Bin(BinaryOp::kAdd, Num(1), Num(2))->type(), ValueType::kScalar);
  EXPECT_EQ(Bin(BinaryOp::kAdd, Num(1), Sel("a"))->type(), ValueType::kVector);
  EXPECT_EQ(Bin(BinaryOp::kAdd, Sel("a"), Num(1))->type(), ValueType::kVector);
  EXPECT_EQ(Bin(BinaryOp::kAnd, Sel("a"), Sel("b"))->type(),
            ValueType::kVector);
  EXPECT_EQ(CallOf("rate", Matrix("a", 60000))->type(), ValueType::kVector);
  EXPECT_EQ(CallOf("time", nullptr)->type(), ValueType::kScalar);
  EXPECT_EQ(Paren(Num(1))->type(), ValueType::kScalar);
  EXPECT_EQ(Paren(Matrix("a", 1000))->type(), ValueType::kMatrix);
  EXPECT_EQ(Str("x")->type(), ValueType::kString);
}

TEST(AstEqualTest, NumbersIncludingNaN) {
  const double nan = std::numeric_limits<double>::quiet_NaN();
  const double inf = std::numeric_limits<double>::infinity();
  EXPECT_TRUE(AstEqual(*Num(1), *Num(1)));
  EXPECT_FALSE(AstEqual(*Num(1), *Num(2)));
  EXPECT_TRUE(AstEqual(*Num(nan), *Num(nan)));
  EXPECT_TRUE(AstEqual(*Num(nan), *Num(-nan)));
  EXPECT_FALSE(AstEqual(*Num(nan), *Num(1)));
  EXPECT_FALSE(AstEqual(*Num(1), *Num(nan)));
  EXPECT_TRUE(AstEqual(*Num(inf), *Num(inf)));
  EXPECT_FALSE(AstEqual(*Num(inf), *Num(-inf)));
  EXPECT_FALSE(AstEqual(*Num(0.0), *Num(-0.0)));
}

TEST(AstEqualTest, PositionsIgnored) {
  EXPECT_TRUE(AstEqual(*Num(1, {0, 1}), *Num(1, {5, 9})));
  auto a = Bin(BinaryOp::kAdd, Sel("a"), Num(1, {4, 5}));
  auto b = Bin(BinaryOp::kAdd, Sel("a"), Num(1, {10, 11}));
  a->pos = {0, 5};
  b->pos = {3, 11};
  EXPECT_TRUE(AstEqual(*a, *b));
}

TEST(AstEqualTest, DifferentKinds) {
  EXPECT_FALSE(AstEqual(*Num(1), *Str("1")));
  EXPECT_FALSE(AstEqual(*Num(1), *Paren(Num(1))));
  EXPECT_FALSE(AstEqual(*Sel("a"), *Matrix("a", 1000)));
}

TEST(AstEqualTest, Strings) {
  EXPECT_TRUE(AstEqual(*Str("a"), *Str("a")));
  EXPECT_FALSE(AstEqual(*Str("a"), *Str("b")));
}

TEST(AstEqualTest, Selectors) {
  EXPECT_TRUE(AstEqual(*Sel("a"), *Sel("a")));
  EXPECT_FALSE(AstEqual(*Sel("a"), *Sel("b")));

  auto x = Sel("a");
  auto y = Sel("a");
  x->matchers.push_back(M(MatchType::kEqual, "job", "x"));
  EXPECT_FALSE(AstEqual(*x, *y));
  y->matchers.push_back(M(MatchType::kNotEqual, "job", "x"));
  EXPECT_FALSE(AstEqual(*x, *y));
  y->matchers.back() = M(MatchType::kEqual, "job", "y");
  EXPECT_FALSE(AstEqual(*x, *y));
  y->matchers.back() = M(MatchType::kEqual, "instance", "x");
  EXPECT_FALSE(AstEqual(*x, *y));
  y->matchers.back() = M(MatchType::kEqual, "job", "x");
  EXPECT_TRUE(AstEqual(*x, *y));

  // Same matchers, but the name is only a matcher on one side.
  auto z = std::make_unique<VectorSelector>();
  z->matchers = Sel("a")->matchers;
  EXPECT_FALSE(AstEqual(*Sel("a"), *z));
}

TEST(AstEqualTest, SelectorModifiers) {
  auto x = Sel("a");
  auto y = Sel("a");
  x->modifiers.offset_ms = 60000;
  EXPECT_FALSE(AstEqual(*x, *y));
  y->modifiers.offset_ms = 60000;
  EXPECT_TRUE(AstEqual(*x, *y));
  x->modifiers.at_ms = 0;
  EXPECT_FALSE(AstEqual(*x, *y));
  y->modifiers.at_ms = 0;
  EXPECT_TRUE(AstEqual(*x, *y));
  x->modifiers.at_ms.reset();
  x->modifiers.at_modifier = AtModifier::kStart;
  EXPECT_FALSE(AstEqual(*x, *y));
  y->modifiers.at_ms.reset();
  y->modifiers.at_modifier = AtModifier::kEnd;
  EXPECT_FALSE(AstEqual(*x, *y));
  y->modifiers.at_modifier = AtModifier::kStart;
  EXPECT_TRUE(AstEqual(*x, *y));
}

TEST(AstEqualTest, MatrixAndSubquery) {
  EXPECT_TRUE(AstEqual(*Matrix("a", 1000), *Matrix("a", 1000)));
  EXPECT_FALSE(AstEqual(*Matrix("a", 1000), *Matrix("a", 2000)));
  EXPECT_FALSE(AstEqual(*Matrix("a", 1000), *Matrix("b", 1000)));

  auto make = [](int64_t range, int64_t step, int64_t offset) {
    auto sq = std::make_unique<Subquery>();
    sq->expr = Sel("a");
    sq->range_ms = range;
    sq->step_ms = step;
    sq->modifiers.offset_ms = offset;
    return sq;
  };
  EXPECT_TRUE(AstEqual(*make(300000, 60000, 0), *make(300000, 60000, 0)));
  EXPECT_FALSE(AstEqual(*make(300000, 60000, 0), *make(300000, 0, 0)));
  EXPECT_FALSE(AstEqual(*make(300000, 60000, 0), *make(600000, 60000, 0)));
  EXPECT_FALSE(AstEqual(*make(300000, 60000, 0), *make(300000, 60000, 1)));
  auto other = make(300000, 60000, 0);
  other->expr = Sel("b");
  EXPECT_FALSE(AstEqual(*make(300000, 60000, 0), *other));
}

TEST(AstEqualTest, UnaryAndParen) {
  auto neg = [](bool negate) {
    auto u = std::make_unique<UnaryExpr>();
    u->negate = negate;
    u->expr = Sel("a");
    return u;
  };
  EXPECT_TRUE(AstEqual(*neg(true), *neg(true)));
  EXPECT_FALSE(AstEqual(*neg(true), *neg(false)));
  EXPECT_TRUE(AstEqual(*Paren(Sel("a")), *Paren(Sel("a"))));
  EXPECT_FALSE(AstEqual(*Paren(Sel("a")), *Paren(Paren(Sel("a")))));
}

TEST(AstEqualTest, BinaryOperators) {
  EXPECT_TRUE(AstEqual(*Bin(BinaryOp::kAdd, Sel("a"), Sel("b")),
                       *Bin(BinaryOp::kAdd, Sel("a"), Sel("b"))));
  EXPECT_FALSE(AstEqual(*Bin(BinaryOp::kAdd, Sel("a"), Sel("b")),
                        *Bin(BinaryOp::kSub, Sel("a"), Sel("b"))));
  EXPECT_FALSE(AstEqual(*Bin(BinaryOp::kAdd, Sel("a"), Sel("b")),
                        *Bin(BinaryOp::kAdd, Sel("b"), Sel("a"))));

  auto with_bool = [](bool rb) {
    auto b = std::make_unique<BinaryExpr>();
    b->op = BinaryOp::kGtr;
    b->lhs = Sel("a");
    b->rhs = Num(1);
    b->return_bool = rb;
    return b;
  };
  EXPECT_FALSE(AstEqual(*with_bool(true), *with_bool(false)));
}

TEST(AstEqualTest, VectorMatchingComparedFully) {
  auto make = [](VectorMatching vm) {
    auto b = std::make_unique<BinaryExpr>();
    b->op = BinaryOp::kMul;
    b->lhs = Sel("a");
    b->rhs = Sel("b");
    b->matching = std::move(vm);
    return b;
  };
  VectorMatching base;
  base.card = Cardinality::kManyToOne;
  base.on = true;
  base.matching_labels = {"job", "instance"};
  base.include = {"version"};
  EXPECT_TRUE(AstEqual(*make(base), *make(base)));

  VectorMatching v = base;
  v.card = Cardinality::kOneToMany;
  EXPECT_FALSE(AstEqual(*make(base), *make(v)));
  v = base;
  v.on = false;
  EXPECT_FALSE(AstEqual(*make(base), *make(v)));
  v = base;
  v.matching_labels = {"instance", "job"};  // order is significant
  EXPECT_FALSE(AstEqual(*make(base), *make(v)));
  v = base;
  v.include.clear();
  EXPECT_FALSE(AstEqual(*make(base), *make(v)));

  // The stored cardinality counts: Prometheus's checker turns a set
  // operator's one-to-one into many-to-many, so a checked and an unchecked
  // tree differ.
  VectorMatching one;
  VectorMatching many;
  many.card = Cardinality::kManyToMany;
  EXPECT_FALSE(AstEqual(*make(one), *make(many)));

  auto absent = make(one);
  absent->matching.reset();
  EXPECT_FALSE(AstEqual(*make(one), *absent));
  EXPECT_FALSE(AstEqual(*absent, *make(one)));
}

TEST(AstEqualTest, Aggregations) {
  auto make = [](AggregateOp op, std::vector<std::string> grouping,
                 bool without, ExprPtr param) {
    auto agg = std::make_unique<AggregateExpr>();
    agg->op = op;
    agg->expr = Sel("a");
    agg->grouping = std::move(grouping);
    agg->without = without;
    agg->param = std::move(param);
    return agg;
  };
  EXPECT_TRUE(AstEqual(*make(AggregateOp::kSum, {"job"}, false, nullptr),
                       *make(AggregateOp::kSum, {"job"}, false, nullptr)));
  EXPECT_FALSE(AstEqual(*make(AggregateOp::kSum, {"job"}, false, nullptr),
                        *make(AggregateOp::kAvg, {"job"}, false, nullptr)));
  EXPECT_FALSE(AstEqual(*make(AggregateOp::kSum, {"job"}, false, nullptr),
                        *make(AggregateOp::kSum, {"job"}, true, nullptr)));
  EXPECT_FALSE(AstEqual(*make(AggregateOp::kSum, {"job"}, false, nullptr),
                        *make(AggregateOp::kSum, {}, false, nullptr)));
  EXPECT_TRUE(AstEqual(*make(AggregateOp::kTopk, {}, false, Num(3)),
                       *make(AggregateOp::kTopk, {}, false, Num(3))));
  EXPECT_FALSE(AstEqual(*make(AggregateOp::kTopk, {}, false, Num(3)),
                        *make(AggregateOp::kTopk, {}, false, Num(5))));
  EXPECT_FALSE(AstEqual(*make(AggregateOp::kTopk, {}, false, Num(3)),
                        *make(AggregateOp::kTopk, {}, false, nullptr)));
}

TEST(AstEqualTest, Calls) {
  EXPECT_TRUE(AstEqual(*CallOf("rate", Matrix("a", 60000)),
                       *CallOf("rate", Matrix("a", 60000))));
  EXPECT_FALSE(AstEqual(*CallOf("rate", Matrix("a", 60000)),
                        *CallOf("irate", Matrix("a", 60000))));
  EXPECT_FALSE(AstEqual(*CallOf("rate", Matrix("a", 60000)),
                        *CallOf("rate", Matrix("a", 120000))));
  EXPECT_FALSE(
      AstEqual(*CallOf("rate", Matrix("a", 60000)), *CallOf("rate", nullptr)));
  EXPECT_TRUE(AstEqual(*CallOf("time", nullptr), *CallOf("time", nullptr)));

  // A hand-made FunctionInfo with the same name is the same function.
  FunctionInfo private_time;
  private_time.name = "time";
  auto c = std::make_unique<Call>();
  c->func = &private_time;
  EXPECT_TRUE(AstEqual(*c, *CallOf("time", nullptr)));
}

TEST(AstDepthTest, Depths) {
  EXPECT_EQ(AstDepth(*Num(1)), 1);
  EXPECT_EQ(AstDepth(*Str("x")), 1);
  EXPECT_EQ(AstDepth(*Sel("a")), 1);
  EXPECT_EQ(AstDepth(*Matrix("a", 1000)), 2);
  EXPECT_EQ(AstDepth(*CallOf("rate", Matrix("a", 1000))), 3);
  EXPECT_EQ(AstDepth(*CallOf("time", nullptr)), 1);
  EXPECT_EQ(AstDepth(*Paren(Num(1))), 2);
  EXPECT_EQ(AstDepth(*Bin(BinaryOp::kAdd, Num(1), Paren(Paren(Num(2))))), 4);
  EXPECT_EQ(AstDepth(*Bin(BinaryOp::kAdd, Paren(Paren(Num(2))), Num(1))), 4);

  auto agg = std::make_unique<AggregateExpr>();
  agg->op = AggregateOp::kTopk;
  agg->param = Paren(Paren(Num(3)));
  agg->expr = Sel("a");
  EXPECT_EQ(AstDepth(*agg), 4);

  auto sq = std::make_unique<Subquery>();
  sq->expr = CallOf("rate", Matrix("a", 1000));
  EXPECT_EQ(AstDepth(*sq), 4);

  ExprPtr deep = Num(1);
  for (int i = 0; i < 100; ++i) deep = Paren(std::move(deep));
  EXPECT_EQ(AstDepth(*deep), 101);
}

}  // namespace
}  // namespace fraisier::promql
