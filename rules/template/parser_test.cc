#include "rules/template/parser.h"

#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "engine/base/status_matchers.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "rules/template/functions.h"
#include "rules/template/lexer.h"
#include "rules/template/literals.h"

namespace fraisier::rules::templates {
namespace {

using ::fraisier::testing::StatusIs;
using ::testing::HasSubstr;

// The token stream of `text` as "type:value" strings, Go's item.String()
// for the value.
std::vector<std::string> Lex(absl::string_view text) {
  Lexer lexer(text);
  std::vector<std::string> out;
  for (int i = 0; i < 100; ++i) {
    const Item item = lexer.NextItem();
    out.push_back(ItemString(item));
    if (item.type == ItemType::kEOF || item.type == ItemType::kError) break;
  }
  return out;
}

TEST(LexerTest, TextAndActions) {
  EXPECT_THAT(Lex("a{{.X}}b"),
              ::testing::ElementsAre("\"a\"", "\"{{\"", "\".X\"", "\"}}\"",
                                     "\"b\"", "EOF"));
  EXPECT_THAT(Lex("{{ if $x }}"),
              ::testing::ElementsAre("\"{{\"", "\" \"", "<if>", "\" \"",
                                     "\"$x\"", "\" \"", "\"}}\"", "EOF"));
}

TEST(LexerTest, TrimMarkersEatSpaceAroundActions) {
  EXPECT_THAT(Lex("a \n {{- 1 -}} \n b"),
              ::testing::ElementsAre("\"a\"", "\"{{\"", "\"1\"", "\"}}\"",
                                     "\"b\"", "EOF"));
  // "{{-3}}" is the number -3, not a trim marker.
  EXPECT_THAT(Lex("{{-3}}"),
              ::testing::ElementsAre("\"{{\"", "\"-3\"", "\"}}\"", "EOF"));
}

TEST(LexerTest, CommentsAreSkipped) {
  EXPECT_THAT(Lex("a{{/* x */}}b"),
              ::testing::ElementsAre("\"a\"", "\"b\"", "EOF"));
  EXPECT_THAT(Lex("{{/* x */ }}"),
              ::testing::ElementsAre("comment ends before closing delimiter"));
}

TEST(LexerTest, LiteralsAndKeywords) {
  EXPECT_THAT(
      Lex("{{'a' `r` \"s\" 1+2i nil true}}"),
      ::testing::ElementsAre("\"{{\"", "\"'a'\"", "\" \"", "\"`r`\"", "\" \"",
                             "\"\\\"s\\\"\"", "\" \"", "\"1+2i\"", "\" \"",
                             "<nil>", "\" \"", "\"true\"", "\"}}\"", "EOF"));
  // Long values are cut to ten runes in messages.
  EXPECT_THAT(Lex("{{\"abcdefghijkl\"}}")[1], "\"\\\"abcdefghi\"...");
}

TEST(LexerTest, Errors) {
  EXPECT_THAT(Lex("{{ 1x }}").back(), "bad number syntax: \"1x\"");
  EXPECT_THAT(Lex("{{ \"abc }}").back(), "unterminated quoted string");
  EXPECT_THAT(Lex("{{ `abc }}").back(), "unterminated raw quoted string");
  EXPECT_THAT(Lex("{{ 'a").back(), "unterminated character constant");
  EXPECT_THAT(Lex("{{ $x@ }}").back(), "bad character U+0040 '@'");
  EXPECT_THAT(Lex("{{ \x01 }}").back(),
              "unrecognized character in action: U+0001");
  EXPECT_THAT(Lex("{{ : }}").back(), "expected :=");
  EXPECT_THAT(Lex("{{ (1 }}").back(), "unclosed left paren");
  EXPECT_THAT(Lex("{{ 1").back(), "unclosed action");
}

absl::StatusOr<std::unique_ptr<TemplateSet>> Parse(absl::string_view text,
                                                   int max_depth = 100) {
  ParseOptions options;
  options.has_function = &HasFunction;
  options.max_depth = max_depth;
  return ParseTemplate("t", text, options);
}

// The main tree printed back (Go's Tree.Root.String()).
std::string Roundtrip(absl::string_view text) {
  absl::StatusOr<std::unique_ptr<TemplateSet>> set = Parse(text);
  if (!set.ok()) return std::string(set.status().message());
  return NodeString(*(*set)->Find("t")->root);
}

TEST(ParserTest, NodeStringsAreGos) {
  EXPECT_EQ(Roundtrip("a{{.X.Y}}b"), "a{{.X.Y}}b");
  EXPECT_EQ(Roundtrip("{{$x := 1}}{{$x = 2}}{{$x}}"),
            "{{$x := 1}}{{$x := 2}}{{$x}}");
  EXPECT_EQ(Roundtrip("{{ printf \"%d\" (len .) | print }}"),
            "{{printf \"%d\" (len .) | print}}");
  EXPECT_EQ(Roundtrip("{{if .}}a{{else if .X}}b{{else}}c{{end}}"),
            "{{if .}}a{{else}}{{if .X}}b{{else}}c{{end}}{{end}}");
  EXPECT_EQ(Roundtrip("{{range $i, $v := .}}{{$v}}{{end}}"),
            "{{range $i, $v := .}}{{$v}}{{end}}");
  EXPECT_EQ(Roundtrip("{{with $x := 1}}{{.}}{{end}}"),
            "{{with $x := 1}}{{.}}{{end}}");
  EXPECT_EQ(Roundtrip("{{template \"x\" .}}{{template `y`}}"),
            "{{template \"x\" .}}{{template \"y\"}}");
  EXPECT_EQ(Roundtrip("{{(args 1).arg0.x}}"), "{{(args 1).arg0.x}}");
  EXPECT_EQ(Roundtrip("{{$.Labels.job}}"), "{{$.Labels.job}}");
  EXPECT_EQ(Roundtrip("{{range .}}{{break}}{{continue}}{{end}}"),
            "{{range .}}{{break}}{{continue}}{{end}}");
}

TEST(ParserTest, DefineAndBlockAddTemplates) {
  absl::StatusOr<std::unique_ptr<TemplateSet>> set =
      Parse("{{define \"a\"}}A{{end}}x{{block \"b\" .}}B{{end}}");
  ASSERT_THAT(set, ::fraisier::testing::IsOk());
  ASSERT_NE((*set)->Find("a"), nullptr);
  ASSERT_NE((*set)->Find("b"), nullptr);
  EXPECT_EQ(NodeString(*(*set)->Find("a")->root), "A");
  EXPECT_EQ(NodeString(*(*set)->Find("t")->root), "x{{template \"b\" .}}");
  // Redefining with an empty body keeps the first definition.
  EXPECT_THAT(Parse("{{define \"a\"}}A{{end}}{{define \"a\"}} {{end}}"),
              ::fraisier::testing::IsOk());
}

TEST(ParserTest, PredeclaredVariablesAreInScopeOfTheMainTemplateOnly) {
  ParseOptions options;
  options.predeclared_vars = {"$labels"};
  EXPECT_THAT(ParseTemplate("t", "{{ $labels.job }}", options),
              ::fraisier::testing::IsOk());
  EXPECT_EQ(ParseTemplate("t", "{{ $value }}", options).status().message(),
            "template: t:1: undefined variable \"$value\"");
  EXPECT_EQ(ParseTemplate("t", "{{define \"d\"}}{{ $labels }}{{end}}", options)
                .status()
                .message(),
            "template: t:1: undefined variable \"$labels\"");
}

TEST(ParserTest, ErrorMessagesAreGos) {
  auto error = [](absl::string_view text) {
    return std::string(Parse(text).status().message());
  };
  EXPECT_EQ(error("{{nope}}"), "template: t:1: function \"nope\" not defined");
  EXPECT_EQ(error("{{$x}}"), "template: t:1: undefined variable \"$x\"");
  EXPECT_EQ(error("a\nb\n{{end}}"), "template: t:3: unexpected {{end}}");
  EXPECT_EQ(error("{{if 1}}"), "template: t:1: unexpected EOF");
  EXPECT_EQ(error("{{if 1}}{{else}}{{else}}{{end}}"),
            "template: t:1: expected end; found {{else}}");
  EXPECT_EQ(error("{{range $a, $b, $c := .}}{{end}}"),
            "template: t:1: too many declarations in range");
  EXPECT_EQ(error("{{range $a, 1 := .}}{{end}}"),
            "template: t:1: range can only initialize variables");
  EXPECT_EQ(error("{{with $a, $b := .}}{{end}}"),
            "template: t:1: too many declarations in with");
  EXPECT_EQ(error("{{.X | 1}}"),
            "template: t:1: non executable command in pipeline stage 2");
  EXPECT_EQ(error("{{}}"), "template: t:1: missing value for command");
  EXPECT_EQ(error("{{template 1}}"),
            "template: t:1: unexpected \"1\" in template clause");
  EXPECT_EQ(error("{{define \"a\"}}{{else}}{{end}}"),
            "template: t:1: unexpected {{else}} in define clause");
  EXPECT_EQ(error("{{continue}}"),
            "template: t:1: {{continue}} outside {{range}}");
  EXPECT_EQ(error("{{range .}}{{break 1}}{{end}}"),
            "template: t:1: unexpected \"1\" in {{break}}");
  EXPECT_EQ(error("{{1.X}}"), "template: t:1: bad number syntax: \"1.X\"");
  EXPECT_EQ(error("{{true.X}}"),
            "template: t:1: unexpected . after term \"true\"");
  EXPECT_EQ(error("{{\"\\q\"}}"), "template: t:1: invalid syntax");
  EXPECT_EQ(error("{{''}}"), "template: t:1: invalid syntax");
  EXPECT_EQ(error("{{0x}}"), "template: t:1: illegal number syntax: \"0x\"");
  EXPECT_EQ(error("{{\n\n1 2 %}}"),
            "template: t:3: unexpected \"%\" in operand");
  EXPECT_EQ(error("{{ 1 \n\n"),
            "template: t:3: unclosed action started at t:1");
  EXPECT_EQ(error("{{ \"a\n\"}}"), "template: t:1: unterminated quoted string");
}

TEST(ParserTest, NestingIsBounded) {
  std::string deep;
  for (int i = 0; i < 500; ++i) deep += "{{if 1}}";
  deep += "x";
  for (int i = 0; i < 500; ++i) deep += "{{end}}";
  EXPECT_THAT(Parse(deep), StatusIs(absl::StatusCode::kInvalidArgument,
                                    HasSubstr("nests deeper than the limit")));
  std::string parens =
      "{{" + std::string(5000, '(') + "1" + std::string(5000, ')') + "}}";
  EXPECT_THAT(Parse(parens), StatusIs(absl::StatusCode::kInvalidArgument,
                                      HasSubstr("nests deeper")));
  // Up to the limit is fine.
  std::string ok;
  for (int i = 0; i < 10; ++i) ok += "{{with 1}}";
  for (int i = 0; i < 10; ++i) ok += "{{end}}";
  EXPECT_THAT(Parse(ok, 10), ::fraisier::testing::IsOk());
  EXPECT_THAT(Parse(ok, 9), StatusIs(absl::StatusCode::kInvalidArgument));
}

TEST(LiteralsTest, NumbersFollowGosIdealConstants) {
  absl::StatusOr<NumberInfo> n = ParseNumberLiteral("1e3", ItemType::kNumber);
  ASSERT_TRUE(n.ok());
  EXPECT_TRUE(n->is_float && n->is_int && n->is_uint);
  EXPECT_EQ(n->int64, 1000);
  n = ParseNumberLiteral("-0x10", ItemType::kNumber);
  ASSERT_TRUE(n.ok());
  EXPECT_TRUE(n->is_int && !n->is_uint);
  EXPECT_EQ(n->int64, -16);
  n = ParseNumberLiteral("18446744073709551615", ItemType::kNumber);
  ASSERT_TRUE(n.ok());
  EXPECT_TRUE(n->is_uint && !n->is_int);
  n = ParseNumberLiteral("2i", ItemType::kNumber);
  ASSERT_TRUE(n.ok());
  EXPECT_TRUE(n->is_complex && !n->is_float);
  n = ParseNumberLiteral("1+2i", ItemType::kComplex);
  ASSERT_TRUE(n.ok());
  EXPECT_EQ(n->real, 1);
  EXPECT_EQ(n->imag, 2);
  n = ParseNumberLiteral("'\\u00e9'", ItemType::kCharConstant);
  ASSERT_TRUE(n.ok());
  EXPECT_EQ(n->int64, 0xE9);
  EXPECT_FALSE(ParseNumberLiteral("1__0", ItemType::kNumber).ok());
  EXPECT_EQ(GoParseInt("0b_101"), 5);
  EXPECT_EQ(GoParseInt("9223372036854775808"), std::nullopt);
  EXPECT_EQ(GoParseInt("-9223372036854775808"),
            std::numeric_limits<int64_t>::min());
  EXPECT_EQ(GoUnquote("`a\r\nb`").value(), "a\nb");
}

}  // namespace
}  // namespace fraisier::rules::templates
