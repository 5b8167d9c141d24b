#include "engine/model/go_quote.h"

#include <string>

#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace fraisier {
namespace {

// Expected strings are what Go's strconv.Quote returns.
TEST(GoQuoteTest, Table) {
  struct Case {
    std::string in;
    std::string want;
  };
  const Case cases[] = {
      {"", R"("")"},
      {"abc", R"("abc")"},
      {"a\"b", R"("a\"b")"},
      {"a\\b", R"("a\\b")"},
      {"line1\nline2", R"("line1\nline2")"},
      {"\a\b\f\r\t\v", R"("\a\b\f\r\t\v")"},
      {std::string("\0", 1), R"("\x00")"},
      {"\x1b[0m", R"("\x1b[0m")"},
      {"\x7f", R"("\x7f")"},
      {"caf\xc3\xa9", "\"caf\xc3\xa9\""},
      {"\xe6\x97\xa5\xe6\x9c\xac", "\"\xe6\x97\xa5\xe6\x9c\xac\""},
      {"\xf0\x9f\x98\x80", "\"\xf0\x9f\x98\x80\""},
      {"\xff", R"("\xff")"},
      {"a\xc3", R"("a\xc3")"},
      {"\xed\xa0\x80", R"("\xed\xa0\x80")"},
      {"\xc2\x85", R"("\u0085")"},      // NEL, a C1 control
      {"\xc2\xa0", R"("\u00a0")"},      // no-break space is not printable in Go
      {"\xc2\xad", R"("\u00ad")"},      // soft hyphen
      {"\xe2\x80\x8b", R"("\u200b")"},  // zero-width space
      {"\xe2\x80\xa8", R"("\u2028")"},  // line separator
      {"\xef\xbb\xbf", R"("\ufeff")"},  // BOM
      {"\xee\x80\x80", R"("\ue000")"},  // private use
      {"\xf3\xb0\x80\x80", R"("\U000f0000")"},  // supplementary private use
      {"\xef\xbf\xbd", "\"\xef\xbf\xbd\""},     // U+FFFD itself is printable
      {"'", R"("'")"},
      {" ", R"(" ")"},
  };
  for (const Case& c : cases) {
    EXPECT_EQ(GoQuote(c.in), c.want) << testing::PrintToString(c.in);
  }
}

TEST(GoQuoteTest, AppendKeepsPrefix) {
  std::string out = "x=";
  AppendGoQuote("y", &out);
  EXPECT_EQ(out, R"(x="y")");
}

TEST(IsGoPrintableTest, Table) {
  struct Case {
    char32_t r;
    bool printable;
  };
  const Case cases[] = {
      {' ', true},       {'~', true},     {0x1F, false},   {0x7F, false},
      {0x9F, false},     {0xA0, false},   {0xA1, true},    {0xE9, true},
      {0x2000, false},   {0x2010, true},  {0x3000, false}, {0x3001, true},
      {0xFFFD, true},    {0xFFFE, false}, {0x1F600, true}, {0x10FFFF, false},
      {0x110000, false},
  };
  for (const Case& c : cases) {
    EXPECT_EQ(IsGoPrintable(c.r), c.printable)
        << std::hex << static_cast<uint32_t>(c.r);
  }
}

}  // namespace
}  // namespace fraisier
