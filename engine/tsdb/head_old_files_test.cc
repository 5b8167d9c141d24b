// A store written by an older build (chunk segments of format version 2
// holding encoding-1 chunks) opens, answers queries across old and new
// chunks, and new chunks link into the old ones.
#include <cstdint>
#include <filesystem>
#include <fstream>
#include <memory>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "engine/base/clock.h"
#include "engine/base/status_matchers.h"
#include "engine/model/labels.h"
#include "engine/model/matcher.h"
#include "engine/model/value.h"
#include "engine/tsdb/chunk.h"
#include "engine/tsdb/chunk_v1_writer.h"
#include "engine/tsdb/crc32c.h"
#include "engine/tsdb/head.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace fraisier::tsdb {
namespace {

using ::fraisier::testing::IsOk;

constexpr int64_t kStart = 1700000000000;  // ms

void PutBE(std::string* out, uint64_t v, int bytes) {
  for (int i = bytes - 1; i >= 0; --i) {
    out->push_back(static_cast<char>(v >> (8 * i)));
  }
}

// A version 2 record: series ref, prev ref, mint, maxt (8 bytes each),
// encoding, uvarint length, data, CRC32C.
std::string V2Record(uint64_t series, uint64_t prev,
                     const std::vector<Sample>& samples) {
  XorChunkV1Writer c;
  for (const Sample& s : samples) c.Append(s.t, s.v);
  const absl::string_view data = c.bytes();
  std::string r;
  PutBE(&r, series, 8);
  PutBE(&r, prev, 8);
  PutBE(&r, static_cast<uint64_t>(samples.front().t), 8);
  PutBE(&r, static_cast<uint64_t>(samples.back().t), 8);
  r.push_back(static_cast<char>(kChunkEncodingXor));
  for (uint64_t len = data.size();; len >>= 7) {
    r.push_back(static_cast<char>((len & 0x7F) | (len >= 0x80 ? 0x80 : 0)));
    if (len < 0x80) break;
  }
  r.append(data.data(), data.size());
  PutBE(&r, Crc32c(r), 4);
  return r;
}

class HeadOldFilesTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = absl::StrCat(::testing::TempDir(), "/head_old_files");
    std::filesystem::remove_all(dir_);
    clock_.Set(absl::FromUnixMillis(kStart + 3600 * 1000));
  }
  void TearDown() override {
    head_.reset();
    std::filesystem::remove_all(dir_);
  }

  void OpenHead() {
    head_.reset();
    HeadOptions o;
    o.dir = dir_;
    o.clock = &clock_;
    absl::StatusOr<std::unique_ptr<Head>> head = Head::Open(std::move(o));
    ASSERT_THAT(head, IsOk());
    head_ = *std::move(head);
  }

  storage::SeriesRef Append(const Labels& l, const std::vector<Sample>& s) {
    auto app = head_->NewAppender();
    storage::SeriesRef ref = 0;
    for (const Sample& x : s) {
      auto r = app->Append(ref, l, x.t, x.v);
      EXPECT_THAT(r, IsOk());
      if (r.ok()) ref = *r;
    }
    EXPECT_THAT(app->Commit(), IsOk());
    return ref;
  }

  std::vector<Sample> ReadAll() {
    auto q = head_->NewQuerier(kMinTimestamp, kMaxTimestamp);
    EXPECT_THAT(q, IsOk());
    auto set = (*q)->Select(
        false, nullptr, {*Matcher::Create(MatchType::kEqual, "job", "old")});
    std::vector<Sample> out;
    while (set->Next()) {
      auto it = set->At().Iterator();
      while (it->Next()) out.push_back(it->At());
      EXPECT_THAT(it->status(), IsOk());
    }
    return out;
  }

  std::string dir_;
  FakeClock clock_;
  std::unique_ptr<Head> head_;
};

std::vector<Sample> Samples(int64_t first, int64_t n) {
  std::vector<Sample> out;
  for (int64_t i = first; i < first + n; ++i) {
    out.push_back({kStart + 15000 * i + (i % 7 == 0 ? 3 : 0),
                   i % 11 == 0 ? StaleNaN() : static_cast<double>(i) * 0.5});
  }
  return out;
}

TEST_F(HeadOldFilesTest, VersionTwoSegmentsOfEncodingOneChunksStayReadable) {
  const Labels labels = Labels::FromPairs({{"__name__", "x"}, {"job", "old"}});
  // The series and its newest samples come from the WAL; its older chunks
  // from a segment an older build wrote.
  OpenHead();
  const std::vector<Sample> recent = Samples(200, 50);
  const storage::SeriesRef id = Append(labels, recent);
  head_.reset();
  std::string segment;
  PutBE(&segment, 0x46524348, 4);  // "FRCH", version 2
  segment.push_back(2);
  segment.append(3, '\0');
  const uint64_t first = (uint64_t{1} << 32) | segment.size();
  segment += V2Record(id, 0, Samples(0, 120));
  segment += V2Record(id, first, Samples(120, 80));
  {
    std::ofstream f(dir_ + "/chunks/000001", std::ios::binary);
    f << segment;
  }
  OpenHead();
  std::vector<Sample> want = Samples(0, 250);
  EXPECT_EQ(ReadAll(), want);
  // New chunks (encoding 2, version 3 segment) link to the old ones.
  const std::vector<Sample> more = Samples(250, 300);
  Append(labels, more);
  want.insert(want.end(), more.begin(), more.end());
  EXPECT_EQ(ReadAll(), want);
  EXPECT_GT(head_->stats().chunks_persisted, 0);
  OpenHead();
  EXPECT_EQ(ReadAll(), want);
}

}  // namespace
}  // namespace fraisier::tsdb
