// Chunk encoding 2 specifics (docs/chunk_format.md): exact bytes, the
// timestamp predictor and its bounds, the decimal-delta predictor and its
// Rice code, mode switches, damage; and encoding 1, which files of older
// builds hold, still decoding.
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
#include "engine/tsdb/chunk_v1_writer.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace fraisier::tsdb {
namespace {

using ::fraisier::testing::IsOk;
using ::fraisier::testing::StatusIs;
using ::fraisier::tsdb::chunk_testing::ChunkFromBits;
using ::fraisier::tsdb::chunk_testing::Decode;
using ::fraisier::tsdb::chunk_testing::Encode;
using ::testing::ElementsAreArray;
using ::testing::HasSubstr;

constexpr Timestamp kT0 = 1700000000000;
constexpr int64_t kMax53 = int64_t{1} << 53;

double FromBits(uint64_t b) { return std::bit_cast<double>(b); }

void ExpectRoundTrip(const std::vector<Sample>& samples) {
  XorChunk c = Encode(samples);
  ASSERT_EQ(c.num_samples(), static_cast<int>(samples.size()));
  absl::Status status;
  // Sample's == compares values bitwise, so NaN payloads must match too.
  EXPECT_THAT(Decode(c.bytes(), &status), ElementsAreArray(samples));
  EXPECT_THAT(status, IsOk());
}

std::vector<Sample> Every15s(const std::vector<double>& values) {
  std::vector<Sample> out;
  for (size_t i = 0; i < values.size(); ++i) {
    out.push_back({kT0 + 15000 * static_cast<int64_t>(i), values[i]});
  }
  return out;
}

// ------------------------------------------------------------ Exact bytes

// The example of docs/chunk_format.md, field by field.
TEST(ChunkEncoding2Test, ExactBytes) {
  XorChunk c = Encode({{0, 1.0}, {15000, 1.0}, {30000, 2.0}, {45005, 2.0}});
  const std::string want = ChunkFromBits(
      4,
      "00000000 "           // varint t0 = 0
      "1 000000 0 0001 "    // decimal 1.0: exponent 0, INT class 0, 1
      "10011000 01110101 "  // uvarint 15000 (0x98 0x75)
      "0 "                  // sample 1: same value
      "10 0 0 0000 "        // on time, changed: delta, INT 0: +1
      "11 10 00100 0");     // late: residual class 1, 4 -> +5; same
  EXPECT_EQ(c.bytes(), want);
  absl::Status status;
  EXPECT_THAT(Decode(want, &status),
              ElementsAreArray(std::vector<Sample>{
                  {0, 1.0}, {15000, 1.0}, {30000, 2.0}, {45005, 2.0}}));
  EXPECT_THAT(status, IsOk());
}

// A late sample (the grid stays), the context after it, a restart to a
// finer exponent and Rice-coded deltas.
TEST(ChunkEncoding2Test, ExactBytesGridAndRice) {
  const std::vector<Sample> samples = {
      {0, 10}, {1000, 11}, {2000, 12}, {2600, 13}, {4000, 14}};
  const std::string want = ChunkFromBits(
      5,
      "00000000 "                  // varint t0 = 0
      "1 000001 0 0001 "           // 10 = 1 * 10^1
      "11101000 00000111 "         // uvarint 1000
      "1 111 000000 0 0 0001 "     // changed: restart at 10^0, 1 more (11)
      "10 0 0 0000 "               // on time, changed: fresh delta +1
      "11 110 11001110000 1 0 0 "  // late by -400 (grid stays at 3000);
                                   // changed: Rice, k 0, residual 0 (+1)
      "11 0 0");                   // after a late one, 11: on time, changed
  EXPECT_EQ(Encode(samples).bytes(), want);
  absl::Status status;
  EXPECT_THAT(Decode(want, &status), ElementsAreArray(samples));
  EXPECT_THAT(status, IsOk());
}

// --------------------------------------------------------------- Timestamps

TEST(ChunkEncoding2Test, OnTimeRepeatsCostOneBit) {
  XorChunk c;
  for (int i = 0; i < 1000; ++i) c.Append(kT0 + 15000LL * i, 1.0);
  // Header (2), t0 (6), first value (2), step (2), then 998 bits.
  EXPECT_LE(c.bytes().size(), 2u + 6 + 2 + 2 + 125 + 1);
}

// A scrape late by 700 ms costs one residual; the next sample is on the
// grid again (a delta-of-delta would pay +700, -1400, +700).
TEST(ChunkEncoding2Test, OneLateScrapeCostsOneResidual) {
  std::vector<Sample> aligned, late;
  for (int i = 0; i < 100; ++i) {
    aligned.push_back({kT0 + 15000LL * i, 42.0});
    late.push_back({kT0 + 15000LL * i + (i == 50 ? 700 : 0), 42.0});
  }
  const size_t a = Encode(aligned).bytes().size();
  const size_t b = Encode(late).bytes().size();
  // 11, an 11-bit class (3 + 11 bits) and a same bit instead of one bit,
  // then 10 instead of 0 for the sample after it: 18 bits more.
  EXPECT_LE(b, a + 3);
  ExpectRoundTrip(late);
}

TEST(ChunkEncoding2Test, TimestampPredictorEdges) {
  const std::vector<std::vector<int64_t>> steps = {
      // Jitter around whole seconds, and its limit (8 ms).
      {15008, 15000, 14992, 15009, 14991, 15000},
      // Tiny steps are never snapped to 0.
      {5, 5, 8, 3, 5, 5, 1, 1, 1},
      // Late by exactly the jitter limit, beyond it, half an interval.
      {15000, 15008, 14992, 15009, 14991, 22500, 7500, 22501, 7499},
      // Residuals at the int16 bounds (seconds-long lateness).
      {60000, 92767, 27233, 92768, 27232, 60000, 27233, 92767},
      // A missed scrape at a 1 h interval: the interval's offset from the
      // step leaves int16, the predictor falls back to the step.
      {3600000, 3600000, 7200000, 3600000, 3600000},
      // Steps beyond int32 and back.
      {int64_t{1} << 31, int64_t{1} << 31, (int64_t{1} << 31) + 1,
       (int64_t{1} << 33), 15000, 15000, -1 + (int64_t{1} << 31)},
      // The same residual twice: the schedule moved.
      {15000, 15400, 15000, 15000, 15400, 15400, 15000},
      // An interval that changes by a little, and by a lot.
      {15000, 15000, 15100, 15100, 15100, 30000, 30000, 30000, 10, 10},
  };
  for (const auto& s : steps) {
    std::vector<Sample> samples;
    Timestamp t = kT0;
    double v = 0;
    for (int64_t step : s) {
      samples.push_back({t, v});
      t += step;
      v += 1;
    }
    samples.push_back({t, v});
    SCOPED_TRACE(samples.size());
    ExpectRoundTrip(samples);
  }
}

// Timestamps from every kind of sender: aligned, jittered, late, gaps,
// interval changes, random steps, near the ends of int64.
TEST(ChunkEncoding2Test, RandomTimestampsRoundTrip) {
  std::mt19937_64 rng(21);
  for (int round = 0; round < 400; ++round) {
    std::vector<Sample> samples;
    const int64_t interval =
        std::vector<int64_t>{1, 1000, 15000, 60000, 3600000}[rng() % 5];
    auto t = static_cast<Timestamp>(rng() % 2 == 0 ? kT0 : rng());
    const int n = 1 + static_cast<int>(rng() % 200);
    for (int i = 0; i < n; ++i) {
      samples.push_back({t, static_cast<double>(rng() % 4)});
      int64_t step = interval;
      switch (rng() % 8) {
        case 0:
          step += static_cast<int64_t>(rng() % 5) - 2;
          break;
        case 1:
          step += static_cast<int64_t>(rng() % 5000);
          break;
        case 2:
          step *= 2;
          break;
        case 3:
          step = 1 + static_cast<int64_t>(rng() >> (rng() % 64));
          break;
        default:
          break;
      }
      if (step <= 0 || t > kMaxTimestamp - step) break;
      t += step;
    }
    ExpectRoundTrip(samples);
  }
}

// ------------------------------------------------------------------ Values

TEST(ChunkEncoding2Test, EdgeValuesAndModeSwitches) {
  using L = std::numeric_limits<double>;
  const auto big = [](int64_t m) { return static_cast<double>(m); };
  ExpectRoundTrip(Every15s(
      {// Counters, then the decimal limit (|m| < 2^50) and beyond.
       1, 2, 3, big((int64_t{1} << 50) - 1), big(int64_t{1} << 50),
       big(kMax53 - 1), big(kMax53), big(kMax53 + 2), 1e18, 9.3e18,
       -big(kMax53), -big((int64_t{1} << 50) - 1), big((int64_t{1} << 50) - 1),
       // Stale markers and NaNs between decimals, in both modes.
       7, StaleNaN(), 7, 7.5, L::quiet_NaN(), 8, StaleNaN(), StaleNaN(),
       FromBits(0x7FF8000000000001ULL), 0.1 + 0x1p-55, StaleNaN(), 9,
       // Signed zeros and infinities.
       0.0, -0.0, 0.0, -0.0, -0.0, L::infinity(), 1, -L::infinity(),
       L::infinity(), 2,
       // Exponent changes: finer, coarser, much finer.
       12.5, 12.25, 12.125, 1200, 1.5e20, 1e-20, 3e-22, 42, 43, 44,
       // Negative values and sign changes.
       -1, -2, 5, -5, -0.5, 0.25, L::denorm_min(), -L::max(), L::max(), 1}));
}

// Deltas that jump far beyond what the Rice parameter expects use the
// escape (Exp-Golomb), up to the largest deltas a mantissa allows.
TEST(ChunkEncoding2Test, RiceEscapes) {
  const int64_t lim = (int64_t{1} << 50) - 1;
  std::vector<double> values;
  for (int64_t m : {int64_t{0}, int64_t{1}, int64_t{2}, int64_t{3}, lim, -lim,
                    lim, int64_t{4}, int64_t{5}, int64_t{6}, int64_t{7},
                    int64_t{1} << 40, -(int64_t{1} << 40), int64_t{8},
                    int64_t{9}, int64_t{10}, int64_t{11}, -lim, int64_t{0}}) {
    values.push_back(static_cast<double>(m));
  }
  ExpectRoundTrip(Every15s(values));
  // Small steady deltas (Rice parameter 0), then a sudden large one: the
  // escape grows with the logarithm of the surprise, not linearly.
  std::vector<double> steady;
  for (int i = 0; i < 30; ++i) steady.push_back(i);
  const size_t before = Encode(Every15s(steady)).bytes().size();
  steady.push_back(1e9);
  const size_t after = Encode(Every15s(steady)).bytes().size();
  EXPECT_LE(after, before + 10);
  steady.push_back(1e9 + 1);
  ExpectRoundTrip(Every15s(steady));
}

// Random series of every value kind, with timestamps on the grid.
TEST(ChunkEncoding2Test, RandomValuesRoundTrip) {
  std::mt19937_64 rng(33);
  for (int round = 0; round < 500; ++round) {
    std::vector<double> values;
    const int decimals = static_cast<int>(rng() % 25) - 12;
    const double scale = std::pow(10.0, decimals);
    int64_t m = static_cast<int64_t>(rng() % 1000000) - 500000;
    const uint64_t rate = (rng() >> (rng() % 64)) >> 12;  // < 2^52
    for (int i = 0; i < 120; ++i) {
      switch (rng() % 16) {
        case 0:
          values.push_back(FromBits(rng()));
          break;
        case 1:
          values.push_back(StaleNaN());
          break;
        default:
          values.push_back(decimals >= 0
                               ? static_cast<double>(m) * scale
                               : static_cast<double>(m) / (1 / scale));
          break;
      }
      if (rng() % 3 != 0) {
        const auto step = static_cast<int64_t>(rng() % (rate + 1));
        m = (m + step) % (int64_t{1} << 52);
      }
    }
    ExpectRoundTrip(Every15s(values));
  }
}

// ------------------------------------------------------------------ Damage

// Sample 0 at t=0 with a raw 0.0 value (XOR mode), then sample 1 one ms
// later, changed.
constexpr absl::string_view kRawZeroThenChanged =
    "00000000 0 "
    "0000000000000000000000000000000000000000000000000000000000000000 "
    "00000001 1 ";

void ExpectSecondSampleFails(absl::string_view value_bits,
                             absl::string_view message) {
  chunk_testing::ExpectSecondSampleFails(kRawZeroThenChanged, value_bits,
                                         kChunkEncodingXor2, message);
}

TEST(ChunkEncoding2Test, HandBuiltDamageIsDataLoss) {
  // XOR mode: 10 new window, 31 leading zeros and 40 meaningful bits.
  ExpectSecondSampleFails("10 11111 101000", "bad XOR window");
  // XOR mode: 11 restart at exponent 31 (> 22), absolute mantissa 1.
  ExpectSecondSampleFails("11 011111 1 0 0001", "bad decimal exponent");
  // Restart at exponent 0 with an absolute 52-bit mantissa of 2^51 - 1.
  ExpectSecondSampleFails(
      absl::StrCat("11 000000 1 1111 0", std::string(51, '1')),
      "decimal mantissa out of range");
  // A relative restart whose previous value (0.0 raw) is decimal: fine;
  // from a NaN it is not.
  const std::string nan_then_restart = ChunkFromBits(
      2, absl::StrCat("00000000 0 0111111111111000", std::string(48, '0'),
                      " 00000001 1 11 000000 0 0 0001", std::string(80, '1')));
  XorIterator it(nan_then_restart, kChunkEncodingXor2);
  ASSERT_TRUE(it.Next());
  EXPECT_FALSE(it.Next());
  EXPECT_THAT(it.status(), StatusIs(absl::StatusCode::kDataLoss,
                                    HasSubstr("bad decimal restart")));
}

TEST(ChunkEncoding2Test, DeltaPastTheMantissaLimitIsDataLoss) {
  // 2^50 - 1 at exponent 0 (INT class 4: 52 bits), then a fresh delta +1.
  const std::string bytes = ChunkFromBits(
      2, absl::StrCat("00000000 1 000000 1111 00", std::string(50, '1'),
                      " 00000001 1 0 0 0000"));
  XorIterator it(bytes, kChunkEncodingXor2);
  ASSERT_TRUE(it.Next());
  EXPECT_EQ(it.At().v, static_cast<double>((int64_t{1} << 50) - 1));
  EXPECT_FALSE(it.Next());
  EXPECT_THAT(it.status(), StatusIs(absl::StatusCode::kDataLoss,
                                    HasSubstr("mantissa out of range")));
}

TEST(ChunkEncoding2Test, OverlongRiceEscapeIsDataLoss) {
  // 0 at exponent 0; sample 1 (+1 ms): a fresh delta +1; sample 2 on time
  // (10), a Rice-coded delta whose escape has 60 zeros.
  const std::string bytes = ChunkFromBits(
      3, absl::StrCat("00000000 1 000000 0 0000 00000001 1 0 0 0000 10 0 ",
                      "111111", std::string(60, '0'), std::string(80, '1')));
  XorIterator it(bytes, kChunkEncodingXor2);
  ASSERT_TRUE(it.Next());
  ASSERT_TRUE(it.Next());
  EXPECT_EQ(it.At(), (Sample{1, 1.0}));
  EXPECT_FALSE(it.Next());
  EXPECT_THAT(it.status(), StatusIs(absl::StatusCode::kDataLoss,
                                    HasSubstr("bad Rice escape")));
}

TEST(ChunkEncoding2Test, UnknownEncodingIsDataLoss) {
  XorChunk c = Encode(Every15s({1, 2, 3}));
  XorIterator it(c.bytes(), 3);
  EXPECT_FALSE(it.Next());
  EXPECT_THAT(it.status(), StatusIs(absl::StatusCode::kDataLoss,
                                    HasSubstr("unknown encoding 3")));
}

// ------------------------------------------------------- Encoding 1 still

std::vector<Sample> MixedSamples(uint64_t seed, int n) {
  std::mt19937_64 rng(seed);
  std::vector<Sample> out;
  Timestamp t = kT0 + static_cast<Timestamp>(rng() % 15000);
  int64_t m = static_cast<int64_t>(rng() % 100000);
  for (int i = 0; i < n; ++i) {
    double v;
    switch (rng() % 8) {
      case 0:
        v = FromBits(rng());
        break;
      case 1:
        v = StaleNaN();
        break;
      case 2:
        v = static_cast<double>(m) / 100;
        break;
      default:
        v = static_cast<double>(m);
        break;
    }
    out.push_back({t, v});
    m += static_cast<int64_t>(rng() % 20);
    t += 15000 + static_cast<int64_t>(rng() % 5) - 2 +
         (rng() % 16 == 0 ? static_cast<int64_t>(rng() % 100000) : 0);
  }
  return out;
}

TEST(ChunkEncoding1Test, OlderChunksStillDecode) {
  for (uint64_t seed = 0; seed < 200; ++seed) {
    const std::vector<Sample> samples =
        MixedSamples(seed, 1 + static_cast<int>(seed % 150));
    XorChunkV1Writer w;
    for (const Sample& s : samples) ASSERT_TRUE(w.Append(s.t, s.v));
    absl::Status status;
    EXPECT_THAT(Decode(w.bytes(), &status, kChunkEncodingXor),
                ElementsAreArray(samples));
    EXPECT_THAT(status, IsOk());
    // Seek agrees with a linear scan.
    XorIterator it(w.bytes(), kChunkEncodingXor);
    const size_t pick = seed % samples.size();
    ASSERT_TRUE(it.Seek(samples[pick].t));
    EXPECT_EQ(it.At(), samples[pick]);
  }
}

TEST(ChunkEncoding1Test, GarbageNeverCrashes) {
  std::mt19937_64 rng(8);
  for (int iter = 0; iter < 5000; ++iter) {
    std::string bytes(rng() % 64, '\0');
    for (char& ch : bytes) ch = static_cast<char>(rng());
    XorIterator it(bytes, kChunkEncodingXor);
    int n = 0;
    while (it.Next()) ++n;
    EXPECT_LE(n, it.num_samples());
  }
}

// Both encodings of the same samples decode identically; encoding 2 is
// smaller on scrape-like series.
TEST(ChunkEncoding1Test, SameSamplesBothEncodings) {
  std::vector<Sample> samples;
  std::mt19937_64 rng(4);
  double counter = 1000;
  for (int i = 0; i < 120; ++i) {
    samples.push_back({kT0 + 15000LL * i + (i % 17 == 0 ? 900 : 0), counter});
    counter += static_cast<double>(rng() % 100);
  }
  XorChunkV1Writer w;
  for (const Sample& s : samples) w.Append(s.t, s.v);
  const XorChunk c = Encode(samples);
  absl::Status s1, s2;
  EXPECT_EQ(Decode(w.bytes(), &s1, kChunkEncodingXor),
            Decode(c.bytes(), &s2, kChunkEncodingXor2));
  EXPECT_LT(c.bytes().size(), w.bytes().size());
}

}  // namespace
}  // namespace fraisier::tsdb
