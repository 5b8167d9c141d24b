#include "promql/printer.h"

#include <cmath>
#include <limits>
#include <memory>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "engine/model/matcher.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "promql/ast.h"
#include "promql/functions.h"

// Expected strings are what Prometheus's Expr.String() returns for the same
// tree; most come from printer_test.go and parse_test.go, with the input
// each tree was parsed from noted where it differs from the output.
namespace fraisier::promql {
namespace {

constexpr int64_t kSec = 1000;
constexpr int64_t kMin = 60 * kSec;
constexpr int64_t kHour = 60 * kMin;
constexpr int64_t kDay = 24 * kHour;

Matcher Mk(MatchType type, absl::string_view name, absl::string_view value) {
  auto m = Matcher::Create(type, name, value);
  EXPECT_TRUE(m.ok()) << m.status();
  return *std::move(m);
}
Matcher Eq(absl::string_view n, absl::string_view v) {
  return Mk(MatchType::kEqual, n, v);
}
Matcher Ne(absl::string_view n, absl::string_view v) {
  return Mk(MatchType::kNotEqual, n, v);
}
Matcher Re(absl::string_view n, absl::string_view v) {
  return Mk(MatchType::kRegexMatch, n, v);
}
Matcher Nre(absl::string_view n, absl::string_view v) {
  return Mk(MatchType::kRegexNoMatch, n, v);
}

ExprPtr N(double v) { return std::make_unique<NumberLiteral>(v); }
ExprPtr S(std::string v) { return std::make_unique<StringLiteral>(v); }

// As the parser builds it: braces matchers first, then the implied
// __name__ matcher when a name was written.
std::unique_ptr<VectorSelector> V(absl::string_view name,
                                  std::vector<Matcher> matchers = {}) {
  auto vs = std::make_unique<VectorSelector>();
  vs->name = std::string(name);
  vs->matchers = std::move(matchers);
  if (!name.empty()) vs->matchers.push_back(Eq("__name__", name));
  return vs;
}

std::unique_ptr<VectorSelector> Off(std::unique_ptr<VectorSelector> vs,
                                    int64_t ms) {
  vs->modifiers.offset_ms = ms;
  return vs;
}
std::unique_ptr<VectorSelector> At(std::unique_ptr<VectorSelector> vs,
                                   int64_t ms) {
  vs->modifiers.at_ms = ms;
  return vs;
}
std::unique_ptr<VectorSelector> AtMod(std::unique_ptr<VectorSelector> vs,
                                      AtModifier m) {
  vs->modifiers.at_modifier = m;
  return vs;
}

ExprPtr Mat(std::unique_ptr<VectorSelector> vs, int64_t range_ms) {
  auto ms = std::make_unique<MatrixSelector>();
  ms->selector = std::move(vs);
  ms->range_ms = range_ms;
  return ms;
}

ExprPtr Sub(ExprPtr e, int64_t range_ms, int64_t step_ms,
            TimeModifiers mods = {}) {
  auto sq = std::make_unique<Subquery>();
  sq->expr = std::move(e);
  sq->range_ms = range_ms;
  sq->step_ms = step_ms;
  sq->modifiers = mods;
  return sq;
}

ExprPtr Par(ExprPtr e) {
  auto p = std::make_unique<ParenExpr>();
  p->expr = std::move(e);
  return p;
}

ExprPtr Unary(bool negate, ExprPtr e) {
  auto u = std::make_unique<UnaryExpr>();
  u->negate = negate;
  u->expr = std::move(e);
  return u;
}

VectorMatching Matching(Cardinality card, bool on,
                        std::vector<std::string> labels = {},
                        std::vector<std::string> include = {}) {
  VectorMatching vm;
  vm.card = card;
  vm.on = on;
  vm.matching_labels = std::move(labels);
  vm.include = std::move(include);
  return vm;
}
constexpr Cardinality k11 = Cardinality::kOneToOne;
constexpr Cardinality kN1 = Cardinality::kManyToOne;
constexpr Cardinality k1N = Cardinality::kOneToMany;
constexpr Cardinality kNN = Cardinality::kManyToMany;

ExprPtr Bin(BinaryOp op, ExprPtr lhs, ExprPtr rhs,
            std::optional<VectorMatching> vm = std::nullopt,
            bool return_bool = false) {
  auto b = std::make_unique<BinaryExpr>();
  b->op = op;
  b->lhs = std::move(lhs);
  b->rhs = std::move(rhs);
  b->matching = std::move(vm);
  b->return_bool = return_bool;
  return b;
}

// Both sides are vectors in most tests; the parser then always records
// matching, one-to-one (or many-to-many for set operators) by default.
ExprPtr VBin(BinaryOp op, ExprPtr lhs, ExprPtr rhs) {
  return Bin(op, std::move(lhs), std::move(rhs),
             Matching(IsSetOperator(op) ? kNN : k11, false));
}

ExprPtr Agg(AggregateOp op, ExprPtr e, std::vector<std::string> grouping = {},
            bool without = false, ExprPtr param = nullptr) {
  auto agg = std::make_unique<AggregateExpr>();
  agg->op = op;
  agg->expr = std::move(e);
  agg->grouping = std::move(grouping);
  agg->without = without;
  agg->param = std::move(param);
  return agg;
}

template <typename... Args>
ExprPtr Fn(absl::string_view name, Args... args) {
  auto c = std::make_unique<Call>();
  c->func = LookupFunction(name);
  EXPECT_NE(c->func, nullptr) << name;
  (c->args.push_back(ExprPtr(std::move(args))), ...);
  return c;
}

const std::vector<Matcher> kJobS = {Eq("job", "s")};

TEST(PrinterTest, AggregationsFromPrinterTest) {
  // sum by() (...)
  EXPECT_EQ(Format(*Agg(AggregateOp::kSum, V("task:errors:rate10s", kJobS))),
            R"(sum(task:errors:rate10s{job="s"}))");
  EXPECT_EQ(Format(*Agg(AggregateOp::kSum, V("task:errors:rate10s", kJobS),
                        {"code"})),
            R"(sum by (code) (task:errors:rate10s{job="s"}))");
  EXPECT_EQ(Format(*Agg(AggregateOp::kSum, V("task:errors:rate10s", kJobS), {},
                        true)),
            R"(sum without () (task:errors:rate10s{job="s"}))");
  EXPECT_EQ(Format(*Agg(AggregateOp::kSum, V("task:errors:rate10s", kJobS),
                        {"instance"}, true)),
            R"(sum without (instance) (task:errors:rate10s{job="s"}))");
  EXPECT_EQ(Format(*Agg(AggregateOp::kTopk, V("task:errors:rate10s", kJobS), {},
                        false, N(5))),
            R"(topk(5, task:errors:rate10s{job="s"}))");
  EXPECT_EQ(
      Format(*Agg(AggregateOp::kCountValues, V("task:errors:rate10s", kJobS),
                  {}, false, S("value"))),
      R"(count_values("value", task:errors:rate10s{job="s"}))");
}

TEST(PrinterTest, MoreAggregations) {
  EXPECT_EQ(Format(*Agg(AggregateOp::kTopk, V("a"), {"job"}, false, N(3))),
            "topk by (job) (3, a)");
  EXPECT_EQ(Format(*Agg(AggregateOp::kQuantile, V("a"), {}, false, N(0.9))),
            "quantile(0.9, a)");
  EXPECT_EQ(Format(*Agg(AggregateOp::kBottomk, V("a"), {}, false, N(1))),
            "bottomk(1, a)");
  EXPECT_EQ(Format(*Agg(AggregateOp::kLimitk, V("a"), {}, false, N(2))),
            "limitk(2, a)");
  EXPECT_EQ(Format(*Agg(AggregateOp::kLimitRatio, V("a"), {}, false, N(-0.5))),
            "limit_ratio(-0.5, a)");
  EXPECT_EQ(
      Format(*Agg(AggregateOp::kCountValues, V("a"), {"x"}, true, S("v"))),
      R"(count_values without (x) ("v", a))");
  EXPECT_EQ(Format(*Agg(AggregateOp::kAvg, V("a"), {"a", "b"})),
            "avg by (a, b) (a)");
  EXPECT_EQ(Format(*Agg(AggregateOp::kGroup, V("a"))), "group(a)");
  EXPECT_EQ(Format(*Agg(AggregateOp::kStdvar, V("a"), {"job"}, true)),
            "stdvar without (job) (a)");
  // Non-legacy grouping labels are quoted; ':' is not a legacy label char.
  EXPECT_EQ(Format(*Agg(AggregateOp::kSum, V("a"), {"a.b", "job", "x:y"})),
            R"(sum by ("a.b", job, "x:y") (a))");
  EXPECT_EQ(Format(*Agg(AggregateOp::kMax,
                        Agg(AggregateOp::kSum, V("a"), {"x"}), {"y"})),
            "max by (y) (sum by (x) (a))");
}

TEST(PrinterTest, VectorMatchingFromPrinterTest) {
  EXPECT_EQ(Format(*Bin(BinaryOp::kSub, V("a"), V("c"), Matching(k11, true))),
            "a - on () c");
  EXPECT_EQ(
      Format(*Bin(BinaryOp::kSub, V("a"), V("c"), Matching(k11, true, {"b"}))),
      "a - on (b) c");
  EXPECT_EQ(Format(*Bin(BinaryOp::kSub, V("a"), V("c"),
                        Matching(kN1, true, {"b"}, {"x"}))),
            "a - on (b) group_left (x) c");
  EXPECT_EQ(Format(*Bin(BinaryOp::kSub, V("a"), V("c"),
                        Matching(kN1, true, {"b"}, {"x", "y"}))),
            "a - on (b) group_left (x, y) c");
  // a - on(b) group_left c
  EXPECT_EQ(
      Format(*Bin(BinaryOp::kSub, V("a"), V("c"), Matching(kN1, true, {"b"}))),
      "a - on (b) group_left () c");
  EXPECT_EQ(Format(*Bin(BinaryOp::kSub, V("a"), Par(V("c")),
                        Matching(kN1, true, {"b"}))),
            "a - on (b) group_left () (c)");
  EXPECT_EQ(
      Format(*Bin(BinaryOp::kSub, V("a"), V("c"), Matching(k11, false, {"b"}))),
      "a - ignoring (b) c");
  // a - ignoring() c
  EXPECT_EQ(Format(*Bin(BinaryOp::kSub, V("a"), V("c"), Matching(k11, false))),
            "a - c");
  EXPECT_EQ(Format(*Bin(BinaryOp::kGtr, V("up"), N(0), std::nullopt, true)),
            "up > bool 0");
}

TEST(PrinterTest, MoreVectorMatching) {
  EXPECT_EQ(Format(*Bin(BinaryOp::kDiv, V("a"), V("b"),
                        Matching(k1N, false, {"x"}, {"y"}))),
            "a / ignoring (x) group_right (y) b");
  // group_x without on/ignoring still prints an (empty) ignoring list.
  EXPECT_EQ(Format(*Bin(BinaryOp::kMul, V("a"), V("b"),
                        Matching(kN1, false, {}, {"y"}))),
            "a * ignoring () group_left (y) b");
  EXPECT_EQ(Format(*Bin(BinaryOp::kEql, V("a"), V("b"),
                        Matching(k11, true, {"x"}), true)),
            "a == bool on (x) b");
  EXPECT_EQ(Format(*Bin(BinaryOp::kAdd, V("a"), V("b"),
                        Matching(kN1, true, {"a.b"}, {"c-d", "e"}))),
            R"(a + on ("a.b") group_left ("c-d", e) b)");
  // Set operators carry many-to-many matching after checking.
  EXPECT_EQ(Format(*VBin(BinaryOp::kAnd, V("a"), V("b"))), "a and b");
  EXPECT_EQ(
      Format(*Bin(BinaryOp::kOr, V("a"), V("b"), Matching(kNN, true, {"x"}))),
      "a or on (x) b");
  EXPECT_EQ(Format(*Bin(BinaryOp::kUnless, V("a"), V("b"),
                        Matching(kNN, false, {"y", "z"}))),
            "a unless ignoring (y, z) b");
  EXPECT_EQ(Format(*Bin(BinaryOp::kAnd, V("a"), V("b"), Matching(kNN, true))),
            "a and on () b");
}

TEST(PrinterTest, BinaryOperators) {
  EXPECT_EQ(Format(*Bin(BinaryOp::kAdd, N(1), N(2))), "1 + 2");
  EXPECT_EQ(Format(*Bin(BinaryOp::kPow, V("a"), N(2))), "a ^ 2");
  EXPECT_EQ(Format(*Bin(BinaryOp::kMod, V("a"), N(2))), "a % 2");
  EXPECT_EQ(Format(*VBin(BinaryOp::kAtan2, V("a"), V("b"))), "a atan2 b");
  EXPECT_EQ(Format(*Bin(BinaryOp::kNeq, N(1), N(2), std::nullopt, true)),
            "1 != bool 2");
  EXPECT_EQ(Format(*Bin(BinaryOp::kLte, V("a"), N(1))), "a <= 1");
  EXPECT_EQ(Format(*Bin(BinaryOp::kGte, V("a"), N(1))), "a >= 1");
  EXPECT_EQ(Format(*Bin(BinaryOp::kLss, V("a"), N(1))), "a < 1");
  // No parentheses are invented: the tree's ParenExprs are the only ones.
  EXPECT_EQ(Format(*Bin(BinaryOp::kMul,
                        Par(VBin(BinaryOp::kAdd, V("a"), V("b"))), V("c"))),
            "(a + b) * c");
  EXPECT_EQ(Format(*VBin(BinaryOp::kAdd, V("a"),
                         VBin(BinaryOp::kMul, V("b"), V("c")))),
            "a + b * c");
  EXPECT_EQ(Format(*VBin(BinaryOp::kSub, VBin(BinaryOp::kSub, V("a"), V("b")),
                         V("c"))),
            "a - b - c");
}

TEST(PrinterTest, SelectorsFromVectorSelectorStringTest) {
  // Prometheus prints "" here; we print "{}" so that info(x, {}) reparses.
  EXPECT_EQ(Format(VectorSelector()), "{}");
  auto name_only = std::make_unique<VectorSelector>();
  name_only->name = "foobar";
  EXPECT_EQ(Format(*name_only), "foobar");
  auto one = std::make_unique<VectorSelector>();
  one->name = "foobar";
  one->matchers = {Eq("a", "x")};
  EXPECT_EQ(Format(*one), R"(foobar{a="x"})");
  EXPECT_EQ(Format(*V("foobar", {Eq("a", "x"), Eq("b", "y")})),
            R"(foobar{a="x",b="y"})");
  EXPECT_EQ(Format(*V("", {Eq("a", "x"), Eq("b", "y")})), R"({a="x",b="y"})");
  EXPECT_EQ(Format(*V("foobar")), "foobar");
  EXPECT_EQ(Format(*V("", {Eq("__name__", "foobar")})),
            R"({__name__="foobar"})");
}

TEST(PrinterTest, SelectorMatchers) {
  EXPECT_EQ(Format(*V("a", {Ne("b", "c")})), R"(a{b!="c"})");
  EXPECT_EQ(Format(*V("a", {Re("b", "c")})), R"(a{b=~"c"})");
  EXPECT_EQ(Format(*V("a", {Nre("b", "c")})), R"(a{b!~"c"})");
  // Sorted by their text, bytewise: '!' < '"' < '=' < '~'.
  EXPECT_EQ(Format(*V("m", {Eq("z", "1"), Re("job", "b"), Eq("job", "a"),
                            Ne("job", "c")})),
            R"(m{job!="c",job="a",job=~"b",z="1"})");
  EXPECT_EQ(Format(*V("a", {Eq("b", "x\"y\\z\n")})), R"(a{b="x\"y\\z\n"})");
  // A second, different __name__ matcher is printed.
  EXPECT_EQ(Format(*V("a", {Eq("__name__", "b")})), R"(a{__name__="b"})");
  EXPECT_EQ(Format(*V("a", {Re("__name__", "a")})), R"(a{__name__=~"a"})");
  // An explicit duplicate of the implied matcher is left out too.
  EXPECT_EQ(Format(*V("a", {Eq("__name__", "a")})), "a");
  // {__name__=""} is kept even though it "matches" the empty name.
  EXPECT_EQ(Format(*V("", {Eq("__name__", "")})), R"({__name__=""})");
  EXPECT_EQ(Format(*V("foo:bar_total")), "foo:bar_total");
}

TEST(PrinterTest, Utf8Names) {
  // {"my.metric", "a.b"="c"}: a quoted name inside braces is only a
  // matcher, so it prints as __name__, and sorts after the quoted label.
  EXPECT_EQ(Format(*V("", {Eq("__name__", "my.metric"), Eq("a.b", "c")})),
            R"({"a.b"="c",__name__="my.metric"})");
  EXPECT_EQ(Format(*V("", {Eq("__name__", "my.metric")})),
            R"({__name__="my.metric"})");
  EXPECT_EQ(Format(*V("up", {Re("label with space", "x")})),
            R"(up{"label with space"=~"x"})");
  EXPECT_EQ(Format(*V("up", {Eq("caf\xc3\xa9", "1")})),
            "up{\"caf\xc3\xa9\"=\"1\"}");
}

TEST(PrinterTest, OffsetsAndAt) {
  EXPECT_EQ(Format(*Off(V("a"), kMin)), "a offset 1m");
  EXPECT_EQ(Format(*Off(V("a"), -7 * kMin)), "a offset -7m");
  EXPECT_EQ(Format(*Mat(Off(V("a", {Eq("c", "d")}), kMin), 5 * kMin)),
            R"(a{c="d"}[5m] offset 1m)");
  EXPECT_EQ(Format(*Mat(Off(V("a"), kMin), 5 * kMin)), "a[5m] offset 1m");
  EXPECT_EQ(Format(*Mat(Off(V("a"), -3 * kMin), 12 * kMin)),
            "a[12m] offset -3m");
  // a @ 10
  EXPECT_EQ(Format(*At(V("a"), 10 * kSec)), "a @ 10.000");
  EXPECT_EQ(Format(*Mat(At(V("a"), 10 * kSec), kMin)), "a[1m] @ 10.000");
  EXPECT_EQ(Format(*AtMod(V("a"), AtModifier::kStart)), "a @ start()");
  EXPECT_EQ(Format(*AtMod(V("a"), AtModifier::kEnd)), "a @ end()");
  EXPECT_EQ(Format(*Mat(AtMod(V("a"), AtModifier::kStart), kMin)),
            "a[1m] @ start()");
  EXPECT_EQ(Format(*Mat(AtMod(V("a"), AtModifier::kEnd), kMin)),
            "a[1m] @ end()");
  // `a offset 5m @ 10` prints @ first.
  EXPECT_EQ(Format(*Off(At(V("a"), 10 * kSec), 5 * kMin)),
            "a @ 10.000 offset 5m");
  EXPECT_EQ(Format(*Mat(Off(AtMod(V("a"), AtModifier::kEnd), kHour), kMin)),
            "a[1m] @ end() offset 1h");
  EXPECT_EQ(Format(*At(V("a"), 1700000000123)), "a @ 1700000000.123");
  EXPECT_EQ(Format(*At(V("a"), -1500)), "a @ -1.500");
  EXPECT_EQ(Format(*At(V("a"), 0)), "a @ 0.000");
  EXPECT_EQ(Format(*At(V("a"), 1)), "a @ 0.001");
  EXPECT_EQ(Format(*Off(V("a"), 90 * kSec)), "a offset 1m30s");
  EXPECT_EQ(Format(*Off(V("a"), 1)), "a offset 1ms");
}

TEST(PrinterTest, RangesAndSubqueries) {
  EXPECT_EQ(Format(*Mat(V("a", {Ne("b", "c")}), kMin)), R"(a{b!="c"}[1m])");
  EXPECT_EQ(Format(*Mat(V("a"), 90 * kMin)), "a[1h30m]");
  EXPECT_EQ(Format(*Mat(V("a"), 1500)), "a[1s500ms]");
  EXPECT_EQ(Format(*Mat(V("a"), 7 * kDay)), "a[1w]");
  EXPECT_EQ(Format(*Mat(V("a"), 365 * kDay)), "a[1y]");
  EXPECT_EQ(Format(*Mat(V("", {Eq("__name__", "a")}), kDay)),
            R"({__name__="a"}[1d])");

  TimeModifiers off1m;
  off1m.offset_ms = kMin;
  EXPECT_EQ(Format(*Sub(V("a"), kHour, 5 * kMin, off1m)), "a[1h:5m] offset 1m");
  EXPECT_EQ(Format(*Sub(V("a"), 5 * kMin, 0)), "a[5m:]");
  EXPECT_EQ(Format(*Sub(Fn("rate", Mat(V("a"), 5 * kMin)), 30 * kMin, kMin)),
            "rate(a[5m])[30m:1m]");
  TimeModifiers neg;
  neg.offset_ms = -kMin;
  EXPECT_EQ(
      Format(*Sub(Par(VBin(BinaryOp::kAdd, V("a"), V("b"))), 5 * kMin, 0, neg)),
      "(a + b)[5m:] offset -1m");
  TimeModifiers at_and_offset;
  at_and_offset.at_ms = 10 * kSec;
  at_and_offset.offset_ms = 5 * kMin;
  EXPECT_EQ(Format(*Sub(V("a"), 5 * kMin, kMin, at_and_offset)),
            "a[5m:1m] @ 10.000 offset 5m");
  TimeModifiers end;
  end.at_modifier = AtModifier::kEnd;
  EXPECT_EQ(Format(*Sub(V("a"), 5 * kMin, 0, end)), "a[5m:] @ end()");
  // A subquery of a subquery.
  EXPECT_EQ(Format(*Sub(Sub(V("a"), 5 * kMin, kMin), kHour, 10 * kMin)),
            "a[5m:1m][1h:10m]");
  // A selector with its own offset inside a subquery.
  EXPECT_EQ(Format(*Sub(Off(V("a"), kMin), 5 * kMin, 0)), "a offset 1m[5m:]");
}

TEST(PrinterTest, NumberLiterals) {
  EXPECT_EQ(Format(*N(1)), "1");
  EXPECT_EQ(Format(*N(1.5)), "1.5");
  EXPECT_EQ(Format(*N(-5)), "-5");
  EXPECT_EQ(Format(*N(0)), "0");
  EXPECT_EQ(Format(*N(-0.0)), "-0");
  EXPECT_EQ(Format(*N(0.1)), "0.1");
  EXPECT_EQ(Format(*N(31)), "31");  // 0x1f
  EXPECT_EQ(Format(*N(123456789)), "123456789");
  EXPECT_EQ(Format(*N(1e-7)), "0.0000001");
  EXPECT_EQ(Format(*N(1.25e-3)), "0.00125");
  EXPECT_EQ(Format(*N(1e21)), "1000000000000000000000");
  // Shortest digits, then zeros: not the exact binary value.
  EXPECT_EQ(Format(*N(1e23)), "100000000000000000000000");
  EXPECT_EQ(Format(*N(1e100)), "1" + std::string(100, '0'));
  EXPECT_EQ(Format(*N(5e-324)), "0." + std::string(323, '0') + "5");
  EXPECT_EQ(Format(*N(1.7976931348623157e308)),
            "17976931348623157" + std::string(292, '0'));
  EXPECT_EQ(Format(*N(0.30000000000000004)), "0.30000000000000004");
  EXPECT_EQ(Format(*N(std::numeric_limits<double>::infinity())), "+Inf");
  EXPECT_EQ(Format(*N(-std::numeric_limits<double>::infinity())), "-Inf");
  EXPECT_EQ(Format(*N(std::numeric_limits<double>::quiet_NaN())), "NaN");
  EXPECT_EQ(Format(*N(-std::numeric_limits<double>::quiet_NaN())), "NaN");
}

TEST(PrinterTest, StringLiterals) {
  EXPECT_EQ(Format(*S("abc")), R"("abc")");
  EXPECT_EQ(Format(*S("")), R"("")");
  // 'single' and `raw` strings print double-quoted.
  EXPECT_EQ(Format(*S("a\nb\t\"c\"\\")), R"("a\nb\t\"c\"\\")");
  EXPECT_EQ(Format(*S("caf\xc3\xa9")), "\"caf\xc3\xa9\"");
  EXPECT_EQ(Format(*S(std::string("\0\x7f", 2))), R"("\x00\x7f")");
}

TEST(PrinterTest, UnaryAndParens) {
  EXPECT_EQ(Format(*Unary(true, V("a"))), "-a");
  EXPECT_EQ(Format(*Unary(false, V("a"))), "+a");
  EXPECT_EQ(Format(*Unary(true, Par(VBin(BinaryOp::kAdd, V("a"), V("b"))))),
            "-(a + b)");
  EXPECT_EQ(Format(*Unary(true, Fn("rate", Mat(V("a"), 5 * kMin)))),
            "-rate(a[5m])");
  EXPECT_EQ(Format(*Unary(true, Unary(true, V("a")))), "--a");
  EXPECT_EQ(Format(*Par(V("a"))), "(a)");
  EXPECT_EQ(Format(*Par(Par(N(1)))), "((1))");
  EXPECT_EQ(Format(*Bin(BinaryOp::kSub, N(1), Unary(true, V("a")))), "1 - -a");
}

TEST(PrinterTest, Calls) {
  EXPECT_EQ(Format(*Fn("rate", Mat(V("a"), 5 * kMin))), "rate(a[5m])");
  EXPECT_EQ(Format(*Fn("time")), "time()");
  EXPECT_EQ(Format(*Fn("label_replace", V("a"), S("dst"), S("$1"), S("src"),
                       S("(.*)"))),
            R"x(label_replace(a, "dst", "$1", "src", "(.*)"))x");
  EXPECT_EQ(Format(*Fn("label_join", V("a"), S("d"), S(","), S("s1"), S("s2"))),
            R"(label_join(a, "d", ",", "s1", "s2"))");
  EXPECT_EQ(
      Format(*Fn("histogram_quantile", N(0.9),
                 Agg(AggregateOp::kSum,
                     Fn("rate", Mat(V("http_request_duration_seconds_bucket"),
                                    5 * kMin)),
                     {"le"}))),
      "histogram_quantile(0.9, sum by (le) "
      "(rate(http_request_duration_seconds_bucket[5m])))");
  EXPECT_EQ(Format(*Fn("round", V("a"), N(0.5))), "round(a, 0.5)");
  EXPECT_EQ(Format(*Fn("vector", Fn("time"))), "vector(time())");
  EXPECT_EQ(
      Format(*Fn("quantile_over_time", N(0.99), Sub(V("a"), 10 * kMin, 0))),
      "quantile_over_time(0.99, a[10m:])");
  EXPECT_EQ(Format(*Fn("absent", V("nonexistent", {Eq("job", "myjob")}))),
            R"(absent(nonexistent{job="myjob"}))");
}

TEST(PrinterTest, RealisticRules) {
  auto errors = Agg(
      AggregateOp::kSum,
      Fn("rate", Mat(V("http_requests_total", {Re("code", "5..")}), 5 * kMin)),
      {"job"});
  auto total =
      Agg(AggregateOp::kSum,
          Fn("rate", Mat(V("http_requests_total"), 5 * kMin)), {"job"});
  auto ratio = VBin(BinaryOp::kDiv, std::move(errors), std::move(total));
  EXPECT_EQ(Format(*Bin(BinaryOp::kGtr, std::move(ratio), N(0.05))),
            R"(sum by (job) (rate(http_requests_total{code=~"5.."}[5m])) / )"
            R"(sum by (job) (rate(http_requests_total[5m])) > 0.05)");

  EXPECT_EQ(Format(*Bin(
                BinaryOp::kLss,
                Fn("predict_linear",
                   Mat(V("node_filesystem_avail_bytes", {Eq("fstype", "ext4")}),
                       6 * kHour),
                   Bin(BinaryOp::kMul, N(4), N(3600))),
                N(0))),
            R"(predict_linear(node_filesystem_avail_bytes{fstype="ext4"}[6h], )"
            R"(4 * 3600) < 0)");
}

}  // namespace
}  // namespace fraisier::promql
