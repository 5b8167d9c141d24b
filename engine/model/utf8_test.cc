#include "engine/model/utf8.h"

#include <string>

#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace fraisier {
namespace {

TEST(DecodeRuneTest, Table) {
  struct Case {
    std::string in;
    char32_t rune;
    size_t width;
  };
  const Case cases[] = {
      {"", kRuneError, 0},
      {"a", 'a', 1},
      {std::string("\0", 1), 0, 1},
      {"\x7f", 0x7F, 1},
      {"\xc2\x80", 0x80, 2},
      {"\xc3\xa9x", 0xE9, 2},
      {"\xdf\xbf", 0x7FF, 2},
      {"\xe0\xa0\x80", 0x800, 3},
      {"\xe2\x82\xac", 0x20AC, 3},
      {"\xef\xbf\xbd", 0xFFFD, 3},
      {"\xef\xbf\xbf", 0xFFFF, 3},
      {"\xf0\x90\x80\x80", 0x10000, 4},
      {"\xf0\x9f\x98\x80", 0x1F600, 4},
      {"\xf4\x8f\xbf\xbf", 0x10FFFF, 4},
      // Invalid: one byte consumed, rune error.
      {"\x80", kRuneError, 1},
      {"\xbf", kRuneError, 1},
      {"\xc0\x80", kRuneError, 1},          // overlong NUL
      {"\xc1\xbf", kRuneError, 1},          // overlong
      {"\xe0\x80\x80", kRuneError, 1},      // overlong
      {"\xe0\x9f\xbf", kRuneError, 1},      // overlong
      {"\xf0\x80\x80\x80", kRuneError, 1},  // overlong
      {"\xf0\x8f\xbf\xbf", kRuneError, 1},  // overlong
      {"\xed\xa0\x80", kRuneError, 1},      // U+D800 surrogate
      {"\xed\xbf\xbf", kRuneError, 1},      // U+DFFF surrogate
      {"\xf4\x90\x80\x80", kRuneError, 1},  // U+110000
      {"\xf5\x80\x80\x80", kRuneError, 1},
      {"\xff", kRuneError, 1},
      {"\xc3", kRuneError, 1},          // truncated
      {"\xe2\x82", kRuneError, 1},      // truncated
      {"\xf0\x9f\x98", kRuneError, 1},  // truncated
      {"\xe2\x28\xa1", kRuneError, 1},  // bad continuation
  };
  for (const Case& c : cases) {
    const DecodedRune got = DecodeRune(c.in);
    EXPECT_EQ(static_cast<uint32_t>(got.rune), static_cast<uint32_t>(c.rune))
        << testing::PrintToString(c.in);
    EXPECT_EQ(got.width, c.width) << testing::PrintToString(c.in);
  }
}

TEST(IsValidUtf8Test, Table) {
  struct Case {
    std::string in;
    bool valid;
  };
  const Case cases[] = {
      {"", true},
      {"hello", true},
      {std::string("a\0b", 3), true},
      {"caf\xc3\xa9", true},
      {"\xe6\x97\xa5\xe6\x9c\xac", true},
      {"\xf0\x9f\x98\x80 ok", true},
      {"\xef\xbf\xbd", true},  // an encoded U+FFFD is valid
      {"caf\xc3", false},
      {"\xc0\xaf", false},
      {"\xed\xa0\x80", false},
      {"ok\xff", false},
      {"\xf4\x90\x80\x80", false},
  };
  for (const Case& c : cases) {
    EXPECT_EQ(IsValidUtf8(c.in), c.valid) << testing::PrintToString(c.in);
  }
}

}  // namespace
}  // namespace fraisier
