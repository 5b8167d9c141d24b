// Torn and corrupt WAL and chunk-file tails: the head reopens, reports the
// repair, keeps every batch before the damage and invents nothing.
#include "tests/tsdb/crash_test_util.h"

namespace fraisier::tsdb::crash_testing {
namespace {

// --- 2. Torn and corrupt WAL tails ---

TEST_F(CrashTest, TornWalTailIsCutAndAppendsContinue) {
  max_segment_bytes_ = 8 << 10;  // several segments
  const std::string tmpl = Dir("template");
  int64_t batches = 0;
  std::vector<WalFrame> frames;
  {
    auto head = OpenHead(tmpl);
    ASSERT_THAT(head, IsOk());
    std::vector<SeriesRef> refs(kSeries, 0);
    // Until there are three segments and the last holds four frames.
    while (true) {
      ASSERT_THAT(AppendBatch(**head, batches++, &refs), IsOk());
      if (batches < 20) continue;
      frames = WalFrames(tmpl + "/wal");
      ASSERT_EQ(static_cast<int64_t>(frames.size()), batches);
      const auto in_last =
          std::count_if(frames.begin(), frames.end(), [&](const WalFrame& f) {
            return f.segment == frames.back().segment;
          });
      if (NumberedFiles(tmpl + "/wal").size() >= 3 && in_last >= 4) break;
      ASSERT_LT(batches, 500);
    }
  }
  const WalFrame last = frames.back();
  const WalFrame prev = frames[frames.size() - 2];
  ASSERT_EQ(prev.segment, last.segment);
  const int64_t first_in_segment =
      std::find_if(
          frames.begin(), frames.end(),
          [&](const WalFrame& f) { return f.segment == last.segment; }) -
      frames.begin();

  struct Case {
    std::string name;
    std::function<void(const std::string& path)> damage;
    int64_t first_lost;  // batches from here on are gone
    bool reported;       // one WalCorruption (truncated) expected
    int64_t offset;      // where it starts
    int64_t bytes;       // bytes_dropped
  };
  std::vector<Case> cases;
  // Torn writes: the last frame cut anywhere inside.
  for (int64_t d : {int64_t{1}, int64_t{4}, int64_t{8}, int64_t{15},
                    int64_t{16}, int64_t{17}, last.size / 2, last.size - 1}) {
    cases.push_back(Case{
        absl::StrCat("truncate_last_frame_at_", d),
        [&last, d](const std::string& p) { TruncateFile(p, last.offset + d); },
        batches - 1, true, last.offset, d});
  }
  // Bit flips in every header field and in the payload of the last frame.
  for (int64_t d : {int64_t{0}, int64_t{3}, int64_t{5}, int64_t{9}, int64_t{11},
                    int64_t{12}, int64_t{13}, int64_t{15}, int64_t{16},
                    last.size / 2, last.size - 1}) {
    for (int bit : {0, 7}) {
      cases.push_back(
          Case{absl::StrCat("flip_last_frame_byte_", d, "_bit_", bit),
               [&last, d, bit](const std::string& p) {
                 FlipBit(p, last.offset + d, bit);
               },
               batches - 1, true, last.offset, last.size});
    }
  }
  // Damage in the next-to-last frame drops the intact last one too: it was
  // written after the damaged commit.
  cases.push_back(Case{"flip_previous_frame_payload",
                       [&prev](const std::string& p) {
                         FlipBit(p, prev.offset + prev.size / 2, 2);
                       },
                       batches - 2, true, prev.offset, prev.size + last.size});
  // Garbage after the last complete frame.
  cases.push_back(
      Case{"zeros_after_last_frame",
           [](const std::string& p) { AppendBytes(p, std::string(100, '\0')); },
           batches, true, last.offset + last.size, 100});
  // Starts with the frame magic, then a length far past the end.
  const std::string garbage = "\xd9WAL garbage that is no frame";
  cases.push_back(Case{
      "garbage_after_last_frame",
      [&garbage](const std::string& p) { AppendBytes(p, garbage); }, batches,
      true, last.offset + last.size, static_cast<int64_t>(garbage.size())});
  // A clean cut at a frame boundary is not damage.
  cases.push_back(
      Case{"truncate_at_frame_boundary",
           [&last](const std::string& p) { TruncateFile(p, last.offset); },
           batches - 1, false, 0, 0});
  // A damaged segment header: the whole segment goes.
  cases.push_back(Case{"truncate_inside_segment_header",
                       [](const std::string& p) { TruncateFile(p, 3); },
                       first_in_segment, true, 0, 3});
  cases.push_back(
      Case{"flip_segment_magic", [](const std::string& p) { FlipBit(p, 1, 0); },
           first_in_segment, true, 0, FileSize(tmpl + "/wal/" + last.segment)});
  // A zero-length last segment is a cut whose header never landed: the
  // header is written again and nothing is reported (docs/wal_format.md).
  cases.push_back(Case{"truncate_segment_to_zero",
                       [](const std::string& p) { TruncateFile(p, 0); },
                       first_in_segment, false, 0, 0});

  for (const Case& c : cases) {
    SCOPED_TRACE(c.name);
    const std::string dir = Dir(c.name);
    CopyTree(tmpl, dir);
    c.damage(dir + "/wal/" + last.segment);
    if (HasFatalFailure()) return;
    {
      auto head = OpenHead(dir);
      ASSERT_THAT(head, IsOk());
      const ReplayStats& rs = (*head)->replay_stats();
      if (c.reported) {
        ASSERT_EQ(rs.corruptions.size(), 1u);
        const WalCorruption& w = rs.corruptions[0];
        EXPECT_TRUE(w.truncated);
        EXPECT_FALSE(w.in_checkpoint);
        EXPECT_EQ(fs::path(w.file).filename().string(), last.segment);
        EXPECT_EQ(w.offset, c.offset) << w.reason;
        EXPECT_EQ(w.bytes, c.bytes) << w.reason;
        EXPECT_EQ(rs.bytes_dropped, c.bytes);
        if (c.first_lost < batches - 1 && c.offset > 0) {
          // The intact frames cut with the tail are counted.
          EXPECT_GE(rs.records_dropped, batches - 1 - c.first_lost);
        }
      } else {
        EXPECT_THAT(rs.corruptions, ::testing::IsEmpty());
        EXPECT_EQ(rs.bytes_dropped, 0);
      }
      std::string error;
      EXPECT_EQ(CommonPrefix(ReadAll(**head), &error), c.first_lost) << error;
      EXPECT_EQ((*head)->stats().series, kSeries);
      // Appends continue after the good data...
      std::vector<SeriesRef> refs(kSeries, 0);
      for (int64_t b = c.first_lost; b < c.first_lost + 5; ++b) {
        ASSERT_THAT(AppendBatch(**head, b, &refs), IsOk());
      }
    }
    // ... and survive another reopen, with nothing left to repair.
    auto head = OpenHead(dir);
    ASSERT_THAT(head, IsOk());
    EXPECT_THAT((*head)->replay_stats().corruptions, ::testing::IsEmpty());
    EXPECT_EQ((*head)->replay_stats().bytes_dropped, 0);
    std::string error;
    EXPECT_EQ(CommonPrefix(ReadAll(**head), &error), c.first_lost + 5) << error;
  }
}

// --- 3. Torn and corrupt chunk-file tails ---
//
// The head's recovery promise for chunk files: a chunk's samples are in the
// WAL (or in the checkpoint, if they were still in the open chunk when it
// was taken) until a checkpoint truncates the segments that logged them,
// and Checkpoint() fsyncs the chunk files before that truncation. So:
//  - damage to a chunk written after the last checkpoint loses nothing: the
//    WAL (or the checkpoint) still holds its samples and replay rebuilds it;
//  - damage to a chunk that was persisted before the last checkpoint loses
//    exactly its samples: nothing else holds them any more. The head must
//    not invent anything in their place, and everything else must be intact.
// Observed (see the printed totals): the WAL-covered cases lose nothing;
// each damaged pre-checkpoint chunk loses all of its samples (a gap in the
// series), and nothing else.

struct ChunkScenario {
  std::string name;
  int64_t checkpoint_before = -1;  // Checkpoint() before this batch; -1: none
  int64_t batches = 0;
};

TEST_F(CrashTest, CorruptChunkFileTail) {
  max_segment_bytes_ = 16 << 10;  // the newest file holds a few dozen chunks
  const std::vector<ChunkScenario> scenarios = {
      // Chunks cut at batches 120 and 240, all still covered by the WAL.
      {"wal_covers_all", -1, 300},
      // The newest chunk file was written before the checkpoint.
      {"pre_checkpoint_chunks", 300, 340},
      // The newest chunk file was written after it (the cut at batch 360).
      {"post_checkpoint_chunks", 300, 380},
  };
  for (const ChunkScenario& sc : scenarios) {
    SCOPED_TRACE(sc.name);
    const std::string tmpl = Dir(sc.name + "_template");
    std::vector<SeriesRef> refs(kSeries, 0);
    std::set<ChunkRecord> before_checkpoint;
    {
      auto head = OpenHead(tmpl);
      ASSERT_THAT(head, IsOk());
      for (int64_t b = 0; b < sc.batches; ++b) {
        if (b == sc.checkpoint_before) {
          for (const ChunkRecord& r : ChunkRecords(tmpl + "/chunks")) {
            before_checkpoint.insert(r);
          }
          ASSERT_THAT((*head)->Checkpoint(), IsOk());
        }
        ASSERT_THAT(AppendBatch(**head, b, &refs), IsOk());
      }
    }
    const std::vector<ChunkRecord> records = ChunkRecords(tmpl + "/chunks");
    const std::string newest = NumberedFiles(tmpl + "/chunks").back();
    std::vector<ChunkRecord> in_newest;
    for (const ChunkRecord& r : records) {
      if (r.segment == newest) in_newest.push_back(r);
    }
    ASSERT_GE(in_newest.size(), 3u);
    const int64_t size = FileSize(tmpl + "/chunks/" + newest);
    if (sc.name == "pre_checkpoint_chunks") {
      ASSERT_TRUE(before_checkpoint.count(in_newest.back()));
    } else {
      ASSERT_FALSE(before_checkpoint.count(in_newest.back()));
    }
    // The series each ref names.
    std::vector<int> series_of_ref(kSeries + 1, -1);
    for (int k = 0; k < kSeries; ++k) {
      ASSERT_LE(refs[k], static_cast<SeriesRef>(kSeries));
      series_of_ref[refs[k]] = k;
    }

    struct Case {
      std::string name;
      bool flip;   // else truncate
      int64_t at;  // offset
    };
    const ChunkRecord& mid = in_newest[in_newest.size() / 2];
    const std::vector<Case> cases = {
        {"truncate_last_record_by_one", false, size - 1},
        {"truncate_inside_middle_record", false,
         mid.offset + (mid.end - mid.offset) / 2},
        {"truncate_at_middle_record_boundary", false, mid.offset},
        {"truncate_inside_header", false, 5},
        {"flip_last_crc", true, size - 2},
        {"flip_first_record_data", true,
         in_newest[0].offset + (in_newest[0].end - in_newest[0].offset) / 2},
        {"flip_first_record_series_ref", true, in_newest[0].offset + 7},
        {"flip_magic", true, 1},
    };
    for (const Case& c : cases) {
      SCOPED_TRACE(c.name);
      const std::string dir = Dir(absl::StrCat(sc.name, "_", c.name));
      CopyTree(tmpl, dir);
      const std::string path = dir + "/chunks/" + newest;
      if (c.flip) {
        FlipBit(path, c.at, 3);
      } else {
        TruncateFile(path, c.at);
      }
      if (HasFatalFailure()) return;
      // What the repair drops: from the damaged record to the end of the
      // file, or the whole file when its header is damaged.
      std::vector<ChunkRecord> dropped;
      for (const ChunkRecord& r : in_newest) {
        if (c.at < 8 || r.end > c.at) dropped.push_back(r);
      }
      const int64_t kept_size = c.at < 8 ? -1 : dropped.front().offset;
      int64_t at_risk = 0;
      for (const ChunkRecord& r : dropped) {
        if (before_checkpoint.count(r))
          at_risk += (r.maxt - r.mint) / kStep + 1;
      }
      auto may_be_missing = [&](int k, int64_t batch) {
        for (const ChunkRecord& r : dropped) {
          if (before_checkpoint.count(r) &&
              r.series_ref < series_of_ref.size() &&
              series_of_ref[r.series_ref] == k && r.mint <= BatchTime(batch) &&
              BatchTime(batch) <= r.maxt) {
            return true;
          }
        }
        return false;
      };

      int64_t missing = 0;
      {
        auto head = OpenHead(dir);
        ASSERT_THAT(head, IsOk());
        EXPECT_EQ(FileSize(path), kept_size) << "the repair of " << path;
        const std::string error = CheckWithGaps(ReadAll(**head), sc.batches,
                                                may_be_missing, &missing);
        EXPECT_EQ(error, "");
        EXPECT_LE(missing, at_risk);
        EXPECT_EQ((*head)->stats().series, kSeries);
        for (int64_t b = sc.batches; b < sc.batches + 5; ++b) {
          ASSERT_THAT(AppendBatch(**head, b, &refs), IsOk());
        }
      }
      auto head = OpenHead(dir);
      ASSERT_THAT(head, IsOk());
      int64_t missing_after = 0;
      const std::string error = CheckWithGaps(ReadAll(**head), sc.batches + 5,
                                              may_be_missing, &missing_after);
      EXPECT_EQ(error, "");
      EXPECT_EQ(missing_after, missing);
      ExpectChainsLinkInWriteOrder(ChunkRecords(dir + "/chunks"));
      std::cout << sc.name << "/" << c.name << ": dropped " << dropped.size()
                << " chunk records, " << at_risk
                << " samples only in pre-checkpoint chunks, " << missing
                << " samples missing after reopen\n";
    }
  }
}

}  // namespace
}  // namespace fraisier::tsdb::crash_testing
