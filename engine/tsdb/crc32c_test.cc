#include "engine/tsdb/crc32c.h"

#include <cstdint>
#include <random>
#include <string>

#include "gtest/gtest.h"

namespace fraisier::tsdb {
namespace {

TEST(Crc32cTest, KnownVectors) {
  EXPECT_EQ(Crc32c(""), 0u);
  EXPECT_EQ(Crc32c("123456789"), 0xE3069283u);
  EXPECT_EQ(Crc32c("a"), 0xC1D04330u);
  // RFC 3720 (iSCSI) appendix B.4 test patterns.
  EXPECT_EQ(Crc32c(std::string(32, '\0')), 0x8A9136AAu);
  EXPECT_EQ(Crc32c(std::string(32, '\xFF')), 0x62A8AB43u);
  std::string ascending, descending;
  for (int i = 0; i < 32; ++i) {
    ascending.push_back(static_cast<char>(i));
    descending.push_back(static_cast<char>(31 - i));
  }
  EXPECT_EQ(Crc32c(ascending), 0x46DD794Eu);
  EXPECT_EQ(Crc32c(descending), 0x113FDB5Cu);
}

TEST(Crc32cTest, PortableMatchesKnownVectors) {
  EXPECT_EQ(internal::Crc32cExtendPortable(0, "123456789", 9), 0xE3069283u);
  EXPECT_EQ(internal::Crc32cExtendPortable(0, "", 0), 0u);
}

TEST(Crc32cTest, ExtendEqualsWholeAndPathsAgree) {
  std::mt19937_64 rng(42);
  for (int iter = 0; iter < 200; ++iter) {
    std::string s(rng() % 300, '\0');
    for (char& c : s) c = static_cast<char>(rng());
    const uint32_t whole = Crc32c(s);
    EXPECT_EQ(internal::Crc32cExtendPortable(0, s.data(), s.size()), whole);
    const size_t cut = s.empty() ? 0 : rng() % (s.size() + 1);
    const absl::string_view v(s);
    EXPECT_EQ(Crc32cExtend(Crc32c(v.substr(0, cut)), v.substr(cut)), whole);
    // Unaligned starts exercise the 8-byte loads at every offset.
    if (s.size() > 3) {
      EXPECT_EQ(Crc32c(v.substr(3)),
                internal::Crc32cExtendPortable(0, s.data() + 3, s.size() - 3));
    }
  }
}

TEST(Crc32cTest, DetectsSingleBitFlip) {
  std::string s = "the quick brown fox jumps over the lazy dog";
  const uint32_t base = Crc32c(s);
  for (size_t i = 0; i < s.size() * 8; ++i) {
    std::string t = s;
    t[i / 8] = static_cast<char>(t[i / 8] ^ (1 << (i % 8)));
    EXPECT_NE(Crc32c(t), base) << "bit " << i;
  }
}

}  // namespace
}  // namespace fraisier::tsdb
