// Log/Replay, segments, fsync policies and group commit. Recovery from
// damage is in wal_recovery_test.cc, checkpoints in checkpoint_test.cc.
#include "engine/tsdb/wal.h"

#include <atomic>
#include <iostream>
#include <memory>
#include <string>
#include <thread>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/time/time.h"
#include "engine/base/clock.h"
#include "engine/base/status_matchers.h"
#include "engine/tsdb/wal_records.h"
#include "engine/tsdb/wal_test_util.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace fraisier::tsdb {
namespace {

using ::fraisier::testing::IsOk;
using ::fraisier::testing::IsOkAndHolds;
using ::fraisier::testing::StatusIs;
using ::fraisier::tsdb::testing::FileSize;
using ::fraisier::tsdb::testing::LogStrings;
using ::fraisier::tsdb::testing::NewTestDir;
using ::fraisier::tsdb::testing::OpenOrDie;
using ::fraisier::tsdb::testing::ReplayAll;
using ::fraisier::tsdb::testing::SegmentPath;
using ::fraisier::tsdb::testing::WriteFileOrDie;
using ::testing::ElementsAre;
using ::testing::ElementsAreArray;
using ::testing::HasSubstr;
using ::testing::IsEmpty;
using ::testing::UnorderedElementsAreArray;

TEST(WalTest, LogAndReplayRoundTrip) {
  const std::string dir = NewTestDir();
  {
    std::unique_ptr<Wal> wal = OpenOrDie(dir);
    ASSERT_THAT(LogStrings(*wal, {"a", "bb"}), IsOk());
    ASSERT_THAT(LogStrings(*wal, {"ccc"}), IsOk());
    ASSERT_THAT(LogStrings(*wal, {""}), IsOk());  // empty records are kept
    ASSERT_THAT(wal->Log({}), IsOk());            // and empty commits ignored
    ReplayStats stats;
    EXPECT_THAT(ReplayAll(*wal, &stats), ElementsAre("a", "bb", "ccc", ""));
    EXPECT_EQ(stats.commits_read, 3);
    EXPECT_EQ(stats.records_read, 4);
    EXPECT_EQ(stats.checkpoint, -1);
    EXPECT_EQ(stats.first_segment, 0);
    EXPECT_EQ(stats.last_segment, 0);
    EXPECT_THAT(stats.corruptions, IsEmpty());
    EXPECT_EQ(wal->metrics().commits, 3);
    EXPECT_EQ(wal->metrics().records, 4);
    EXPECT_THAT(wal->Close(), IsOk());
  }
  std::unique_ptr<Wal> wal = OpenOrDie(dir);
  ASSERT_THAT(LogStrings(*wal, {"after reopen"}), IsOk());
  ReplayStats stats;
  EXPECT_THAT(ReplayAll(*wal, &stats),
              ElementsAre("a", "bb", "ccc", "", "after reopen"));
  EXPECT_THAT(stats.corruptions, IsEmpty());
  EXPECT_EQ(stats.bytes_dropped, 0);
}

TEST(WalTest, RecordsFromWalRecordsRoundTrip) {
  const std::string dir = NewTestDir();
  std::unique_ptr<Wal> wal = OpenOrDie(dir);
  std::string series;
  EncodeSeries({{1, Labels::FromPairs({{"__name__", "up"}})}}, &series);
  std::vector<RefSample> samples;
  for (int i = 0; i < 1000; ++i) samples.push_back({1, 1000 * i, i * 0.5});
  std::string samples_rec;
  EncodeSamples(samples, &samples_rec);
  ASSERT_THAT(wal->Log({series, samples_rec}), IsOk());
  std::vector<std::string> got = ReplayAll(*wal);
  ASSERT_EQ(got.size(), 2u);
  std::vector<RefSample> decoded;
  ASSERT_THAT(DecodeSamples(got[1], &decoded), IsOk());
  EXPECT_THAT(decoded, ElementsAreArray(samples));
}

TEST(WalTest, SegmentsRollOverAndReplayInOrder) {
  const std::string dir = NewTestDir();
  WalOptions options;
  options.max_segment_bytes = 256;
  std::vector<std::string> want;
  {
    std::unique_ptr<Wal> wal = OpenOrDie(dir, options);
    for (int i = 0; i < 60; ++i) {
      want.push_back(absl::StrCat("record-", i, std::string(i % 20, 'x')));
      ASSERT_THAT(LogStrings(*wal, {want.back()}), IsOk());
    }
    EXPECT_GT(wal->current_segment(), 3);
    EXPECT_EQ(wal->metrics().segments_created, wal->current_segment() + 1);
    for (int i = 0; i < wal->current_segment(); ++i) {
      EXPECT_LE(FileSize(SegmentPath(dir, i)), 256) << i;
    }
  }
  std::unique_ptr<Wal> wal = OpenOrDie(dir, options);
  const int last = wal->current_segment();
  // A commit larger than a segment gets a segment of its own.
  want.push_back(std::string(1000, 'L'));
  ASSERT_THAT(LogStrings(*wal, {want.back()}), IsOk());
  EXPECT_EQ(wal->current_segment(), last + 1);
  EXPECT_GT(FileSize(SegmentPath(dir, last + 1)), 1000);
  want.push_back("tail");
  ASSERT_THAT(LogStrings(*wal, {want.back()}), IsOk());
  EXPECT_EQ(wal->current_segment(), last + 2);

  ReplayStats stats;
  EXPECT_THAT(ReplayAll(*wal, &stats), ElementsAreArray(want));
  EXPECT_EQ(stats.first_segment, 0);
  EXPECT_EQ(stats.last_segment, last + 2);
  EXPECT_EQ(stats.segments_read, last + 3);
  EXPECT_EQ(stats.records_read, static_cast<int64_t>(want.size()));
}

TEST(WalTest, NextSegmentReturnsTheClosedSegment) {
  const std::string dir = NewTestDir();
  std::unique_ptr<Wal> wal = OpenOrDie(dir);
  EXPECT_EQ(wal->current_segment(), 0);
  ASSERT_THAT(LogStrings(*wal, {"one"}), IsOk());
  EXPECT_THAT(wal->NextSegment(), IsOkAndHolds(0));
  EXPECT_EQ(wal->current_segment(), 1);
  EXPECT_THAT(wal->NextSegment(), IsOkAndHolds(1));  // even when empty
  ASSERT_THAT(LogStrings(*wal, {"two"}), IsOk());
  EXPECT_EQ(wal->current_segment(), 2);
  EXPECT_THAT(ReplayAll(*wal), ElementsAre("one", "two"));
}

TEST(WalTest, OptionsAreValidated) {
  const std::string dir = NewTestDir();
  WalOptions options;
  options.max_segment_bytes = 10;
  EXPECT_THAT(Wal::Open(dir, options),
              StatusIs(absl::StatusCode::kInvalidArgument,
                       HasSubstr("max_segment_bytes")));
  options = WalOptions();
  options.fsync_interval = absl::Seconds(-1);
  EXPECT_THAT(Wal::Open(dir, options),
              StatusIs(absl::StatusCode::kInvalidArgument));
}

TEST(WalTest, UnsupportedVersionRefusesToOpen) {
  const std::string dir = NewTestDir();
  WriteFileOrDie(SegmentPath(dir, 0), std::string("FRWL\x09\0\0\0", 8));
  EXPECT_THAT(Wal::Open(dir, {}),
              StatusIs(absl::StatusCode::kFailedPrecondition,
                       HasSubstr("version 9 is not supported")));
  // The file was not touched: a newer build can still read it.
  EXPECT_EQ(FileSize(SegmentPath(dir, 0)), 8);
}

TEST(WalTest, CloseStopsWritesAndIsIdempotent) {
  const std::string dir = NewTestDir();
  std::unique_ptr<Wal> wal = OpenOrDie(dir);
  ASSERT_THAT(LogStrings(*wal, {"x"}), IsOk());
  EXPECT_THAT(wal->Close(), IsOk());
  EXPECT_THAT(wal->Close(), IsOk());
  EXPECT_THAT(
      LogStrings(*wal, {"y"}),
      StatusIs(absl::StatusCode::kFailedPrecondition, HasSubstr("closed")));
  EXPECT_THAT(wal->Sync(), StatusIs(absl::StatusCode::kFailedPrecondition));
  EXPECT_THAT(wal->NextSegment(),
              StatusIs(absl::StatusCode::kFailedPrecondition));
  // Reading still works after Close.
  EXPECT_THAT(ReplayAll(*wal), ElementsAre("x"));
}

TEST(WalTest, ReplayStopsOnCallbackError) {
  const std::string dir = NewTestDir();
  std::unique_ptr<Wal> wal = OpenOrDie(dir);
  ASSERT_THAT(LogStrings(*wal, {"a", "b", "c"}), IsOk());
  int seen = 0;
  const absl::Status s = wal->Replay(
      [&](absl::string_view r) {
        ++seen;
        if (r == "b") return absl::InternalError("head refused b");
        return absl::OkStatus();
      },
      nullptr);
  EXPECT_THAT(s, StatusIs(absl::StatusCode::kInternal,
                          HasSubstr("offset 8: head refused b")));
  EXPECT_EQ(seen, 2);
}

TEST(WalTest, IntervalPolicyFsyncsOnlyWhenTheIntervalElapsed) {
  const std::string dir = NewTestDir();
  FakeClock clock(absl::FromUnixSeconds(1700000000));
  WalOptions options;
  options.fsync_policy = FsyncPolicy::kInterval;
  options.fsync_interval = absl::Seconds(5);
  options.clock = &clock;
  std::unique_ptr<Wal> wal = OpenOrDie(dir, options);

  ASSERT_THAT(LogStrings(*wal, {"1"}), IsOk());
  EXPECT_EQ(wal->metrics().commit_syncs, 0);
  clock.Advance(absl::Seconds(4));
  ASSERT_THAT(LogStrings(*wal, {"2"}), IsOk());
  EXPECT_EQ(wal->metrics().commit_syncs, 0);
  // Written immediately, even though not yet fsynced.
  EXPECT_THAT(ReplayAll(*wal), ElementsAre("1", "2"));

  clock.Advance(absl::Seconds(1));  // 5s since open
  ASSERT_THAT(LogStrings(*wal, {"3"}), IsOk());
  EXPECT_EQ(wal->metrics().commit_syncs, 1);
  ASSERT_THAT(LogStrings(*wal, {"4"}), IsOk());
  EXPECT_EQ(wal->metrics().commit_syncs, 1);  // interval restarted at 3

  EXPECT_THAT(wal->Sync(), IsOk());
  EXPECT_EQ(wal->metrics().commit_syncs, 2);
  EXPECT_THAT(wal->Sync(), IsOk());  // nothing new: no fsync needed
  EXPECT_EQ(wal->metrics().commit_syncs, 2);

  // Sync() restarted the interval too.
  clock.Advance(absl::Seconds(4));
  ASSERT_THAT(LogStrings(*wal, {"5"}), IsOk());
  EXPECT_EQ(wal->metrics().commit_syncs, 2);
  clock.Advance(absl::Seconds(1));
  ASSERT_THAT(LogStrings(*wal, {"6"}), IsOk());
  EXPECT_EQ(wal->metrics().commit_syncs, 3);
  EXPECT_THAT(ReplayAll(*wal), ElementsAre("1", "2", "3", "4", "5", "6"));
}

TEST(WalTest, EveryCommitFsyncsEachSequentialCommit) {
  const std::string dir = NewTestDir();
  std::unique_ptr<Wal> wal = OpenOrDie(dir);
  for (int i = 0; i < 5; ++i) ASSERT_THAT(LogStrings(*wal, {"r"}), IsOk());
  EXPECT_EQ(wal->metrics().commit_syncs, 5);
}

// Four committers arrive while the first fsync is held back: they must all
// be covered by one fsync (the leader's), not four.
TEST(WalTest, GroupCommitSharesOneFsyncBetweenFourThreads) {
  const std::string dir = NewTestDir();
  std::atomic<Wal*> wal_ptr{nullptr};
  std::atomic<bool> first{true};
  WalOptions options;
  options.before_sync_for_testing = [&] {
    if (!first.exchange(false)) return;
    // Hold the first leader until every thread's frame is written; the
    // others are then waiting as followers.
    while (wal_ptr.load()->metrics().commits < 4) std::this_thread::yield();
  };
  std::unique_ptr<Wal> wal = OpenOrDie(dir, options);
  wal_ptr = wal.get();

  std::vector<std::thread> threads;
  std::vector<absl::Status> results(4);
  for (int t = 0; t < 4; ++t) {
    threads.emplace_back([&, t] {
      results[t] = LogStrings(*wal, {absl::StrCat("thread-", t)});
    });
  }
  for (std::thread& th : threads) th.join();
  for (const absl::Status& s : results) EXPECT_THAT(s, IsOk());
  EXPECT_EQ(wal->metrics().commits, 4);
  EXPECT_EQ(wal->metrics().commit_syncs, 1);
  EXPECT_THAT(ReplayAll(*wal),
              UnorderedElementsAreArray(
                  {"thread-0", "thread-1", "thread-2", "thread-3"}));
}

// Free-running: every commit that returned OK is replayed, per-thread order
// holds, and with concurrency there are fewer fsyncs than commits (at most
// one per commit in any case). A concurrent NextSegment exercises cuts
// racing with group commit (run under --config=tsan too).
TEST(WalTest, GroupCommitStressWithConcurrentSegmentCuts) {
  const std::string dir = NewTestDir();
  WalOptions options;
  options.max_segment_bytes = 16 << 10;
  std::unique_ptr<Wal> wal = OpenOrDie(dir, options);
  constexpr int kThreads = 4;
  constexpr int kCommits = 250;
  std::atomic<bool> done{false};
  std::atomic<int> failures{0};
  std::vector<std::thread> threads;
  for (int t = 0; t < kThreads; ++t) {
    threads.emplace_back([&, t] {
      for (int i = 0; i < kCommits; ++i) {
        if (!LogStrings(*wal, {absl::StrCat(t, ":", i), "payload"}).ok()) {
          ++failures;
        }
      }
    });
  }
  std::thread cutter([&] {
    while (!done.load()) {
      if (!wal->NextSegment().ok()) ++failures;
      std::this_thread::yield();
    }
  });
  for (std::thread& th : threads) th.join();
  done = true;
  cutter.join();
  EXPECT_EQ(failures.load(), 0);

  const WalMetrics m = wal->metrics();
  EXPECT_EQ(m.commits, kThreads * kCommits);
  EXPECT_LE(m.commit_syncs, m.commits);
  std::cout << "group commit: " << m.commits << " commits, " << m.commit_syncs
            << " commit fsyncs, " << m.segments_created << " segments\n";

  std::vector<std::string> got = ReplayAll(*wal);
  ASSERT_EQ(got.size(), static_cast<size_t>(2 * kThreads * kCommits));
  std::vector<int> next(kThreads, 0);
  for (size_t i = 0; i < got.size(); i += 2) {
    EXPECT_EQ(got[i + 1], "payload");
    const int t = got[i][0] - '0';
    ASSERT_TRUE(t >= 0 && t < kThreads) << got[i];
    EXPECT_EQ(got[i], absl::StrCat(t, ":", next[t]));
    ++next[t];
  }
  EXPECT_THAT(next, ElementsAre(kCommits, kCommits, kCommits, kCommits));
}

TEST(WalTest, ConcurrentIntervalCommits) {
  const std::string dir = NewTestDir();
  FakeClock clock;
  WalOptions options;
  options.fsync_policy = FsyncPolicy::kInterval;
  options.fsync_interval = absl::Milliseconds(10);
  options.clock = &clock;
  std::unique_ptr<Wal> wal = OpenOrDie(dir, options);
  std::vector<std::thread> threads;
  for (int t = 0; t < 4; ++t) {
    threads.emplace_back([&, t] {
      for (int i = 0; i < 200; ++i) {
        if (t == 0) clock.Advance(absl::Milliseconds(1));
        EXPECT_THAT(LogStrings(*wal, {absl::StrCat(t, ":", i)}), IsOk());
      }
    });
  }
  for (std::thread& th : threads) th.join();
  EXPECT_THAT(wal->Sync(), IsOk());
  const WalMetrics m = wal->metrics();
  EXPECT_EQ(m.commits, 800);
  // 200 ms of fake time at one fsync per 10 ms, plus the final Sync.
  EXPECT_LE(m.commit_syncs, 21);
  EXPECT_GE(m.commit_syncs, 2);
  EXPECT_EQ(ReplayAll(*wal).size(), 800u);
}

}  // namespace
}  // namespace fraisier::tsdb
