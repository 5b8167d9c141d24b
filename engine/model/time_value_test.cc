#include <cmath>
#include <cstdint>
#include <cstring>
#include <limits>

#include "absl/time/time.h"
#include "engine/model/timestamp.h"
#include "engine/model/value.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace fraisier {
namespace {

uint64_t Bits(double v) {
  uint64_t b;
  std::memcpy(&b, &v, sizeof(b));
  return b;
}

TEST(StaleNaNTest, HasPrometheusBitPattern) {
  EXPECT_EQ(Bits(StaleNaN()), 0x7ff0000000000002ULL);
  EXPECT_TRUE(std::isnan(StaleNaN()));
  EXPECT_TRUE(IsStaleNaN(StaleNaN()));
}

TEST(StaleNaNTest, OtherNaNsAndNumbersAreNotStale) {
  const double values[] = {
      std::nan(""),
      std::numeric_limits<double>::quiet_NaN(),
      -std::numeric_limits<double>::quiet_NaN(),
      std::numeric_limits<double>::infinity(),
      0.0,
      -0.0,
      1.0,
      // Arithmetic quiets the signalling stale NaN; the result is an
      // ordinary NaN, as in Prometheus.
      StaleNaN() + 1.0,
  };
  for (double v : values) {
    EXPECT_FALSE(IsStaleNaN(v)) << "bits " << std::hex << Bits(v);
  }
}

TEST(SampleTest, EqualityIsBitwiseOnValue) {
  EXPECT_EQ((Sample{5, 1.5}), (Sample{5, 1.5}));
  EXPECT_NE((Sample{5, 1.5}), (Sample{6, 1.5}));
  EXPECT_EQ((Sample{5, StaleNaN()}), (Sample{5, StaleNaN()}));
  EXPECT_NE((Sample{5, StaleNaN()}), (Sample{5, std::nan("")}));
}

TEST(TimestampTest, FromTimeFloorsToMilliseconds) {
  struct Case {
    absl::Time time;
    Timestamp want;
  };
  const Case cases[] = {
      {absl::UnixEpoch(), 0},
      {absl::FromUnixMillis(1700000000123), 1700000000123},
      {absl::FromUnixNanos(1999999), 1},
      {absl::FromUnixNanos(-1), -1},
      {absl::FromUnixNanos(-1000001), -2},
      {absl::InfiniteFuture(), kMaxTimestamp},
      {absl::InfinitePast(), kMinTimestamp},
  };
  for (const Case& c : cases) {
    EXPECT_EQ(TimestampFromTime(c.time), c.want) << c.time;
  }
}

TEST(TimestampTest, TimeRoundTrip) {
  for (Timestamp ts : {Timestamp{0}, Timestamp{-1}, Timestamp{1700000000123},
                       Timestamp{-62135596800000}}) {
    EXPECT_EQ(TimestampFromTime(TimeFromTimestamp(ts)), ts);
  }
  EXPECT_EQ(TimeFromTimestamp(1500), absl::FromUnixMillis(1500));
}

TEST(TimestampTest, FromSecondsRoundsFractionToNearestMillisecond) {
  struct Case {
    double seconds;
    Timestamp want;
  };
  const Case cases[] = {
      {0, 0},
      {1, 1000},
      {1.5, 1500},
      {1700000000.123, 1700000000123},
      {0.0004, 0},
      {0.0005, 1},
      {0.0015, 2},
      {1.9996, 2000},
      {-1.5, -1500},
      {-0.0005, -1},
      {-0.0004, 0},
      {1e300, kMaxTimestamp},
      {-1e300, kMinTimestamp},
      {std::numeric_limits<double>::infinity(), kMaxTimestamp},
      {-std::numeric_limits<double>::infinity(), kMinTimestamp},
      {std::nan(""), 0},
  };
  for (const Case& c : cases) {
    EXPECT_EQ(TimestampFromSeconds(c.seconds), c.want) << c.seconds;
  }
}

TEST(TimestampTest, SecondsFromTimestamp) {
  EXPECT_EQ(SecondsFromTimestamp(1500), 1.5);
  EXPECT_EQ(SecondsFromTimestamp(-250), -0.25);
}

}  // namespace
}  // namespace fraisier
