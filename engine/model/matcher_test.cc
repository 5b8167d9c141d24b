#include "engine/model/matcher.h"

#include <algorithm>
#include <optional>
#include <string>
#include <vector>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "engine/base/status_matchers.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "re2/re2.h"

namespace fraisier {
namespace {

using ::fraisier::testing::IsOk;
using ::fraisier::testing::StatusIs;
using ::testing::Eq;
using ::testing::HasSubstr;

constexpr MatchType kEq = MatchType::kEqual;
constexpr MatchType kNeq = MatchType::kNotEqual;
constexpr MatchType kRe = MatchType::kRegexMatch;
constexpr MatchType kNre = MatchType::kRegexNoMatch;

Matcher Make(MatchType type, absl::string_view name, absl::string_view value) {
  absl::StatusOr<Matcher> m = Matcher::Create(type, name, value);
  EXPECT_THAT(m, IsOk());
  if (!m.ok()) return *Matcher::Create(kEq, name, "<invalid>");
  return *std::move(m);
}

struct ValueCase {
  MatchType type;
  std::string value;
  std::string input;
  bool want;
};

void CheckValueCases(const std::vector<ValueCase>& cases) {
  for (const ValueCase& c : cases) {
    const Matcher m = Make(c.type, "x", c.value);
    EXPECT_EQ(m.Matches(c.input), c.want)
        << m.ToString() << " on " << ::testing::PrintToString(c.input);
  }
}

TEST(MatcherTest, EqualityMatchers) {
  CheckValueCases({
      {kEq, "a", "a", true},
      {kEq, "a", "A", false},
      {kEq, "a", "ab", false},
      {kEq, "a", "", false},
      {kNeq, "a", "a", false},
      {kNeq, "a", "b", true},
      {kNeq, "a", "", true},
      // No regex meaning for = and !=.
      {kEq, "a|b", "a", false},
      {kEq, "a|b", "a|b", true},
      {kEq, ".*", "x", false},
  });
}

TEST(MatcherTest, RegexIsFullyAnchored) {
  CheckValueCases({
      {kRe, "foo", "foo", true},
      {kRe, "foo", "foobar", false},
      {kRe, "foo", "xfoo", false},
      {kRe, "foo", "xfoox", false},
      {kRe, "fo+", "foooo", true},
      {kRe, "fo+", "foooox", false},
      {kRe, "foo.*", "foobar", true},
      {kRe, ".*bar", "foobar", true},
      {kRe, ".*bar", "foobarx", false},
      {kRe, "a", "a\n", false},  // $ does not match before a final newline
      // The user's own anchors are harmless.
      {kRe, "^foo$", "foo", true},
      {kNre, "foo", "foobar", true},
      {kNre, "foo", "foo", false},
  });
}

TEST(MatcherTest, Alternation) {
  CheckValueCases({
      {kRe, "a|b", "a", true},
      {kRe, "a|b", "b", true},
      {kRe, "a|b", "ab", false},
      {kRe, "a|b", "", false},
      {kRe, "a|b", "a|b", false},
      {kRe, "a\\|b", "a|b", true},
      {kRe, "a\\|b", "a", false},
      {kRe, "foo|bar.*", "barx", true},
      {kRe, "foo|bar.*", "foox", false},
      {kNre, "a|b", "ab", true},
      {kNre, "a|b", "b", false},
  });
}

TEST(MatcherTest, NewlineUnicodeAndCase) {
  CheckValueCases({
      {kRe, "a.b", "a\nb", true},
      {kRe, ".*", "line1\nline2", true},
      {kRe, ".+", "\n", true},
      {kRe, "caf.", "caf\xc3\xa9", true},  // . is one rune, not one byte
      {kRe, "caf..", "caf\xc3\xa9", false},
      {kRe, ".", "\xe6\x97\xa5", true},
      {kRe, "...", "\xe6\x97\xa5", false},
      {kRe, "\xe6\x97\xa5|x", "\xe6\x97\xa5", true},
      {kRe, "\\p{Greek}+", "\xce\xb1\xce\xb2", true},
      {kRe, "abc", "ABC", false},
      {kRe, "(?i)abc", "ABC", true},
      {kRe, "(?i)abc", "aBc", true},
      {kRe, "(?i)abc", "abcd", false},
      {kRe, "(?i:a)b", "Ab", true},
      {kRe, "(?i:a)b", "AB", false},
      {kEq, "abc", "ABC", false},
  });
}

TEST(MatcherTest, EmptyValuesAndAbsentLabels) {
  const Labels without = Labels::FromPairs({{"job", "j"}});
  const Labels with = Labels::FromPairs({{"job", "j"}, {"x", "v"}});
  const Labels with_a = Labels::FromPairs({{"job", "j"}, {"x", "a"}});
  struct Case {
    MatchType type;
    std::string value;
    bool without_x;
    bool with_x;    // x="v"
    bool with_x_a;  // x="a"
  };
  const Case cases[] = {
      {kEq, "", true, false, false},     {kNeq, "", false, true, true},
      {kRe, "", true, false, false},     {kRe, ".*", true, true, true},
      {kRe, ".+", false, true, true},    {kNre, "", false, true, true},
      {kNre, ".*", false, false, false}, {kNre, ".+", true, false, false},
      {kNre, "a|", false, true, false},  {kRe, "a|", true, false, true},
      {kEq, "v", false, true, false},    {kNeq, "v", true, false, true},
  };
  for (const Case& c : cases) {
    const Matcher m = Make(c.type, "x", c.value);
    EXPECT_EQ(m.MatchesLabels(without), c.without_x) << m.ToString();
    EXPECT_EQ(m.MatchesLabels(with), c.with_x) << m.ToString();
    EXPECT_EQ(m.MatchesLabels(with_a), c.with_x_a) << m.ToString();
    // An absent label is the empty string.
    EXPECT_EQ(m.MatchesEmpty(), c.without_x) << m.ToString();
  }
}

TEST(MatcherTest, MatchesEmpty) {
  struct Case {
    MatchType type;
    std::string value;
    bool want;
  };
  const Case cases[] = {
      {kEq, "", true},    {kEq, "a", false},   {kNeq, "", false},
      {kNeq, "a", true},  {kRe, "", true},     {kRe, "a*", true},
      {kRe, "a+", false}, {kRe, "(?:)", true}, {kRe, "x|y", false},
      {kNre, "a+", true}, {kNre, "a?", false}, {kRe, "^$", true},
  };
  for (const Case& c : cases) {
    EXPECT_EQ(Make(c.type, "x", c.value).MatchesEmpty(), c.want)
        << Make(c.type, "x", c.value).ToString();
  }
}

TEST(MatcherTest, ToStringAndAccessors) {
  struct Case {
    MatchType type;
    std::string name;
    std::string value;
    std::string want;
  };
  const Case cases[] = {
      {kEq, "job", "api", R"(job="api")"},
      {kNeq, "job", "", R"(job!="")"},
      {kRe, "job", "a|b", R"(job=~"a|b")"},
      {kNre, "job", ".*", R"(job!~".*")"},
      {kEq, "v", "say \"hi\"\n", R"(v="say \"hi\"\n")"},
      {kRe, "path", "a\\.b", R"(path=~"a\\.b")"},
      {kEq, "service.name", "x", R"("service.name"="x")"},
      {kEq, "__name__", "up", R"(__name__="up")"},
  };
  for (const Case& c : cases) {
    const Matcher m = Make(c.type, c.name, c.value);
    EXPECT_EQ(m.ToString(), c.want);
    EXPECT_EQ(m.type(), c.type);
    EXPECT_EQ(m.name(), c.name);
    EXPECT_EQ(m.value(), c.value);
  }
  EXPECT_EQ(MatchTypeToString(kEq), "=");
  EXPECT_EQ(MatchTypeToString(kNeq), "!=");
  EXPECT_EQ(MatchTypeToString(kRe), "=~");
  EXPECT_EQ(MatchTypeToString(kNre), "!~");
}

TEST(MatcherTest, InvalidRegex) {
  struct Case {
    MatchType type;
    std::string value;
    std::string error;
  };
  const Case cases[] = {
      {kRe, "(",
       R"(invalid regular expression in matcher job=~"(": missing ): ()"},
      {kNre, "[z-a]",
       R"(invalid regular expression in matcher job!~"[z-a]": invalid character class range: z-a)"},
      {kRe, "*",
       R"(invalid regular expression in matcher job=~"*": no argument for repetition operator: *)"},
      {kRe, "a\\",
       R"(invalid regular expression in matcher job=~"a\\": trailing \)"},
      {kRe, "x{2,1}",
       R"(invalid regular expression in matcher job=~"x{2,1}": invalid repetition size: {2,1})"},
  };
  for (const Case& c : cases) {
    EXPECT_THAT(Matcher::Create(c.type, "job", c.value),
                StatusIs(absl::StatusCode::kInvalidArgument, Eq(c.error)));
  }
  EXPECT_THAT(Matcher::Create(kRe, "job", "a\xff"),
              StatusIs(absl::StatusCode::kInvalidArgument,
                       HasSubstr(R"(in matcher job=~"a\xff": invalid UTF-8)")));
  // Equality matchers take any value.
  EXPECT_THAT(Matcher::Create(kEq, "job", "("), IsOk());
  EXPECT_THAT(Matcher::Create(kNeq, "job", "\xff"), IsOk());
}

TEST(MatcherTest, WrapperQuirkMatchesPrometheus) {
  // Prometheus compiles ^(?s:<value>)$ textually, so a value that closes the
  // group early is accepted there; we keep that behaviour.
  CheckValueCases({
      {kRe, "a)(b", "ab", true},
      {kRe, "a)(b", "a", false},
  });
}

TEST(MatcherTest, CopiesAndEquality) {
  const Matcher a = Make(kRe, "job", "a.*z");
  const Matcher b = a;  // NOLINT(performance-unnecessary-copy-initialization)
  EXPECT_TRUE(b.Matches("abcz"));
  EXPECT_FALSE(b.Matches("abc"));
  EXPECT_EQ(a, b);
  EXPECT_NE(a, Make(kNre, "job", "a.*z"));
  EXPECT_NE(a, Make(kRe, "jobs", "a.*z"));
  EXPECT_NE(a, Make(kRe, "job", "a.*y"));
}

// Every shape the fast paths recognise, their near misses (which must go to
// RE2) and escaping edge cases, checked against RE2 on the pattern Prometheus
// compiles. Inputs are valid UTF-8, where RE2 and Go agree.
TEST(MatcherTest, FastPathsAgreeWithRe2) {
  const std::vector<std::string> patterns = {
      "",
      ".*",
      ".+",
      "foo",
      "foo|bar",
      "a|",
      "|",
      "||a",
      "a.*",
      ".*a",
      ".*a.*",
      ".*.*",
      ".*.+",
      ".+.*",
      "a\\.b",
      "a\\.*",
      "\\.*",
      "a\\\\.*",
      ".*\\.",
      "a\\|b|c",
      "a\\*",
      "\\(x\\)",
      ".*?",
      "a|b*",
      ".*a|b",
      "a.*|b",
      "a|b.*",
      "\\.\\*",
      "[ab]",
      "a.b",
      "x{2}",
      "(a|b)",
      "(?i)foo",
      "foo\\.*bar",
      "\xe6\x97\xa5.*",
      "1|2|3|4|5|6|7|8|9|10|11|12",
      "A|a",
      " ",
      "a b|c d",
  };
  const std::vector<std::string> inputs = {
      "",
      "a",
      "b",
      "ab",
      "ba",
      "foo",
      "bar",
      "foobar",
      "xfoo",
      "a.b",
      "a\\b",
      "axb",
      ".",
      "..",
      "a.",
      "a\\",
      "a\\x",
      "a|b",
      "c",
      "a*",
      "(x)",
      "x",
      "xx",
      "FOO",
      "foo.bar",
      "foo..bar",
      "foobar.",
      "\n",
      "a\nb",
      "\xe6\x97\xa5",
      "\xe6\x97\xa5x",
      "7",
      "12",
      "13",
      "A",
      " ",
      "a b",
      "c d",
      "xa",
      "ax",
      "xax",
      "|",
      "*",
      "\\.",
      "a\\.b",
      ".*",
  };
  for (const std::string& p : patterns) {
    const RE2 re(absl::StrCat("^(?s:", p, ")$"));
    ASSERT_TRUE(re.ok()) << p << ": " << re.error();
    const Matcher m = Make(kRe, "x", p);
    const Matcher nm = Make(kNre, "x", p);
    for (const std::string& in : inputs) {
      const bool want = RE2::FullMatch(in, re);
      EXPECT_EQ(m.Matches(in), want)
          << "pattern " << ::testing::PrintToString(p) << " input "
          << ::testing::PrintToString(in);
      EXPECT_EQ(nm.Matches(in), !want);
    }
    EXPECT_EQ(m.MatchesEmpty(), RE2::FullMatch("", re)) << p;
  }
}

TEST(MatcherTest, LargeLiteralAlternation) {
  std::string pattern;
  for (int i = 0; i < 5000; ++i) {
    absl::StrAppend(&pattern, i == 0 ? "" : "|", "host-", i);
  }
  const Matcher m = Make(kRe, "instance", pattern);
  EXPECT_TRUE(m.Matches("host-0"));
  EXPECT_TRUE(m.Matches("host-4999"));
  EXPECT_FALSE(m.Matches("host-5000"));
  EXPECT_FALSE(m.Matches("host-1|host-2"));
  EXPECT_FALSE(m.Matches(""));
  EXPECT_FALSE(m.MatchesEmpty());
}

TEST(MatcherTest, SetMatches) {
  using Set = std::optional<std::vector<std::string>>;
  EXPECT_EQ(Make(kRe, "x", "a").SetMatches(), Set({{"a"}}));
  EXPECT_EQ(Make(kRe, "x", "c|a|b|a").SetMatches(), Set({{"a", "b", "c"}}));
  EXPECT_EQ(Make(kNre, "x", "a|").SetMatches(), Set({{"", "a"}}));
  EXPECT_EQ(Make(kRe, "x", "a\\.b|c").SetMatches(), Set({{"a.b", "c"}}));
  EXPECT_EQ(Make(kRe, "x", "a.b").SetMatches(), std::nullopt);
  EXPECT_EQ(Make(kRe, "x", ".*").SetMatches(), std::nullopt);
  EXPECT_EQ(Make(kRe, "x", "a.*").SetMatches(), std::nullopt);
  EXPECT_EQ(Make(kEq, "x", "a").SetMatches(), std::nullopt);
  EXPECT_EQ(Make(kNeq, "x", "a").SetMatches(), std::nullopt);
  // Above kMaxScannedLiterals the literals live in a hash set.
  std::string pattern;
  std::vector<std::string> want;
  for (int i = 0; i < 20; ++i) {
    absl::StrAppend(&pattern, i == 0 ? "" : "|", "h", i);
    want.push_back(absl::StrCat("h", i));
  }
  std::sort(want.begin(), want.end());
  EXPECT_EQ(Make(kRe, "x", pattern).SetMatches(), Set(want));
}

TEST(MatcherTest, LiteralPrefix) {
  EXPECT_EQ(Make(kRe, "x", "10\\.0\\..*").LiteralPrefix(), "10.0.");
  EXPECT_EQ(Make(kNre, "x", "api.*").LiteralPrefix(), "api");
  EXPECT_EQ(Make(kRe, "x", "api-[0-9]+").LiteralPrefix(), "api-");
  EXPECT_EQ(Make(kRe, "x", "api-(a|b)").LiteralPrefix(), "api-");
  EXPECT_EQ(Make(kRe, "x", "(?i)api.*").LiteralPrefix(), "");
  EXPECT_EQ(Make(kRe, "x", ".*api").LiteralPrefix(), "");
  EXPECT_EQ(Make(kRe, "x", ".*").LiteralPrefix(), "");
  EXPECT_EQ(Make(kRe, "x", "a|b").LiteralPrefix(), "");
  EXPECT_EQ(Make(kEq, "x", "abc").LiteralPrefix(), "");
}

// Whatever prefix is reported must hold for every match: check it against
// RE2 on generated inputs.
TEST(MatcherTest, LiteralPrefixIsAPrefixOfEveryMatch) {
  const std::vector<std::string> patterns = {
      "ab[cd]+", "ab(c|d)e.*", "abc?",  "a(b|)c", "ab.",
      "ab\\d*",  "abc{2,3}",   "(ab)+", "ab|ac",  "a[\\x{100}-\\x{200}]z"};
  const std::vector<std::string> inputs = {
      "",      "a",  "ab",   "abc", "abd",  "abcc",       "abccc", "abce",
      "abdex", "ac", "abab", "ab1", "ab12", "a\xc4\x80z", "abcd",  "b"};
  for (const std::string& p : patterns) {
    const Matcher m = Make(kRe, "x", p);
    for (const std::string& in : inputs) {
      if (m.Matches(in)) {
        EXPECT_TRUE(absl::StartsWith(in, m.LiteralPrefix()))
            << p << " matches " << in << " but prefix is " << m.LiteralPrefix();
      }
    }
  }
  EXPECT_EQ(Make(kRe, "x", "ab[cd]+").LiteralPrefix(), "ab");
}

}  // namespace
}  // namespace fraisier
