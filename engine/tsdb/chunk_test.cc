#include "engine/tsdb/chunk.h"

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
#include "engine/tsdb/chunk_test_util.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace fraisier::tsdb {
namespace {

using ::fraisier::testing::IsOk;
using ::fraisier::testing::StatusIs;
using ::fraisier::tsdb::chunk_testing::AtRegularTimes;
using ::fraisier::tsdb::chunk_testing::Decode;
using ::fraisier::tsdb::chunk_testing::Encode;
using ::fraisier::tsdb::chunk_testing::RandomSamples;
using ::fraisier::tsdb::chunk_testing::RealisticCounter;
using ::testing::ElementsAreArray;

void ExpectRoundTrip(const std::vector<Sample>& samples) {
  XorChunk c = Encode(samples);
  ASSERT_EQ(c.num_samples(), static_cast<int>(samples.size()));
  if (!samples.empty()) {
    EXPECT_EQ(c.min_time(), samples.front().t);
    EXPECT_EQ(c.max_time(), samples.back().t);
  }
  absl::Status status;
  // Sample's == compares values bitwise, so NaN payloads must match too.
  EXPECT_THAT(Decode(c.bytes(), &status), ElementsAreArray(samples));
  EXPECT_THAT(status, IsOk());
}

double FromBits(uint64_t b) { return std::bit_cast<double>(b); }

// Zeros, NaNs (quiet, stale, with a payload, negative signalling), the
// infinities, the smallest and largest denormals and normals, and a few
// ordinary values.
const std::vector<double>& EdgeValues() {
  using L = std::numeric_limits<double>;
  static const auto* v =
      new std::vector<double>{0.0,
                              -0.0,
                              1.0,
                              L::quiet_NaN(),
                              StaleNaN(),
                              -L::quiet_NaN(),
                              FromBits(0x7FF8000000000001ULL),
                              FromBits(0xFFF0000000000001ULL),
                              L::infinity(),
                              -L::infinity(),
                              L::denorm_min(),
                              -L::denorm_min(),
                              FromBits(0x000FFFFFFFFFFFFFULL),
                              L::min(),
                              L::max(),
                              L::lowest(),
                              0.1,
                              -123456789.125,
                              1e300,
                              -1e-300};
  return *v;
}

TEST(XorChunkTest, EmptyChunk) {
  XorChunk c;
  EXPECT_EQ(c.num_samples(), 0);
  EXPECT_EQ(c.bytes(), absl::string_view("\0\0", 2));
  EXPECT_EQ(c.MemoryBytes(), sizeof(XorChunk));
  XorIterator it = c.Iterator();
  EXPECT_FALSE(it.Next());
  EXPECT_FALSE(it.Seek(0));
  EXPECT_THAT(it.status(), IsOk());
}

TEST(XorChunkTest, ObjectIsCompact) { EXPECT_EQ(sizeof(XorChunk), 40u); }

TEST(XorChunkTest, SingleSample) {
  ExpectRoundTrip({{1700000000123, 42.5}});
  ExpectRoundTrip({{-5, StaleNaN()}});
  ExpectRoundTrip({{kMinTimestamp, -0.0}});
  ExpectRoundTrip({{kMaxTimestamp, 1.0}});
}

TEST(XorChunkTest, EdgeValuesInEveryOrder) {
  const std::vector<double>& values = EdgeValues();
  std::vector<Sample> samples;
  Timestamp t = 1000;
  // Every ordered pair, so each value follows each other one.
  for (double a : values) {
    for (double b : values) {
      samples.push_back({t, a});
      samples.push_back({t + 1, b});
      t += 15000;
    }
  }
  ExpectRoundTrip(samples);
}

TEST(XorChunkTest, DecimalValuesRoundTrip) {
  // Exponent changes, signs, zero, -0, NaN/stale in between, the limits of
  // the decimal range and values just off a decimal.
  ExpectRoundTrip(AtRegularTimes({13,
                                  12.5,
                                  12.25,
                                  12.125,
                                  1e9,
                                  1.23e9,
                                  1.235e9,
                                  -1.235e9,
                                  0,
                                  -0.0,
                                  0,
                                  0.1,
                                  0.2,
                                  0.3,
                                  std::numeric_limits<double>::quiet_NaN(),
                                  0.3,
                                  StaleNaN(),
                                  0.31,
                                  1e22,
                                  1.5e22,
                                  1e-22,
                                  3e-22,
                                  1125899906842623.0,
                                  -1125899906842623.0,
                                  1125899906842624.0,
                                  0.1 + 0x1p-55,
                                  0.7,
                                  7e-3,
                                  123456.789,
                                  123456.788,
                                  5e-324,
                                  1e300,
                                  42,
                                  43,
                                  44}));
  // Random walks at many magnitudes and precisions.
  std::mt19937_64 rng(12);
  for (int round = 0; round < 200; ++round) {
    const int decimals = static_cast<int>(rng() % 25) - 12;
    const double scale = std::pow(10.0, decimals);
    int64_t m = static_cast<int64_t>(rng() % 100000) - 50000;
    std::vector<double> values;
    for (int i = 0; i < kSamplesPerChunk; ++i) {
      values.push_back(decimals >= 0 ? static_cast<double>(m) * scale
                                     : static_cast<double>(m) / (1 / scale));
      m += static_cast<int64_t>(rng() % 21) - 10;
      if (rng() % 50 == 0 && std::abs(m) < (int64_t{1} << 52)) m *= 1000;
    }
    ExpectRoundTrip(AtRegularTimes(values));
  }
}

TEST(XorChunkTest, TypicalSeriesCompressWell) {
  std::mt19937_64 rng(2);
  XorChunk counter, gauge, constant;
  double c = 123456, g = 0.25;
  for (int i = 0; i < kSamplesPerChunk; ++i) {
    const Timestamp t = 1700000000000 + 15000LL * i;
    counter.Append(t, c);
    gauge.Append(t, g);
    constant.Append(t, 1);
    c += static_cast<double>(rng() % 8);
    g = std::round((g + (static_cast<double>(rng() % 5) - 2) / 100) * 100) /
        100;
  }
  // Bytes per sample, chunk overhead included.
  EXPECT_LT(counter.bytes().size(), 1.0 * kSamplesPerChunk);
  EXPECT_LT(gauge.bytes().size(), 1.0 * kSamplesPerChunk);
  EXPECT_LT(constant.bytes().size(),
            0.4 * kSamplesPerChunk);  // 2 bits + header
}

TEST(XorChunkTest, StaleNaNKeepsItsBitPattern) {
  XorChunk c = Encode({{0, 1.0}, {15000, StaleNaN()}, {30000, 2.0}});
  XorIterator it = c.Iterator();
  ASSERT_TRUE(it.Next());
  ASSERT_TRUE(it.Next());
  EXPECT_TRUE(IsStaleNaN(it.At().v));
  ASSERT_TRUE(it.Next());
  EXPECT_EQ(it.At().v, 2.0);
}

TEST(XorChunkTest, ExtremeTimestamps) {
  ExpectRoundTrip({{kMinTimestamp, 1}, {kMaxTimestamp, 2}});
  ExpectRoundTrip(
      {{kMinTimestamp, 1}, {kMinTimestamp + 1, 2}, {kMaxTimestamp, 3}});
  ExpectRoundTrip({{kMinTimestamp, 1},
                   {kMaxTimestamp - 2, 2},
                   {kMaxTimestamp - 1, 3},
                   {kMaxTimestamp, 4}});
  ExpectRoundTrip({{-1000000, 1}, {-999999, 2}, {-1, 3}, {0, 4}, {1, 5}});
  ExpectRoundTrip({{kMinTimestamp, 1},
                   {0, 2},
                   {kMaxTimestamp / 2, 3},
                   {kMaxTimestamp - 1, 4},
                   {kMaxTimestamp, 5}});
}

TEST(XorChunkTest, DeltaOfDeltaClassBoundaries) {
  // Exercise each delta-of-delta class at and just beyond its limits.
  const std::vector<int64_t> dods = {0,
                                     -8,
                                     7,
                                     -9,
                                     8,
                                     -128,
                                     127,
                                     -129,
                                     128,
                                     -32768,
                                     32767,
                                     -32769,
                                     32768,
                                     INT32_MIN,
                                     INT32_MAX,
                                     int64_t{INT32_MIN} - 1,
                                     int64_t{INT32_MAX} + 1,
                                     int64_t{1} << 40};
  for (int64_t dod : dods) {
    std::vector<Sample> samples;
    Timestamp t = 0;
    int64_t delta = int64_t{1} << 41;  // room for the negative dods
    for (int i = 0; i < 6; ++i) {
      samples.push_back({t, static_cast<double>(i)});
      t += delta;
      delta += (i % 2 == 0) ? dod : -dod;
    }
    SCOPED_TRACE(dod);
    ExpectRoundTrip(samples);
  }
}

TEST(XorChunkTest, IrregularIntervalsAndLongGaps) {
  std::mt19937_64 rng(7);
  std::vector<Sample> samples;
  Timestamp t = -86400000LL * 365 * 30;  // before the epoch
  for (int i = 0; i < 1000; ++i) {
    samples.push_back({t, static_cast<double>(rng() % 1000) / 8});
    switch (rng() % 5) {
      case 0:
        t += 15000;
        break;
      case 1:
        t += 15000 + static_cast<int64_t>(rng() % 7) - 3;
        break;
      case 2:
        t += 1 + static_cast<int64_t>(rng() % 100);
        break;
      case 3:
        t += 86400000LL * 400;
        break;  // a gap of 400 days
      default:
        t += 1 + static_cast<int64_t>(rng() >> 40);
        break;
    }
  }
  ExpectRoundTrip(samples);
}

// Timestamps that wander over the whole int64 range with random deltas.
TEST(XorChunkTest, RandomHugeDeltas) {
  std::mt19937_64 rng(11);
  for (int round = 0; round < 50; ++round) {
    std::vector<Sample> samples;
    uint64_t t = rng() | (uint64_t{1} << 63);  // start negative
    const int n = 2 + static_cast<int>(rng() % 60);
    for (int i = 0; i < n; ++i) {
      samples.push_back({static_cast<Timestamp>(t), FromBits(rng())});
      const uint64_t room = uint64_t{INT64_MAX} - (t ^ (uint64_t{1} << 63));
      if (room < static_cast<uint64_t>(n)) break;
      const int shift = static_cast<int>(rng() % 64);
      uint64_t step = 1 + ((rng() >> shift) % (room / n));
      t += step;
    }
    ExpectRoundTrip(samples);
  }
}

TEST(XorChunkTest, SampleCounts) {
  for (int n : {1, 2, 3, 20, kSamplesPerChunk, 10000}) {
    SCOPED_TRACE(n);
    ExpectRoundTrip(RealisticCounter(n, n));
  }
  ExpectRoundTrip(RandomSamples(kSamplesPerChunk, 3));
  ExpectRoundTrip(RandomSamples(2000, 4));
}

TEST(XorChunkTest, ConstantSeriesCompressesToBitsPerSample) {
  XorChunk c;
  for (int i = 0; i < kSamplesPerChunk; ++i) c.Append(15000LL * i, 1.0);
  // Header (2) + first sample (1 + 8) + delta (2) + 119 values and 118
  // timestamps at one bit each.
  EXPECT_LE(c.bytes().size(), 2u + 9 + 2 + 30);
}

TEST(XorChunkTest, FullChunkRefusesAndStaysValid) {
  std::mt19937_64 rng(5);
  XorChunk c;
  std::vector<Sample> appended;
  Timestamp t = 0;
  for (int i = 0; i < 100000; ++i) {
    const double v = FromBits(rng());
    // Huge steps that wrap around int64: mostly 64-bit delta-of-deltas
    // (the encoding round-trips any int64 sequence).
    t = static_cast<Timestamp>(static_cast<uint64_t>(t) + 1 + (rng() >> 2));
    if (!c.Append(t, v)) break;
    appended.push_back({t, v});
  }
  ASSERT_LT(appended.size(), 100000u);
  EXPECT_LE(c.bytes().size(), XorChunk::kMaxBytes);
  const std::string before(c.bytes());
  EXPECT_FALSE(c.Append(0, 0.5));
  EXPECT_EQ(c.bytes(), before);
  absl::Status status;
  EXPECT_THAT(Decode(c.bytes(), &status), ElementsAreArray(appended));
  EXPECT_THAT(status, IsOk());
}

TEST(XorChunkTest, CountLimit) {
  XorChunk c;
  int n = 0;
  while (c.Append(n, 1.0)) ++n;
  EXPECT_EQ(n, 65535);
  EXPECT_EQ(c.num_samples(), 65535);
  XorIterator it = c.Iterator();
  int seen = 0;
  while (it.Next()) ++seen;
  EXPECT_EQ(seen, 65535);
}

TEST(XorChunkTest, MoveLeavesSourceEmpty) {
  XorChunk a = Encode(RealisticCounter(10, 1));
  const std::string bytes(a.bytes());
  XorChunk b = std::move(a);
  EXPECT_EQ(b.bytes(), bytes);
  EXPECT_EQ(a.num_samples(), 0);  // NOLINT(bugprone-use-after-move)
  EXPECT_EQ(a.MemoryBytes(), sizeof(XorChunk));
  EXPECT_TRUE(a.Append(5, 5.0));
  EXPECT_EQ(a.num_samples(), 1);
}

TEST(XorChunkTest, OpenChunkOfTwentySamplesIsSmall) {
  // A counter scraped every 15 s with a few ms of jitter.
  for (uint64_t seed = 0; seed < 20; ++seed) {
    XorChunk c = Encode(RealisticCounter(20, seed));
    EXPECT_LT(c.MemoryBytes(), 100u) << c.bytes().size();
  }
  // A gauge with three significant digits.
  std::mt19937_64 rng(9);
  XorChunk g;
  for (int i = 0; i < 20; ++i) {
    g.Append(1700000000000 + 15000LL * i + static_cast<int64_t>(rng() % 5) - 2,
             static_cast<double>(400 + rng() % 100) * 1e6);
  }
  EXPECT_LT(g.MemoryBytes(), 100u) << g.bytes().size();
}

TEST(XorChunkTest, CapacityTracksFinalSize) {
  XorChunk c = Encode(RealisticCounter(kSamplesPerChunk, 3));
  // Growth is capped near the predicted final size: little slack remains.
  EXPECT_LE(c.capacity(), c.bytes().size() + c.bytes().size() / 4 + 16);
}

}  // namespace
}  // namespace fraisier::tsdb
