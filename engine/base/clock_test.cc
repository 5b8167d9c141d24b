#include "engine/base/clock.h"

#include <thread>
#include <vector>

#include "gtest/gtest.h"

namespace fraisier {
namespace {

TEST(FakeClockTest, StartsWhereToldAndMovesOnlyWhenTold) {
  FakeClock clock(absl::FromUnixSeconds(1700000000));
  EXPECT_EQ(clock.Now(), absl::FromUnixSeconds(1700000000));
  EXPECT_EQ(clock.NowMillis(), 1700000000000);
  EXPECT_EQ(clock.Now(), absl::FromUnixSeconds(1700000000));

  clock.Advance(absl::Milliseconds(1500));
  EXPECT_EQ(clock.NowMillis(), 1700000001500);

  clock.Advance(absl::Seconds(-10));  // ignored: Advance never goes back
  EXPECT_EQ(clock.NowMillis(), 1700000001500);

  clock.Set(absl::FromUnixSeconds(5));
  EXPECT_EQ(clock.NowMillis(), 5000);
}

TEST(FakeClockTest, DefaultsToUnixEpoch) {
  FakeClock clock;
  EXPECT_EQ(clock.NowMillis(), 0);
}

TEST(FakeClockTest, ConcurrentAdvancesAllCount) {
  FakeClock clock;
  std::vector<std::thread> threads;
  for (int t = 0; t < 4; ++t) {
    threads.emplace_back([&clock] {
      for (int i = 0; i < 1000; ++i) clock.Advance(absl::Milliseconds(1));
    });
  }
  for (std::thread& t : threads) t.join();
  EXPECT_EQ(clock.NowMillis(), 4000);
}

TEST(RealClockTest, IsMonotonicEnoughAndShared) {
  Clock* clock = RealClock::Get();
  EXPECT_EQ(clock, RealClock::Get());
  absl::Time a = clock->Now();
  absl::Time b = clock->Now();
  EXPECT_LE(a, b);
  // Sanity: after 2020-01-01.
  EXPECT_GT(clock->NowMillis(), 1577836800000);
}

}  // namespace
}  // namespace fraisier
