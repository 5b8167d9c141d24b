#include "engine/tsdb/checkpoint.h"

#include <cstdio>
#include <filesystem>
#include <functional>
#include <memory>
#include <string>
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
using ::fraisier::testing::IsOkAndHolds;
using ::fraisier::testing::StatusIs;
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
using ::testing::Field;
using ::testing::HasSubstr;
using ::testing::IsEmpty;
using ::testing::Optional;
using ::testing::SizeIs;

// A producer adding `records`.
std::function<absl::Status(RecordSink&)> Produce(
    std::vector<std::string> records) {
  return [records = std::move(records)](RecordSink& sink) {
    for (const std::string& r : records) {
      if (absl::Status s = sink.Add(r); !s.ok()) return s;
    }
    return absl::OkStatus();
  };
}

bool Exists(const std::string& path) { return FileSize(path) >= 0; }

TEST(CheckpointTest, CheckpointTruncateReplay) {
  const std::string dir = NewTestDir();
  std::unique_ptr<Wal> wal = OpenOrDie(dir);
  ASSERT_THAT(LogStrings(*wal, {"s0-a", "s0-b"}), IsOk());
  ASSERT_THAT(wal->NextSegment(), IsOkAndHolds(0));
  ASSERT_THAT(LogStrings(*wal, {"s1-a"}), IsOk());
  ASSERT_THAT(wal->NextSegment(), IsOkAndHolds(1));
  ASSERT_THAT(LogStrings(*wal, {"s2-a"}), IsOk());

  // The head checkpoints through segment 1: what it still needs of 0..1.
  ASSERT_THAT(WriteCheckpoint(dir, 1, Produce({"series-1", "sample-s1"})),
              IsOk());
  ASSERT_THAT(wal->Truncate(1), IsOk());
  EXPECT_FALSE(Exists(SegmentPath(dir, 0)));
  EXPECT_FALSE(Exists(SegmentPath(dir, 1)));
  EXPECT_TRUE(Exists(SegmentPath(dir, 2)));
  ASSERT_THAT(LogStrings(*wal, {"s2-b"}), IsOk());

  ReplayStats stats;
  EXPECT_THAT(ReplayAll(*wal, &stats),
              ElementsAre("series-1", "sample-s1", "s2-a", "s2-b"));
  EXPECT_EQ(stats.checkpoint, 1);
  EXPECT_EQ(stats.checkpoint_records, 2);
  EXPECT_EQ(stats.first_segment, 2);
  EXPECT_EQ(stats.last_segment, 2);
  EXPECT_EQ(stats.records_read, 4);
  EXPECT_THAT(stats.missing_segments, IsEmpty());
  EXPECT_THAT(stats.corruptions, IsEmpty());

  // A second cycle replaces the first checkpoint.
  ASSERT_THAT(wal->NextSegment(), IsOkAndHolds(2));
  ASSERT_THAT(LogStrings(*wal, {"s3-a"}), IsOk());
  ASSERT_THAT(WriteCheckpoint(dir, 2, Produce({"series-2"})), IsOk());
  ASSERT_THAT(wal->Truncate(2), IsOk());
  EXPECT_FALSE(Exists(absl::StrCat(dir, "/checkpoint.00000001")));
  EXPECT_TRUE(Exists(absl::StrCat(dir, "/checkpoint.00000002")));
  wal.reset();

  wal = OpenOrDie(dir);
  EXPECT_EQ(wal->current_segment(), 3);
  EXPECT_THAT(ReplayAll(*wal, &stats), ElementsAre("series-2", "s3-a"));
  EXPECT_EQ(stats.checkpoint, 2);
  EXPECT_EQ(stats.first_segment, 3);
}

TEST(CheckpointTest, TruncateNeedsACheckpointAndAClosedSegment) {
  const std::string dir = NewTestDir();
  std::unique_ptr<Wal> wal = OpenOrDie(dir);
  ASSERT_THAT(LogStrings(*wal, {"a"}), IsOk());
  EXPECT_THAT(wal->Truncate(0), StatusIs(absl::StatusCode::kInvalidArgument,
                                         HasSubstr("still being written")));
  ASSERT_THAT(wal->NextSegment(), IsOkAndHolds(0));
  EXPECT_THAT(wal->Truncate(0), StatusIs(absl::StatusCode::kFailedPrecondition,
                                         HasSubstr("checkpoint.00000000")));
  EXPECT_TRUE(Exists(SegmentPath(dir, 0)));
  EXPECT_THAT(ReplayAll(*wal), ElementsAre("a"));
}

TEST(CheckpointTest, CrashBetweenCheckpointAndTruncate) {
  const std::string dir = NewTestDir();
  std::unique_ptr<Wal> wal = OpenOrDie(dir);
  ASSERT_THAT(LogStrings(*wal, {"old"}), IsOk());
  ASSERT_THAT(wal->NextSegment(), IsOkAndHolds(0));
  ASSERT_THAT(LogStrings(*wal, {"new"}), IsOk());
  ASSERT_THAT(WriteCheckpoint(dir, 0, Produce({"kept-from-old"})), IsOk());
  wal.reset();  // "crash" before Truncate

  wal = OpenOrDie(dir);
  ReplayStats stats;
  // Segment 0 is still on disk but the checkpoint supersedes it.
  EXPECT_THAT(ReplayAll(*wal, &stats), ElementsAre("kept-from-old", "new"));
  EXPECT_EQ(stats.checkpoint, 0);
  EXPECT_EQ(stats.first_segment, 1);
  ASSERT_THAT(wal->Truncate(0), IsOk());  // the retry finishes the job
  EXPECT_FALSE(Exists(SegmentPath(dir, 0)));
}

TEST(CheckpointTest, LeftoverTempDirIsIgnoredThenCleanedUp) {
  const std::string dir = NewTestDir();
  std::unique_ptr<Wal> wal = OpenOrDie(dir);
  ASSERT_THAT(LogStrings(*wal, {"x"}), IsOk());
  ASSERT_THAT(wal->NextSegment(), IsOkAndHolds(0));
  ASSERT_THAT(LogStrings(*wal, {"y"}), IsOk());

  // A crash mid-checkpoint: a complete-looking checkpoint still under its
  // temporary name, and a half-written one.
  ASSERT_THAT(WriteCheckpoint(dir, 0, Produce({"never-renamed"})), IsOk());
  ASSERT_EQ(std::rename(absl::StrCat(dir, "/checkpoint.00000000").c_str(),
                        absl::StrCat(dir, "/checkpoint.00000000.tmp").c_str()),
            0);
  std::filesystem::create_directories(
      absl::StrCat(dir, "/checkpoint.00000001.tmp"));
  WriteFileOrDie(absl::StrCat(dir, "/checkpoint.00000001.tmp/00000000"), "FRW");

  ReplayStats stats;
  EXPECT_THAT(ReplayAll(*wal, &stats), ElementsAre("x", "y"));
  EXPECT_EQ(stats.checkpoint, -1);
  EXPECT_THAT(stats.corruptions, IsEmpty());
  EXPECT_THAT(wal->Truncate(0),
              StatusIs(absl::StatusCode::kFailedPrecondition));
  wal.reset();

  wal = OpenOrDie(dir);
  EXPECT_FALSE(Exists(absl::StrCat(dir, "/checkpoint.00000000.tmp")));
  EXPECT_FALSE(Exists(absl::StrCat(dir, "/checkpoint.00000001.tmp")));
  EXPECT_THAT(ReplayAll(*wal), ElementsAre("x", "y"));
  // The index can be checkpointed again now.
  EXPECT_THAT(WriteCheckpoint(dir, 0, Produce({"cp"})), IsOk());
}

TEST(CheckpointTest, FailedProducerLeavesNothing) {
  const std::string dir = NewTestDir();
  const absl::Status s = WriteCheckpoint(dir, 3, [](RecordSink& sink) {
    EXPECT_THAT(sink.Add("partial"), IsOk());
    return absl::InternalError("head went away");
  });
  EXPECT_THAT(s, StatusIs(absl::StatusCode::kInternal, "head went away"));
  EXPECT_FALSE(Exists(absl::StrCat(dir, "/checkpoint.00000003")));
  EXPECT_FALSE(Exists(absl::StrCat(dir, "/checkpoint.00000003.tmp")));
  EXPECT_THAT(ListCheckpoints(dir), IsOkAndHolds(IsEmpty()));
}

TEST(CheckpointTest, CheckpointsAreImmutable) {
  const std::string dir = NewTestDir();
  ASSERT_THAT(WriteCheckpoint(dir, 4, Produce({"a"})), IsOk());
  EXPECT_THAT(WriteCheckpoint(dir, 4, Produce({"b"})),
              StatusIs(absl::StatusCode::kAlreadyExists));
  EXPECT_THAT(WriteCheckpoint(dir, -1, Produce({})),
              StatusIs(absl::StatusCode::kInvalidArgument));
}

TEST(CheckpointTest, ListAndDeleteCheckpoints) {
  const std::string dir = NewTestDir();
  for (int n : {7, 2, 12}) {
    ASSERT_THAT(WriteCheckpoint(dir, n, Produce({"r"})), IsOk());
  }
  std::filesystem::create_directories(
      absl::StrCat(dir, "/checkpoint.00000020.tmp"));
  std::filesystem::create_directories(absl::StrCat(dir, "/checkpoint.x"));
  absl::StatusOr<std::vector<CheckpointRef>> refs = ListCheckpoints(dir);
  ASSERT_THAT(refs, IsOk());
  EXPECT_THAT(*refs, ElementsAre(Field(&CheckpointRef::last_segment, 2),
                                 Field(&CheckpointRef::last_segment, 7),
                                 Field(&CheckpointRef::last_segment, 12)));
  EXPECT_THAT(LastCheckpoint(dir),
              IsOkAndHolds(Optional(Field(&CheckpointRef::last_segment, 12))));
  ASSERT_THAT(DeleteCheckpoints(dir, 12), IsOk());
  EXPECT_THAT(
      ListCheckpoints(dir),
      IsOkAndHolds(ElementsAre(Field(&CheckpointRef::last_segment, 12))));
  int removed = 0;
  ASSERT_THAT(RemoveCheckpointTemps(dir, &removed), IsOk());
  EXPECT_EQ(removed, 1);
}

TEST(CheckpointTest, NewestCheckpointWins) {
  const std::string dir = NewTestDir();
  std::unique_ptr<Wal> wal = OpenOrDie(dir);
  ASSERT_THAT(LogStrings(*wal, {"a"}), IsOk());
  ASSERT_THAT(wal->NextSegment(), IsOkAndHolds(0));
  ASSERT_THAT(WriteCheckpoint(dir, 0, Produce({"cp0"})), IsOk());
  ASSERT_THAT(LogStrings(*wal, {"b"}), IsOk());
  ASSERT_THAT(wal->NextSegment(), IsOkAndHolds(1));
  ASSERT_THAT(WriteCheckpoint(dir, 1, Produce({"cp1"})), IsOk());
  ASSERT_THAT(LogStrings(*wal, {"c"}), IsOk());
  ReplayStats stats;
  EXPECT_THAT(ReplayAll(*wal, &stats), ElementsAre("cp1", "c"));
  EXPECT_EQ(stats.checkpoint, 1);
}

TEST(CheckpointTest, LargeCheckpointSpansFilesAndFrames) {
  const std::string dir = NewTestDir();
  std::vector<std::string> records;
  for (int i = 0; i < 500; ++i) {
    records.push_back(absl::StrCat("record-", i, std::string(i % 50, '#')));
  }
  CheckpointOptions options;
  options.max_file_bytes = 2048;
  options.frame_bytes = 300;
  ASSERT_THAT(WriteCheckpoint(dir, 0, Produce(records), options), IsOk());
  const std::string cp = absl::StrCat(dir, "/checkpoint.00000000");
  EXPECT_TRUE(Exists(SegmentPath(cp, 0)));
  EXPECT_TRUE(Exists(SegmentPath(cp, 5)));
  EXPECT_LE(FileSize(SegmentPath(cp, 0)), 2048);

  std::unique_ptr<Wal> wal = OpenOrDie(dir);
  EXPECT_EQ(wal->current_segment(), 1);  // appends go above the checkpoint
  ASSERT_THAT(LogStrings(*wal, {"after"}), IsOk());
  ReplayStats stats;
  std::vector<std::string> want = records;
  want.push_back("after");
  EXPECT_THAT(ReplayAll(*wal, &stats), ElementsAreArray(want));
  EXPECT_EQ(stats.checkpoint_records, 500);
  EXPECT_GT(stats.commits_read, 500 * 10 / 300);
}

TEST(CheckpointTest, DamagedCheckpointFrameIsSkippedAndReported) {
  const std::string dir = NewTestDir();
  CheckpointOptions options;
  options.frame_bytes = 20;  // one or two records per frame
  ASSERT_THAT(WriteCheckpoint(dir, 0,
                              Produce({"aaaaaaaaaaaaaaa", "bbbbbbbbbbbbbbb",
                                       "ccccccccccccccc"}),
                              options),
              IsOk());
  const std::string file =
      SegmentPath(absl::StrCat(dir, "/checkpoint.00000000"), 0);
  std::string bytes = ReadFileOrDie(file);
  // The second frame starts after the header (8) and the first frame
  // (16 + 1 + 1 + 15).
  bytes[8 + 33 + 20] ^= 0x04;
  WriteFileOrDie(file, bytes);

  std::unique_ptr<Wal> wal = OpenOrDie(dir);
  ReplayStats stats;
  EXPECT_THAT(ReplayAll(*wal, &stats),
              ElementsAre("aaaaaaaaaaaaaaa", "ccccccccccccccc"));
  ASSERT_THAT(stats.corruptions, SizeIs(1));
  EXPECT_TRUE(stats.corruptions[0].in_checkpoint);
  EXPECT_EQ(stats.corruptions[0].offset, 8 + 33);
  EXPECT_EQ(stats.corruptions[0].bytes, 33);
  EXPECT_EQ(stats.records_dropped, 1);
}

}  // namespace
}  // namespace fraisier::tsdb
