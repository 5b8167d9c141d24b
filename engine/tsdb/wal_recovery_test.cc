// Recovery from damage: torn and corrupted tails of the last segment (cut
// at the last complete commit by Open) and damage in earlier segments
// (skipped, reported, everything else kept).
#include <algorithm>
#include <atomic>
#include <cstdint>
#include <cstdio>
#include <memory>
#include <random>
#include <string>
#include <thread>
#include <vector>

#include "absl/strings/str_cat.h"
#include "engine/base/status_matchers.h"
#include "engine/tsdb/wal.h"
#include "engine/tsdb/wal_test_util.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace fraisier::tsdb {
namespace {

using ::fraisier::testing::IsOk;
using ::fraisier::tsdb::testing::FileSize;
using ::fraisier::tsdb::testing::LogStrings;
using ::fraisier::tsdb::testing::NewTestDir;
using ::fraisier::tsdb::testing::OpenOrDie;
using ::fraisier::tsdb::testing::ReadFileOrDie;
using ::fraisier::tsdb::testing::ReplayAll;
using ::fraisier::tsdb::testing::SegmentPath;
using ::fraisier::tsdb::testing::WriteFileOrDie;
using ::testing::ElementsAre;
using ::testing::ElementsAreArray;
using ::testing::Ge;
using ::testing::HasSubstr;
using ::testing::IsEmpty;
using ::testing::Pair;
using ::testing::SizeIs;

constexpr int64_t kHeader = 8;        // segment header
constexpr int64_t kFrameHeader = 16;  // frame header

// Where each commit landed.
struct Commit {
  std::vector<std::string> records;
  int segment = 0;
  int64_t start = 0;
  int64_t end = 0;
};

std::vector<Commit> WriteCommits(const std::string& dir, int n,
                                 WalOptions options = {}) {
  options.fsync_policy = FsyncPolicy::kInterval;  // speed; Close syncs
  absl::StatusOr<std::unique_ptr<Wal>> wal = Wal::Open(dir, options);
  EXPECT_THAT(wal, IsOk());
  std::vector<Commit> commits;
  for (int i = 0; i < n; ++i) {
    Commit c;
    for (int j = 0; j <= i % 3; ++j) {
      c.records.push_back(
          absl::StrCat("c", i, "r", j, std::string(i % 7, '.')));
    }
    EXPECT_THAT(LogStrings(**wal, c.records), IsOk());
    c.segment = (*wal)->current_segment();
    c.end = FileSize(SegmentPath(dir, c.segment));
    commits.push_back(std::move(c));
  }
  for (size_t i = 0; i < commits.size(); ++i) {
    const bool first_in_segment =
        i == 0 || commits[i - 1].segment != commits[i].segment;
    commits[i].start = first_in_segment ? kHeader : commits[i - 1].end;
  }
  EXPECT_THAT((*wal)->Close(), IsOk());
  return commits;
}

// The records of the commits for which keep(i) holds, in order.
template <typename Keep>
std::vector<std::string> RecordsOf(const std::vector<Commit>& commits,
                                   Keep keep) {
  std::vector<std::string> out;
  for (size_t i = 0; i < commits.size(); ++i) {
    if (!keep(i)) continue;
    out.insert(out.end(), commits[i].records.begin(), commits[i].records.end());
  }
  return out;
}

TEST(WalRecoveryTest, TornTailAtEveryOffsetOfTheLastCommits) {
  const std::string dir = NewTestDir();
  const std::vector<Commit> commits = WriteCommits(dir, 12);
  const std::string original = ReadFileOrDie(SegmentPath(dir, 0));
  ASSERT_EQ(static_cast<int64_t>(original.size()), commits.back().end);

  const size_t first_torn = commits.size() - 3;
  for (int64_t cut = commits[first_torn].start; cut < commits.back().end;
       ++cut) {
    SCOPED_TRACE(absl::StrCat("cut at ", cut));
    WriteFileOrDie(SegmentPath(dir, 0), original.substr(0, cut));
    size_t complete = 0;
    while (complete < commits.size() && commits[complete].end <= cut) {
      ++complete;
    }
    const int64_t good_end = commits[complete - 1].end;
    const std::vector<std::string> want =
        RecordsOf(commits, [&](size_t i) { return i < complete; });

    std::unique_ptr<Wal> wal = OpenOrDie(dir);
    ASSERT_NE(wal, nullptr);
    EXPECT_EQ(FileSize(SegmentPath(dir, 0)), good_end);
    ReplayStats stats;
    EXPECT_THAT(ReplayAll(*wal, &stats), ElementsAreArray(want));
    EXPECT_EQ(stats.records_read, static_cast<int64_t>(want.size()));
    EXPECT_EQ(stats.bytes_dropped, cut - good_end);
    if (cut == good_end) {
      EXPECT_THAT(stats.corruptions, IsEmpty());
    } else {
      ASSERT_THAT(stats.corruptions, SizeIs(1));
      const WalCorruption& c = stats.corruptions[0];
      EXPECT_TRUE(c.truncated);
      EXPECT_FALSE(c.in_checkpoint);
      EXPECT_EQ(c.segment, 0);
      EXPECT_EQ(c.offset, good_end);
      EXPECT_EQ(c.bytes, cut - good_end);
      EXPECT_THAT(c.reason, HasSubstr("truncated frame"));
      // With the header and the count byte present, the loss is counted.
      const int64_t lost =
          static_cast<int64_t>(commits[complete].records.size());
      EXPECT_EQ(stats.records_dropped,
                cut - good_end > kFrameHeader ? lost : 0);
    }
    // New commits follow the good data and survive the next restart.
    ASSERT_THAT(LogStrings(*wal, {"new"}), IsOk());
    wal.reset();
    wal = OpenOrDie(dir);
    std::vector<std::string> with_new = want;
    with_new.push_back("new");
    ReplayStats again;
    EXPECT_THAT(ReplayAll(*wal, &again), ElementsAreArray(with_new));
    EXPECT_THAT(again.corruptions, IsEmpty());
  }
}

TEST(WalRecoveryTest, BitFlipsInTheTailCutAtTheDamagedCommit) {
  const std::string dir = NewTestDir();
  const std::vector<Commit> commits = WriteCommits(dir, 12);
  const std::string original = ReadFileOrDie(SegmentPath(dir, 0));
  std::mt19937_64 rng(7);
  const int64_t from = commits[commits.size() - 3].start;
  for (int trial = 0; trial < 60; ++trial) {
    std::string damaged = original;
    const int64_t pos =
        from + static_cast<int64_t>(rng() % (original.size() - from));
    damaged[pos] ^= static_cast<char>(1 << (rng() % 8));
    SCOPED_TRACE(absl::StrCat("flip at ", pos));
    WriteFileOrDie(SegmentPath(dir, 0), damaged);
    size_t hit = 0;
    while (commits[hit].end <= pos) ++hit;

    std::unique_ptr<Wal> wal = OpenOrDie(dir);
    ASSERT_NE(wal, nullptr);
    ReplayStats stats;
    EXPECT_THAT(ReplayAll(*wal, &stats),
                ElementsAreArray(
                    RecordsOf(commits, [&](size_t i) { return i < hit; })));
    EXPECT_EQ(FileSize(SegmentPath(dir, 0)), commits[hit].start);
    EXPECT_EQ(stats.bytes_dropped, commits.back().end - commits[hit].start);
    ASSERT_THAT(stats.corruptions, SizeIs(1));
    EXPECT_EQ(stats.corruptions[0].offset, commits[hit].start);
    // Intact commits after the damaged one are dropped with the tail, and
    // counted.
    const int64_t later = static_cast<int64_t>(
        RecordsOf(commits, [&](size_t i) { return i > hit; }).size());
    EXPECT_THAT(stats.records_dropped, Ge(later));
  }
}

TEST(WalRecoveryTest, DamageEarlyInTheLastSegmentDropsTheRest) {
  const std::string dir = NewTestDir();
  const std::vector<Commit> commits = WriteCommits(dir, 12);
  std::string bytes = ReadFileOrDie(SegmentPath(dir, 0));
  bytes[commits[2].start + kFrameHeader + 2] ^= 0x10;  // commit 2's data
  WriteFileOrDie(SegmentPath(dir, 0), bytes);
  std::unique_ptr<Wal> wal = OpenOrDie(dir);
  ReplayStats stats;
  EXPECT_THAT(
      ReplayAll(*wal, &stats),
      ElementsAreArray(RecordsOf(commits, [](size_t i) { return i < 2; })));
  ASSERT_THAT(stats.corruptions, SizeIs(1));
  EXPECT_THAT(stats.corruptions[0].reason, HasSubstr("checksum mismatch"));
  // Commit 2's records (claimed count) plus commits 3..11, all intact.
  EXPECT_EQ(stats.records_dropped,
            static_cast<int64_t>(
                RecordsOf(commits, [](size_t i) { return i >= 2; }).size()));
}

TEST(WalRecoveryTest, GarbageAfterTheEndIsCut) {
  const std::string dir = NewTestDir();
  const std::vector<Commit> commits = WriteCommits(dir, 5);
  const std::string original = ReadFileOrDie(SegmentPath(dir, 0));
  const std::vector<std::string> all =
      RecordsOf(commits, [](size_t) { return true; });
  std::mt19937_64 rng(3);
  std::string random(1000, '\0');
  for (char& c : random) c = static_cast<char>(rng());
  struct Case {
    std::string garbage;
    std::string reason;
  };
  const std::vector<Case> cases = {
      {std::string(4096, '\0'), "zero-filled"},
      {std::string(5, '\0'), "zero bytes at the end"},
      {random, "bad frame magic"},
      // Our magic, then a length far beyond the limit.
      {std::string("\xD9WAL\0\0\0\0\xff\xff\xff\x7f\x01\0\0\0", 16),
       "exceeds the limit"},
      // Our magic, a sane length, but the payload never made it.
      {std::string("\xD9WAL\0\0\0\0\x00\x01\0\0\x01\0\0\0ab", 18),
       "truncated frame"},
  };
  for (const Case& c : cases) {
    SCOPED_TRACE(c.reason);
    WriteFileOrDie(SegmentPath(dir, 0), original + c.garbage);
    std::unique_ptr<Wal> wal = OpenOrDie(dir);
    ReplayStats stats;
    EXPECT_THAT(ReplayAll(*wal, &stats), ElementsAreArray(all));
    ASSERT_THAT(stats.corruptions, SizeIs(1));
    EXPECT_THAT(stats.corruptions[0].reason, HasSubstr(c.reason));
    EXPECT_EQ(stats.corruptions[0].offset,
              static_cast<int64_t>(original.size()));
    EXPECT_EQ(stats.bytes_dropped, static_cast<int64_t>(c.garbage.size()));
    EXPECT_EQ(FileSize(SegmentPath(dir, 0)),
              static_cast<int64_t>(original.size()));
  }
}

TEST(WalRecoveryTest, DamagedHeaderOfTheLastSegment) {
  const std::string dir = NewTestDir();
  {
    // A segment whose creation was interrupted before its header landed.
    WriteFileOrDie(SegmentPath(dir, 0), "");
    std::unique_ptr<Wal> wal = OpenOrDie(dir);
    ReplayStats stats;
    EXPECT_THAT(ReplayAll(*wal, &stats), IsEmpty());
    EXPECT_THAT(stats.corruptions, IsEmpty());  // nothing was lost
    ASSERT_THAT(LogStrings(*wal, {"x"}), IsOk());
  }
  {
    WriteFileOrDie(SegmentPath(dir, 0), "FRW");
    std::unique_ptr<Wal> wal = OpenOrDie(dir);
    ReplayStats stats;
    EXPECT_THAT(ReplayAll(*wal, &stats), IsEmpty());
    ASSERT_THAT(stats.corruptions, SizeIs(1));
    EXPECT_THAT(stats.corruptions[0].reason, HasSubstr("header truncated"));
    EXPECT_EQ(stats.bytes_dropped, 3);
    EXPECT_EQ(FileSize(SegmentPath(dir, 0)), kHeader);
    ASSERT_THAT(LogStrings(*wal, {"y"}), IsOk());
    EXPECT_THAT(ReplayAll(*wal), ElementsAre("y"));
  }
}

// Segments 0..n-1 are fsynced when closed, so damage there is media damage,
// not a torn write: the damaged commit is skipped and everything else kept.
class MiddleSegmentTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = NewTestDir();
    WalOptions options;
    options.max_segment_bytes = 200;
    commits_ = WriteCommits(dir_, 30, options);
    ASSERT_GE(commits_.back().segment, 3);
  }
  // Commit indexes in `segment`.
  std::vector<size_t> In(int segment) const {
    std::vector<size_t> out;
    for (size_t i = 0; i < commits_.size(); ++i) {
      if (commits_[i].segment == segment) out.push_back(i);
    }
    return out;
  }

  std::string dir_;
  std::vector<Commit> commits_;
};

TEST_F(MiddleSegmentTest, BitFlipSkipsOnlyTheDamagedCommit) {
  const size_t k = In(1)[1];
  const Commit& c = commits_[k];
  std::string bytes = ReadFileOrDie(SegmentPath(dir_, 1));
  bytes[c.start + kFrameHeader + 2] ^= 0x01;
  WriteFileOrDie(SegmentPath(dir_, 1), bytes);

  std::unique_ptr<Wal> wal = OpenOrDie(dir_);
  ReplayStats stats;
  EXPECT_THAT(
      ReplayAll(*wal, &stats),
      ElementsAreArray(RecordsOf(commits_, [&](size_t i) { return i != k; })));
  ASSERT_THAT(stats.corruptions, SizeIs(1));
  const WalCorruption& w = stats.corruptions[0];
  EXPECT_FALSE(w.truncated);
  EXPECT_EQ(w.segment, 1);
  EXPECT_EQ(w.offset, c.start);
  EXPECT_EQ(w.bytes, c.end - c.start);
  EXPECT_EQ(w.records, static_cast<int64_t>(c.records.size()));
  EXPECT_EQ(stats.records_dropped, static_cast<int64_t>(c.records.size()));
  // Middle segments are never rewritten.
  EXPECT_EQ(ReadFileOrDie(SegmentPath(dir_, 1)), bytes);
}

TEST_F(MiddleSegmentTest, TornAndZeroedRegionsAreSkipped) {
  // Zero two whole commits in segment 0, and tear segment 1 mid-commit.
  const std::vector<size_t> s0 = In(0);
  const std::vector<size_t> s1 = In(1);
  ASSERT_GE(s0.size(), 3u);
  std::string b0 = ReadFileOrDie(SegmentPath(dir_, 0));
  const Commit& z0 = commits_[s0[0]];
  const Commit& z1 = commits_[s0[1]];
  for (int64_t i = z0.start; i < z1.end; ++i) b0[i] = '\0';
  WriteFileOrDie(SegmentPath(dir_, 0), b0);
  const Commit& torn = commits_[s1[1]];
  const std::string b1 = ReadFileOrDie(SegmentPath(dir_, 1));
  WriteFileOrDie(SegmentPath(dir_, 1), b1.substr(0, torn.start + 5));

  std::unique_ptr<Wal> wal = OpenOrDie(dir_);
  ReplayStats stats;
  EXPECT_THAT(ReplayAll(*wal, &stats),
              ElementsAreArray(RecordsOf(commits_, [&](size_t i) {
                return i != s0[0] && i != s0[1] &&
                       !(commits_[i].segment == 1 && i >= s1[1]);
              })));
  ASSERT_THAT(stats.corruptions, SizeIs(2));
  EXPECT_EQ(stats.corruptions[0].segment, 0);
  EXPECT_EQ(stats.corruptions[0].offset, z0.start);
  EXPECT_EQ(stats.corruptions[0].bytes, z1.end - z0.start);
  EXPECT_THAT(stats.corruptions[0].reason, HasSubstr("zero"));
  EXPECT_EQ(stats.corruptions[1].segment, 1);
  EXPECT_EQ(stats.corruptions[1].offset, torn.start);
  EXPECT_EQ(stats.corruptions[1].bytes, 5);
  EXPECT_EQ(stats.bytes_dropped, z1.end - z0.start + 5);
}

TEST_F(MiddleSegmentTest, DamagedHeaderStillReadsTheFrames) {
  std::string b = ReadFileOrDie(SegmentPath(dir_, 1));
  b.replace(0, 4, "XXXX");
  WriteFileOrDie(SegmentPath(dir_, 1), b);
  std::unique_ptr<Wal> wal = OpenOrDie(dir_);
  ReplayStats stats;
  EXPECT_THAT(
      ReplayAll(*wal, &stats),
      ElementsAreArray(RecordsOf(commits_, [](size_t) { return true; })));
  ASSERT_THAT(stats.corruptions, SizeIs(1));
  EXPECT_THAT(stats.corruptions[0].reason, HasSubstr("bad segment magic"));
  EXPECT_EQ(stats.corruptions[0].bytes, kHeader);
}

TEST_F(MiddleSegmentTest, MissingSegmentIsReported) {
  ASSERT_EQ(std::remove(SegmentPath(dir_, 2).c_str()), 0);
  std::unique_ptr<Wal> wal = OpenOrDie(dir_);
  ReplayStats stats;
  EXPECT_THAT(ReplayAll(*wal, &stats),
              ElementsAreArray(RecordsOf(commits_, [&](size_t i) {
                return commits_[i].segment != 2;
              })));
  EXPECT_THAT(stats.missing_segments, ElementsAre(Pair(2, 2)));
  EXPECT_THAT(stats.corruptions, IsEmpty());
}

TEST_F(MiddleSegmentTest, MissingFirstSegmentsWithoutCheckpointAreReported) {
  ASSERT_EQ(std::remove(SegmentPath(dir_, 0).c_str()), 0);
  ASSERT_EQ(std::remove(SegmentPath(dir_, 1).c_str()), 0);
  std::unique_ptr<Wal> wal = OpenOrDie(dir_);
  ReplayStats stats;
  EXPECT_THAT(ReplayAll(*wal, &stats),
              ElementsAreArray(RecordsOf(commits_, [&](size_t i) {
                return commits_[i].segment > 1;
              })));
  EXPECT_THAT(stats.missing_segments, ElementsAre(Pair(0, 1)));
  EXPECT_EQ(stats.first_segment, 2);
}

// Arbitrary damage to every segment, including the last: Open and Replay
// must always succeed, and whatever they yield must be real commits, whole
// and in order (the checksums make anything else astronomically unlikely).
TEST(WalRecoveryTest, RandomDamageNeverFailsOrInventsRecords) {
  const std::string dir = NewTestDir();
  WalOptions options;
  options.max_segment_bytes = 300;
  const std::vector<Commit> commits = WriteCommits(dir, 40, options);
  const int segments = commits.back().segment + 1;
  std::vector<std::string> originals;
  for (int i = 0; i < segments; ++i) {
    originals.push_back(ReadFileOrDie(SegmentPath(dir, i)));
  }
  std::mt19937_64 rng(11);
  for (int trial = 0; trial < 200; ++trial) {
    SCOPED_TRACE(absl::StrCat("trial ", trial));
    for (int i = 0; i < segments; ++i) {
      std::string b = originals[i];
      switch (rng() % 5) {
        case 0:  // untouched
          break;
        case 1:  // truncated anywhere
          b.resize(rng() % (b.size() + 1));
          break;
        case 2:  // a few bit flips
          for (int f = 0; f < 3; ++f) {
            b[rng() % b.size()] ^= static_cast<char>(1 << (rng() % 8));
          }
          break;
        case 3: {  // a run of random bytes
          const size_t at = rng() % b.size();
          const size_t n = std::min<size_t>(b.size() - at, rng() % 64);
          for (size_t k = 0; k < n; ++k) b[at + k] = static_cast<char>(rng());
          break;
        }
        case 4:  // random garbage appended
          for (int k = 0; k < 50; ++k) b.push_back(static_cast<char>(rng()));
          break;
      }
      WriteFileOrDie(SegmentPath(dir, i), b);
    }
    std::unique_ptr<Wal> wal = OpenOrDie(dir);
    ASSERT_NE(wal, nullptr);
    const std::vector<std::string> got = ReplayAll(*wal);
    // Commits come out whole and in order: match them greedily.
    size_t next = 0;
    for (size_t g = 0; g < got.size();) {
      while (next < commits.size() && commits[next].records[0] != got[g]) {
        ++next;
      }
      ASSERT_LT(next, commits.size()) << "unknown record " << got[g];
      for (const std::string& r : commits[next].records) {
        ASSERT_LT(g, got.size());
        EXPECT_EQ(got[g++], r);
      }
      ++next;
    }
    wal.reset();
    // Open may have cut the last segment; the next trial starts clean.
    for (int i = segments; i < segments + 2; ++i) {
      std::remove(SegmentPath(dir, i).c_str());
    }
  }
}

// Replay concurrent with commits sees a prefix of them (a snapshot).
TEST(WalRecoveryTest, ReplayDuringLogSeesAPrefix) {
  const std::string dir = NewTestDir();
  WalOptions options;
  options.max_segment_bytes = 1024;
  options.fsync_policy = FsyncPolicy::kInterval;
  std::unique_ptr<Wal> wal = OpenOrDie(dir, options);
  constexpr int kCommits = 2000;
  std::atomic<bool> done{false};
  std::thread writer([&] {
    for (int i = 0; i < kCommits; ++i) {
      EXPECT_THAT(LogStrings(*wal, {absl::StrCat("r", i)}), IsOk());
    }
    done = true;
  });
  int rounds = 0;
  while (!done.load()) {
    const std::vector<std::string> got = ReplayAll(*wal);
    for (size_t i = 0; i < got.size(); ++i) {
      ASSERT_EQ(got[i], absl::StrCat("r", i));
    }
    ++rounds;
  }
  writer.join();
  EXPECT_GE(rounds, 1);
  EXPECT_EQ(ReplayAll(*wal).size(), static_cast<size_t>(kCommits));
}

}  // namespace
}  // namespace fraisier::tsdb
