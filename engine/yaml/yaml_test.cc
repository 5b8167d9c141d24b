#include "engine/yaml/yaml.h"

#include "engine/base/status_matchers.h"
#include "engine/yaml/decode.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace fraisier::yaml {
namespace {

using ::fraisier::testing::StatusIs;
using ::testing::ElementsAre;
using ::testing::HasSubstr;
using ::testing::Pair;

TEST(ParseYamlTest, PositionsAreOneBased) {
  absl::StatusOr<YamlNode> root =
      ParseYaml("global:\n  evaluation_interval: 30s\n", "c.yml");
  ASSERT_TRUE(root.ok()) << root.status();
  ASSERT_EQ(root->kind, YamlNode::Kind::kMap);
  const YamlNode* global = root->Find("global");
  ASSERT_NE(global, nullptr);
  const YamlNode* interval = global->Find("evaluation_interval");
  ASSERT_NE(interval, nullptr);
  EXPECT_EQ(interval->scalar, "30s");
  EXPECT_EQ(interval->line, 2);
  EXPECT_EQ(interval->column, 24);
  EXPECT_FALSE(interval->quoted);
}

TEST(ParseYamlTest, QuotedScalarsAreMarked) {
  absl::StatusOr<YamlNode> root = ParseYaml("a: 'x'\nb: \"y\"\nc: z\n", "f");
  ASSERT_TRUE(root.ok());
  EXPECT_TRUE(root->Find("a")->quoted);
  EXPECT_TRUE(root->Find("b")->quoted);
  EXPECT_FALSE(root->Find("c")->quoted);
}

TEST(ParseYamlTest, EmptyDocumentIsNull) {
  absl::StatusOr<YamlNode> root = ParseYaml("", "f");
  ASSERT_TRUE(root.ok());
  EXPECT_TRUE(root->IsNull());
}

TEST(ParseYamlTest, SyntaxErrorHasPosition) {
  EXPECT_THAT(
      ParseYaml("a: [1, 2\nb: c\n", "bad.yml"),
      StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("bad.yml:")));
  EXPECT_THAT(
      ParseYaml("a:\n  - x\n y: 1\n", "bad.yml"),
      StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("bad.yml:3:")));
}

TEST(ParseYamlTest, DuplicateKeysAreRejected) {
  EXPECT_THAT(ParseYaml("a: 1\nb: 2\na: 3\n", "d.yml"),
              StatusIs(absl::StatusCode::kInvalidArgument,
                       "d.yml:3:1: yaml: mapping key \"a\" already defined at "
                       "line 1"));
}

TEST(ParseYamlTest, SecondDocumentIsRejected) {
  EXPECT_THAT(ParseYaml("a: 1\n---\nb: 2\n", "m.yml"),
              StatusIs(absl::StatusCode::kInvalidArgument,
                       HasSubstr("expected a single document")));
}

TEST(ParseYamlTest, DeepNestingIsAnErrorNotACrash) {
  std::string deep(100000, '[');
  EXPECT_FALSE(ParseYaml(deep, "deep.yml").ok());
}

TEST(MapDecoderTest, ReportsUnknownFieldsWithPosition) {
  absl::StatusOr<YamlNode> root = ParseYaml("known: 1\nunknwn: 2\n", "u.yml");
  ASSERT_TRUE(root.ok());
  Diagnostics diag("u.yml");
  {
    MapDecoder map(*root, "global", &diag);
    EXPECT_NE(map.Take("known"), nullptr);
    EXPECT_EQ(map.Take("absent"), nullptr);
  }
  EXPECT_THAT(diag.errors(),
              ElementsAre("u.yml:2:1: unknown field \"unknwn\" in global"));
}

TEST(MapDecoderTest, NonMappingIsReported) {
  absl::StatusOr<YamlNode> root = ParseYaml("- a\n- b\n", "s.yml");
  ASSERT_TRUE(root.ok());
  Diagnostics diag("s.yml");
  MapDecoder map(*root, "config", &diag);
  map.Finish();
  EXPECT_THAT(diag.errors(),
              ElementsAre("s.yml:1:1: cannot unmarshal sequence into config "
                          "(expected a mapping)"));
}

TEST(DecodeTest, ScalarsAndCollections) {
  absl::StatusOr<YamlNode> root = ParseYaml(
      "s: hello\nb: yes\ni: -42\nl: [a, b]\nm: {x: '1', y: z}\nbad: [1]\n"
      "qi: '5'\n",
      "t.yml");
  ASSERT_TRUE(root.ok());
  Diagnostics diag("t.yml");
  std::string s;
  bool b = false;
  int64_t i = 0;
  std::vector<std::string> l;
  std::vector<std::pair<std::string, std::string>> m;
  EXPECT_TRUE(DecodeString(*root->Find("s"), &diag, &s));
  EXPECT_EQ(s, "hello");
  EXPECT_TRUE(DecodeBool(*root->Find("b"), &diag, &b));
  EXPECT_TRUE(b);
  EXPECT_TRUE(DecodeInt64(*root->Find("i"), &diag, &i));
  EXPECT_EQ(i, -42);
  EXPECT_TRUE(DecodeStringList(*root->Find("l"), &diag, &l));
  EXPECT_THAT(l, ElementsAre("a", "b"));
  EXPECT_TRUE(DecodeStringMap(*root->Find("m"), &diag, &m));
  EXPECT_THAT(m, ElementsAre(Pair("x", "1"), Pair("y", "z")));
  EXPECT_TRUE(diag.ok());
  EXPECT_FALSE(DecodeString(*root->Find("bad"), &diag, &s));
  EXPECT_FALSE(DecodeInt64(*root->Find("qi"), &diag, &i));
  EXPECT_FALSE(DecodeBool(*root->Find("s"), &diag, &b));
  EXPECT_THAT(diag.errors(),
              ElementsAre("t.yml:6:6: cannot unmarshal sequence into a string",
                          "t.yml:7:5: cannot unmarshal \"5\" into an integer",
                          "t.yml:1:4: cannot unmarshal \"hello\" into a "
                          "boolean"));
}

}  // namespace
}  // namespace fraisier::yaml
