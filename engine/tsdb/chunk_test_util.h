// Sample generators and encode/decode helpers shared by the chunk tests.
#ifndef ENGINE_TSDB_CHUNK_TEST_UTIL_H_
#define ENGINE_TSDB_CHUNK_TEST_UTIL_H_

#include <bit>
#include <cstdint>
#include <random>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/string_view.h"
#include "engine/base/status_matchers.h"
#include "engine/model/value.h"
#include "engine/tsdb/chunk.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace fraisier::tsdb::chunk_testing {

inline std::vector<Sample> Decode(absl::string_view bytes, absl::Status* status,
                                  uint8_t encoding = kChunkEncodingXor2) {
  std::vector<Sample> out;
  XorIterator it(bytes, encoding);
  while (it.Next()) out.push_back(it.At());
  *status = it.status();
  return out;
}

inline XorChunk Encode(const std::vector<Sample>& samples) {
  XorChunk c;
  for (const Sample& s : samples) EXPECT_TRUE(c.Append(s.t, s.v));
  return c;
}

// A counter scraped every 15 s with +-2 ms of jitter, + 0..10 per scrape.
inline std::vector<Sample> RealisticCounter(int n, uint64_t seed) {
  std::mt19937_64 rng(seed);
  std::vector<Sample> out;
  double v = static_cast<double>(rng() % 1000000);
  for (int i = 0; i < n; ++i) {
    const Timestamp t =
        1700000000000 + 15000LL * i + static_cast<int64_t>(rng() % 5) - 2;
    out.push_back({t, v});
    v += static_cast<double>(rng() % 11);
  }
  return out;
}

// Random timestamps steps and random value bits.
inline std::vector<Sample> RandomSamples(int n, uint64_t seed) {
  std::mt19937_64 rng(seed);
  std::vector<Sample> out;
  Timestamp t = static_cast<Timestamp>(rng() >> 20);
  for (int i = 0; i < n; ++i) {
    out.push_back({t, std::bit_cast<double>(rng())});
    t += 1 + static_cast<int64_t>(rng() % 100000);
  }
  return out;
}

// Samples 15 s apart.
inline std::vector<Sample> AtRegularTimes(const std::vector<double>& values) {
  std::vector<Sample> out;
  for (size_t i = 0; i < values.size(); ++i) {
    out.push_back({1700000000000 + 15000 * static_cast<int64_t>(i), values[i]});
  }
  return out;
}

// Chunk bytes from a sample count and a string of '0'/'1' (spaces ignored),
// for hand-built chunks.
inline std::string ChunkFromBits(int count, absl::string_view bits) {
  std::string out;
  out.push_back(static_cast<char>(count >> 8));
  out.push_back(static_cast<char>(count));
  int n = 0;
  for (char c : bits) {
    if (c == ' ') continue;
    if (n % 8 == 0) out.push_back('\0');
    if (c == '1') {
      out.back() = static_cast<char>(out.back() | (0x80 >> (n % 8)));
    }
    ++n;
  }
  return out;
}

// A two-sample chunk of `encoding` whose first sample (t=0, 0.0) is
// `first_bits` and whose second sample's value is `value_bits` (padded
// with ones): the first decodes, the second fails with DataLoss naming
// `message`.
inline void ExpectSecondSampleFails(absl::string_view first_bits,
                                    absl::string_view value_bits,
                                    uint8_t encoding,
                                    absl::string_view message) {
  const std::string bytes = ChunkFromBits(
      2, absl::StrCat(first_bits, value_bits, std::string(80, '1')));
  XorIterator it(bytes, encoding);
  ASSERT_TRUE(it.Next());
  EXPECT_EQ(it.At(), (Sample{0, 0.0}));
  EXPECT_FALSE(it.Next());
  EXPECT_THAT(it.status(),
              ::fraisier::testing::StatusIs(absl::StatusCode::kDataLoss,
                                            ::testing::HasSubstr(message)));
}

}  // namespace fraisier::tsdb::chunk_testing

#endif  // ENGINE_TSDB_CHUNK_TEST_UTIL_H_
