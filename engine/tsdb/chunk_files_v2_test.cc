// Chunk segment files of format version 2, as builds before version 3
// wrote them (fixed-width record headers, chunks of encoding 1): still read,
// linked into by new version 3 segments, and judged by the same rules
// (docs/chunk_files_format.md, "Older versions").
#include <sys/stat.h>

#include <cstdint>
#include <cstdlib>
#include <fstream>
#include <map>
#include <random>
#include <sstream>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "engine/base/status_matchers.h"
#include "engine/model/value.h"
#include "engine/tsdb/chunk.h"
#include "engine/tsdb/chunk_files.h"
#include "engine/tsdb/chunk_v1_writer.h"
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
  ChunkRef prev = 0;
};

struct Seen {
  uint64_t series;
  ChunkRef ref;
  Timestamp mint, maxt;
  int n;
};

// Encoding-1 chunks and version-2 records, as older builds wrote them.
std::vector<Sample> SamplesV1(uint64_t seed, int n, Timestamp start) {
  std::mt19937_64 rng(seed);
  std::vector<Sample> out;
  double v = static_cast<double>(rng() % 1000);
  for (int i = 0; i < n; ++i) {
    out.push_back({start + 15000LL * i + static_cast<int64_t>(rng() % 5), v});
    v += static_cast<double>(rng() % 10) / 4;
  }
  return out;
}

std::string EncodeV1(const std::vector<Sample>& samples) {
  XorChunkV1Writer c;
  for (const Sample& s : samples) c.Append(s.t, s.v);
  return std::string(c.bytes());
}

void PutBE(std::string* out, uint64_t v, int bytes) {
  for (int i = bytes - 1; i >= 0; --i) {
    out->push_back(static_cast<char>(v >> (8 * i)));
  }
}

std::string V2Header() {
  std::string h;
  PutBE(&h, 0x46524348, 4);  // "FRCH"
  h.push_back(2);
  h.append(3, '\0');
  return h;
}

std::string V2Record(uint64_t series, ChunkRef prev, Timestamp mint,
                     Timestamp maxt, absl::string_view bytes) {
  std::string r;
  PutBE(&r, series, 8);
  PutBE(&r, prev, 8);
  PutBE(&r, static_cast<uint64_t>(mint), 8);
  PutBE(&r, static_cast<uint64_t>(maxt), 8);
  r.push_back(static_cast<char>(kChunkEncodingXor));
  for (uint64_t len = bytes.size();; len >>= 7) {
    r.push_back(static_cast<char>((len & 0x7F) | (len >= 0x80 ? 0x80 : 0)));
    if (len < 0x80) break;
  }
  r.append(bytes.data(), bytes.size());
  PutBE(&r, Crc32c(r), 4);
  return r;
}

std::string EncodeV2(const std::vector<Sample>& samples) {
  XorChunk c;
  for (const Sample& s : samples) c.Append(s.t, s.v);
  return std::string(c.bytes());
}

class ChunkFilesV2Test : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = absl::StrCat(
        ::testing::TempDir(), "/chunk_files_v2_",
        ::testing::UnitTest::GetInstance()->current_test_info()->name());
    (void)!std::system(absl::StrCat("rm -rf '", dir_, "'").c_str());
  }
  void TearDown() override {
    (void)!std::system(absl::StrCat("rm -rf '", dir_, "'").c_str());
  }

  std::unique_ptr<ChunkFiles> OpenFiles() {
    ChunkFilesOptions o;
    o.max_segment_bytes = 4096;
    auto files = ChunkFiles::Open(dir_, o);
    EXPECT_THAT(files, IsOk());
    return files.ok() ? *std::move(files) : nullptr;
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

  std::string dir_;
};

// Segments of format version 2 (fixed-width record headers, chunks of
// encoding 1), as builds before version 3 wrote them, are still read.
TEST_F(ChunkFilesV2Test, ReadsVersion2Segments) {
  std::vector<Written> w;
  std::vector<std::vector<Sample>> samples;
  std::map<uint64_t, ChunkRef> last;
  std::string segment = V2Header();
  for (int i = 0; i < 6; ++i) {
    Written x;
    x.series = 1 + static_cast<uint64_t>(i % 2);
    samples.push_back(SamplesV1(i, 10 + i, 1000000LL * i));
    x.bytes = EncodeV1(samples.back());
    x.mint = samples.back().front().t;
    x.maxt = samples.back().back().t;
    x.prev = last[x.series];
    x.ref = last[x.series] =
        MakeChunkRef(1, static_cast<uint32_t>(segment.size()));
    segment += V2Record(x.series, x.prev, x.mint, x.maxt, x.bytes);
    w.push_back(std::move(x));
  }
  ASSERT_EQ(mkdir(dir_.c_str(), 0755), 0);
  WriteFile(SegmentPath(1), segment);
  auto files = OpenFiles();
  absl::Status st;
  std::vector<Seen> seen = Scan(*files, &st);
  ASSERT_THAT(st, IsOk());
  ASSERT_EQ(seen.size(), w.size());
  for (size_t i = 0; i < w.size(); ++i) {
    EXPECT_EQ(seen[i].series, w[i].series);
    EXPECT_EQ(seen[i].ref, w[i].ref);
    EXPECT_EQ(seen[i].mint, w[i].mint);
    EXPECT_EQ(seen[i].maxt, w[i].maxt);
    EXPECT_EQ(seen[i].n, static_cast<int>(samples[i].size()));
    auto h = files->Read(w[i].ref);
    ASSERT_THAT(h, IsOk());
    EXPECT_EQ(h->bytes(), w[i].bytes);
    EXPECT_EQ(h->prev_ref(), w[i].prev);
    EXPECT_EQ(h->min_time(), w[i].mint);
    EXPECT_EQ(h->max_time(), w[i].maxt);
    ASSERT_EQ(h->encoding(), kChunkEncodingXor);
    XorIterator it(h->bytes(), h->encoding());
    std::vector<Sample> got;
    while (it.Next()) got.push_back(it.At());
    EXPECT_THAT(it.status(), IsOk());
    EXPECT_EQ(got, samples[i]);
  }
  // New chunks go to a version 3 segment and may link into the old one.
  auto ref = files->Write(1, w[4].ref, 9000000, 9000001,
                          EncodeV2(SamplesV1(1, 5, 9000000)));
  ASSERT_THAT(ref, IsOk());
  EXPECT_EQ(ChunkRefSegment(*ref), 2u);
  EXPECT_EQ(ReadFile(SegmentPath(2))[4], 3);
  auto h = files->Read(*ref);
  ASSERT_THAT(h, IsOk());
  EXPECT_EQ(h->prev_ref(), w[4].ref);
  EXPECT_EQ(h->encoding(), kChunkEncodingXor2);
  EXPECT_EQ(h->min_time(), 9000000);
  EXPECT_EQ(h->max_time(), 9000001);
  EXPECT_THAT(files->DeleteSegmentsBefore(5000001), IsOk());
  EXPECT_EQ(files->stats().segments, 2);  // the old segment ends later
  EXPECT_THAT(files->DeleteSegmentsBefore(5000002 + 15000 * 20), IsOk());
  EXPECT_EQ(files->stats().segments, 1);
}

// The same rule for version 2 records, which store the link itself.
TEST_F(ChunkFilesV2Test, Version2BackPointerMustPointToAnOlderRecord) {
  std::string data = V2Header();
  std::vector<uint32_t> offsets;
  std::string last_bytes;
  for (int i = 0; i < 3; ++i) {
    offsets.push_back(static_cast<uint32_t>(data.size()));
    last_bytes = EncodeV1(SamplesV1(i, 5, 1000000LL * i));
    data += V2Record(1, i == 0 ? 0 : MakeChunkRef(1, offsets[i - 1]),
                     1000000LL * i, 1000000LL * i + 60000, last_bytes);
  }
  ASSERT_EQ(mkdir(dir_.c_str(), 0755), 0);
  const std::string path = SegmentPath(1);
  const uint32_t off = offsets[2];
  const ChunkRef ref = MakeChunkRef(1, off);
  ASSERT_EQ(data.size(), off + 33 + 1 + last_bytes.size() + 4);
  ASSERT_LT(last_bytes.size(), 128u);  // a one-byte length
  for (const ChunkRef bad : {ref, ref + 1}) {
    SCOPED_TRACE(bad);
    for (int i = 0; i < 8; ++i) {
      data[off + 8 + i] = static_cast<char>(bad >> (56 - 8 * i));
    }
    const size_t crc_off = data.size() - 4;
    const uint32_t crc =
        Crc32c(absl::string_view(data).substr(off, crc_off - off));
    for (int i = 0; i < 4; ++i) {
      data[crc_off + i] = static_cast<char>(crc >> (24 - 8 * i));
    }
    WriteFile(path, data);
    auto files = OpenFiles();
    EXPECT_THAT(files->Read(ref),
                StatusIs(absl::StatusCode::kDataLoss,
                         HasSubstr("does not point to an older record")));
    EXPECT_THAT(files->Read(MakeChunkRef(1, offsets[1])), IsOk());
    absl::Status st;
    EXPECT_EQ(Scan(*files, &st).size(), 2u);  // the newest segment: repaired
    EXPECT_EQ(files->stats().truncations, 1);
    files.reset();
    WriteFile(path, data);
  }
}

}  // namespace
}  // namespace fraisier::tsdb
