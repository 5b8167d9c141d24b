#include "engine/model/xxhash.h"

#include <algorithm>
#include <string>
#include <vector>

#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace fraisier {
namespace {

// Reference values from the xxHash specification's test vectors and
// python-xxhash's documentation.
TEST(XxHash64Test, KnownVectors) {
  struct Case {
    std::string in;
    uint64_t want;
  };
  const Case cases[] = {
      {"", 0xEF46DB3751D8E999ULL},
      {"a", 0xD24EC4F1A98C6E5BULL},
      {"abc", 0x44BC2CF5AD770999ULL},
      {"Nobody inspects the spammish repetition", 0xFBCEA83C8A378BF1ULL},
  };
  for (const Case& c : cases) {
    EXPECT_EQ(XxHash64(c.in), c.want) << c.in;
  }
}

TEST(XxHash64Test, PrefixesDoNotCollide) {
  // Exercises every tail path (8-, 4- and 1-byte steps) on both sides of the
  // 32-byte stripe boundary.
  std::string data;
  std::vector<uint64_t> hashes;
  for (int len = 0; len < 70; ++len) {
    hashes.push_back(XxHash64(data));
    data.push_back(static_cast<char>('a' + len % 26));
  }
  std::sort(hashes.begin(), hashes.end());
  EXPECT_EQ(std::adjacent_find(hashes.begin(), hashes.end()), hashes.end());
}

TEST(XxHash64Test, SeedChangesResult) {
  EXPECT_NE(XxHash64("abc", 0), XxHash64("abc", 1));
}

}  // namespace
}  // namespace fraisier
