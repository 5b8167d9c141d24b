// Shared helpers of the crash tests (crash_kill_test.cc, crash_tail_test.cc):
// the deterministic batch pattern, reading a store back, file surgery on
// WAL segments and chunk files, and the test fixture.
#ifndef TESTS_TSDB_CRASH_TEST_UTIL_H_
#define TESTS_TSDB_CRASH_TEST_UTIL_H_

#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <sys/stat.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <bit>
#include <cerrno>
#include <cstdint>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <functional>
#include <iostream>
#include <iterator>
#include <map>
#include <memory>
#include <random>
#include <set>
#include <string>
#include <tuple>
#include <utility>
#include <vector>

#include "absl/functional/function_ref.h"
#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/strings/string_view.h"
#include "absl/time/clock.h"
#include "absl/time/time.h"
#include "engine/base/clock.h"
#include "engine/base/status_matchers.h"
#include "engine/model/labels.h"
#include "engine/model/matcher.h"
#include "engine/model/value.h"
#include "engine/storage/storage.h"
#include "engine/tsdb/chunk.h"
#include "engine/tsdb/head.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace fraisier::tsdb::crash_testing {

namespace fs = std::filesystem;

using ::fraisier::testing::IsOk;
using storage::SeriesRef;

constexpr int kSeries = 50;
constexpr int64_t kBase = 1700000000000;  // ms; the time of batch 0
constexpr int64_t kStep = 1000;           // ms between batches
constexpr uint64_t kDefaultSeed = 20240607;

inline uint64_t Seed() {
  uint64_t seed = kDefaultSeed;
  if (const char* env = std::getenv("CRASH_TEST_SEED"); env != nullptr) {
    if (!absl::SimpleAtoi(env, &seed)) seed = kDefaultSeed;
  }
  return seed;
}

Timestamp BatchTime(int64_t batch) { return kBase + batch * kStep; }

// Varied mantissas so the XOR chunks carry real payloads, and now and then
// a stale marker, whose NaN bits must survive exactly.
inline double BatchValue(int64_t batch, int k) {
  if ((batch + 3 * k) % 211 == 0) return StaleNaN();
  return static_cast<double>(batch) * 1.25 + k * 1000.0 +
         static_cast<double>((batch * 31 + k) % 97) / 64.0;
}

uint64_t Bits(double v) { return std::bit_cast<uint64_t>(v); }

inline Labels CrashLabels(int k) {
  const std::string s = absl::StrCat(k);
  return Labels::FromPairs({{"__name__", "crash"}, {"s", s}});
}

inline const std::vector<Labels>& AllLabels() {
  static const auto* labels = [] {
    auto* v = new std::vector<Labels>;
    for (int k = 0; k < kSeries; ++k) v->push_back(CrashLabels(k));
    return v;
  }();
  return *labels;
}

// Small segments so WAL and chunk segments are cut often and both kinds of
// cut get interrupted by kills.
inline HeadOptions CrashOptions(const std::string& dir, const Clock* clock,
                                int64_t max_segment_bytes = 32 << 10) {
  HeadOptions o;
  o.dir = dir;
  o.clock = clock;
  o.fsync_policy = FsyncPolicy::kEveryCommit;
  o.max_segment_bytes = max_segment_bytes;
  return o;
}

// Appends and commits batch `batch`; `refs` caches the series refs.
inline absl::Status AppendBatch(Head& head, int64_t batch,
                                std::vector<SeriesRef>* refs) {
  std::unique_ptr<storage::Appender> app = head.NewAppender();
  for (int k = 0; k < kSeries; ++k) {
    absl::StatusOr<SeriesRef> ref = app->Append(
        (*refs)[k], AllLabels()[k], BatchTime(batch), BatchValue(batch, k));
    if (!ref.ok()) return ref.status();
    (*refs)[k] = *ref;
  }
  return app->Commit();
}

// --- Reading back what the store holds ---

struct Snapshot {
  std::vector<std::vector<Sample>> samples =
      std::vector<std::vector<Sample>>(kSeries);
  // Series that are not crash{s="k"}, duplicates, iterator errors.
  std::vector<std::string> problems;
};

inline Snapshot ReadAll(Head& head) {
  Snapshot snap;
  absl::StatusOr<std::unique_ptr<storage::Querier>> querier =
      head.NewQuerier(kMinTimestamp, kMaxTimestamp);
  if (!querier.ok()) {
    snap.problems.push_back(querier.status().ToString());
    return snap;
  }
  // Every series of the store, not only the expected ones.
  const Matcher any =
      *Matcher::Create(MatchType::kRegexMatch, "__name__", ".+");
  std::unique_ptr<storage::SeriesSet> set =
      (*querier)->Select(false, nullptr, {any});
  std::vector<bool> seen(kSeries, false);
  while (set->Next()) {
    const Labels& labels = set->At().labels();
    int k = -1;
    if (!absl::SimpleAtoi(labels.Get("s"), &k) || k < 0 || k >= kSeries ||
        labels != AllLabels()[k]) {
      snap.problems.push_back(
          absl::StrCat("unexpected series ", labels.ToString()));
      continue;
    }
    if (seen[k]) {
      snap.problems.push_back(
          absl::StrCat("series ", labels.ToString(), " selected twice"));
      continue;
    }
    seen[k] = true;
    std::unique_ptr<storage::SampleIterator> it = set->At().Iterator();
    while (it->Next()) snap.samples[k].push_back(it->At());
    if (!it->status().ok()) {
      snap.problems.push_back(absl::StrCat("iterating ", labels.ToString(),
                                           ": ", it->status().ToString()));
    }
  }
  if (!set->status().ok()) snap.problems.push_back(set->status().ToString());
  return snap;
}

inline std::string DescribeSample(int k, const Sample& s) {
  return absl::StrCat("series ", k, " t=", s.t, " (batch ",
                      (s.t - kBase) / kStep, ") bits=", absl::Hex(Bits(s.v)));
}

// The kill test's invariant: every series holds exactly batches [0, n) for
// one common n (a commit is one WAL frame: all or nothing). Returns n, or -1
// with *error set.
inline int64_t CommonPrefix(const Snapshot& snap, std::string* error) {
  if (!snap.problems.empty()) {
    *error = absl::StrJoin(snap.problems, "; ");
    return -1;
  }
  const int64_t n = static_cast<int64_t>(snap.samples[0].size());
  for (int k = 0; k < kSeries; ++k) {
    const std::vector<Sample>& got = snap.samples[k];
    if (static_cast<int64_t>(got.size()) != n) {
      *error = absl::StrCat("series 0 has ", n, " samples but series ", k,
                            " has ", got.size(), " (a partial batch)");
      return -1;
    }
    for (int64_t b = 0; b < n; ++b) {
      const Sample want{BatchTime(b), BatchValue(b, k)};
      if (got[b] != want) {
        *error = absl::StrCat("sample ", b, " of series ", k, " is ",
                              DescribeSample(k, got[b]), ", want ",
                              DescribeSample(k, want));
        return -1;
      }
    }
  }
  return n;
}

// For damage tests: every present sample is one that was written (batch in
// [0, batches), exact bits, strictly increasing), and every written sample
// is present unless `may_be_missing(k, batch)`. *missing counts the absent.
inline std::string CheckWithGaps(
    const Snapshot& snap, int64_t batches,
    absl::FunctionRef<bool(int, int64_t)> may_be_missing, int64_t* missing) {
  std::vector<std::string> errors;
  *missing = 0;
  for (const std::string& p : snap.problems) errors.push_back(p);
  for (int k = 0; k < kSeries && errors.size() < 10; ++k) {
    int64_t next = 0;  // the next batch that may appear
    for (const Sample& s : snap.samples[k]) {
      const int64_t b = (s.t - kBase) / kStep;
      if (s.t < BatchTime(next) || (s.t - kBase) % kStep != 0 || b >= batches) {
        errors.push_back(absl::StrCat("invented or reordered sample ",
                                      DescribeSample(k, s)));
        break;
      }
      if (Bits(s.v) != Bits(BatchValue(b, k))) {
        errors.push_back(absl::StrCat("wrong value ", DescribeSample(k, s),
                                      ", want bits ",
                                      absl::Hex(Bits(BatchValue(b, k)))));
        break;
      }
      for (; next < b; ++next) {
        ++*missing;
        if (!may_be_missing(k, next)) {
          errors.push_back(absl::StrCat("series ", k, " lost batch ", next));
        }
      }
      next = b + 1;
    }
    for (; next < batches; ++next) {
      ++*missing;
      if (!may_be_missing(k, next)) {
        errors.push_back(absl::StrCat("series ", k, " lost batch ", next));
      }
    }
  }
  if (errors.size() > 10) errors.resize(10);
  return absl::StrJoin(errors, "; ");
}

// --- Files ---

inline std::string ReadFile(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  return std::string(std::istreambuf_iterator<char>(in),
                     std::istreambuf_iterator<char>());
}

inline void TruncateFile(const std::string& path, int64_t size) {
  ASSERT_EQ(truncate(path.c_str(), size), 0) << path << ": " << errno;
}

inline void FlipBit(const std::string& path, int64_t offset, int bit) {
  std::fstream f(path, std::ios::binary | std::ios::in | std::ios::out);
  ASSERT_TRUE(f.good()) << path;
  f.seekg(offset);
  char c = 0;
  f.read(&c, 1);
  ASSERT_TRUE(f.good()) << path << " offset " << offset;
  c = static_cast<char>(c ^ (1 << bit));
  f.seekp(offset);
  f.write(&c, 1);
  ASSERT_TRUE(f.good()) << path;
}

inline void AppendBytes(const std::string& path, const std::string& bytes) {
  std::ofstream f(path, std::ios::binary | std::ios::app);
  f.write(bytes.data(), static_cast<std::streamsize>(bytes.size()));
  ASSERT_TRUE(f.good()) << path;
}

inline int64_t FileSize(const std::string& path) {
  struct stat st;
  return stat(path.c_str(), &st) == 0 ? st.st_size : -1;
}

inline void CopyTree(const std::string& from, const std::string& to) {
  fs::remove_all(to);
  fs::copy(from, to, fs::copy_options::recursive);
}

// Files in `dir` whose names are all digits (WAL or chunk segments), by
// number.
inline std::vector<std::string> NumberedFiles(const std::string& dir) {
  std::vector<std::pair<uint64_t, std::string>> found;
  std::error_code ec;
  for (const fs::directory_entry& e : fs::directory_iterator(dir, ec)) {
    const std::string name = e.path().filename().string();
    uint64_t n;
    if (!e.is_regular_file() || name.empty() ||
        !std::all_of(name.begin(), name.end(),
                     [](char c) { return c >= '0' && c <= '9'; }) ||
        !absl::SimpleAtoi(name, &n)) {
      continue;
    }
    found.emplace_back(n, name);
  }
  std::sort(found.begin(), found.end());
  std::vector<std::string> names;
  for (auto& [n, name] : found) names.push_back(std::move(name));
  return names;
}

inline uint64_t GetLE(absl::string_view b, size_t off, int bytes) {
  uint64_t v = 0;
  for (int i = bytes - 1; i >= 0; --i) {
    v = (v << 8) | static_cast<uint8_t>(b[off + i]);
  }
  return v;
}

inline uint64_t GetBE(absl::string_view b, size_t off, int bytes) {
  uint64_t v = 0;
  for (int i = 0; i < bytes; ++i)
    v = (v << 8) | static_cast<uint8_t>(b[off + i]);
  return v;
}

// One WAL frame (docs/wal_format.md): 16-byte header, payload.
struct WalFrame {
  std::string segment;  // file name under wal/
  int64_t offset = 0;
  int64_t size = 0;
};

// The frames of every WAL segment, in order. Only for well-formed files.
inline std::vector<WalFrame> WalFrames(const std::string& wal_dir) {
  std::vector<WalFrame> frames;
  for (const std::string& name : NumberedFiles(wal_dir)) {
    const std::string data = ReadFile(wal_dir + "/" + name);
    size_t off = 8;  // segment header
    while (off + 16 <= data.size()) {
      EXPECT_EQ(GetLE(data, off, 4), 0x4C4157D9u) << name << " at " << off;
      const int64_t size = 16 + static_cast<int64_t>(GetLE(data, off + 8, 4));
      frames.push_back(WalFrame{name, static_cast<int64_t>(off), size});
      off += static_cast<size_t>(size);
    }
    EXPECT_EQ(off, data.size()) << name;
  }
  return frames;
}

// One chunk record (docs/chunk_files_format.md).
struct ChunkRecord {
  std::string segment;  // file name under chunks/
  int64_t offset = 0;
  int64_t end = 0;  // just past the CRC
  uint64_t series_ref = 0;
  uint64_t prev_ref = 0;  // the series' previous chunk (a ChunkRef), or 0
  Timestamp mint = 0;
  Timestamp maxt = 0;

  // This record's ChunkRef: segment number << 32 | offset.
  uint64_t ref() const {
    uint32_t index = 0;
    EXPECT_TRUE(absl::SimpleAtoi(segment, &index)) << segment;
    return (uint64_t{index} << 32) | static_cast<uint64_t>(offset);
  }

  bool operator<(const ChunkRecord& o) const {
    return std::tie(segment, offset) < std::tie(o.segment, o.offset);
  }
};

// A LEB128 varint at data[*p], advancing *p.
inline uint64_t GetUvarint(const std::string& data, size_t* p) {
  uint64_t v = 0;
  for (int shift = 0;; shift += 7) {
    const auto byte = static_cast<uint8_t>(data[(*p)++]);
    v |= static_cast<uint64_t>(byte & 0x7f) << shift;
    if ((byte & 0x80) == 0) return v;
  }
}

// Every record of every chunk segment, in write order. Only for well-formed
// files, of format version 2 (fixed-width fields) or 3 (varints; mint is
// stored relative to the chunk data's first timestamp, the zig-zag varint
// after the 2-byte sample count).
inline std::vector<ChunkRecord> ChunkRecords(const std::string& chunk_dir) {
  std::vector<ChunkRecord> records;
  for (const std::string& name : NumberedFiles(chunk_dir)) {
    const std::string data = ReadFile(chunk_dir + "/" + name);
    EXPECT_GE(data.size(), 8u) << name;
    const bool v3 = data.size() >= 8 && data[4] == 3;
    size_t off = 8;
    while (off < data.size()) {
      ChunkRecord r;
      r.segment = name;
      r.offset = static_cast<int64_t>(off);
      size_t p;
      uint64_t zz_mint = 0, span = 0;
      if (v3) {
        p = off;
        r.series_ref = GetUvarint(data, &p);
        const uint64_t back = GetUvarint(data, &p);
        r.prev_ref = back == 0 ? 0 : r.ref() - back;
        zz_mint = GetUvarint(data, &p);
        span = GetUvarint(data, &p);
        ++p;  // encoding
      } else {
        r.series_ref = GetBE(data, off, 8);
        r.prev_ref = GetBE(data, off + 8, 8);
        r.mint = static_cast<Timestamp>(GetBE(data, off + 16, 8));
        r.maxt = static_cast<Timestamp>(GetBE(data, off + 24, 8));
        p = off + 33;
      }
      const uint64_t len = GetUvarint(data, &p);
      if (v3) {
        size_t q = p + 2;  // the chunk's first timestamp
        const uint64_t zz_t0 = len > 2 ? GetUvarint(data, &q) : 0;
        const auto unzig = [](uint64_t z) { return (z >> 1) ^ (~(z & 1) + 1); };
        const uint64_t mint = unzig(zz_t0) + unzig(zz_mint);
        r.mint = static_cast<Timestamp>(mint);
        r.maxt = static_cast<Timestamp>(mint + span);
      }
      off = p + len + 4;
      r.end = static_cast<int64_t>(off);
      records.push_back(r);
    }
    EXPECT_EQ(off, data.size()) << name;
  }
  return records;
}

// Every record links back to the record before it in write order for the
// same series (0 for the series' first), with older times: repairs and
// replays never leave a link past a cut tail or to another series. Holds
// while no series was garbage-collected (the crash suites never collect).
inline void ExpectChainsLinkInWriteOrder(
    const std::vector<ChunkRecord>& records) {
  std::map<uint64_t, const ChunkRecord*> last;
  for (const ChunkRecord& r : records) {
    const ChunkRecord*& prev = last[r.series_ref];
    EXPECT_EQ(r.prev_ref, prev == nullptr ? 0 : prev->ref())
        << "record at " << r.segment << ":" << r.offset << " of series "
        << r.series_ref;
    if (prev != nullptr) {
      EXPECT_LT(prev->maxt, r.mint);
    }
    prev = &r;
  }
}

class CrashTest : public ::testing::Test {
 protected:
  void SetUp() override {
    root_ = absl::StrCat(
        ::testing::TempDir(), "/crash_",
        ::testing::UnitTest::GetInstance()->current_test_info()->name());
    fs::remove_all(root_);
    fs::create_directories(root_);
  }
  void TearDown() override {
    if (!HasFailure()) fs::remove_all(root_);
  }

  std::string Dir(absl::string_view name) const {
    return absl::StrCat(root_, "/", name);
  }

  absl::StatusOr<std::unique_ptr<Head>> OpenHead(const std::string& dir) {
    return Head::Open(CrashOptions(dir, &clock_, max_segment_bytes_));
  }

  std::string root_;
  FakeClock clock_{absl::FromUnixMillis(kBase)};
  int64_t max_segment_bytes_ = 32 << 10;
};

}  // namespace fraisier::tsdb::crash_testing

#endif  // TESTS_TSDB_CRASH_TEST_UTIL_H_
