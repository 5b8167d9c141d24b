#include <bit>
#include <cmath>
#include <cstdint>
#include <limits>
#include <random>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "engine/base/status_matchers.h"
#include "engine/model/value.h"
#include "engine/tsdb/chunk.h"
#include "engine/tsdb/chunk_test_util.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace fraisier::tsdb {
namespace {

using ::fraisier::testing::IsOk;
using ::fraisier::testing::StatusIs;
using ::fraisier::tsdb::chunk_testing::AtRegularTimes;
using ::fraisier::tsdb::chunk_testing::ChunkFromBits;
using ::fraisier::tsdb::chunk_testing::Decode;
using ::fraisier::tsdb::chunk_testing::Encode;
using ::fraisier::tsdb::chunk_testing::RandomSamples;
using ::fraisier::tsdb::chunk_testing::RealisticCounter;
using ::testing::ElementsAreArray;

// ------------------------------------------------------------------ Seek

TEST(XorIteratorTest, SeekSemantics) {
  XorChunk c = Encode({{10, 1}, {20, 2}, {30, 3}, {40, 4}});
  {
    XorIterator it = c.Iterator();
    ASSERT_TRUE(it.Seek(5));  // before the first sample
    EXPECT_EQ(it.At(), (Sample{10, 1}));
    ASSERT_TRUE(it.Seek(20));  // exact
    EXPECT_EQ(it.At(), (Sample{20, 2}));
    ASSERT_TRUE(it.Seek(10));  // never backwards
    EXPECT_EQ(it.At(), (Sample{20, 2}));
    ASSERT_TRUE(it.Seek(25));  // between samples
    EXPECT_EQ(it.At(), (Sample{30, 3}));
    ASSERT_TRUE(it.Next());
    EXPECT_EQ(it.At(), (Sample{40, 4}));
    EXPECT_FALSE(it.Seek(41));  // past the end
    EXPECT_FALSE(it.Seek(0));   // stays exhausted
    EXPECT_FALSE(it.Next());
    EXPECT_THAT(it.status(), IsOk());
  }
  {
    XorIterator it = c.Iterator();
    ASSERT_TRUE(it.Seek(40));
    EXPECT_EQ(it.At(), (Sample{40, 4}));
    EXPECT_FALSE(it.Next());
  }
  {
    XorIterator it = c.Iterator();
    ASSERT_TRUE(it.Seek(kMinTimestamp));
    EXPECT_EQ(it.At(), (Sample{10, 1}));
  }
  {
    XorIterator it = c.Iterator();
    EXPECT_FALSE(it.Seek(kMaxTimestamp));
    EXPECT_THAT(it.status(), IsOk());
  }
}

TEST(XorIteratorTest, SeekMatchesLinearScan) {
  std::vector<Sample> samples = RealisticCounter(kSamplesPerChunk, 2);
  XorChunk c = Encode(samples);
  std::mt19937_64 rng(1);
  XorIterator it = c.Iterator();
  size_t pos = 0;
  Timestamp target = samples.front().t - 100;
  while (true) {
    target += static_cast<int64_t>(rng() % 40000);
    const bool ok = it.Seek(target);
    while (pos < samples.size() && samples[pos].t < target) ++pos;
    if (pos == samples.size()) {
      EXPECT_FALSE(ok);
      break;
    }
    ASSERT_TRUE(ok);
    EXPECT_EQ(it.At(), samples[pos]);
  }
}

// ------------------------------------------------------------ Corruption

TEST(XorIteratorTest, ShortHeaderIsDataLoss) {
  for (absl::string_view bytes :
       {absl::string_view(), absl::string_view("\x01", 1)}) {
    XorIterator it(bytes);
    EXPECT_FALSE(it.Next());
    EXPECT_THAT(it.status(), StatusIs(absl::StatusCode::kDataLoss));
  }
}

TEST(XorIteratorTest, EveryTruncationIsDetected) {
  std::vector<std::vector<Sample>> inputs = {
      RealisticCounter(kSamplesPerChunk, 1),
      RandomSamples(50, 2),
      {{kMinTimestamp, 1}, {kMaxTimestamp, StaleNaN()}}};
  for (const auto& samples : inputs) {
    XorChunk c = Encode(samples);
    const absl::string_view full = c.bytes();
    for (size_t len = 0; len < full.size(); ++len) {
      // Copy so that ASan sees reads past the truncated end.
      const std::string cut(full.substr(0, len));
      absl::Status status;
      std::vector<Sample> got = Decode(cut, &status);
      EXPECT_THAT(status, StatusIs(absl::StatusCode::kDataLoss)) << len;
      ASSERT_LT(got.size(), samples.size());
      for (size_t i = 0; i < got.size(); ++i) EXPECT_EQ(got[i], samples[i]);
    }
  }
}

TEST(XorIteratorTest, BitFlipsNeverCrash) {
  std::mt19937_64 rng(3);
  std::vector<Sample> samples = RealisticCounter(kSamplesPerChunk, 4);
  std::vector<Sample> random = RandomSamples(kSamplesPerChunk, 5);
  std::vector<double> decimals;
  for (int i = 0; i < kSamplesPerChunk; ++i) decimals.push_back(i * 0.37 - 9);
  std::vector<Sample> gauge = AtRegularTimes(decimals);
  for (const auto* input : {&samples, &random, &gauge}) {
    const std::string good(Encode(*input).bytes());
    for (int iter = 0; iter < 3000; ++iter) {
      std::string bad = good;
      const int flips = 1 + static_cast<int>(rng() % 4);
      for (int f = 0; f < flips; ++f) {
        const size_t bit = rng() % (bad.size() * 8);
        bad[bit / 8] = static_cast<char>(bad[bit / 8] ^ (1 << (bit % 8)));
      }
      if (rng() % 4 == 0) bad.resize(rng() % bad.size());
      XorIterator it(bad);
      int n = 0;
      while (it.Next()) ++n;
      EXPECT_LE(n, it.num_samples());
      XorIterator seeker(bad);
      seeker.Seek(static_cast<Timestamp>(rng()));
    }
  }
}

TEST(XorIteratorTest, RandomGarbageNeverCrashes) {
  std::mt19937_64 rng(8);
  for (int iter = 0; iter < 20000; ++iter) {
    std::string bytes(rng() % 64, '\0');
    for (char& ch : bytes) ch = static_cast<char>(rng());
    XorIterator it(bytes);
    int n = 0;
    while (it.Next()) ++n;
    EXPECT_LE(n, it.num_samples());
  }
}

// Sample 0 at t=0 with a raw 0.0 value, then sample 1 one ms later.
constexpr absl::string_view kRawZeroThenDelta1 =
    "00000000 0 "
    "0000000000000000000000000000000000000000000000000000000000000000 "
    "00000001 ";

void ExpectSecondSampleFails(absl::string_view value_bits,
                             absl::string_view message) {
  chunk_testing::ExpectSecondSampleFails(kRawZeroThenDelta1, value_bits,
                                         kChunkEncodingXor, message);
}

TEST(XorIteratorTest, HandBuiltChunkDecodes) {
  // Sample 1: XOR new window, 1 leading zero, 11 meaningful bits: 1.0.
  const std::string bytes = ChunkFromBits(
      2, absl::StrCat(kRawZeroThenDelta1, "1111 00001 001011 01111111111"));
  absl::Status status;
  EXPECT_THAT(Decode(bytes, &status, kChunkEncodingXor),
              ElementsAreArray(std::vector<Sample>{{0, 0.0}, {1, 1.0}}));
  EXPECT_THAT(status, IsOk());
}

TEST(XorIteratorTest, ImpossibleValueWindowIsDataLoss) {
  // XOR new window: 31 leading zeros and 40 meaningful bits exceed 64.
  ExpectSecondSampleFails("1111 11111 101000", "bad XOR window");
}

TEST(XorIteratorTest, DecimalDeltaWithoutExponentIsDataLoss) {
  ExpectSecondSampleFails("10 0 0001", "delta without exponent");
}

TEST(XorIteratorTest, DecimalExponentOutOfRangeIsDataLoss) {
  // Restart at exponent 31 (> 22), absolute mantissa 1.
  ExpectSecondSampleFails("1110 011111 1 0 0001", "bad decimal exponent");
}

TEST(XorIteratorTest, DecimalMantissaOutOfRangeIsDataLoss) {
  // Restart at exponent 0 with an absolute 52-bit mantissa of 2^51 - 1.
  ExpectSecondSampleFails(
      absl::StrCat("1110 000000 1 1111 0", std::string(51, '1')),
      "decimal mantissa out of range");
}

TEST(XorIteratorTest, OverlongVarintIsDataLoss) {
  std::string bytes("\x00\x01", 2);
  bytes.append(11, '\x80');
  XorIterator it(bytes);
  EXPECT_FALSE(it.Next());
  EXPECT_THAT(it.status(), StatusIs(absl::StatusCode::kDataLoss));
}

}  // namespace
}  // namespace fraisier::tsdb
