// Bad PromQL must fail exactly as Prometheus 3 fails it: the same message and
// the same line:column (1-based, bytes) of the start of the error's range.
//
// Most inputs and messages are the failing cases of Prometheus's
// promql/parser/parse_test.go; the rest exercise the same rules (error
// contexts of the yacc grammar, checkAST's type errors) on other inputs.
// Deliberate differences are marked "ours": regular expression errors come
// from RE2, and nesting deeper than ParseOptions::max_depth is rejected
// (Prometheus has no such limit).
#include <ostream>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "engine/base/status_matchers.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "promql/parser.h"

namespace fraisier::promql {
namespace {

using ::fraisier::testing::StatusIs;
using ::testing::Eq;

struct ErrorCase {
  std::string input;
  int line;
  int column;
  std::string message;        // after "parse error: "
  bool experimental = false;  // ParseOptions::enable_experimental_functions
  int max_depth = 256;
};

// Inputs can be 100 KB long; show only their start.
void PrintTo(const ErrorCase& c, std::ostream* os) {
  std::string shown = c.input.size() > 80
                          ? absl::StrCat(c.input.substr(0, 80), "...")
                          : c.input;
  *os << "`" << shown << "` -> " << c.line << ":" << c.column << ": "
      << c.message;
}

std::string Repeat(absl::string_view s, int n) {
  std::string out;
  out.reserve(s.size() * n);
  for (int i = 0; i < n; ++i) out.append(s.data(), s.size());
  return out;
}

constexpr char kTooDeep[] =
    "expression nesting is too deep: more than 256 levels";

std::vector<ErrorCase> Cases() {
  const std::string nines(309, '9');
  std::vector<ErrorCase> cases = {
      // Empty input and trailing operators.
      {"", 1, 1, "no expression found in input"},
      {"# just a comment\n\n", 1, 1, "no expression found in input"},
      {"1+", 1, 3, "unexpected end of input"},
      {"1 /", 1, 4, "unexpected end of input"},
      {"-", 1, 2, "unexpected end of input"},
      {"foo atan2", 1, 10, "unexpected end of input"},

      // Lexer errors.
      {".", 1, 1, "unexpected character: '.'"},
      {"2.5.", 1, 1, R"(bad number or duration syntax: "2.5.")"},
      {"100..4", 1, 1, R"(bad number or duration syntax: "100..")"},
      {"0deadbeef", 1, 1, R"(bad number or duration syntax: "0de")"},
      {"1e", 1, 1, R"(bad number or duration syntax: "1e")"},
      {"1_", 1, 1, R"(bad number or duration syntax: "1_")"},
      {"1__0", 1, 1, R"(bad number or duration syntax: "1__")"},
      {nines, 1, 1,
       absl::StrCat("error parsing number: strconv.ParseFloat: parsing \"",
                    nines, "\": value out of range")},
      {"(1))", 1, 5, "unexpected right parenthesis ')'"},
      {"((1)", 1, 5, "unclosed left parenthesis"},
      {"(", 1, 2, "unclosed left parenthesis"},
      {"sum(", 1, 5, "unclosed left parenthesis"},
      {"sum(rate(", 1, 10, "unclosed left parenthesis"},
      {"sum by (a", 1, 10, "unclosed left parenthesis"},
      {"1 !~ 1", 1, 3, "unexpected character after '!': '~'"},
      {"1 =~ 1", 1, 3, "unexpected character after '=': '~'"},
      {"x ! y", 1, 3, "unexpected character after '!': ' '"},
      {"$x", 1, 1, "unexpected character: '$'"},
      {"{", 1, 2, "unexpected end of input inside braces"},
      {"}", 1, 1, "unexpected character: '}'"},
      {"some{", 1, 6, "unexpected end of input inside braces"},
      {"some}", 1, 5, "unexpected character: '}'"},
      {R"(foo{a="b")", 1, 10, "unexpected end of input inside braces"},
      {R"(foo{a="b"}})", 1, 11, "unexpected character: '}'"},
      {"foo{{", 1, 5, "unexpected left brace '{'"},
      {R"(some_metric{a:b="b"})", 1, 14,
       "unexpected character inside braces: ':'"},
      {R"(foo{a*"b"})", 1, 6, "unexpected character inside braces: '*'"},
      {R"(foo{a>="b"})", 1, 6, "unexpected character inside braces: '>'"},
      {"foo{1}", 1, 5, "unexpected character inside braces: '1'"},
      {R"(foo{a!b="c"})", 1, 6,
       "unexpected character after '!' inside braces: 'b'"},
      {"some_metric{a=\"\xff\"}", 1, 15, "invalid UTF-8 rune"},
      {"label_replace(a, `b`, `c\xff`, `d`, `.*`)", 1, 23,
       "invalid UTF-8 rune"},
      {R"("abc)", 1, 1, "unterminated quoted string"},
      {"'abc\ndef'", 1, 1, "unterminated quoted string"},
      {R"(sum by ("foo)(some_metric{}))", 1, 9, "unterminated quoted string"},
      {"`\\``", 1, 4, "unterminated raw string"},
      {R"("\)", 1, 1, "escape sequence not terminated"},
      {R"("\c")", 1, 1, "unknown escape sequence U+0063 'c'"},
      {R"("\x.")", 1, 1, "illegal character U+002E '.' in escape sequence"},
      {"foo]", 1, 4, "unexpected right bracket ']'"},
      {"foo[5m]]", 1, 8, "unexpected right bracket ']'"},
      {"foo[5m", 1, 7, "unclosed left bracket"},
      {"foo[5m:1m", 1, 10, "unclosed left bracket"},
      {R"(foo{bar="baz"}[)", 1, 16,
       "unexpected end of input in duration expression"},
      {R"(foo["5m"])", 1, 5,
       R"(unexpected character in duration expression: '"')"},
      {"foo[5s x 5s]", 1, 8, "unexpected character: 'x', expected ':'"},
      {"foo[5s s 5s]", 1, 8, "unexpected character: 's', expected ':'"},
      {"foo[5mm]", 1, 5, R"(bad number or duration syntax: "5mm")"},
      {"foo[5m1]", 1, 5, R"(bad number or duration syntax: "5m1")"},
      {"foo[5m:1m1]", 1, 8, R"(bad number or duration syntax: "1m1")"},
      {"some_metric[5m] OFFSET 1mm", 1, 24,
       R"(bad number or duration syntax: "1mm")"},

      // Unexpected tokens, without context.
      {"*1", 1, 1, "unexpected <op:*>"},
      {"*test", 1, 1, "unexpected <op:*>"},
      {"@@", 1, 1, "unexpected <op:@>"},
      {"-=", 1, 2, R"(unexpected "=")"},
      {"++-++-+-+-<", 1, 11, "unexpected <op:<>"},
      {"e-+=/(0)", 1, 4, R"(unexpected "=")"},
      {"a - on(b) ignoring(c) d", 1, 11, "unexpected <ignoring>"},
      {"foo + group_left(baz) bar", 1, 7, "unexpected <group_left>"},
      {"bool", 1, 1, "unexpected <bool>"},
      {"on", 1, 1, "unexpected <on>"},
      {"atan2", 1, 1, "unexpected <op:atan2>"},
      {"[5m]", 1, 1, R"(unexpected "[")"},
      {"foo,", 1, 4, R"(unexpected ",")"},
      {"rate(,)", 1, 6, R"(unexpected ",")"},
      {"foo bar", 1, 5, R"(unexpected identifier "bar")"},
      {"1 2", 1, 3, R"(unexpected number "2")"},
      {"(foo bar)", 1, 6, R"(unexpected identifier "bar")"},
      {"sum some_metric by (test)", 1, 5,
       R"(unexpected identifier "some_metric")"},
      {"MIN keep_common (some_metric)", 1, 5,
       R"(unexpected identifier "keep_common")"},
      {"MIN (some_metric) keep_common", 1, 19,
       R"(unexpected identifier "keep_common")"},
      {"sum (some_metric) without (test) by (test)", 1, 34, "unexpected <by>"},
      {"sum without (test) (some_metric) by (test)", 1, 34, "unexpected <by>"},
      {"sum(x) by (a) by (b)", 1, 15, "unexpected <by>"},
      {R"(foo{a="b"} {c="d"})", 1, 12, R"(unexpected "{")"},
      {"x + on(a) group_left(b) group_right(c) y", 1, 25,
       "unexpected <group_right>"},
      {"x + bool bool y", 1, 10, "unexpected <bool>"},
      {"(1,2)", 1, 3, R"(unexpected ",")"},
      {"x = y", 1, 3, R"(unexpected "=")"},
      {"x[:5m]", 1, 4,
       "unexpected colon before duration in duration expression"},
      {"x[5m:1m:]", 1, 8, "unexpected colon ':'"},

      // Errors inside an aggregation's arguments.
      {"sum(x +)", 1, 8, R"x(unexpected ")" in aggregation)x"},
      {"sum(foo bar)", 1, 9, R"(unexpected identifier "bar" in aggregation)"},
      {"sum(sum(x) +)", 1, 13, R"x(unexpected ")" in aggregation)x"},
      {"sum by (a) x", 1, 12, R"(unexpected identifier "x" in aggregation)"},
      {"topk(5, x y)", 1, 11, R"(unexpected identifier "y" in aggregation)"},
      {"sum by(a)", 1, 10, "unexpected end of input in aggregation"},
      {"sum without(a) by (b) (x)", 1, 16, "unexpected <by> in aggregation"},
      {"sum(rate(x[5m] +))", 1, 17, R"x(unexpected ")" in aggregation)x"},

      // Grouping labels.
      {"sum without(==)(some_metric)", 1, 13,
       "unexpected <op:==> in grouping opts, expected label"},
      {"sum without(,)(some_metric)", 1, 13,
       R"(unexpected "," in grouping opts, expected label)"},
      {"sum without(foo,,)(some_metric)", 1, 17,
       R"(unexpected "," in grouping opts, expected label)"},
      {"sum (some_metric) by test", 1, 22,
       R"(unexpected identifier "test" in grouping opts, expected "(")"},
      {"sum without", 1, 12,
       R"(unexpected end of input in grouping opts, expected "(")"},
      {"x + on", 1, 7,
       R"(unexpected end of input in grouping opts, expected "(")"},
      {"sum by (a b) (x)", 1, 11,
       R"x(unexpected identifier "b" in grouping opts, expected "," or ")")x"},
      {"x + ignoring(a) group_right(1) y", 1, 29,
       R"(unexpected number "1" in grouping opts, expected label)"},
      {R"(sum by ("")(x))", 1, 9, R"(invalid label name for grouping: "")"},

      // Label matchers.
      {"some_metric{a=b}", 1, 15,
       R"(unexpected identifier "b" in label matching, expected string)"},
      {"foo{gibberish}", 1, 14,
       R"(unexpected "}" in label matching, expected label matching operator)"},
      {"foo{a}", 1, 6,
       R"(unexpected "}" in label matching, expected label matching operator)"},
      {"foo{__name__= =}", 1, 15,
       R"(unexpected "=" in label matching, expected string)"},
      {R"(foo{__name__ == "bar"})", 1, 15,
       R"(unexpected "=" in label matching, expected string)"},
      {R"(foo{"a"=})", 1, 9,
       R"(unexpected "}" in label matching, expected string)"},
      {"foo{,}", 1, 5,
       R"(unexpected "," in label matching, expected identifier or "}")"},
      {"foo{=}", 1, 5,
       R"(unexpected "=" in label matching, expected identifier or "}")"},
      {R"(foo{a="b",,})", 1, 11,
       R"(unexpected "," in label matching, expected identifier or "}")"},
      {R"(foo{__name__="bar" lol})", 1, 20,
       R"(unexpected identifier "lol" in label matching, expected "," or "}")"},
      {R"(foo{a="b" b="c"})", 1, 11,
       R"(unexpected identifier "b" in label matching, expected "," or "}")"},
      {R"(foo{"a" "b"})", 1, 9,
       R"(unexpected string "\"b\"" in label matching, expected "," or "}")"},
      // Ours: RE2's wording; Prometheus reports Go's regexp error.
      {R"(foo{a=~"("})", 1, 5,
       R"(invalid regular expression in matcher a=~"(": missing ): ()"},

      // Selectors that match everything, and names set twice.
      {"{}", 1, 1,
       "vector selector must contain at least one non-empty matcher"},
      {R"({x=""})", 1, 1,
       "vector selector must contain at least one non-empty matcher"},
      {R"({x=~".*"})", 1, 1,
       "vector selector must contain at least one non-empty matcher"},
      {R"({x!~".+"})", 1, 1,
       "vector selector must contain at least one non-empty matcher"},
      {R"({x!="a"})", 1, 1,
       "vector selector must contain at least one non-empty matcher"},
      {R"(foo{__name__="bar"})", 1, 1,
       R"(metric name must not be set twice: "foo" or "bar")"},
      {R"(foo{"bar"})", 1, 1,
       R"(metric name must not be set twice: "foo" or "bar")"},

      // Offset and @.
      {"1 offset 1d", 1, 1,
       "offset modifier must be preceded by an instant vector selector or "
       "range vector selector or a subquery"},
      {"(foo) offset 5m", 1, 1,
       "offset modifier must be preceded by an instant vector selector or "
       "range vector selector or a subquery"},
      {"rate(some_metric[5m]) @ 1234", 1, 1,
       "@ modifier must be preceded by an instant vector selector or range "
       "vector selector or a subquery"},
      {"foo offset 1s offset 2s", 1, 1, "offset may not be set multiple times"},
      {"foo[5m] offset 1m offset 1m", 1, 1,
       "offset may not be set multiple times"},
      {"foo[1m:] offset 1m offset 2m", 1, 1,
       "offset may not be set multiple times"},
      {"foo offset 5m @ 1 offset 1m", 1, 1,
       "offset may not be set multiple times"},
      {"foo @ 1 @ 2", 1, 1, "@ <timestamp> may not be set multiple times"},
      {"foo @ start() @ end()", 1, 1,
       "@ <timestamp> may not be set multiple times"},
      {"foo[5m:] @ 1 @ 2", 1, 1, "@ <timestamp> may not be set multiple times"},
      {"some_metric[5m] OFFSET", 1, 23,
       "unexpected end of input in offset, expected number, duration, step(), "
       "or range()"},
      {"foo offset 5m offset", 1, 21,
       "unexpected end of input in offset, expected number, duration, step(), "
       "or range()"},
      {"foo offset bar", 1, 12,
       R"(unexpected identifier "bar" in offset, expected number, duration, step(), or range())"},
      {"foo offset -bar", 1, 13,
       R"(unexpected identifier "bar" in offset, expected number, duration, step(), or range())"},
      {"x offset step", 1, 14,
       "unexpected end of input in offset, expected number, duration, step(), "
       "or range()"},
      {"foo offset 9.5e10", 1, 12, "duration out of range"},
      {"some_metric[5m] @", 1, 18,
       "unexpected end of input in @, expected timestamp"},
      {"foo @ -", 1, 8, "unexpected end of input in @, expected timestamp"},
      {"foo @ bar", 1, 7,
       R"(unexpected identifier "bar" in @, expected timestamp)"},
      {"foo @ start", 1, 12,
       "unexpected end of input in @, expected timestamp"},
      {"foo @ start(1)", 1, 13,
       R"(unexpected number "1" in @, expected timestamp)"},
      {"foo @ +Inf", 1, 1, "timestamp out of bounds for @ modifier: +Inf"},
      {"foo @ -Inf", 1, 1, "timestamp out of bounds for @ modifier: -Inf"},
      {"foo @ NaN", 1, 1, "timestamp out of bounds for @ modifier: NaN"},
      // float64(math.MaxInt64)+1 and float64(math.MinInt64)-1 with %f.
      {"foo @ 9223372036854775808.000000", 1, 1,
       "timestamp out of bounds for @ modifier: 9223372036854775808.000000"},
      {"foo @ -9223372036854775808.000000", 1, 1,
       "timestamp out of bounds for @ modifier: -9223372036854775808.000000"},

      // Ranges and subqueries.
      {"foo[5y1hs]", 1, 5, R"(unknown unit "hs" in duration "5y1hs")"},
      {"foo[5m1h]", 1, 5, R"(not a valid duration string: "5m1h")"},
      {"foo[5m1m]", 1, 5, R"(not a valid duration string: "5m1m")"},
      {"foo[0m]", 1, 5, "duration must be greater than 0"},
      {"foo[-1]", 1, 5, "duration must be greater than 0"},
      {"foo[9.5e10]", 1, 5, "duration out of range"},
      {"foo[]", 1, 5,
       R"(unexpected "]" in subquery or range selector, expected number, duration, step(), or range())"},
      {"foo[step]", 1, 9,
       R"(unexpected "]" in subquery or range selector, expected number, duration, step(), or range())"},
      {"foo[1m:step]", 1, 12,
       R"(unexpected "]" in subquery selector, expected number, duration, step(), range(), or "]")"},
      {"some_metric OFFSET 1m[5m]", 1, 22,
       "no offset modifiers allowed before range"},
      {"some_metric @ 1234 [5m]", 1, 20, "no @ modifiers allowed before range"},
      {"some_metric @ start() [5m]", 1, 23,
       "no @ modifiers allowed before range"},
      {"some_metric @ end()[5m]", 1, 20, "no @ modifiers allowed before range"},
      {"(foo + bar)[5m]", 1, 12, "ranges only allowed for vector selectors"},
      {"(foo)[5m]", 1, 6, "ranges only allowed for vector selectors"},
      {"sum(x)[5m]", 1, 7, "ranges only allowed for vector selectors"},
      {R"("foo"[5m])", 1, 6, "ranges only allowed for vector selectors"},
      {"foo[5m][5m]", 1, 8, "ranges only allowed for vector selectors"},
      {"foo[5m:][5m]", 1, 9, "ranges only allowed for vector selectors"},
      {"rate(food[1m])[1h] offset 1h", 1, 15,
       "ranges only allowed for vector selectors"},
      {"rate(food[1m])[1h] @ 100", 1, 15,
       "ranges only allowed for vector selectors"},
      {"1[5m] smoothed", 1, 2, "ranges only allowed for vector selectors"},
      {"1[5m] anchored", 1, 2, "ranges only allowed for vector selectors"},
      {"test[5d] OFFSET 10s [10m:5s]", 1, 1,
       "subquery is only allowed on instant vector, got matrix instead"},
      {R"((foo + bar{nm="val"})[5m:][10m:5s])", 1, 1,
       "subquery is only allowed on instant vector, got matrix instead"},

      // Operators: types, bool, matching, set operators.
      {"1 and 1", 1, 1,
       R"(set operator "and" not allowed in binary scalar expression)"},
      {"1 or 1", 1, 1,
       R"(set operator "or" not allowed in binary scalar expression)"},
      {"1 unless 1", 1, 1,
       R"(set operator "unless" not allowed in binary scalar expression)"},
      {"foo and 1", 1, 1,
       R"(set operator "and" not allowed in binary scalar expression)"},
      {"1 and foo", 1, 1,
       R"(set operator "and" not allowed in binary scalar expression)"},
      {"foo or 1", 1, 1,
       R"(set operator "or" not allowed in binary scalar expression)"},
      {"1 or foo", 1, 1,
       R"(set operator "or" not allowed in binary scalar expression)"},
      {"foo unless 1", 1, 1,
       R"(set operator "unless" not allowed in binary scalar expression)"},
      {"1 unless foo", 1, 1,
       R"(set operator "unless" not allowed in binary scalar expression)"},
      {"1 == 1", 1, 3, "comparisons between scalars must use BOOL modifier"},
      {"time() == time()", 1, 8,
       "comparisons between scalars must use BOOL modifier"},
      {"1 > bool 1 > 2", 1, 12,
       "comparisons between scalars must use BOOL modifier"},
      {"foo + bool bar", 1, 5,
       "bool modifier can only be used on comparison operators"},
      {"foo + bool 10", 1, 5,
       "bool modifier can only be used on comparison operators"},
      {"foo and bool 10", 1, 5,
       "bool modifier can only be used on comparison operators"},
      {"1 + bool 2", 1, 3,
       "bool modifier can only be used on comparison operators"},
      {"x atan2 bool y", 1, 3,
       "bool modifier can only be used on comparison operators"},
      {"1 or on(bar) foo", 1, 1,
       "vector matching only allowed between instant vectors"},
      {"foo == on(bar) 10", 1, 1,
       "vector matching only allowed between instant vectors"},
      {"1 + ignoring(a) x", 1, 1,
       "vector matching only allowed between instant vectors"},
      {"foo and on(bar) group_left(baz) bar", 1, 1,
       R"(no grouping allowed for "and" operation)"},
      {"foo and on(bar) group_right(baz) bar", 1, 1,
       R"(no grouping allowed for "and" operation)"},
      {"foo or on(bar) group_left(baz) bar", 1, 1,
       R"(no grouping allowed for "or" operation)"},
      {"foo or on(bar) group_right(baz) bar", 1, 1,
       R"(no grouping allowed for "or" operation)"},
      {"foo unless on(bar) group_left(baz) bar", 1, 1,
       R"(no grouping allowed for "unless" operation)"},
      {"foo unless on(bar) group_right(baz) bar", 1, 1,
       R"(no grouping allowed for "unless" operation)"},
      {R"(http_requests{group="production"} + on(instance) group_left(job,instance) cpu_count{type="smp"})",
       1, 35,
       R"(label "instance" must not occur in ON and GROUP clause at once)"},
      {"x == bool on(a) group_left(a) y", 1, 3,
       R"(label "a" must not occur in ON and GROUP clause at once)"},
      {R"(-"string")", 1, 1,
       R"(unary expression only allowed on expressions of type scalar or instant vector, got "string")"},
      {"-test[5m]", 1, 1,
       R"(unary expression only allowed on expressions of type scalar or instant vector, got "range vector")"},
      {R"(x + "a")", 1, 5,
       "binary expression must contain only scalar and instant vector types"},
      {R"("a" + x)", 1, 1,
       "binary expression must contain only scalar and instant vector types"},
      {"x[5m] + 1", 1, 1,
       "binary expression must contain only scalar and instant vector types"},

      // Aggregations.
      {"sum () by (test)", 1, 1,
       "no arguments for aggregate expression provided"},
      {"topk()", 1, 1, "no arguments for aggregate expression provided"},
      {"topk(some_metric)", 1, 1,
       "wrong number of arguments for aggregate expression provided, "
       "expected 2, got 1"},
      {"topk(1, x, y)", 1, 1,
       "wrong number of arguments for aggregate expression provided, "
       "expected 2, got 3"},
      {"group(x, y)", 1, 1,
       "wrong number of arguments for aggregate expression provided, "
       "expected 1, got 2"},
      {"topk(some_metric,)", 1, 17,
       "trailing commas not allowed in function call args"},
      {"topk(some_metric, other_metric)", 1, 6,
       "expected type scalar in aggregation parameter, got instant vector"},
      {R"(quantile("a", x))", 1, 10,
       "expected type scalar in aggregation parameter, got string"},
      {"count_values(5, other_metric)", 1, 14,
       "expected type string in aggregation parameter, got scalar"},
      {"sum(x[5m])", 1, 5,
       "expected type instant vector in aggregation expression, got range "
       "vector"},

      // Function calls.
      {"floor()", 1, 1, R"(expected 1 argument(s) in call to "floor", got 0)"},
      {"floor(some_metric, other_metric)", 1, 1,
       R"(expected 1 argument(s) in call to "floor", got 2)"},
      {"floor(some_metric, 1)", 1, 1,
       R"(expected 1 argument(s) in call to "floor", got 2)"},
      {"time(some_metric)", 1, 1,
       R"(expected 0 argument(s) in call to "time", got 1)"},
      {"hour(some_metric, some_metric, some_metric)", 1, 1,
       R"(expected at most 1 argument(s) in call to "hour", got 3)"},
      {"round()", 1, 1,
       R"(expected at least 1 argument(s) in call to "round", got 0)"},
      {"label_join(x)", 1, 1,
       R"(expected at least 3 argument(s) in call to "label_join", got 1)"},
      {R"(label_replace(x, "a", "b", "c"))", 1, 1,
       R"(expected 5 argument(s) in call to "label_replace", got 4)"},
      {"floor(1)", 1, 7,
       R"(expected type instant vector in call to function "floor", got scalar)"},
      {"rate(some_metric)", 1, 6,
       R"(expected type range vector in call to function "rate", got instant vector)"},
      {"rate(avg)", 1, 6,
       R"(expected type range vector in call to function "rate", got instant vector)"},
      {R"(vector("a"))", 1, 8,
       R"(expected type scalar in call to function "vector", got string)"},
      {"abs(x[5m])", 1, 5,
       R"(expected type instant vector in call to function "abs", got range vector)"},
      {"sum(x,)", 1, 6, "trailing commas not allowed in function call args"},
      {"non_existent_function_far_bar()", 1, 1,
       R"(unknown function with name "non_existent_function_far_bar")"},
      {"a>b()", 1, 3, R"(unknown function with name "b")"},
      {"Rate(x[5m])", 1, 1, R"(unknown function with name "Rate")"},

      // Experimental functions and syntax, not enabled.
      {R"(sort_by_label(x, "a"))", 1, 1,
       R"(function "sort_by_label" is not enabled)"},
      {"mad_over_time(x[5m])", 1, 1,
       R"(function "mad_over_time" is not enabled)"},
      {"info(x)", 1, 1, R"(function "info" is not enabled)"},
      {"start()", 1, 1, R"(function "start" is not enabled)"},
      {"step()", 1, 1, R"(function "step" is not enabled)"},
      {"limitk(1, x)", 1, 1,
       "limitk() is experimental and must be enabled with "
       "--enable-feature=promql-experimental-functions"},
      {"limit_ratio(0.5, x)", 1, 1,
       "limit_ratio() is experimental and must be enabled with "
       "--enable-feature=promql-experimental-functions"},
      {"foo anchored", 1, 1,
       "anchored modifier is experimental and not enabled"},
      {"foo[5m] smoothed", 1, 1,
       "smoothed modifier is experimental and not enabled"},
      {"x + fill(0) y", 1, 1,
       "binop fill modifiers are experimental and not enabled"},
      {"x + on(a) fill_left(1) fill_right(2) y", 1, 1,
       "binop fill modifiers are experimental and not enabled"},
      {"foo[5m+1m]", 1, 5, "experimental duration expression is not enabled"},
      {"foo[5m:1m*2]", 1, 8, "experimental duration expression is not enabled"},
      {"foo[(5s)]", 1, 5, "experimental duration expression is not enabled"},
      {"foo offset (5m)", 1, 12,
       "experimental duration expression is not enabled"},
      {"foo[step()]", 1, 5, "experimental duration expression is not enabled"},
      {"foo offset -range()", 1, 13,
       "experimental duration expression is not enabled"},
      {"foo[min_of(1m,2m)]", 1, 5,
       "experimental duration expression is not enabled"},
      {"foo offset -max_of(1s, 2s)", 1, 13,
       "experimental duration expression is not enabled"},

      // With experimental functions enabled.
      {"limitk(x, y)", 1, 8,
       "expected type scalar in aggregation parameter, got instant vector",
       true},
      {R"(info(rate(http_request_counter_total{}[5m]), target_info{foo="bar"}))",
       1, 46, "expected label selectors only, got vector selector instead",
       true},
      {R"(info(http_request_counter_total{namespace="zzz"}, {foo="bar"} == 1))",
       1, 51, "expected label selectors only", true},
      {"info(x, 1)", 1, 1,
       R"(expected type instant vector in call to function "info", got scalar)",
       true},
      {R"(sort_by_label(x, 1))", 1, 18,
       R"(expected type string in call to function "sort_by_label", got scalar)",
       true},

      // Positions on later lines; columns count bytes.
      {"sum(\n  rate(x[5m])\n  +\n)", 4, 1,
       R"x(unexpected ")" in aggregation)x"},
      {"foo{\n  a=\"b\",\n  c=d\n}", 3, 5,
       R"(unexpected identifier "d" in label matching, expected string)"},
      {"x +\n\n  y z", 3, 5, R"(unexpected identifier "z")"},
      {"# comment\nfoo +", 2, 6, "unexpected end of input"},
      {"foo\n  offset 1s\n  offset 2s", 1, 1,
       "offset may not be set multiple times"},
      {"rate(\n  x\n)", 2, 3,
       R"(expected type range vector in call to function "rate", got instant vector)"},
      {"sum by (job) (\n  rate(x[5m])\n) > bool\n  on(a) group_left(a) y", 3, 3,
       R"(label "a" must not occur in ON and GROUP clause at once)"},
      {"1 +\r\n\"a\"", 2, 1,
       "binary expression must contain only scalar and instant vector types"},
      {"\tfoo{a=b}", 1, 8,
       R"(unexpected identifier "b" in label matching, expected string)"},
      {R"("日本語" x)", 1, 13, R"(unexpected identifier "x")"},
      {"x +\n  foo{a=~\"(\"}", 2, 7,
       R"(invalid regular expression in matcher a=~"(": missing ): ()"},
      {"foo{a=\"b\"}\n  [5m] @ 1\n  offset 1m\n  offset 2m", 1, 1,
       "offset may not be set multiple times"},

      // Ours: nesting beyond ParseOptions::max_depth. None of these may
      // overflow the stack.
      {Repeat("(", 100000) + "1" + Repeat(")", 100000), 1, 257, kTooDeep},
      {"1" + Repeat("+1", 99999), 1, 1, kTooDeep},
      {Repeat("- ", 100000) + "1", 1, 513, kTooDeep},
      {Repeat("sum(", 300) + "x" + Repeat(")", 300), 1, 1025, kTooDeep},
      {"2" + Repeat("^2", 1000), 1, 513, kTooDeep},
      {"x" + Repeat("[1m:]", 300), 1, 1, kTooDeep},
      {"(" + Repeat("-{}-1", 10000) + ")" + Repeat("[1m:]", 1000), 1, 2,
       kTooDeep},
      {Repeat("abs(", 100000) + "x" + Repeat(")", 100000), 1, 1025, kTooDeep},
      {Repeat("-(", 50000) + "1" + Repeat(")", 50000), 1, 257, kTooDeep},
      {"((1))", 1, 3, "expression nesting is too deep: more than 2 levels",
       false, 2},
      {"1+1+1", 1, 1, "expression nesting is too deep: more than 2 levels",
       false, 2},
  };
  return cases;
}

class ParserErrorTest : public ::testing::TestWithParam<ErrorCase> {};

TEST_P(ParserErrorTest, MatchesPrometheus) {
  const ErrorCase& c = GetParam();
  ParseOptions options;
  options.enable_experimental_functions = c.experimental;
  options.max_depth = c.max_depth;

  ParseError error;
  ExprPtr expr = ParseExprDetailed(c.input, options, &error);
  ASSERT_EQ(expr, nullptr);
  EXPECT_EQ(error.message, c.message);
  EXPECT_EQ(error.line, c.line);
  EXPECT_EQ(error.column, c.column);
  // As Prometheus's tests require: the range lies within the input.
  EXPECT_LE(0, error.pos.start);
  EXPECT_LE(error.pos.start, error.pos.end);
  EXPECT_LE(error.pos.end, static_cast<int32_t>(c.input.size()));

  EXPECT_THAT(ParseExpr(c.input, options),
              StatusIs(absl::StatusCode::kInvalidArgument,
                       Eq(absl::StrCat(c.line, ":", c.column,
                                       ": parse error: ", c.message))));
}

INSTANTIATE_TEST_SUITE_P(Table, ParserErrorTest, ::testing::ValuesIn(Cases()));

// The line and column are those of the start of the range.
TEST(ParserErrorDetailTest, RangeAndLineColumnAgree) {
  ParseError error;
  const std::string input = "foo +\n  bar{a=~\"(\"}";
  ASSERT_EQ(ParseExprDetailed(input, {}, &error), nullptr);
  EXPECT_EQ(error.pos.start, 12);  // the matcher `a=~"("`
  EXPECT_EQ(error.pos.end, 18);
  EXPECT_EQ(error.line, 2);
  EXPECT_EQ(error.column, 7);
  EXPECT_EQ(error.ToString(),
            absl::StrCat("2:7: parse error: ", error.message));
}

// A lexer error covers the rest of the input, as in Prometheus.
TEST(ParserErrorDetailTest, LexerErrorRangeRunsToTheEnd) {
  ParseError error;
  ASSERT_EQ(ParseExprDetailed("foo{a*\"b\"}", {}, &error), nullptr);
  EXPECT_EQ(error.pos.start, 5);
  EXPECT_EQ(error.pos.end, 10);
}

}  // namespace
}  // namespace fraisier::promql
