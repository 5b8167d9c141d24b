#include "engine/tsdb/chunk_files.h"

#include <sys/stat.h>
#include <unistd.h>

#include <atomic>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <map>
#include <mutex>
#include <random>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "engine/base/status_matchers.h"
#include "engine/tsdb/chunk.h"
#include "engine/tsdb/crc32c.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace fraisier::tsdb {
namespace {

using ::fraisier::testing::IsOk;
using ::fraisier::testing::StatusIs;
using ::testing::HasSubstr;

struct Written {
  uint64_t series;
  Timestamp mint, maxt;
  std::string bytes;
  ChunkRef ref = 0;
  ChunkRef prev = 0;  // the series' previous chunk
};

struct Seen {
  uint64_t series;
  ChunkRef ref;
  Timestamp mint, maxt;
  int n;
};

std::string MakeChunk(uint64_t seed, int n, Timestamp start) {
  std::mt19937_64 rng(seed);
  XorChunk c;
  double v = static_cast<double>(rng() % 1000);
  for (int i = 0; i < n; ++i) {
    c.Append(start + 15000LL * i + static_cast<int64_t>(rng() % 5), v);
    v += static_cast<double>(rng() % 10);
  }
  return std::string(c.bytes());
}

void PutBE(std::string* out, uint64_t v, int bytes) {
  for (int i = bytes - 1; i >= 0; --i) {
    out->push_back(static_cast<char>(v >> (8 * i)));
  }
}

// The segment `data` with the version 3 record at `off` (its last record,
// of a series ref below 128) rewritten to link `distance` bytes back.
std::string WithBackDistance(const std::string& data, size_t off,
                             uint64_t distance) {
  size_t p = off + 1;  // the one-byte series ref
  while ((static_cast<uint8_t>(data[p]) & 0x80) != 0) ++p;
  ++p;  // past the old distance
  std::string out = data.substr(0, off + 1);
  for (uint64_t d = distance;; d >>= 7) {
    out.push_back(static_cast<char>((d & 0x7F) | (d >= 0x80 ? 0x80 : 0)));
    if (d < 0x80) break;
  }
  out += data.substr(p, data.size() - 4 - p);
  PutBE(&out, Crc32c(absl::string_view(out).substr(off)), 4);
  return out;
}

class ChunkFilesTest : public ::testing::Test {
 protected:
  void SetUp() override {
    const char* tmp = std::getenv("TEST_TMPDIR");
    static std::atomic<int> counter{0};
    dir_ = absl::StrCat(tmp != nullptr ? tmp : "/tmp", "/chunk_files_",
                        getpid(), "_", counter++);
  }
  void TearDown() override {
    (void)!std::system(absl::StrCat("rm -rf '", dir_, "'").c_str());
  }

  std::unique_ptr<ChunkFiles> OpenFiles(int64_t max_segment = 4096) {
    ChunkFilesOptions o;
    o.max_segment_bytes = max_segment;
    auto files = ChunkFiles::Open(dir_, o);
    EXPECT_THAT(files, IsOk());
    return files.ok() ? *std::move(files) : nullptr;
  }

  // Writes `count` chunks for a few series, each linked to the series'
  // previous one; returns them in write order.
  std::vector<Written> WriteSome(ChunkFiles& files, int count,
                                 uint64_t seed = 1) {
    std::vector<Written> out;
    std::map<uint64_t, ChunkRef> last;
    for (int i = 0; i < count; ++i) {
      Written w;
      w.series = 1 + static_cast<uint64_t>(i % 7);
      w.mint = 1000000LL * i;
      w.bytes = MakeChunk(seed * 1000 + i, 1 + i % kSamplesPerChunk, w.mint);
      w.maxt = w.mint + 15000LL * (1 + i % kSamplesPerChunk);
      w.prev = last[w.series];
      auto ref = files.Write(w.series, w.prev, w.mint, w.maxt, w.bytes);
      EXPECT_THAT(ref, IsOk());
      if (ref.ok()) w.ref = last[w.series] = *ref;
      out.push_back(std::move(w));
    }
    return out;
  }

  static std::vector<Seen> Scan(ChunkFiles& files, absl::Status* status) {
    std::vector<Seen> seen;
    *status = files.ForEachChunk(
        [&](uint64_t s, ChunkRef ref, Timestamp mint, Timestamp maxt, int n) {
          seen.push_back(Seen{s, ref, mint, maxt, n});
          return absl::OkStatus();
        });
    return seen;
  }

  std::string SegmentPath(uint32_t index) const {
    return absl::StrFormat("%s/%06u", dir_, index);
  }
  static int64_t FileSize(const std::string& path) {
    struct stat st;
    return stat(path.c_str(), &st) == 0 ? st.st_size : -1;
  }
  static std::string ReadFile(const std::string& path) {
    std::ifstream f(path, std::ios::binary);
    std::stringstream ss;
    ss << f.rdbuf();
    return ss.str();
  }
  static void WriteFile(const std::string& path, const std::string& data) {
    std::ofstream f(path, std::ios::binary | std::ios::trunc);
    f << data;
  }

  void ExpectReadable(ChunkFiles& files, const Written& w) {
    auto h = files.Read(w.ref);
    ASSERT_THAT(h, IsOk());
    EXPECT_EQ(h->bytes(), w.bytes);
    EXPECT_EQ(h->series_ref(), w.series);
    EXPECT_EQ(h->prev_ref(), w.prev);
    EXPECT_EQ(h->min_time(), w.mint);
    EXPECT_EQ(h->max_time(), w.maxt);
    EXPECT_EQ(h->encoding(), kChunkEncodingXor2);
  }

  std::string dir_;
};

TEST_F(ChunkFilesTest, WriteThenReadImmediately) {
  auto files = OpenFiles(int64_t{1} << 20);
  std::vector<Written> w = WriteSome(*files, 50);
  for (const Written& x : w) ExpectReadable(*files, x);
  // The bytes decode to the chunk that was written.
  auto h = files->Read(w[7].ref);
  ASSERT_THAT(h, IsOk());
  XorIterator it(h->bytes());
  int n = 0;
  while (it.Next()) ++n;
  EXPECT_THAT(it.status(), IsOk());
  EXPECT_EQ(n, 8);
  EXPECT_THAT(files->Sync(), IsOk());
  EXPECT_EQ(files->stats().chunks_written, 50);
}

TEST_F(ChunkFilesTest, CutsSegmentsAtTheSizeLimit) {
  auto files = OpenFiles(4096);
  std::vector<Written> w = WriteSome(*files, 200);
  const ChunkFilesStats s = files->stats();
  EXPECT_GT(s.segments, 3);
  int64_t sum = 0;
  for (uint32_t i = 1; i <= s.segments; ++i) {
    const int64_t size = FileSize(SegmentPath(i));
    EXPECT_LE(size, 4096);
    sum += size;
  }
  EXPECT_EQ(files->TotalBytes(), sum);
  EXPECT_EQ(ChunkRefSegment(w.front().ref), 1u);
  EXPECT_EQ(ChunkRefOffset(w.front().ref), 8u);  // after the header
  EXPECT_EQ(ChunkRefSegment(w.back().ref), static_cast<uint32_t>(s.segments));
  for (const Written& x : w) ExpectReadable(*files, x);
}

TEST_F(ChunkFilesTest, ReopenAndReplayInWriteOrder) {
  std::vector<Written> w;
  {
    auto files = OpenFiles(4096);
    w = WriteSome(*files, 120);
  }
  auto files = OpenFiles(4096);
  absl::Status st;
  std::vector<Seen> seen = Scan(*files, &st);
  ASSERT_THAT(st, IsOk());
  ASSERT_EQ(seen.size(), w.size());
  for (size_t i = 0; i < w.size(); ++i) {
    EXPECT_EQ(seen[i].series, w[i].series);
    EXPECT_EQ(seen[i].ref, w[i].ref);
    EXPECT_EQ(seen[i].mint, w[i].mint);
    EXPECT_EQ(seen[i].maxt, w[i].maxt);
    EXPECT_EQ(seen[i].n, XorIterator(w[i].bytes).num_samples());
    ExpectReadable(*files, w[i]);
  }
  EXPECT_EQ(files->stats().chunks_scanned, 120);
  EXPECT_EQ(files->stats().truncations, 0);
  // New writes go to a new segment after the recovered ones.
  auto ref = files->Write(9, 0, 1, 2, w[0].bytes);
  ASSERT_THAT(ref, IsOk());
  EXPECT_GT(ChunkRefSegment(*ref), ChunkRefSegment(w.back().ref));
}

TEST_F(ChunkFilesTest, CallbackErrorStopsReplay) {
  {
    auto files = OpenFiles();
    WriteSome(*files, 10);
  }
  auto files = OpenFiles();
  int calls = 0;
  absl::Status st =
      files->ForEachChunk([&](uint64_t, ChunkRef, Timestamp, Timestamp, int) {
        return ++calls == 3 ? absl::CancelledError("stop") : absl::OkStatus();
      });
  EXPECT_THAT(st, StatusIs(absl::StatusCode::kCancelled));
  EXPECT_EQ(calls, 3);
}

// Cuts the newest segment at every offset: the complete records before the
// cut survive, the rest is truncated and reported, and writing continues.
TEST_F(ChunkFilesTest, TornTailIsTruncatedAtEveryOffset) {
  std::vector<Written> w;
  {
    auto files = OpenFiles(int64_t{1} << 20);
    w = WriteSome(*files, 12);
  }
  const std::string path = SegmentPath(1);
  const std::string original = ReadFile(path);
  std::vector<int64_t> ends;  // record boundaries
  for (size_t i = 1; i < w.size(); ++i)
    ends.push_back(ChunkRefOffset(w[i].ref));
  ends.push_back(static_cast<int64_t>(original.size()));
  for (int64_t cut = 0; cut < static_cast<int64_t>(original.size()); ++cut) {
    SCOPED_TRACE(cut);
    (void)!std::system(absl::StrCat("rm -rf '", dir_, "'").c_str());
    ASSERT_EQ(mkdir(dir_.c_str(), 0755), 0);
    WriteFile(path, original.substr(0, static_cast<size_t>(cut)));
    auto files = OpenFiles(int64_t{1} << 20);
    ASSERT_NE(files, nullptr);
    absl::Status st;
    std::vector<Seen> seen = Scan(*files, &st);
    ASSERT_THAT(st, IsOk());
    size_t complete = 0;
    while (complete < ends.size() && ends[complete] <= cut) ++complete;
    ASSERT_EQ(seen.size(), complete);
    for (size_t i = 0; i < complete; ++i) EXPECT_EQ(seen[i].ref, w[i].ref);
    const bool at_boundary =
        cut == 8 || (complete > 0 && ends[complete - 1] == cut);
    const ChunkFilesStats s = files->stats();
    EXPECT_EQ(s.truncations, at_boundary ? 0 : 1);
    if (cut < 8) {
      EXPECT_EQ(FileSize(path), -1);  // a segment without a header goes
    } else {
      EXPECT_EQ(FileSize(path), complete == 0 ? 8 : ends[complete - 1]);
      EXPECT_EQ(s.truncated_bytes,
                cut - (complete == 0 ? 8 : ends[complete - 1]));
    }
    // Still usable: write, reopen, everything is there.
    auto ref = files->Write(42, 0, 5, 6, w[0].bytes);
    ASSERT_THAT(ref, IsOk());
    files.reset();
    files = OpenFiles(int64_t{1} << 20);
    seen = Scan(*files, &st);
    ASSERT_THAT(st, IsOk());
    ASSERT_EQ(seen.size(), complete + 1);
    EXPECT_EQ(seen.back().series, 42u);
  }
}

TEST_F(ChunkFilesTest, BitFlipInLastRecordIsTruncated) {
  std::vector<Written> w;
  {
    auto files = OpenFiles(int64_t{1} << 20);
    w = WriteSome(*files, 5);
  }
  const std::string path = SegmentPath(1);
  const std::string original = ReadFile(path);
  const size_t last = ChunkRefOffset(w.back().ref);
  std::mt19937_64 rng(3);
  for (int iter = 0; iter < 50; ++iter) {
    std::string bad = original;
    const size_t bit = last * 8 + rng() % ((bad.size() - last) * 8);
    bad[bit / 8] = static_cast<char>(bad[bit / 8] ^ (1 << (bit % 8)));
    WriteFile(path, bad);
    auto files = OpenFiles(int64_t{1} << 20);
    absl::Status st;
    std::vector<Seen> seen = Scan(*files, &st);
    ASSERT_THAT(st, IsOk());
    EXPECT_EQ(seen.size(), w.size() - 1);
    EXPECT_EQ(files->stats().truncations, 1);
    EXPECT_THAT(files->stats().last_truncation, HasSubstr(path));
    EXPECT_EQ(FileSize(path), static_cast<int64_t>(last));
    EXPECT_THAT(files->Read(w.back().ref),
                StatusIs(absl::StatusCode::kDataLoss));
  }
}

TEST_F(ChunkFilesTest, CorruptionInOlderSegmentIsDataLoss) {
  std::vector<Written> w;
  {
    auto files = OpenFiles(4096);
    w = WriteSome(*files, 100);
  }
  ASSERT_GT(ChunkRefSegment(w.back().ref), 2u);
  // Damage the third record of segment 2.
  size_t target = 0;
  int in_seg2 = 0;
  for (size_t i = 0; i < w.size(); ++i) {
    if (ChunkRefSegment(w[i].ref) == 2 && ++in_seg2 == 3) target = i;
  }
  const std::string path = SegmentPath(2);
  std::string data = ReadFile(path);
  const uint32_t off = ChunkRefOffset(w[target].ref);
  data[off + 30] = static_cast<char>(data[off + 30] ^ 0x10);
  WriteFile(path, data);
  auto files = OpenFiles(4096);
  absl::Status st;
  std::vector<Seen> seen = Scan(*files, &st);
  EXPECT_THAT(st, StatusIs(absl::StatusCode::kDataLoss,
                           HasSubstr(absl::StrCat(path, " at offset ", off))));
  EXPECT_EQ(seen.size(), target);  // everything before the damage
  EXPECT_THAT(files->Read(w[target].ref),
              StatusIs(absl::StatusCode::kDataLoss));
  ExpectReadable(*files, w[target + 1]);  // later records are intact
}

TEST_F(ChunkFilesTest, BadHeaderOfOlderSegmentIsDataLoss) {
  {
    auto files = OpenFiles(4096);
    WriteSome(*files, 100);
  }
  std::string data = ReadFile(SegmentPath(1));
  data[0] = 'X';
  WriteFile(SegmentPath(1), data);
  auto files = OpenFiles(4096);
  absl::Status st;
  Scan(*files, &st);
  EXPECT_THAT(st, StatusIs(absl::StatusCode::kDataLoss, HasSubstr("magic")));
}

TEST_F(ChunkFilesTest, DeleteSegmentsBeforeTime) {
  auto files = OpenFiles(4096);
  std::vector<Written> w = WriteSome(*files, 200);
  const int64_t before = files->TotalBytes();
  const int64_t segments = files->stats().segments;
  // Chunk i covers [1e6 * i, ...]; keep chunks from i = 100 on.
  const Timestamp cutoff = w[100].mint;
  auto deleted = files->DeleteSegmentsBefore(cutoff);
  ASSERT_THAT(deleted, IsOk());
  EXPECT_GT(*deleted, 0);
  EXPECT_EQ(files->stats().segments, segments - *deleted);
  EXPECT_LT(files->TotalBytes(), before);
  for (const Written& x : w) {
    const bool gone = FileSize(SegmentPath(ChunkRefSegment(x.ref))) < 0;
    EXPECT_EQ(files->Contains(x.ref), !gone);
    if (x.maxt >= cutoff) {
      EXPECT_FALSE(gone) << "chunk at " << x.mint << " must survive";
      ExpectReadable(*files, x);
    } else if (gone) {
      EXPECT_THAT(files->Read(x.ref), StatusIs(absl::StatusCode::kNotFound));
    }
  }
  // Everything old: the segment being written goes too.
  deleted = files->DeleteSegmentsBefore(kMaxTimestamp);
  ASSERT_THAT(deleted, IsOk());
  EXPECT_EQ(files->stats().segments, 0);
  EXPECT_EQ(files->TotalBytes(), 0);
  ASSERT_THAT(files->Write(1, 0, 1, 2, w[0].bytes), IsOk());
}

TEST_F(ChunkFilesTest, DeleteBeforeTimeAfterReopenWithoutReplay) {
  std::vector<Written> w;
  {
    auto files = OpenFiles(4096);
    w = WriteSome(*files, 200);
  }
  auto files = OpenFiles(4096);
  auto deleted = files->DeleteSegmentsBefore(w[100].mint);
  ASSERT_THAT(deleted, IsOk());
  EXPECT_GT(*deleted, 0);
  for (size_t i = 100; i < w.size(); ++i) ExpectReadable(*files, w[i]);
}

TEST_F(ChunkFilesTest, DeleteOldestUntilSize) {
  auto files = OpenFiles(4096);
  std::vector<Written> w = WriteSome(*files, 200);
  auto deleted = files->DeleteOldestUntil(10000);
  ASSERT_THAT(deleted, IsOk());
  EXPECT_GT(*deleted, 0);
  EXPECT_LE(files->TotalBytes(), 10000);
  EXPECT_FALSE(files->Contains(w.front().ref));
  EXPECT_TRUE(files->Contains(w.back().ref));
  // The segment being written is never deleted.
  deleted = files->DeleteOldestUntil(0);
  ASSERT_THAT(deleted, IsOk());
  EXPECT_EQ(files->stats().segments, 1);
  ExpectReadable(*files, w.back());
}

TEST_F(ChunkFilesTest, HandleSurvivesDeletion) {
  auto files = OpenFiles(4096);
  std::vector<Written> w = WriteSome(*files, 100);
  auto h = files->Read(w[0].ref);
  ASSERT_THAT(h, IsOk());
  ASSERT_THAT(files->DeleteSegmentsBefore(kMaxTimestamp), IsOk());
  EXPECT_LT(FileSize(SegmentPath(1)), 0);
  EXPECT_THAT(files->Read(w[0].ref), StatusIs(absl::StatusCode::kNotFound));
  EXPECT_EQ(h->bytes(), w[0].bytes);  // still mapped
  files.reset();
  EXPECT_EQ(h->bytes(), w[0].bytes);  // even after closing everything
}

TEST_F(ChunkFilesTest, ConcurrentWritersAndReaders) {
  auto files = OpenFiles(16384);
  constexpr int kThreads = 4, kPerThread = 300;
  std::mutex mu;
  std::vector<Written> all;
  std::atomic<bool> done{false};
  std::vector<std::thread> threads;
  for (int t = 0; t < kThreads; ++t) {
    threads.emplace_back([&, t] {
      ChunkRef prev = 0;
      for (int i = 0; i < kPerThread; ++i) {
        Written w;
        w.series = static_cast<uint64_t>(t);
        w.mint = i;
        w.maxt = i;
        w.bytes = MakeChunk(t * 100000 + i, 1 + i % 40, 1000 * i);
        w.prev = prev;
        auto ref = files->Write(w.series, w.prev, w.mint, w.maxt, w.bytes);
        ASSERT_THAT(ref, IsOk());
        w.ref = prev = *ref;
        std::lock_guard<std::mutex> lock(mu);
        all.push_back(std::move(w));
      }
    });
  }
  std::thread reader([&] {
    std::mt19937_64 rng(1);
    while (!done.load()) {
      Written w;
      {
        std::lock_guard<std::mutex> lock(mu);
        if (all.empty()) continue;
        w = all[rng() % all.size()];
      }
      auto h = files->Read(w.ref);
      ASSERT_THAT(h, IsOk());
      EXPECT_EQ(h->bytes(), w.bytes);
    }
  });
  std::thread syncer([&] {
    while (!done.load()) EXPECT_THAT(files->Sync(), IsOk());
  });
  for (auto& th : threads) th.join();
  done = true;
  reader.join();
  syncer.join();
  ASSERT_EQ(all.size(), size_t{kThreads * kPerThread});
  for (const Written& w : all) ExpectReadable(*files, w);
  files.reset();
  files = OpenFiles(16384);
  absl::Status st;
  std::vector<Seen> seen = Scan(*files, &st);
  ASSERT_THAT(st, IsOk());
  ASSERT_EQ(seen.size(), all.size());
  std::vector<Timestamp> last(kThreads, -1);
  for (const Seen& s : seen) {  // each writer's chunks stay in its order
    EXPECT_GT(s.mint, last[s.series]);
    last[s.series] = s.mint;
  }
}

TEST_F(ChunkFilesTest, BadInput) {
  ChunkFilesOptions o;
  o.max_segment_bytes = 100;
  EXPECT_THAT(ChunkFiles::Open(dir_, o),
              StatusIs(absl::StatusCode::kInvalidArgument));
  auto files = OpenFiles(4096);
  EXPECT_THAT(files->Write(1, 0, 0, 1, std::string(5000, 'x')),
              StatusIs(absl::StatusCode::kInvalidArgument));
  std::vector<Written> w = WriteSome(*files, 3);
  EXPECT_THAT(files->Read(MakeChunkRef(77, 8)),
              StatusIs(absl::StatusCode::kNotFound));
  // Arbitrary offsets into a live segment never crash.
  for (uint32_t off = 0; off < 5000; ++off) {
    auto h = files->Read(MakeChunkRef(1, off));
    if (h.ok()) {
      EXPECT_TRUE(off == ChunkRefOffset(w[0].ref) ||
                  off == ChunkRefOffset(w[1].ref) ||
                  off == ChunkRefOffset(w[2].ref));
    } else {
      EXPECT_THAT(h, StatusIs(absl::StatusCode::kDataLoss));
    }
  }
}

// Each series' records link back to its previous one, across segments and
// a reopen, so a walk from the newest ref visits exactly its chunks, newest
// first.
TEST_F(ChunkFilesTest, BackPointersChainEachSeriesAcrossSegments) {
  std::vector<Written> w;
  {
    auto files = OpenFiles(4096);
    w = WriteSome(*files, 300);
  }
  auto files = OpenFiles(4096);
  absl::Status st;
  std::vector<Seen> seen = Scan(*files, &st);
  ASSERT_THAT(st, IsOk());
  ASSERT_GT(files->stats().segments, 5);
  std::map<uint64_t, ChunkRef> newest;
  for (const Seen& x : seen) newest[x.series] = x.ref;
  ASSERT_EQ(newest.size(), 7u);
  for (const auto& [series, head] : newest) {
    std::vector<ChunkRef> expected;  // newest first
    for (auto it = w.rbegin(); it != w.rend(); ++it) {
      if (it->series == series) expected.push_back(it->ref);
    }
    std::vector<ChunkRef> walked;
    for (ChunkRef ref = head; ref != 0;) {
      auto h = files->Read(ref);
      ASSERT_THAT(h, IsOk());
      EXPECT_EQ(h->series_ref(), series);
      walked.push_back(ref);
      ASSERT_LT(h->prev_ref(), ref);
      ref = h->prev_ref();
    }
    EXPECT_EQ(walked, expected) << "series " << series;
  }
  // Appending after the reopen continues a chain into a new segment.
  auto ref = files->Write(1, newest[1], 1, 2, w[0].bytes);
  ASSERT_THAT(ref, IsOk());
  EXPECT_EQ(files->Read(*ref)->prev_ref(), newest[1]);
}

TEST_F(ChunkFilesTest, BackPointerMustPointToAnOlderRecord) {
  auto files = OpenFiles(4096);
  std::vector<Written> w = WriteSome(*files, 3);
  const ChunkRef next = MakeChunkRef(ChunkRefSegment(w.back().ref),
                                     ChunkRefOffset(w.back().ref) + 1000);
  EXPECT_THAT(
      files->Write(1, next, 1, 2, w[0].bytes),
      StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("back-pointer")));
  EXPECT_THAT(files->Write(1, MakeChunkRef(99, 8), 1, 2, w[0].bytes),
              StatusIs(absl::StatusCode::kInvalidArgument));
  EXPECT_EQ(files->stats().chunks_written, 3);
  // A record linking to itself or forward (only a bug or damage could write
  // one) fails Read and the scan, as corruption does: a walk never loops.
  // Version 3 stores the link as a distance back (0 for none), so a record
  // can only claim one as far back as its own ref or beyond.
  const std::string path = SegmentPath(1);
  files.reset();
  const std::string good = ReadFile(path);
  const uint32_t off = ChunkRefOffset(w[2].ref);
  for (const uint64_t distance : {w[2].ref, w[2].ref + 1}) {
    SCOPED_TRACE(distance);
    const std::string data = WithBackDistance(good, off, distance);
    WriteFile(path, data);
    files = OpenFiles(4096);
    EXPECT_THAT(files->Read(w[2].ref),
                StatusIs(absl::StatusCode::kDataLoss,
                         HasSubstr("does not point to an older record")));
    ExpectReadable(*files, w[1]);
    absl::Status st;
    EXPECT_EQ(Scan(*files, &st).size(), 2u);  // the newest segment: repaired
    EXPECT_EQ(files->stats().truncations, 1);
    files.reset();
  }
}

TEST_F(ChunkFilesTest, OlderFormatVersionIsRefusedNotRepaired) {
  {
    auto files = OpenFiles(4096);
    WriteSome(*files, 3);
  }
  const std::string path = SegmentPath(1);
  std::string data = ReadFile(path);
  ASSERT_EQ(data[4], 3);  // the current version
  data[4] = 1;
  WriteFile(path, data);
  ChunkFilesOptions o;
  o.max_segment_bytes = 4096;
  EXPECT_THAT(ChunkFiles::Open(dir_, o),
              StatusIs(absl::StatusCode::kFailedPrecondition,
                       HasSubstr(absl::StrCat(path, " has format version 1"))));
  EXPECT_EQ(FileSize(path), static_cast<int64_t>(data.size()));  // untouched
}

TEST_F(ChunkFilesTest, IgnoresForeignFiles) {
  ASSERT_EQ(mkdir(dir_.c_str(), 0755), 0);
  WriteFile(dir_ + "/README", "not a segment");
  WriteFile(dir_ + "/12", "too short a name");
  auto files = OpenFiles();
  absl::Status st;
  EXPECT_TRUE(Scan(*files, &st).empty());
  EXPECT_THAT(st, IsOk());
  EXPECT_EQ(files->stats().segments, 0);
}

}  // namespace
}  // namespace fraisier::tsdb
