// Valid PromQL parses to the tree Prometheus 3 builds, prints as Prometheus's
// Expr.String() prints it, and survives a print/parse round trip.
//
// Trees are compared through a compact structural dump (see
// parser_test_util.h), so each case states node kinds, operators, precedence
// and associativity, vector matching, modifiers and literal values. Many inputs
// and trees come from Prometheus's promql/parser/parse_test.go.
#include "promql/parser.h"

#include <cmath>
#include <ostream>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "engine/base/status_matchers.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "promql/ast.h"
#include "promql/parser_test_util.h"
#include "promql/printer.h"

namespace fraisier::promql {
namespace {

using ::fraisier::promql::test_util::Dump;
using ::fraisier::promql::test_util::Positions;
using ::fraisier::promql::test_util::SortMatchers;
using ::fraisier::testing::IsOk;

struct ParseCase {
  std::string input;
  std::string tree;       // Dump of the parsed tree
  std::string formatted;  // Format(tree), as Prometheus's String()
  bool experimental = false;
};

void PrintTo(const ParseCase& c, std::ostream* os) { *os << c.input; }

std::vector<ParseCase> Cases() {
  return {
      // Numbers.
      {"1", "1", "1"},
      {"+Inf", "+Inf", "+Inf"},
      {"-Inf", "-Inf", "-Inf"},
      {"inf", "+Inf", "+Inf"},
      {".5", "0.5", "0.5"},
      {"5.", "5", "5"},
      {"123.4567", "123.4567", "123.4567"},
      {"5e-3", "0.005", "0.005"},
      {"5e3", "5000", "5000"},
      {"1E+3", "1000", "1000"},
      {"0xc", "12", "12"},
      {"0X1f", "31", "31"},
      {"0755", "493", "493"},
      {"+5.5e-3", "0.0055", "0.0055"},
      {"-0755", "-493", "-493"},
      {"1_000_000", "1e+06", "1000000"},
      {"0x_ff", "255", "255"},
      {"5m", "dur:300", "5m"},
      {"1h30m", "dur:5400", "1h30m"},
      {"-5m", "dur:-300", "-5m"},
      {"1s500ms", "dur:1.5", "1s500ms"},

      // Unary operators bind like multiplication; a sign on a number
      // literal folds into it.
      {"-1^2", "neg(^(1, 2))", "-1 ^ 2"},
      {"-1*2", "*(-1, 2)", "-1 * 2"},
      {"-1+2", "+(-1, 2)", "-1 + 2"},
      {"-1^-2", "neg(^(1, -2))", "-1 ^ -2"},
      {"+1 + -2 * 1", "+(1, *(-2, 1))", "1 + -2 * 1"},
      {"--1", "1", "1"},
      {"-(1)", "neg(paren(1))", "-(1)"},
      {"-some_metric", "neg(vs(some_metric))", "-some_metric"},
      {" +some_metric", "pos(vs(some_metric))", "+some_metric"},
      {R"( +{"some_metric"})", R"(pos(vs(; __name__="some_metric")))",
       R"(+{__name__="some_metric"})"},
      {"- - foo", "neg(neg(vs(foo)))", "--foo"},
      {"-a^b", "neg(^[1:1](vs(a), vs(b)))", "-a ^ b"},
      {"-a*b", "*[1:1](neg(vs(a)), vs(b))", "-a * b"},
      {"2 ^ -a ^ 2", "^(2, neg(^(vs(a), 2)))", "2 ^ -a ^ 2"},

      // Precedence and associativity.
      {"1 + 2/(3*1)", "+(1, /(2, paren(*(3, 1))))", "1 + 2 / (3 * 1)"},
      {"1 < bool 2 - 1 * 2", "<bool(1, -(2, *(1, 2)))", "1 < bool 2 - 1 * 2"},
      {"2 ^ 3 ^ 2", "^(2, ^(3, 2))", "2 ^ 3 ^ 2"},
      {"a - b - c", "-[1:1](-[1:1](vs(a), vs(b)), vs(c))", "a - b - c"},
      {"a / b * c % d", "%[1:1](*[1:1](/[1:1](vs(a), vs(b)), vs(c)), vs(d))",
       "a / b * c % d"},
      {"a atan2 b * c", "*[1:1](atan2[1:1](vs(a), vs(b)), vs(c))",
       "a atan2 b * c"},
      // Native-histogram trim operators bind like multiplication.
      {"h >/ 0", ">/(vs(h), 0)", "h >/ 0"},
      {"h </ +Inf + 1", "+(</(vs(h), +Inf), 1)", "h </ +Inf + 1"},
      {"a + b > c", ">[1:1](+[1:1](vs(a), vs(b)), vs(c))", "a + b > c"},
      {"foo + bar or bla and blub",
       "or[n:n](+[1:1](vs(foo), vs(bar)), and[n:n](vs(bla), vs(blub)))",
       "foo + bar or bla and blub"},
      {"foo and bar unless baz or qux",
       "or[n:n](unless[n:n](and[n:n](vs(foo), vs(bar)), vs(baz)), vs(qux))",
       "foo and bar unless baz or qux"},
      {"x and on(a) y or z", "or[n:n](and[n:n on(a)](vs(x), vs(y)), vs(z))",
       "x and on (a) y or z"},
      {"a == b != c", "!=[1:1](==[1:1](vs(a), vs(b)), vs(c))", "a == b != c"},

      // Comparisons, bool and vector matching.
      {"1 == bool 1", "==bool(1, 1)", "1 == bool 1"},
      {"1 >= bool 1", ">=bool(1, 1)", "1 >= bool 1"},
      {"foo == 1", "==(vs(foo), 1)", "foo == 1"},
      {"foo == bool 1", "==bool(vs(foo), 1)", "foo == bool 1"},
      {"2.5 / bar", "/(2.5, vs(bar))", "2.5 / bar"},
      {"foo * bar", "*[1:1](vs(foo), vs(bar))", "foo * bar"},
      {"x > bool on(a) y", ">bool[1:1 on(a)](vs(x), vs(y))",
       "x > bool on (a) y"},
      {"foo * on(test,blub) bar", "*[1:1 on(test,blub)](vs(foo), vs(bar))",
       "foo * on (test, blub) bar"},
      {"foo * on(test,blub) group_left bar",
       "*[n:1 on(test,blub)](vs(foo), vs(bar))",
       "foo * on (test, blub) group_left () bar"},
      {"foo / on(test,blub) group_left(bar) bar",
       "/[n:1 on(test,blub) include(bar)](vs(foo), vs(bar))",
       "foo / on (test, blub) group_left (bar) bar"},
      {"foo / ignoring(test,blub) group_left(blub) bar",
       "/[n:1 ignoring(test,blub) include(blub)](vs(foo), vs(bar))",
       "foo / ignoring (test, blub) group_left (blub) bar"},
      {"foo - on(test,blub) group_right(bar,foo) bar",
       "-[1:n on(test,blub) include(bar,foo)](vs(foo), vs(bar))",
       "foo - on (test, blub) group_right (bar, foo) bar"},
      {"bar + on(foo) bla / on(baz, buz) group_right(test) blub",
       "+[1:1 on(foo)](vs(bar), /[1:n on(baz,buz) include(test)](vs(bla), "
       "vs(blub)))",
       "bar + on (foo) bla / on (baz, buz) group_right (test) blub"},
      {"x + on() y", "+[1:1 on()](vs(x), vs(y))", "x + on () y"},
      {"x + ignoring() y", "+[1:1](vs(x), vs(y))", "x + y"},
      // Matching is dropped when an operand is a scalar.
      {"1 + on() x", "+(1, vs(x))", "1 + x"},
      {"x - ignoring() 1", "-(vs(x), 1)", "x - 1"},
      // Set operators are many-to-many.
      {"foo and bar", "and[n:n](vs(foo), vs(bar))", "foo and bar"},
      {"foo or bar", "or[n:n](vs(foo), vs(bar))", "foo or bar"},
      {"foo unless bar", "unless[n:n](vs(foo), vs(bar))", "foo unless bar"},
      {"foo and on(test,blub) bar", "and[n:n on(test,blub)](vs(foo), vs(bar))",
       "foo and on (test, blub) bar"},
      {"foo and on() bar", "and[n:n on()](vs(foo), vs(bar))",
       "foo and on () bar"},
      {"foo and ignoring() bar", "and[n:n](vs(foo), vs(bar))", "foo and bar"},
      {"foo unless on(start) bar", "unless[n:n on(start)](vs(foo), vs(bar))",
       "foo unless on (start) bar"},

      // Selectors, including quoted and keyword names.
      {"foo", "vs(foo)", "foo"},
      {"foo:bar{a=\"bc\"}", R"(vs(foo:bar; a="bc"))", R"(foo:bar{a="bc"})"},
      {R"({"foo"})", R"(vs(; __name__="foo"))", R"({__name__="foo"})"},
      {R"({"my.metric"})", R"(vs(; __name__="my.metric"))",
       R"({__name__="my.metric"})"},
      {R"({"a.b"="c"})", R"(vs(; "a.b"="c"))", R"({"a.b"="c"})"},
      {R"({"foo", a="bc"})", R"(vs(; __name__="foo", a="bc"))",
       R"({__name__="foo",a="bc"})"},
      {R"({'foo\'bar', 'a\\dos\\path'='boo\\urns'})",
       R"(vs(; __name__="foo'bar", "a\\dos\\path"="boo\\urns"))",
       R"({"a\\dos\\path"="boo\\urns",__name__="foo'bar"})"},
      {R"(foo{NaN='bc'})", R"(vs(foo; NaN="bc"))", R"(foo{NaN="bc"})"},
      {R"(foo{bar='}'})", R"(vs(foo; bar="}"))", R"(foo{bar="}"})"},
      {R"(foo{a="b", foo!="bar", test=~"test", bar!~"baz",})",
       R"(vs(foo; a="b", foo!="bar", test=~"test", bar!~"baz"))",
       R"(foo{a="b",bar!~"baz",foo!="bar",test=~"test"})"},
      {R"({a="b", foo!="bar", "foo", test=~"test", bar!~"baz"})",
       R"(vs(; a="b", foo!="bar", __name__="foo", test=~"test", bar!~"baz"))",
       R"({__name__="foo",a="b",bar!~"baz",foo!="bar",test=~"test"})"},
      {R"({__name__=~"bar", __name__!~"baz"})",
       R"(vs(; __name__=~"bar", __name__!~"baz"))",
       R"({__name__!~"baz",__name__=~"bar"})"},
      {R"({"bar", __name__="baz"})", R"(vs(; __name__="bar", __name__="baz"))",
       R"({__name__="bar",__name__="baz"})"},
      {"min", "vs(min)", "min"},
      {"sum(sum)", "sum(vs(sum))", "sum(sum)"},
      {"a + sum", "+[1:1](vs(a), vs(sum))", "a + sum"},
      {"start", "vs(start)", "start"},
      {R"(start{end="foo"})", R"(vs(start; end="foo"))", R"(start{end="foo"})"},
      {R"(and{a="b"})", R"(vs(and; a="b"))", R"(and{a="b"})"},
      {"offset", "vs(offset)", "offset"},
      {R"(by{offset="1s"})", R"(vs(by; offset="1s"))", R"(by{offset="1s"})"},
      {R"(anchored{job="test"})", R"(vs(anchored; job="test"))",
       R"(anchored{job="test"})"},
      {"fill + fill", "+[1:1](vs(fill), vs(fill))", "fill + fill"},
      {R"(foo{by="a", on="b", bool="c"})",
       R"(vs(foo; by="a", on="b", bool="c"))",
       R"(foo{bool="c",by="a",on="b"})"},

      // Ranges, offsets and @.
      {"test[5m]", "matrix(vs(test), 300000ms)", "test[5m]"},
      {"test[1000ms]", "matrix(vs(test), 1000ms)", "test[1s]"},
      {"test[5]", "matrix(vs(test), 5000ms)", "test[5s]"},
      {"foo[4.018]", "matrix(vs(foo), 4018ms)", "foo[4s18ms]"},
      {"foo[5m30s]", "matrix(vs(foo), 330000ms)", "foo[5m30s]"},
      {R"(offset{step="1s"}[5m])", R"(matrix(vs(offset; step="1s"), 300000ms))",
       R"(offset{step="1s"}[5m])"},
      {"test[5h] OFFSET 5m", "matrix(vs(test) offset=300000ms, 18000000ms)",
       "test[5h] offset 5m"},
      {"test[5w] offset 2w",
       "matrix(vs(test) offset=1209600000ms, 3024000000ms)",
       "test[5w] offset 2w"},
      {R"(test{a="b"}[5y] OFFSET 3d)",
       R"(matrix(vs(test; a="b") offset=259200000ms, 157680000000ms))",
       R"(test{a="b"}[5y] offset 3d)"},
      {R"(test{a="b"}[5m] OFFSET 3600)",
       R"(matrix(vs(test; a="b") offset=3600000ms, 300000ms))",
       R"(test{a="b"}[5m] offset 1h)"},
      {"foo offset 5m", "vs(foo) offset=300000ms", "foo offset 5m"},
      {"foo offset -7m", "vs(foo) offset=-420000ms", "foo offset -7m"},
      {"foo OFFSET 1h30m", "vs(foo) offset=5400000ms", "foo offset 1h30m"},
      {"foo offset 5", "vs(foo) offset=5000ms", "foo offset 5s"},
      {"foo offset 0s", "vs(foo)", "foo"},
      {"foo offset 5s-8", "-(vs(foo) offset=5000ms, 8)", "foo offset 5s - 8"},
      {"foo offset -1^1", "^(vs(foo) offset=-1000ms, 1)", "foo offset -1s ^ 1"},
      {"foo @ 1603774568", "vs(foo) @1603774568000", "foo @ 1603774568.000"},
      {"foo @ -100", "vs(foo) @-100000", "foo @ -100.000"},
      {"foo @ .3", "vs(foo) @300", "foo @ 0.300"},
      {"foo @ 3.3335", "vs(foo) @3334", "foo @ 3.334"},
      {"foo @ 0xA", "vs(foo) @10000", "foo @ 10.000"},
      {"foo @ -3.3e1", "vs(foo) @-33000", "foo @ -33.000"},
      {"some_metric[5m] @ 1m", "matrix(vs(some_metric) @60000, 300000ms)",
       "some_metric[5m] @ 60.000"},
      {"foo @ start()", "vs(foo) @start()", "foo @ start()"},
      {"foo @ end()", "vs(foo) @end()", "foo @ end()"},
      {"test[5y] @ start()", "matrix(vs(test) @start(), 157680000000ms)",
       "test[5y] @ start()"},
      {"foo offset 1m @ end()", "vs(foo) @end() offset=60000ms",
       "foo @ end() offset 1m"},
      {"x @ 1.5 offset -1s", "vs(x) @1500 offset=-1000ms",
       "x @ 1.500 offset -1s"},

      // Subqueries.
      {R"(foo{bar="baz"}[10m:6s])",
       R"(subquery(vs(foo; bar="baz"), 600000ms:6000ms))",
       R"(foo{bar="baz"}[10m:6s])"},
      {R"(foo{bar="baz"}[10m5s:1h6ms])",
       R"(subquery(vs(foo; bar="baz"), 605000ms:3600006ms))",
       R"(foo{bar="baz"}[10m5s:1h6ms])"},
      {"foo[10m:]", "subquery(vs(foo), 600000ms:0ms)", "foo[10m:]"},
      {R"(min_over_time(rate(foo{bar="baz"}[2s])[5m:] offset 4m)[4m:3s])",
       R"(subquery(fn:min_over_time(subquery(fn:rate(matrix(vs(foo; bar="baz"), 2000ms)), 300000ms:0ms) offset=240000ms), 240000ms:3000ms))",
       R"(min_over_time(rate(foo{bar="baz"}[2s])[5m:] offset 4m)[4m:3s])"},
      {"some_metric @ 123 offset 1m [10m:5s]",
       "subquery(vs(some_metric) @123000 offset=60000ms, 600000ms:5000ms)",
       "some_metric @ 123.000 offset 1m[10m:5s]"},
      {"some_metric[10m:5s] offset 1m @ 123",
       "subquery(vs(some_metric), 600000ms:5000ms) @123000 offset=60000ms",
       "some_metric[10m:5s] @ 123.000 offset 1m"},
      {R"((foo + bar{nm="val"})[5m:] offset 10m)",
       R"(subquery(paren(+[1:1](vs(foo), vs(bar; nm="val"))), 300000ms:0ms) offset=600000ms)",
       R"((foo + bar{nm="val"})[5m:] offset 10m)"},
      {"foo[10m:6s] @ end()", "subquery(vs(foo), 600000ms:6000ms) @end()",
       "foo[10m:6s] @ end()"},
      {"sum(x) by (a)[5m:1m]", "subquery(sum by(a)(vs(x)), 300000ms:60000ms)",
       "sum by (a) (x)[5m:1m]"},

      // Aggregations.
      {"sum by (foo)(some_metric)", "sum by(foo)(vs(some_metric))",
       "sum by (foo) (some_metric)"},
      {"avg by (foo)(some_metric)", "avg by(foo)(vs(some_metric))",
       "avg by (foo) (some_metric)"},
      {"sum without (foo) (some_metric)", "sum without(foo)(vs(some_metric))",
       "sum without (foo) (some_metric)"},
      {"sum (some_metric) without (foo)", "sum without(foo)(vs(some_metric))",
       "sum without (foo) (some_metric)"},
      {"stddev(some_metric)", "stddev(vs(some_metric))", "stddev(some_metric)"},
      {"sum by ()(some_metric)", "sum(vs(some_metric))", "sum(some_metric)"},
      {"sum without ()(some_metric)", "sum without()(vs(some_metric))",
       "sum without () (some_metric)"},
      {"sum by (foo,bar,)(some_metric)", "sum by(foo,bar)(vs(some_metric))",
       "sum by (foo, bar) (some_metric)"},
      {"sum by (by, on) (x)", "sum by(by,on)(vs(x))", "sum by (by, on) (x)"},
      {"sum without(and, by, avg, count, alert, annotations)(some_metric)",
       "sum without(and,by,avg,count,alert,annotations)(vs(some_metric))",
       "sum without (and, by, avg, count, alert, annotations) (some_metric)"},
      {R"(sum by ("foo bar")({"some.metric"}))",
       R"(sum by(foo bar)(vs(; __name__="some.metric")))",
       R"(sum by ("foo bar") ({__name__="some.metric"}))"},
      {R"(sum by ("foo", bar, 'baz')({"some.metric"}))",
       R"(sum by(foo,bar,baz)(vs(; __name__="some.metric")))",
       R"(sum by (foo, bar, baz) ({__name__="some.metric"}))"},
      {"topk(5, some_metric)", "topk(5, vs(some_metric))",
       "topk(5, some_metric)"},
      {R"(count_values("value", some_metric))",
       R"(count_values("value", vs(some_metric)))",
       R"(count_values("value", some_metric))"},
      {"quantile by (le) (0.9, x)", "quantile by(le)(0.9, vs(x))",
       "quantile by (le) (0.9, x)"},
      {"Sum BY (a) (x)", "sum by(a)(vs(x))", "sum by (a) (x)"},
      {"(sum(foo) )", "paren(sum(vs(foo)))", "(sum(foo))"},
      {"sum by (job)(rate(http_requests_total[30m]))",
       "sum by(job)(fn:rate(matrix(vs(http_requests_total), 1800000ms)))",
       "sum by (job) (rate(http_requests_total[30m]))"},
      {"topk(3, x) by (a)", "topk by(a)(3, vs(x))", "topk by (a) (3, x)"},
      {R"(count_values without (a) ("v", x))",
       R"(count_values without(a)("v", vs(x)))",
       R"(count_values without (a) ("v", x))"},
      {"sum by (offset, bool, group_left, atan2) (x)",
       "sum by(offset,bool,group_left,atan2)(vs(x))",
       "sum by (offset, bool, group_left, atan2) (x)"},
      {"limitk(1, x)", "limitk(1, vs(x))", "limitk(1, x)", true},

      // Function calls.
      {"time()", "fn:time()", "time()"},
      {"time() > bool 0", ">bool(fn:time(), 0)", "time() > bool 0"},
      {"abs(-x)", "fn:abs(neg(vs(x)))", "abs(-x)"},
      {"rate(x[5m] @ end())", "fn:rate(matrix(vs(x) @end(), 300000ms))",
       "rate(x[5m] @ end())"},
      {R"(floor(some_metric{foo!="bar"}))",
       R"(fn:floor(vs(some_metric; foo!="bar")))",
       R"(floor(some_metric{foo!="bar"}))"},
      {"rate(some_metric[5m])", "fn:rate(matrix(vs(some_metric), 300000ms))",
       "rate(some_metric[5m])"},
      {"round(some_metric, 5)", "fn:round(vs(some_metric), 5)",
       "round(some_metric, 5)"},
      {R"(label_join(x, "a", ",", "b", "c"))",
       R"(fn:label_join(vs(x), "a", ",", "b", "c"))",
       R"(label_join(x, "a", ",", "b", "c"))"},
      {"histogram_quantile(0.9, sum by (le) (rate(x[5m])))",
       "fn:histogram_quantile(0.9, sum by(le)(fn:rate(matrix(vs(x), "
       "300000ms))))",
       "histogram_quantile(0.9, sum by (le) (rate(x[5m])))"},
      {"start()", "fn:start()", "start()", true},
      {R"(info(x, {foo="bar", bar="baz"}))",
       R"(fn:info(vs(x), vs(; foo="bar", bar="baz")))",
       R"(info(x, {bar="baz",foo="bar"}))", true},
      {R"(info(x, {a=~".*"}))", R"(fn:info(vs(x), vs(; a=~".*")))",
       R"(info(x, {a=~".*"}))", true},

      // Strings: all quote kinds and escapes.
      {R"("double-quoted string \" with escaped quote")",
       R"("double-quoted string \" with escaped quote")",
       R"("double-quoted string \" with escaped quote")"},
      {R"('single-quoted string \' with escaped quote')",
       R"("single-quoted string \' with escaped quote")",
       R"("single-quoted string ' with escaped quote")"},
      {"`backtick-quoted string`", R"("backtick-quoted string")",
       R"("backtick-quoted string")"},
      {R"("\a\b\f\n\r\t\v\\\" - \xFF\377\u1234")",
       R"("\x07\x08\x0c\n\r\t\x0b\\\" - \xff\xff\xe1\x88\xb4")",
       R"("\a\b\f\n\r\t\v\\\" - \xff\xffሴ")"},
      {R"('\a\'\x41\101')", R"("\x07\'AA")", R"("\a'AA")"},
      {R"(`\n\"'`)", R"("\\n\\\"\'")", R"("\\n\\\"'")"},
      {R"("日本語")", R"("\xe6\x97\xa5\xe6\x9c\xac\xe8\xaa\x9e")",
       R"("日本語")"},

      // Comments and whitespace.
      {"foo # comment", "vs(foo)", "foo"},
      {"# first\nfoo\n# second\n+ bar # third", "+[1:1](vs(foo), vs(bar))",
       "foo + bar"},
      {"sum by (a)\n(\n  rate(x[5m])\n)",
       "sum by(a)(fn:rate(matrix(vs(x), 300000ms)))",
       "sum by (a) (rate(x[5m]))"},
  };
}

class ParserTest : public ::testing::TestWithParam<ParseCase> {};

TEST_P(ParserTest, TreeFormatAndRoundTrip) {
  const ParseCase& c = GetParam();
  ParseOptions options;
  options.enable_experimental_functions = c.experimental;
  absl::StatusOr<ExprPtr> expr = ParseExpr(c.input, options);
  ASSERT_THAT(expr, IsOk());
  EXPECT_EQ(Dump(**expr), c.tree);
  const std::string formatted = Format(**expr);
  EXPECT_EQ(formatted, c.formatted);

  absl::StatusOr<ExprPtr> again = ParseExpr(formatted, options);
  ASSERT_THAT(again, IsOk()) << formatted;
  EXPECT_EQ(Format(**again), formatted);
  SortMatchers(**expr);
  SortMatchers(**again);
  EXPECT_TRUE(AstEqual(**expr, **again)) << Dump(**expr) << "\nvs\n"
                                         << Dump(**again);
}

INSTANTIATE_TEST_SUITE_P(Table, ParserTest, ::testing::ValuesIn(Cases()));

// Node byte ranges, pre-order, as Prometheus's PositionRange() gives them.
TEST(ParserPositionTest, MatchesPrometheus) {
  struct Case {
    std::string input;
    std::string positions;
    bool experimental = false;
  };
  const std::vector<Case> cases = {
      {"-1*2", "0-4 0-2 3-4"},
      {"-1^2", "0-4 1-4 1-2 3-4"},
      {" +some_metric", "1-13 2-13"},
      {R"( +{"some_metric"})", "1-17 2-17"},
      {"1 + 2/(3*1)", "0-11 0-1 4-11 4-5 6-11 7-10 7-8 9-10"},
      {"foo offset 5m", "0-13"},
      {"foo @ 3.", "0-8"},
      {"test[5h] OFFSET 5m", "0-18 0-4"},
      {"foo[3ms] @ 2.345", "0-16 0-3"},
      {"sum (some_metric) without (foo)", "0-31 5-16"},
      {"(sum(foo) )", "0-11 1-9 5-8"},
      {"(sum(foo) by (bar))", "0-19 1-18 5-8"},
      {"topk(5, some_metric)", "0-20 5-6 8-19"},
      {"foo[10m:]", "0-9 0-3"},
      {R"(min_over_time(rate(foo{bar="baz"}[2s])[5m:] @ 1603775091)[4m:3s])",
       "0-64 0-57 14-56 14-38 19-37 19-33"},
      {"some_metric @ 123 offset 1m [10m:5s]", "0-36 0-27"},
      {R"("double-quoted string \" with escaped quote")", "0-44"},
      {R"(sum by ("foo bar")({"some.metric"}))", "0-35 19-34"},
      {R"(info(http_request_counter_total{namespace="zzz"}, {foo="bar", bar="baz"}))",
       "0-73 5-48 50-72", true},
  };
  for (const Case& c : cases) {
    ParseOptions options;
    options.enable_experimental_functions = c.experimental;
    absl::StatusOr<ExprPtr> expr = ParseExpr(c.input, options);
    ASSERT_THAT(expr, IsOk()) << c.input;
    EXPECT_EQ(Positions(**expr), c.positions) << c.input;
  }
}

// NaN has no equality; check it apart.
TEST(ParserNumberTest, NaN) {
  for (const char* input : {"NaN", "nan", "-NaN"}) {
    absl::StatusOr<ExprPtr> expr = ParseExpr(input);
    ASSERT_THAT(expr, IsOk()) << input;
    ASSERT_EQ((*expr)->kind(), NodeKind::kNumberLiteral);
    EXPECT_TRUE(std::isnan(static_cast<const NumberLiteral&>(**expr).value));
    EXPECT_EQ(Format(**expr), "NaN");
  }
}

// Nesting up to the budget is fine; the budget is configurable.
TEST(ParserDepthTest, UpToTheBudgetParses) {
  std::string deep = "x";
  for (int i = 1; i < 256; ++i) deep = absl::StrCat("(", deep, ")");
  absl::StatusOr<ExprPtr> expr = ParseExpr(deep);
  ASSERT_THAT(expr, IsOk());
  EXPECT_EQ(AstDepth(**expr), 256);

  ParseOptions shallow;
  shallow.max_depth = 3;
  EXPECT_THAT(ParseExpr("((x))", shallow), IsOk());
  EXPECT_THAT(ParseExpr("1 + 1 + 1", shallow), IsOk());

  // Folded signs make no tree depth, only recursion.
  std::string signs;
  for (int i = 0; i < 200; ++i) signs.append("-");
  EXPECT_THAT(ParseExpr(signs + "1"), IsOk());
}

// The errors are the ones Prometheus 2.42's /api/v1/series returns for these
// match[] values (checked against the real server).
TEST(ParseMetricSelectorTest, MatchesPrometheus) {
  absl::StatusOr<std::vector<Matcher>> m =
      ParseMetricSelector(R"(up{job=~"n.*"})");
  ASSERT_THAT(m, IsOk());
  ASSERT_EQ(m->size(), 2u);
  EXPECT_EQ((*m)[0].ToString(), R"(job=~"n.*")");
  EXPECT_EQ((*m)[1].ToString(), R"(__name__="up")");
  // No type check: the API reports empty matcher sets itself.
  EXPECT_THAT(ParseMetricSelector(R"({a=""})"), IsOk());
  EXPECT_THAT(ParseMetricSelector("sum"), IsOk());

  const std::pair<const char*, const char*> errors[] = {
      {"sum(up)", R"(1:4: parse error: unexpected "(")"},
      {"up[5m]", R"(1:3: parse error: unexpected "[")"},
      {"up offset 1m", "1:4: parse error: unexpected <offset>"},
      {"1", R"(1:1: parse error: unexpected number "1")"},
      {"up or up", "1:4: parse error: unexpected <op:or>"},
      {"", "1:1: parse error: unexpected end of input"},
      {R"(up{job="a"}{x="y"})", R"(1:12: parse error: unexpected "{")"},
      {"up{", "1:4: parse error: unexpected end of input inside braces"},
  };
  for (const auto& [input, want] : errors) {
    EXPECT_THAT(ParseMetricSelector(input),
                ::fraisier::testing::StatusIs(
                    absl::StatusCode::kInvalidArgument, ::testing::Eq(want)))
        << input;
  }
}

}  // namespace
}  // namespace fraisier::promql
