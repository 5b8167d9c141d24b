#include "promql/lexer.h"

#include <string>
#include <vector>

#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "promql/token.h"

namespace fraisier::promql {
namespace {

using K = TokenKind;

struct Tok {
  TokenKind kind;
  int32_t pos;
  std::string text;

  bool operator==(const Tok& other) const {
    return kind == other.kind && pos == other.pos && text == other.text;
  }
};

std::ostream& operator<<(std::ostream& os, const Tok& t) {
  return os << "{" << static_cast<int>(t.kind) << ", " << t.pos << ", "
            << ::testing::PrintToString(t.text) << "}";
}

// Every token up to and excluding kEof; a kError token ends the list.
// Checks that kEof sits at the end of the input and that the lexer stays
// at kEof afterwards.
std::vector<Tok> LexAll(absl::string_view input) {
  Lexer lexer(input);
  std::vector<Tok> out;
  for (size_t i = 0; i <= input.size() + 1; ++i) {
    const Token t = lexer.Next();
    if (t.kind == K::kEof) {
      EXPECT_EQ(t.pos, static_cast<int32_t>(input.size()));
      break;
    }
    out.push_back({t.kind, t.pos, std::string(t.text)});
    if (t.kind == K::kError) break;
  }
  EXPECT_EQ(lexer.Next().kind, K::kEof);
  EXPECT_EQ(lexer.Next().kind, K::kEof);
  return out;
}

struct Case {
  std::string input;
  std::vector<Tok> want;  // a trailing kError token for failing inputs
};

void RunCases(const std::vector<Case>& cases) {
  for (const Case& c : cases) {
    EXPECT_THAT(LexAll(c.input), ::testing::ElementsAreArray(c.want))
        << "input: " << ::testing::PrintToString(c.input);
  }
}

TEST(LexerTest, Common) {
  RunCases({
      {",", {{K::kComma, 0, ","}}},
      {"()", {{K::kLeftParen, 0, "("}, {K::kRightParen, 1, ")"}}},
      {"{}", {{K::kLeftBrace, 0, "{"}, {K::kRightBrace, 1, "}"}}},
      {"[5m]",
       {{K::kLeftBracket, 0, "["},
        {K::kDuration, 1, "5m"},
        {K::kRightBracket, 3, "]"}}},
      {"[ 5m]",
       {{K::kLeftBracket, 0, "["},
        {K::kDuration, 2, "5m"},
        {K::kRightBracket, 4, "]"}}},
      {"[  5m]",
       {{K::kLeftBracket, 0, "["},
        {K::kDuration, 3, "5m"},
        {K::kRightBracket, 5, "]"}}},
      {"[  5m ]",
       {{K::kLeftBracket, 0, "["},
        {K::kDuration, 3, "5m"},
        {K::kRightBracket, 6, "]"}}},
      {"\r\n\r", {}},
      {"", {}},
  });
}

TEST(LexerTest, Numbers) {
  RunCases({
      {"1", {{K::kNumber, 0, "1"}}},
      {"4.23", {{K::kNumber, 0, "4.23"}}},
      {".3", {{K::kNumber, 0, ".3"}}},
      {"5.", {{K::kNumber, 0, "5."}}},
      {"NaN", {{K::kNumber, 0, "NaN"}}},
      {"nAN", {{K::kNumber, 0, "nAN"}}},
      {"NaN 123", {{K::kNumber, 0, "NaN"}, {K::kNumber, 4, "123"}}},
      {"NaN123", {{K::kIdentifier, 0, "NaN123"}}},
      {"iNf", {{K::kNumber, 0, "iNf"}}},
      {"Inf", {{K::kNumber, 0, "Inf"}}},
      {"+Inf", {{K::kAdd, 0, "+"}, {K::kNumber, 1, "Inf"}}},
      {"+Inf 123",
       {{K::kAdd, 0, "+"}, {K::kNumber, 1, "Inf"}, {K::kNumber, 5, "123"}}},
      {"-Inf", {{K::kSub, 0, "-"}, {K::kNumber, 1, "Inf"}}},
      {"Infoo", {{K::kIdentifier, 0, "Infoo"}}},
      {"-Infoo", {{K::kSub, 0, "-"}, {K::kIdentifier, 1, "Infoo"}}},
      {"-Inf 123",
       {{K::kSub, 0, "-"}, {K::kNumber, 1, "Inf"}, {K::kNumber, 5, "123"}}},
      {"0x123", {{K::kNumber, 0, "0x123"}}},
      {"0X1f", {{K::kNumber, 0, "0X1f"}}},
      {"0x_1F", {{K::kNumber, 0, "0x_1F"}}},
      {"017", {{K::kNumber, 0, "017"}}},
      {"1e3", {{K::kNumber, 0, "1e3"}}},
      {"1E-3", {{K::kNumber, 0, "1E-3"}}},
      {"1.5e+10", {{K::kNumber, 0, "1.5e+10"}}},
      {"1_000", {{K::kNumber, 0, "1_000"}}},
      {"1_000.000_1", {{K::kNumber, 0, "1_000.000_1"}}},
      {"1*2", {{K::kNumber, 0, "1"}, {K::kMul, 1, "*"}, {K::kNumber, 2, "2"}}},
      // The lexer accepts "1e" before a non-alphanumeric; ParseNumber rejects
      // it later, as Prometheus does.
      {"1e )",
       {{K::kNumber, 0, "1e"},
        {K::kError, 4, "unexpected right parenthesis ')'"}}},
      // In hex literals 'e' is still taken as an exponent marker, which
      // Prometheus rejects only at the end of the input.
      {"0x1e", {{K::kError, 0, R"(bad number or duration syntax: "0x1e")"}}},
      {"0x1e 1", {{K::kNumber, 0, "0x1e"}, {K::kNumber, 5, "1"}}},
      {"1__0", {{K::kError, 0, R"(bad number or duration syntax: "1__")"}}},
      {"1_", {{K::kError, 0, R"(bad number or duration syntax: "1_")"}}},
      {"1_e3", {{K::kError, 0, R"(bad number or duration syntax: "1_e")"}}},
      {"1..", {{K::kError, 0, R"(bad number or duration syntax: "1..")"}}},
      {"1.5.3", {{K::kError, 0, R"(bad number or duration syntax: "1.5.")"}}},
      {"1e", {{K::kError, 0, R"(bad number or duration syntax: "1e")"}}},
      {"1e5e", {{K::kError, 0, R"(bad number or duration syntax: "1e5e")"}}},
      {"0x1.8", {{K::kError, 0, R"(bad number or duration syntax: "0x1.")"}}},
      {"1a", {{K::kError, 0, R"(bad number or duration syntax: "1")"}}},
      {"0a:bc", {{K::kError, 0, R"(bad number or duration syntax: "0")"}}},
      {"1\xc3\xa9",
       {{K::kNumber, 0, "1"},
        {K::kError, 1, "unexpected character: '\xc3\xa9'"}}},
      // Only ASCII digits are digits (Prometheus issue 939).
      {".\xd9\xa9", {{K::kError, 0, "unexpected character: '.'"}}},
  });
}

TEST(LexerTest, Strings) {
  RunCases({
      {R"("test\tsequence")", {{K::kString, 0, R"("test\tsequence")"}}},
      {R"("test\\.expression")", {{K::kString, 0, R"("test\\.expression")"}}},
      {R"("test\.expression")",
       {{K::kError, 0, "unknown escape sequence U+002E '.'"}}},
      {R"(`test\.expression`)", {{K::kString, 0, R"(`test\.expression`)"}}},
      {"'single'", {{K::kString, 0, "'single'"}}},
      {R"('it\'s')", {{K::kString, 0, R"('it\'s')"}}},
      {R"("it\'s")", {{K::kError, 0, "unknown escape sequence U+0027 '''"}}},
      {R"('say \"hi\"')",
       {{K::kError, 0, R"(unknown escape sequence U+0022 '"')"}}},
      {R"("\a\b\f\n\r\t\v\\\"")", {{K::kString, 0, R"("\a\b\f\n\r\t\v\\\"")"}}},
      {R"("\x41\101\u00e9\U0001F600")",
       {{K::kString, 0, R"("\x41\101\u00e9\U0001F600")"}}},
      {"\"\xe6\x97\xa5\xe6\x9c\xac\"",
       {{K::kString, 0, "\"\xe6\x97\xa5\xe6\x9c\xac\""}}},
      {"1 \"abc",
       {{K::kNumber, 0, "1"}, {K::kError, 2, "unterminated quoted string"}}},
      {"\"a\nb\"", {{K::kError, 0, "unterminated quoted string"}}},
      {"'abc", {{K::kError, 0, "unterminated quoted string"}}},
      {"`abc", {{K::kError, 0, "unterminated raw string"}}},
      {"`a\nb`", {{K::kString, 0, "`a\nb`"}}},
      {"\"\xff\"", {{K::kError, 0, "invalid UTF-8 rune"}}},
      {"`\xff`", {{K::kError, 0, "invalid UTF-8 rune"}}},
      // U+FFFD itself is indistinguishable from a decoding error in Go.
      {"\"\xef\xbf\xbd\"", {{K::kError, 0, "invalid UTF-8 rune"}}},
      {R"("\x4")",
       {{K::kError, 0, R"(illegal character U+0022 '"' in escape sequence)"}}},
      {R"("\x0g")",
       {{K::kError, 0, "illegal character U+0067 'g' in escape sequence"}}},
      {R"("\ud800")",
       {{K::kError, 0, "escape sequence is an invalid Unicode code point"}}},
      {R"("\400")",
       {{K::kError, 0, "escape sequence is an invalid Unicode code point"}}},
      {R"("\U00110000")",
       {{K::kError, 0, "escape sequence is an invalid Unicode code point"}}},
      {R"("abc\)", {{K::kError, 0, "escape sequence not terminated"}}},
      {R"("\u12)", {{K::kError, 0, "escape sequence not terminated"}}},
      {"\"\\\n\"", {{K::kError, 0, "unknown escape sequence U+000A"}}},
      {R"("\q")", {{K::kError, 0, "unknown escape sequence U+0071 'q'"}}},
  });
}

TEST(LexerTest, Durations) {
  RunCases({
      {"5s", {{K::kDuration, 0, "5s"}}},
      {"123m", {{K::kDuration, 0, "123m"}}},
      {"1h", {{K::kDuration, 0, "1h"}}},
      {"3w", {{K::kDuration, 0, "3w"}}},
      {"1y", {{K::kDuration, 0, "1y"}}},
      {"10ms", {{K::kDuration, 0, "10ms"}}},
      {"1h30m", {{K::kDuration, 0, "1h30m"}}},
      {"1y2w3d4h5m6s7ms", {{K::kDuration, 0, "1y2w3d4h5m6s7ms"}}},
      // Unit order and validity are checked by ParseDurationMs.
      {"1.5m", {{K::kDuration, 0, "1.5m"}}},
      {"1hs", {{K::kDuration, 0, "1hs"}}},
      {"5m)",
       {{K::kDuration, 0, "5m"},
        {K::kError, 3, "unexpected right parenthesis ')'"}}},
      {"5m30", {{K::kError, 0, R"(bad number or duration syntax: "5m30")"}}},
      {"5mx", {{K::kError, 0, R"(bad number or duration syntax: "5mx")"}}},
      {"1m1y", {{K::kError, 0, R"(bad number or duration syntax: "1m1")"}}},
  });
}

TEST(LexerTest, Identifiers) {
  RunCases({
      {"abc", {{K::kIdentifier, 0, "abc"}}},
      {"a:bc", {{K::kMetricIdentifier, 0, "a:bc"}}},
      {"abc d", {{K::kIdentifier, 0, "abc"}, {K::kIdentifier, 4, "d"}}},
      {":bc", {{K::kMetricIdentifier, 0, ":bc"}}},
      {"sum:rate5m", {{K::kMetricIdentifier, 0, "sum:rate5m"}}},
      {"_foo_Bar9", {{K::kIdentifier, 0, "_foo_Bar9"}}},
      {"\xe5\x8f\xb0\xe5\x8c\x97",
       {{K::kError, 0, "unexpected character: '\xe5\x8f\xb0'"}}},
      {"$", {{K::kError, 0, "unexpected character: '$'"}}},
      {"a\x01",
       {{K::kIdentifier, 0, "a"},
        {K::kError, 1, R"(unexpected character: '\x01')"}}},
      {std::string("\0", 1),
       {{K::kError, 0, R"(unexpected character: '\x00')"}}},
      {"\xff", {{K::kError, 0, "unexpected character: '\xef\xbf\xbd'"}}},
      {"}", {{K::kError, 0, "unexpected character: '}'"}}},
      {"'a'\"b\"", {{K::kString, 0, "'a'"}, {K::kString, 3, "\"b\""}}},
  });
}

TEST(LexerTest, Comments) {
  RunCases({
      {"# some comment", {{K::kComment, 0, "# some comment"}}},
      {"5 # 1+1\n5",
       {{K::kNumber, 0, "5"}, {K::kComment, 2, "# 1+1"}, {K::kNumber, 8, "5"}}},
      {"#\r1", {{K::kComment, 0, "#"}, {K::kNumber, 2, "1"}}},
      {"{# c\na=\"b\"}",
       {{K::kLeftBrace, 0, "{"},
        {K::kComment, 1, "# c"},
        {K::kIdentifier, 5, "a"},
        {K::kAssign, 6, "="},
        {K::kString, 7, "\"b\""},
        {K::kRightBrace, 10, "}"}}},
  });
}

TEST(LexerTest, Operators) {
  RunCases({
      {"=", {{K::kAssign, 0, "="}}},
      {"{=}",
       {{K::kLeftBrace, 0, "{"},
        {K::kAssign, 1, "="},
        {K::kRightBrace, 2, "}"}}},
      {"==", {{K::kEqlc, 0, "=="}}},
      {"!=", {{K::kNeq, 0, "!="}}},
      {"<", {{K::kLss, 0, "<"}}},
      {">", {{K::kGtr, 0, ">"}}},
      {">=", {{K::kGte, 0, ">="}}},
      {"<=", {{K::kLte, 0, "<="}}},
      {"+", {{K::kAdd, 0, "+"}}},
      {"-", {{K::kSub, 0, "-"}}},
      {"*", {{K::kMul, 0, "*"}}},
      {"/", {{K::kDiv, 0, "/"}}},
      {"^", {{K::kPow, 0, "^"}}},
      {"%", {{K::kMod, 0, "%"}}},
      {"AND", {{K::kLand, 0, "AND"}}},
      {"or", {{K::kLor, 0, "or"}}},
      {"unless", {{K::kLunless, 0, "unless"}}},
      {"atan2", {{K::kAtan2, 0, "atan2"}}},
      {"@", {{K::kAt, 0, "@"}}},
      {"a==b",
       {{K::kIdentifier, 0, "a"},
        {K::kEqlc, 1, "=="},
        {K::kIdentifier, 3, "b"}}},
      {"=~", {{K::kError, 0, "unexpected character after '=': '~'"}}},
      {"!~", {{K::kError, 0, "unexpected character after '!': '~'"}}},
      {"!(", {{K::kError, 0, "unexpected character after '!': '('"}}},
      {"1 !",
       {{K::kNumber, 0, "1"},
        {K::kError, 2, "unexpected character after '!': '\xef\xbf\xbd'"}}},
  });
}

TEST(LexerTest, AggregatorsAndKeywords) {
  RunCases({
      {"sum", {{K::kSum, 0, "sum"}}},
      {"AVG", {{K::kAvg, 0, "AVG"}}},
      {"GROUP", {{K::kGroup, 0, "GROUP"}}},
      {"MAX", {{K::kMax, 0, "MAX"}}},
      {"min", {{K::kMin, 0, "min"}}},
      {"count", {{K::kCount, 0, "count"}}},
      {"stdvar", {{K::kStdvar, 0, "stdvar"}}},
      {"stddev", {{K::kStddev, 0, "stddev"}}},
      {"topk", {{K::kTopk, 0, "topk"}}},
      {"bottomk", {{K::kBottomk, 0, "bottomk"}}},
      {"count_values", {{K::kCountValues, 0, "count_values"}}},
      {"quantile", {{K::kQuantile, 0, "quantile"}}},
      {"limitk", {{K::kLimitk, 0, "limitk"}}},
      {"limit_ratio", {{K::kLimitRatio, 0, "limit_ratio"}}},
      {"offset", {{K::kOffset, 0, "offset"}}},
      {"by", {{K::kBy, 0, "by"}}},
      {"without", {{K::kWithout, 0, "without"}}},
      {"on", {{K::kOn, 0, "on"}}},
      {"ignoring", {{K::kIgnoring, 0, "ignoring"}}},
      {"group_left", {{K::kGroupLeft, 0, "group_left"}}},
      {"group_right", {{K::kGroupRight, 0, "group_right"}}},
      {"bool", {{K::kBool, 0, "bool"}}},
      {"smoothed", {{K::kSmoothed, 0, "smoothed"}}},
      {"anchored", {{K::kAnchored, 0, "anchored"}}},
      {"start", {{K::kStart, 0, "start"}}},
      {"end", {{K::kEnd, 0, "end"}}},
      {"step", {{K::kStep, 0, "step"}}},
      {"range", {{K::kRange, 0, "range"}}},
      {"fill(0)",
       {{K::kFill, 0, "fill"},
        {K::kLeftParen, 4, "("},
        {K::kNumber, 5, "0"},
        {K::kRightParen, 6, ")"}}},
      {"fill_left (0)",
       {{K::kFillLeft, 0, "fill_left"},
        {K::kLeftParen, 10, "("},
        {K::kNumber, 11, "0"},
        {K::kRightParen, 12, ")"}}},
      // Without '(' the fill keywords are metric names.
      {"fill + fill_right",
       {{K::kIdentifier, 0, "fill"},
        {K::kAdd, 5, "+"},
        {K::kIdentifier, 7, "fill_right"}}},
  });
}

TEST(LexerTest, Selectors) {
  RunCases({
      {"{\xe5\x8f\xb0\xe5\x8c\x97='a'}",
       {{K::kLeftBrace, 0, "{"},
        {K::kError, 1, "unexpected character inside braces: '\xe5\x8f\xb0'"}}},
      {"{0a='a'}",
       {{K::kLeftBrace, 0, "{"},
        {K::kError, 1, "unexpected character inside braces: '0'"}}},
      {"{foo='bar'}",
       {{K::kLeftBrace, 0, "{"},
        {K::kIdentifier, 1, "foo"},
        {K::kAssign, 4, "="},
        {K::kString, 5, "'bar'"},
        {K::kRightBrace, 10, "}"}}},
      {R"({foo="bar"})",
       {{K::kLeftBrace, 0, "{"},
        {K::kIdentifier, 1, "foo"},
        {K::kAssign, 4, "="},
        {K::kString, 5, R"("bar")"},
        {K::kRightBrace, 10, "}"}}},
      {R"({foo="bar\"bar"})",
       {{K::kLeftBrace, 0, "{"},
        {K::kIdentifier, 1, "foo"},
        {K::kAssign, 4, "="},
        {K::kString, 5, R"("bar\"bar")"},
        {K::kRightBrace, 15, "}"}}},
      {"{NaN\t!= \"bar\" }",
       {{K::kLeftBrace, 0, "{"},
        {K::kIdentifier, 1, "NaN"},
        {K::kNeq, 5, "!="},
        {K::kString, 8, R"("bar")"},
        {K::kRightBrace, 14, "}"}}},
      {R"({alert=~"bar" })",
       {{K::kLeftBrace, 0, "{"},
        {K::kIdentifier, 1, "alert"},
        {K::kEqlRegex, 6, "=~"},
        {K::kString, 8, R"("bar")"},
        {K::kRightBrace, 14, "}"}}},
      {R"({on!~"bar"})",
       {{K::kLeftBrace, 0, "{"},
        {K::kIdentifier, 1, "on"},
        {K::kNeqRegex, 3, "!~"},
        {K::kString, 5, R"("bar")"},
        {K::kRightBrace, 10, "}"}}},
      {R"({"my.metric", "a.b"="c",})",
       {{K::kLeftBrace, 0, "{"},
        {K::kString, 1, R"("my.metric")"},
        {K::kComma, 12, ","},
        {K::kString, 14, R"("a.b")"},
        {K::kAssign, 19, "="},
        {K::kString, 20, R"("c")"},
        {K::kComma, 23, ","},
        {K::kRightBrace, 24, "}"}}},
      {R"(foo{by=`x`} or on)",
       {{K::kIdentifier, 0, "foo"},
        {K::kLeftBrace, 3, "{"},
        {K::kIdentifier, 4, "by"},
        {K::kAssign, 6, "="},
        {K::kString, 7, "`x`"},
        {K::kRightBrace, 10, "}"},
        {K::kLor, 12, "or"},
        {K::kOn, 15, "on"}}},
      {R"({alert!#"bar"})",
       {{K::kLeftBrace, 0, "{"},
        {K::kIdentifier, 1, "alert"},
        {K::kError, 6, "unexpected character after '!' inside braces: '#'"}}},
      {R"({foo:a="bar"})",
       {{K::kLeftBrace, 0, "{"},
        {K::kIdentifier, 1, "foo"},
        {K::kError, 4, "unexpected character inside braces: ':'"}}},
      {"{a=",
       {{K::kLeftBrace, 0, "{"},
        {K::kIdentifier, 1, "a"},
        {K::kAssign, 2, "="},
        {K::kError, 3, "unexpected end of input inside braces"}}},
  });
}

TEST(LexerTest, MismatchedParentheses) {
  RunCases({
      {"(",
       {{K::kLeftParen, 0, "("}, {K::kError, 1, "unclosed left parenthesis"}}},
      {"())",
       {{K::kLeftParen, 0, "("},
        {K::kRightParen, 1, ")"},
        {K::kError, 3, "unexpected right parenthesis ')'"}}},
      {"(()",
       {{K::kLeftParen, 0, "("},
        {K::kLeftParen, 1, "("},
        {K::kRightParen, 2, ")"},
        {K::kError, 3, "unclosed left parenthesis"}}},
      {"{",
       {{K::kLeftBrace, 0, "{"},
        {K::kError, 1, "unexpected end of input inside braces"}}},
      {"{{",
       {{K::kLeftBrace, 0, "{"}, {K::kError, 1, "unexpected left brace '{'"}}},
      {"{{}}",
       {{K::kLeftBrace, 0, "{"}, {K::kError, 1, "unexpected left brace '{'"}}},
      {"[",
       {{K::kLeftBracket, 0, "["},
        {K::kError, 1, "unexpected end of input in duration expression"}}},
      {"[[",
       {{K::kLeftBracket, 0, "["},
        {K::kError, 1, "unexpected character in duration expression: '['"}}},
      {"[]]",
       {{K::kLeftBracket, 0, "["},
        {K::kRightBracket, 1, "]"},
        {K::kError, 2, "unexpected right bracket ']'"}}},
      {"[[]]",
       {{K::kLeftBracket, 0, "["},
        {K::kError, 1, "unexpected character in duration expression: '['"}}},
      {"]", {{K::kError, 0, "unexpected right bracket ']'"}}},
      {"[5m",
       {{K::kLeftBracket, 0, "["},
        {K::kDuration, 1, "5m"},
        {K::kError, 3, "unclosed left bracket"}}},
      {"([5m",
       {{K::kLeftParen, 0, "("},
        {K::kLeftBracket, 1, "["},
        {K::kDuration, 2, "5m"},
        {K::kError, 4, "unclosed left parenthesis"}}},
      {"[5m[",
       {{K::kLeftBracket, 0, "["},
        {K::kDuration, 1, "5m"},
        {K::kError, 3, "unexpected left bracket '['"}}},
  });
}

TEST(LexerTest, Subqueries) {
  RunCases({
      {R"(test_name{on!~"bar"}[4m:4s])",
       {{K::kIdentifier, 0, "test_name"},
        {K::kLeftBrace, 9, "{"},
        {K::kIdentifier, 10, "on"},
        {K::kNeqRegex, 12, "!~"},
        {K::kString, 14, R"("bar")"},
        {K::kRightBrace, 19, "}"},
        {K::kLeftBracket, 20, "["},
        {K::kDuration, 21, "4m"},
        {K::kColon, 23, ":"},
        {K::kDuration, 24, "4s"},
        {K::kRightBracket, 26, "]"}}},
      {R"(test:name{on!~"b:ar"}[4m:])",
       {{K::kMetricIdentifier, 0, "test:name"},
        {K::kLeftBrace, 9, "{"},
        {K::kIdentifier, 10, "on"},
        {K::kNeqRegex, 12, "!~"},
        {K::kString, 14, R"("b:ar")"},
        {K::kRightBrace, 20, "}"},
        {K::kLeftBracket, 21, "["},
        {K::kDuration, 22, "4m"},
        {K::kColon, 24, ":"},
        {K::kRightBracket, 25, "]"}}},
      {R"(min_over_time(rate(foo{bar="baz"}[2s])[5m:] offset 6m)[4m:3s])",
       {{K::kIdentifier, 0, "min_over_time"},
        {K::kLeftParen, 13, "("},
        {K::kIdentifier, 14, "rate"},
        {K::kLeftParen, 18, "("},
        {K::kIdentifier, 19, "foo"},
        {K::kLeftBrace, 22, "{"},
        {K::kIdentifier, 23, "bar"},
        {K::kAssign, 26, "="},
        {K::kString, 27, R"("baz")"},
        {K::kRightBrace, 32, "}"},
        {K::kLeftBracket, 33, "["},
        {K::kDuration, 34, "2s"},
        {K::kRightBracket, 36, "]"},
        {K::kRightParen, 37, ")"},
        {K::kLeftBracket, 38, "["},
        {K::kDuration, 39, "5m"},
        {K::kColon, 41, ":"},
        {K::kRightBracket, 42, "]"},
        {K::kOffset, 44, "offset"},
        {K::kDuration, 51, "6m"},
        {K::kRightParen, 53, ")"},
        {K::kLeftBracket, 54, "["},
        {K::kDuration, 55, "4m"},
        {K::kColon, 57, ":"},
        {K::kDuration, 58, "3s"},
        {K::kRightBracket, 60, "]"}}},
      {"test:name[ 5m]",
       {{K::kMetricIdentifier, 0, "test:name"},
        {K::kLeftBracket, 9, "["},
        {K::kDuration, 11, "5m"},
        {K::kRightBracket, 13, "]"}}},
      {"x[300]",
       {{K::kIdentifier, 0, "x"},
        {K::kLeftBracket, 1, "["},
        {K::kNumber, 2, "300"},
        {K::kRightBracket, 5, "]"}}},
      {"x[1.5:0.5]",
       {{K::kIdentifier, 0, "x"},
        {K::kLeftBracket, 1, "["},
        {K::kNumber, 2, "1.5"},
        {K::kColon, 5, ":"},
        {K::kNumber, 6, "0.5"},
        {K::kRightBracket, 9, "]"}}},
      {R"(test:name{o:n!~"bar"}[4m:4s])",
       {{K::kMetricIdentifier, 0, "test:name"},
        {K::kLeftBrace, 9, "{"},
        {K::kIdentifier, 10, "o"},
        {K::kError, 11, "unexpected character inside braces: ':'"}}},
      {"x[4m:4s:4h]",
       {{K::kIdentifier, 0, "x"},
        {K::kLeftBracket, 1, "["},
        {K::kDuration, 2, "4m"},
        {K::kColon, 4, ":"},
        {K::kDuration, 5, "4s"},
        {K::kError, 7, "unexpected colon ':'"}}},
      {"x[4m:4s:]",
       {{K::kIdentifier, 0, "x"},
        {K::kLeftBracket, 1, "["},
        {K::kDuration, 2, "4m"},
        {K::kColon, 4, ":"},
        {K::kDuration, 5, "4s"},
        {K::kError, 7, "unexpected colon ':'"}}},
      {"x[4m::]",
       {{K::kIdentifier, 0, "x"},
        {K::kLeftBracket, 1, "["},
        {K::kDuration, 2, "4m"},
        {K::kColon, 4, ":"},
        {K::kError, 5, "unexpected colon ':'"}}},
      // The error replaces the colon and starts after it, as in Prometheus.
      {"x[:4s]",
       {{K::kIdentifier, 0, "x"},
        {K::kLeftBracket, 1, "["},
        {K::kError, 3,
         "unexpected colon before duration in duration expression"}}},
      {"x[5m x]",
       {{K::kIdentifier, 0, "x"},
        {K::kLeftBracket, 1, "["},
        {K::kDuration, 2, "5m"},
        {K::kError, 5, "unexpected character: 'x', expected ':'"}}},
      {"x[5m:minute]",
       {{K::kIdentifier, 0, "x"},
        {K::kLeftBracket, 1, "["},
        {K::kDuration, 2, "5m"},
        {K::kColon, 4, ":"},
        {K::kError, 5, "unexpected character: 'm', expected ':'"}}},
      {"x[foo]",
       {{K::kIdentifier, 0, "x"},
        {K::kLeftBracket, 1, "["},
        {K::kError, 2, "unexpected character in duration expression: 'f'"}}},
      {"x[# c\n5m]",
       {{K::kIdentifier, 0, "x"},
        {K::kLeftBracket, 1, "["},
        {K::kError, 2, "unexpected character in duration expression: '#'"}}},
  });
}

TEST(LexerTest, DurationExpressions) {
  RunCases({
      {"x[5m+1m]",
       {{K::kIdentifier, 0, "x"},
        {K::kLeftBracket, 1, "["},
        {K::kDuration, 2, "5m"},
        {K::kAdd, 4, "+"},
        {K::kDuration, 5, "1m"},
        {K::kRightBracket, 7, "]"}}},
      {"x[-5m]",
       {{K::kIdentifier, 0, "x"},
        {K::kLeftBracket, 1, "["},
        {K::kSub, 2, "-"},
        {K::kDuration, 3, "5m"},
        {K::kRightBracket, 5, "]"}}},
      {"x[2 * 5m]",
       {{K::kIdentifier, 0, "x"},
        {K::kLeftBracket, 1, "["},
        {K::kNumber, 2, "2"},
        {K::kMul, 4, "*"},
        {K::kDuration, 6, "5m"},
        {K::kRightBracket, 8, "]"}}},
      {"x[step()]",
       {{K::kIdentifier, 0, "x"},
        {K::kLeftBracket, 1, "["},
        {K::kStep, 2, "step"},
        {K::kLeftParen, 6, "("},
        {K::kRightParen, 7, ")"},
        {K::kRightBracket, 8, "]"}}},
      {"x[Range():step()]",
       {{K::kIdentifier, 0, "x"},
        {K::kLeftBracket, 1, "["},
        {K::kRange, 2, "Range"},
        {K::kLeftParen, 7, "("},
        {K::kRightParen, 8, ")"},
        {K::kError, 10,
         "unexpected colon before duration in duration expression"}}},
      {"x[(1m):max(1m, 2m)]",
       {{K::kIdentifier, 0, "x"},
        {K::kLeftBracket, 1, "["},
        {K::kLeftParen, 2, "("},
        {K::kDuration, 3, "1m"},
        {K::kRightParen, 5, ")"},
        {K::kColon, 6, ":"},
        {K::kMax, 7, "max"},
        {K::kLeftParen, 10, "("},
        {K::kDuration, 11, "1m"},
        {K::kComma, 13, ","},
        {K::kDuration, 15, "2m"},
        {K::kRightParen, 17, ")"},
        {K::kRightBracket, 18, "]"}}},
      // Like Prometheus, a number seen in an earlier bracket still counts.
      {"a[1m] + b[:1m]",
       {{K::kIdentifier, 0, "a"},
        {K::kLeftBracket, 1, "["},
        {K::kDuration, 2, "1m"},
        {K::kRightBracket, 4, "]"},
        {K::kAdd, 6, "+"},
        {K::kIdentifier, 8, "b"},
        {K::kLeftBracket, 9, "["},
        {K::kColon, 10, ":"},
        {K::kDuration, 11, "1m"},
        {K::kRightBracket, 13, "]"}}},
      {"x[)",
       {{K::kIdentifier, 0, "x"},
        {K::kLeftBracket, 1, "["},
        {K::kError, 3, "unexpected right parenthesis ')'"}}},
  });
}

TEST(LexerTest, Expressions) {
  RunCases({
      {"sum by (job) (rate(x[5m]))",
       {{K::kSum, 0, "sum"},
        {K::kBy, 4, "by"},
        {K::kLeftParen, 7, "("},
        {K::kIdentifier, 8, "job"},
        {K::kRightParen, 11, ")"},
        {K::kLeftParen, 13, "("},
        {K::kIdentifier, 14, "rate"},
        {K::kLeftParen, 18, "("},
        {K::kIdentifier, 19, "x"},
        {K::kLeftBracket, 20, "["},
        {K::kDuration, 21, "5m"},
        {K::kRightBracket, 23, "]"},
        {K::kRightParen, 24, ")"},
        {K::kRightParen, 25, ")"}}},
      {"a >= bool on(x) group_left b",
       {{K::kIdentifier, 0, "a"},
        {K::kGte, 2, ">="},
        {K::kBool, 5, "bool"},
        {K::kOn, 10, "on"},
        {K::kLeftParen, 12, "("},
        {K::kIdentifier, 13, "x"},
        {K::kRightParen, 14, ")"},
        {K::kGroupLeft, 16, "group_left"},
        {K::kIdentifier, 27, "b"}}},
      {"foo offset -5m @ start()",
       {{K::kIdentifier, 0, "foo"},
        {K::kOffset, 4, "offset"},
        {K::kSub, 11, "-"},
        {K::kDuration, 12, "5m"},
        {K::kAt, 15, "@"},
        {K::kStart, 17, "start"},
        {K::kLeftParen, 22, "("},
        {K::kRightParen, 23, ")"}}},
      {"foo @ 1609746000.5",
       {{K::kIdentifier, 0, "foo"},
        {K::kAt, 4, "@"},
        {K::kNumber, 6, "1609746000.5"}}},
      {"2 ^ -x % 3 != 4",
       {{K::kNumber, 0, "2"},
        {K::kPow, 2, "^"},
        {K::kSub, 4, "-"},
        {K::kIdentifier, 5, "x"},
        {K::kMod, 7, "%"},
        {K::kNumber, 9, "3"},
        {K::kNeq, 11, "!="},
        {K::kNumber, 14, "4"}}},
      {"topk(3, x) unless\ty",
       {{K::kTopk, 0, "topk"},
        {K::kLeftParen, 4, "("},
        {K::kNumber, 5, "3"},
        {K::kComma, 6, ","},
        {K::kIdentifier, 8, "x"},
        {K::kRightParen, 9, ")"},
        {K::kLunless, 11, "unless"},
        {K::kIdentifier, 18, "y"}}},
  });
}

TEST(LexerTest, ErrorTextOutlivesLaterCalls) {
  Lexer lexer("(");
  EXPECT_EQ(lexer.Next().kind, K::kLeftParen);
  const Token error = lexer.Next();
  EXPECT_EQ(error.kind, K::kError);
  EXPECT_EQ(lexer.Next().kind, K::kEof);
  EXPECT_EQ(error.text, "unclosed left parenthesis");
}

TEST(TokenTest, Classes) {
  EXPECT_TRUE(IsOperator(K::kSub));
  EXPECT_TRUE(IsOperator(K::kAtan2));
  EXPECT_TRUE(IsOperator(K::kLand));
  EXPECT_FALSE(IsOperator(K::kAt));
  EXPECT_FALSE(IsOperator(K::kSum));
  EXPECT_TRUE(IsAggregator(K::kSum));
  EXPECT_TRUE(IsAggregator(K::kLimitRatio));
  EXPECT_FALSE(IsAggregator(K::kAtan2));
  EXPECT_TRUE(IsKeyword(K::kOffset));
  EXPECT_TRUE(IsKeyword(K::kRange));
  EXPECT_FALSE(IsKeyword(K::kLimitRatio));
  EXPECT_TRUE(IsComparisonOperator(K::kEqlc));
  EXPECT_TRUE(IsComparisonOperator(K::kGtr));
  EXPECT_FALSE(IsComparisonOperator(K::kEqlRegex));
  EXPECT_FALSE(IsComparisonOperator(K::kAssign));
  EXPECT_TRUE(IsSetOperator(K::kLunless));
  EXPECT_FALSE(IsSetOperator(K::kAtan2));
  EXPECT_EQ(TokenKindText(K::kGroupRight), "group_right");
  EXPECT_EQ(TokenKindText(K::kNeqRegex), "!~");
  EXPECT_EQ(TokenKindText(K::kIdentifier), "");
}

TEST(TokenTest, Description) {
  struct DescCase {
    Token token;
    std::string want;
  };
  const DescCase cases[] = {
      {{K::kEof, 3, ""}, "end of input"},
      {{K::kError, 0, "boom"}, "error boom"},
      {{K::kIdentifier, 0, "foo"}, R"(identifier "foo")"},
      {{K::kIdentifier, 0, "a_very_long_identifier"},
       R"(identifier "a_very_long_identifier")"},
      {{K::kMetricIdentifier, 0, "a:b"}, R"(metric identifier "a:b")"},
      {{K::kNumber, 0, "1"}, R"(number "1")"},
      {{K::kNumber, 0, "123456789012"}, R"(number "1234567890"...)"},
      {{K::kString, 0, R"("abc")"}, R"(string "\"abc\"")"},
      {{K::kString, 0, R"("abcdefghijklmnop")"}, R"(string "\"abcdefghi"...)"},
      {{K::kString, 0, "'\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9'"},
       "string \"'\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9'\"..."},
      {{K::kString, 0, "'\n'"}, R"(string "'\n'")"},
      {{K::kDuration, 0, "5m"}, R"(duration "5m")"},
      {{K::kComment, 0, "# hello world"}, R"(comment "# hello wo"...)"},
      {{K::kLeftParen, 0, "("}, R"("(")"},
      {{K::kLeftParen, 0, ""}, R"("(")"},
      {{K::kComma, 0, ","}, R"(",")"},
      {{K::kAssign, 0, "="}, R"("=")"},
      {{K::kRightBracket, 0, "]"}, R"("]")"},
      {{K::kColon, 0, ":"}, R"(":")"},
      {{K::kAdd, 0, "+"}, "<op:+>"},
      {{K::kEqlRegex, 0, "=~"}, "<op:=~>"},
      {{K::kLand, 0, "AND"}, "<op:AND>"},
      {{K::kAt, 0, "@"}, "<op:@>"},
      {{K::kSum, 0, "sum"}, "<aggr:sum>"},
      {{K::kCountValues, 0, "Count_Values"}, "<aggr:Count_Values>"},
      {{K::kBy, 0, "by"}, "<by>"},
      {{K::kGroupLeft, 0, "group_left"}, "<group_left>"},
      {{K::kStart, 0, "start"}, R"("start")"},
      {{K::kEnd, 0, "END"}, R"("END")"},
  };
  for (const DescCase& c : cases) {
    EXPECT_EQ(TokenDescription(c.token), c.want) << c.token.text;
  }
}

}  // namespace
}  // namespace fraisier::promql
