#include "engine/tsdb/head.h"

#include <algorithm>
#include <bit>
#include <cmath>
#include <filesystem>
#include <memory>
#include <random>
#include <string>
#include <thread>
#include <utility>
#include <vector>

#include "absl/strings/str_cat.h"
#include "engine/base/clock.h"
#include "engine/base/status_matchers.h"
#include "engine/model/value.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace fraisier::tsdb {
namespace {

using ::fraisier::testing::IsOk;
using ::fraisier::testing::StatusIs;
using storage::AppendError;
using storage::GetAppendError;
using ::testing::ElementsAre;
using ::testing::HasSubstr;

constexpr int64_t kStart = 1700000000000;  // ms

class HeadTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = absl::StrCat(
        ::testing::TempDir(), "/head_",
        ::testing::UnitTest::GetInstance()->current_test_info()->name());
    std::filesystem::remove_all(dir_);
    clock_.Set(absl::FromUnixMillis(kStart + 3600 * 1000));
  }
  void TearDown() override {
    head_.reset();
    std::filesystem::remove_all(dir_);
  }

  HeadOptions Options() {
    HeadOptions o;
    o.dir = dir_;
    o.clock = &clock_;
    o.max_segment_bytes = 1 << 20;
    return o;
  }
  void OpenHead(HeadOptions o) {
    head_.reset();
    absl::StatusOr<std::unique_ptr<Head>> head = Head::Open(std::move(o));
    ASSERT_THAT(head, IsOk());
    head_ = *std::move(head);
  }
  void OpenHead() { OpenHead(Options()); }

  // Appends and commits one sample.
  absl::Status Add(const Labels& l, int64_t t, double v) {
    auto app = head_->NewAppender();
    absl::StatusOr<storage::SeriesRef> ref = app->Append(0, l, t, v);
    if (!ref.ok()) return ref.status();
    return app->Commit();
  }

  // All samples of series matching `matchers` in [mint, maxt], as
  // "labels: t=v t=v ...".
  std::vector<std::string> Query(std::vector<Matcher> matchers,
                                 int64_t mint = kMinTimestamp,
                                 int64_t maxt = kMaxTimestamp) {
    auto querier = head_->NewQuerier(mint, maxt);
    EXPECT_THAT(querier, IsOk());
    auto set = (*querier)->Select(true, nullptr, matchers);
    std::vector<std::string> out;
    while (set->Next()) {
      std::string line = set->At().labels().ToString() + ":";
      auto it = set->At().Iterator();
      while (it->Next()) {
        absl::StrAppend(&line, " ", it->At().t - kStart, "=", it->At().v);
      }
      EXPECT_THAT(it->status(), IsOk());
      out.push_back(line);
    }
    return out;
  }

  static Matcher Eq(absl::string_view name, absl::string_view value) {
    return *Matcher::Create(MatchType::kEqual, name, value);
  }
  static Matcher Re(absl::string_view name, absl::string_view value) {
    return *Matcher::Create(MatchType::kRegexMatch, name, value);
  }

  std::string dir_;
  FakeClock clock_;
  std::unique_ptr<Head> head_;
};

Labels Up(absl::string_view job, absl::string_view instance = "a") {
  return Labels::FromPairs(
      {{"__name__", "up"}, {"job", job}, {"instance", instance}});
}

TEST_F(HeadTest, AppendAndSelect) {
  OpenHead();
  ASSERT_THAT(Add(Up("api"), kStart + 1000, 1), IsOk());
  ASSERT_THAT(Add(Up("api"), kStart + 2000, 0), IsOk());
  ASSERT_THAT(Add(Up("db"), kStart + 1000, 1), IsOk());
  EXPECT_THAT(Query({Eq("__name__", "up")}),
              ElementsAre("{__name__=\"up\", instance=\"a\", job=\"api\"}: "
                          "1000=1 2000=0",
                          "{__name__=\"up\", instance=\"a\", job=\"db\"}: "
                          "1000=1"));
  EXPECT_THAT(Query({Eq("job", "db")}), ElementsAre(HasSubstr("job=\"db\"")));
  // Time range bounds are inclusive.
  EXPECT_THAT(Query({Eq("job", "api")}, kStart + 2000, kStart + 2000),
              ElementsAre(HasSubstr(": 2000=0")));
  EXPECT_TRUE(Query({Eq("job", "api")}, kStart + 3000, kStart + 4000).empty());
  EXPECT_EQ(head_->stats().series, 2);
  EXPECT_EQ(head_->stats().samples_appended, 3);
}

TEST_F(HeadTest, OrderingDuplicatesAndBounds) {
  OpenHead();
  ASSERT_THAT(Add(Up("api"), kStart + 2000, 5), IsOk());
  absl::Status older = Add(Up("api"), kStart + 1000, 5);
  EXPECT_EQ(GetAppendError(older), AppendError::kOutOfOrder) << older;
  // The same sample again is accepted and stored once.
  EXPECT_THAT(Add(Up("api"), kStart + 2000, 5), IsOk());
  absl::Status dup = Add(Up("api"), kStart + 2000, 6);
  EXPECT_EQ(GetAppendError(dup), AppendError::kDuplicateTimestamp) << dup;
  EXPECT_THAT(Query({Eq("job", "api")}), ElementsAre(HasSubstr(": 2000=5")));
  // Older than now - retention (15d) is out of bounds.
  absl::Status old = Add(Up("api"), kStart - int64_t{16} * 86400000, 1);
  EXPECT_EQ(GetAppendError(old), AppendError::kOutOfBounds) << old;
  HeadStats stats = head_->stats();
  EXPECT_EQ(stats.out_of_order, 1);
  EXPECT_EQ(stats.duplicates, 1);
  EXPECT_EQ(stats.out_of_bounds, 1);
}

TEST_F(HeadTest, InvalidLabelsAreRefused) {
  OpenHead();
  auto app = head_->NewAppender();
  EXPECT_EQ(GetAppendError(app->Append(0, Labels(), kStart, 1).status()),
            AppendError::kInvalidLabels);
  absl::Status bad =
      app->Append(0, Labels::FromPairs({{"__name__", "x"}, {"job", "\xff"}}),
                  kStart, 1)
          .status();
  EXPECT_EQ(GetAppendError(bad), AppendError::kInvalidLabels);
  EXPECT_THAT(bad.message(), HasSubstr("job"));
}

TEST_F(HeadTest, StaleMarkersAndSpecialValuesKeepTheirBits) {
  OpenHead();
  ASSERT_THAT(Add(Up("api"), kStart + 1, StaleNaN()), IsOk());
  ASSERT_THAT(Add(Up("api"), kStart + 2, INFINITY), IsOk());
  ASSERT_THAT(Add(Up("api"), kStart + 3, -0.0), IsOk());
  auto querier = *head_->NewQuerier(kMinTimestamp, kMaxTimestamp);
  auto set = querier->Select(false, nullptr, {Eq("job", "api")});
  ASSERT_TRUE(set->Next());
  auto it = set->At().Iterator();
  ASSERT_TRUE(it->Next());
  EXPECT_TRUE(IsStaleNaN(it->At().v));
  ASSERT_TRUE(it->Next());
  EXPECT_EQ(it->At().v, INFINITY);
  ASSERT_TRUE(it->Next());
  EXPECT_TRUE(std::signbit(it->At().v));
}

TEST_F(HeadTest, ChunksAreCutPersistedAndSeekable) {
  OpenHead();
  auto app = head_->NewAppender();
  for (int i = 0; i < 1000; ++i) {
    ASSERT_THAT(app->Append(0, Up("api"), kStart + i * 15000, i).status(),
                IsOk());
  }
  ASSERT_THAT(app->Commit(), IsOk());
  EXPECT_EQ(head_->stats().chunks_persisted, 1000 / kSamplesPerChunk);
  auto querier = *head_->NewQuerier(kMinTimestamp, kMaxTimestamp);
  auto set = querier->Select(false, nullptr, {Eq("job", "api")});
  ASSERT_TRUE(set->Next());
  auto it = set->At().Iterator();
  int n = 0;
  while (it->Next()) {
    EXPECT_EQ(it->At().v, n);
    ++n;
  }
  EXPECT_EQ(n, 1000);
  auto seek = set->At().Iterator();
  ASSERT_TRUE(seek->Seek(kStart + 500 * 15000 - 1));
  EXPECT_EQ(seek->At().v, 500);
  ASSERT_TRUE(seek->Seek(kStart + 10));  // never backwards
  EXPECT_EQ(seek->At().v, 500);
  ASSERT_TRUE(seek->Next());
  EXPECT_EQ(seek->At().v, 501);
  EXPECT_FALSE(seek->Seek(kStart + 1000 * 15000));
}

TEST_F(HeadTest, ReopenReplaysWalAndChunkFiles) {
  OpenHead();
  auto app = head_->NewAppender();
  for (int i = 0; i < 300; ++i) {
    ASSERT_THAT(app->Append(0, Up("api"), kStart + i * 1000, i).status(),
                IsOk());
    ASSERT_THAT(app->Append(0, Up("db"), kStart + i * 1000, -i).status(),
                IsOk());
  }
  ASSERT_THAT(app->Commit(), IsOk());
  std::vector<std::string> before = Query({Eq("__name__", "up")});
  OpenHead();
  EXPECT_EQ(Query({Eq("__name__", "up")}), before);
  EXPECT_EQ(head_->stats().series, 2);
  // Appends continue after the replayed data, and refs stay consistent.
  ASSERT_THAT(Add(Up("api"), kStart + 300 * 1000, 300), IsOk());
  EXPECT_EQ(GetAppendError(Add(Up("api"), kStart + 5, 1)),
            AppendError::kOutOfOrder);
}

TEST_F(HeadTest, CheckpointTruncatesWalAndReplaysTheSame) {
  HeadOptions o = Options();
  o.max_segment_bytes = 64 << 10;
  OpenHead(o);
  for (int batch = 0; batch < 50; ++batch) {
    auto app = head_->NewAppender();
    for (int s = 0; s < 20; ++s) {
      ASSERT_THAT(app->Append(0, Up("api", absl::StrCat("i", s)),
                              kStart + batch * 1000, batch * s)
                      .status(),
                  IsOk());
    }
    ASSERT_THAT(app->Commit(), IsOk());
  }
  std::vector<std::string> before = Query({Eq("job", "api")});
  ASSERT_THAT(head_->Checkpoint(), IsOk());
  ASSERT_THAT(Add(Up("api", "i0"), kStart + 50 * 1000, 7), IsOk());
  before = Query({Eq("job", "api")});
  OpenHead(o);
  EXPECT_EQ(Query({Eq("job", "api")}), before);
  EXPECT_GE(head_->replay_stats().checkpoint, 0);
}

TEST_F(HeadTest, RetentionDropsOldSeriesAndData) {
  HeadOptions o = Options();
  o.retention = absl::Hours(2);
  OpenHead(o);
  ASSERT_THAT(Add(Up("old"), kStart + 1000, 1), IsOk());
  clock_.Advance(absl::Hours(3));
  int64_t now = clock_.NowMillis();
  ASSERT_THAT(Add(Up("new"), now - 1000, 2), IsOk());
  ASSERT_THAT(head_->ApplyRetention(), IsOk());
  EXPECT_THAT(Query({Eq("__name__", "up")}),
              ElementsAre(HasSubstr("job=\"new\"")));
  EXPECT_EQ(head_->stats().series, 1);
  EXPECT_EQ(head_->stats().series_removed, 1);
  auto querier = *head_->NewQuerier(kMinTimestamp, kMaxTimestamp);
  EXPECT_THAT(*querier->LabelValues("job", {}), ElementsAre("new"));
  // The removed series can come back.
  ASSERT_THAT(Add(Up("old"), now, 3), IsOk());
  EXPECT_EQ(head_->stats().series, 2);
}

TEST_F(HeadTest, SeriesLimitRefusesNewSeriesOnly) {
  HeadOptions o = Options();
  o.max_series = 2;
  OpenHead(o);
  ASSERT_THAT(Add(Up("a"), kStart, 1), IsOk());
  ASSERT_THAT(Add(Up("b"), kStart, 1), IsOk());
  absl::Status third = Add(Up("c"), kStart, 1);
  EXPECT_EQ(GetAppendError(third), AppendError::kSeriesLimit);
  EXPECT_THAT(third, StatusIs(absl::StatusCode::kResourceExhausted,
                              HasSubstr("limit of 2 active series")));
  EXPECT_THAT(Add(Up("a"), kStart + 1, 2), IsOk());
  EXPECT_EQ(head_->stats().series_limit, 1);
}

TEST_F(HeadTest, RollbackDiscardsAndRefsSkipLookups) {
  OpenHead();
  auto app = head_->NewAppender();
  auto ref = app->Append(0, Up("api"), kStart, 1);
  ASSERT_THAT(ref, IsOk());
  app->Rollback();
  EXPECT_THAT(Query({Eq("job", "api")}), ::testing::IsEmpty());
  auto app2 = head_->NewAppender();
  // A ref from an earlier Append skips the label lookup.
  ASSERT_THAT(app2->Append(*ref, Labels(), kStart + 1, 2).status(), IsOk());
  ASSERT_THAT(app2->Commit(), IsOk());
  EXPECT_THAT(Query({Eq("job", "api")}), ElementsAre(HasSubstr(": 1=2")));
  // The series record reached the WAL with the first committed sample.
  OpenHead();
  EXPECT_THAT(Query({Eq("job", "api")}), ElementsAre(HasSubstr(": 1=2")));
}

TEST_F(HeadTest, LabelNamesAndValues) {
  OpenHead();
  ASSERT_THAT(Add(Up("api", "x"), kStart, 1), IsOk());
  ASSERT_THAT(
      Add(Labels::FromPairs({{"__name__", "req"}, {"code", "500"}}), kStart, 1),
      IsOk());
  auto querier = *head_->NewQuerier(kMinTimestamp, kMaxTimestamp);
  EXPECT_THAT(*querier->LabelNames({}),
              ElementsAre("__name__", "code", "instance", "job"));
  EXPECT_THAT(*querier->LabelValues("__name__", {}), ElementsAre("req", "up"));
  EXPECT_THAT(*querier->LabelNames({Eq("__name__", "req")}),
              ElementsAre("__name__", "code"));
}

TEST_F(HeadTest, ConcurrentAppendsAndSelects) {
  OpenHead();
  std::vector<std::thread> threads;
  for (int w = 0; w < 3; ++w) {
    threads.emplace_back([this, w] {
      for (int batch = 0; batch < 50; ++batch) {
        auto app = head_->NewAppender();
        for (int s = 0; s < 20; ++s) {
          auto ref = app->Append(0, Up(absl::StrCat("w", w), absl::StrCat(s)),
                                 kStart + batch * 1000, batch);
          ASSERT_THAT(ref, IsOk());
        }
        ASSERT_THAT(app->Commit(), IsOk());
      }
    });
  }
  threads.emplace_back([this] {
    for (int i = 0; i < 50; ++i) {
      auto querier = *head_->NewQuerier(kMinTimestamp, kMaxTimestamp);
      auto set = querier->Select(false, nullptr, {Re("job", "w.*")});
      while (set->Next()) {
        auto it = set->At().Iterator();
        Timestamp last = kMinTimestamp;
        while (it->Next()) {
          ASSERT_GT(it->At().t, last);
          last = it->At().t;
        }
      }
    }
  });
  for (std::thread& t : threads) t.join();
  EXPECT_EQ(head_->stats().series, 60);
  EXPECT_EQ(head_->stats().samples_appended, 3 * 50 * 20);
}

TEST_F(HeadTest, AppendLabelViewsFindsExistingAndCreatesNew) {
  OpenHead();
  const Labels up = Up("api");
  ASSERT_THAT(Add(up, kStart + 1000, 1), IsOk());
  const std::vector<Label> views(up.begin(), up.end());
  auto app = head_->NewAppender();
  // Existing series by views and hash.
  absl::StatusOr<storage::SeriesRef> ref =
      app->AppendLabelViews(0, views, up.Hash(), kStart + 2000, 2);
  ASSERT_THAT(ref, IsOk());
  // A wrong hash costs a miss, never a duplicate series.
  ASSERT_THAT(app->AppendLabelViews(0, views, up.Hash() ^ 1, kStart + 3000, 3),
              IsOk());
  // The ref skips the lookup.
  ASSERT_THAT(app->AppendLabelViews(*ref, views, 0, kStart + 4000, 4), IsOk());
  // A new series is validated and created.
  const Labels db = Up("db");
  const std::vector<Label> db_views(db.begin(), db.end());
  ASSERT_THAT(app->AppendLabelViews(0, db_views, db.Hash(), kStart + 1000, 7),
              IsOk());
  const std::vector<Label> bad = {{"__name__", "up"}, {"job", "\xff"}};
  EXPECT_EQ(GetAppendError(
                app->AppendLabelViews(0, bad, 0, kStart + 1000, 1).status()),
            AppendError::kInvalidLabels);
  EXPECT_EQ(GetAppendError(
                app->AppendLabelViews(0, {}, 0, kStart + 1000, 1).status()),
            AppendError::kInvalidLabels);
  ASSERT_THAT(app->Commit(), IsOk());
  EXPECT_THAT(
      Query({Eq("__name__", "up")}),
      ElementsAre(HasSubstr("job=\"api\"}: 1000=1 2000=2 3000=3 4000=4"),
                  HasSubstr("job=\"db\"}: 1000=7")));
  EXPECT_EQ(head_->stats().series, 2);
}

// --- Persisted chunks as on-disk chains ---

// A series' samples, deterministic: timestamps 1 s apart with jitter, values
// a mix of random bit patterns (NaNs and all) and smooth steps.
struct SampleGen {
  explicit SampleGen(uint64_t seed, Timestamp start)
      : rng(seed), start(start) {}
  Sample At(int64_t i) {
    Sample s;
    s.t = start + i * 1000 + static_cast<int64_t>(rng() % 500);
    s.v = i % 3 == 0 ? std::bit_cast<double>(rng())
                     : static_cast<double>(i) * 0.25;
    return s;
  }
  std::mt19937_64 rng;
  Timestamp start;
};

std::vector<Sample> Generate(uint64_t seed, Timestamp start, int64_t n) {
  SampleGen gen(seed, start);
  std::vector<Sample> out;
  out.reserve(static_cast<size_t>(n));
  for (int64_t i = 0; i < n; ++i) out.push_back(gen.At(i));
  return out;
}

class ChainTest : public HeadTest {
 protected:
  // Appends `samples[from, to)` to `labels` in commits of 10,000.
  void AppendRange(const Labels& labels, const std::vector<Sample>& samples,
                   size_t from, size_t to) {
    for (size_t i = from; i < to;) {
      auto app = head_->NewAppender();
      storage::SeriesRef ref = 0;
      for (size_t end = std::min(to, i + 10000); i < end; ++i) {
        auto r = app->Append(ref, labels, samples[i].t, samples[i].v);
        ASSERT_THAT(r, IsOk());
        ref = *r;
      }
      ASSERT_THAT(app->Commit(), IsOk());
    }
  }

  // The samples of the series `job` in [mint, maxt].
  std::vector<Sample> Read(absl::string_view job, Timestamp mint,
                           Timestamp maxt) {
    auto querier = head_->NewQuerier(mint, maxt);
    EXPECT_THAT(querier, IsOk());
    auto set = (*querier)->Select(false, nullptr, {Eq("job", job)});
    std::vector<Sample> out;
    if (!set->Next()) return out;
    auto it = set->At().Iterator();
    while (it->Next()) out.push_back(it->At());
    EXPECT_THAT(it->status(), IsOk());
    EXPECT_FALSE(set->Next());
    return out;
  }

  // `want[from, to)` with bit-exact values, or a description of the first
  // difference.
  static std::string Diff(const std::vector<Sample>& got,
                          const std::vector<Sample>& want, size_t from,
                          size_t to) {
    if (got.size() != to - from) {
      return absl::StrCat("got ", got.size(), " samples, want ", to - from);
    }
    for (size_t i = 0; i < got.size(); ++i) {
      const Sample& w = want[from + i];
      if (got[i].t != w.t ||
          std::bit_cast<uint64_t>(got[i].v) != std::bit_cast<uint64_t>(w.v)) {
        return absl::StrCat("sample ", from + i, " differs");
      }
    }
    return "";
  }
  // The index of the first sample at or after `t`.
  static size_t LowerBound(const std::vector<Sample>& samples, Timestamp t) {
    return static_cast<size_t>(
        std::lower_bound(samples.begin(), samples.end(), t,
                         [](const Sample& s, Timestamp x) { return s.t < x; }) -
        samples.begin());
  }
  // The index just past the last sample at or before `t`.
  static size_t UpperBound(const std::vector<Sample>& samples, Timestamp t) {
    return static_cast<size_t>(
        std::upper_bound(samples.begin(), samples.end(), t,
                         [](Timestamp x, const Sample& s) { return x < s.t; }) -
        samples.begin());
  }
  // Expects reads of `samples` over the full range and a few sub-ranges to
  // return exactly what was written there, from sample `first` on.
  void ExpectReadsMatch(absl::string_view job,
                        const std::vector<Sample>& samples, size_t first = 0) {
    EXPECT_EQ(Diff(Read(job, kMinTimestamp, kMaxTimestamp), samples, first,
                   samples.size()),
              "");
    const Timestamp last = samples.back().t;
    // The last hour, as rules ask, and the last 5 minutes.
    for (Timestamp range : {int64_t{3600} * 1000, int64_t{300} * 1000}) {
      const size_t from = std::max(first, LowerBound(samples, last - range));
      EXPECT_EQ(
          Diff(Read(job, last - range, last), samples, from, samples.size()),
          "")
          << "range " << range;
    }
    // A window in the middle: the walk passes newer chunks it does not keep.
    const size_t mid = first + (samples.size() - first) / 2;
    const Timestamp mint = samples[mid].t - 1;
    const Timestamp maxt = samples[mid + 700].t + 1;
    EXPECT_EQ(Diff(Read(job, mint, maxt), samples, mid, mid + 701), "");
    // Bounds between two chunks and inside one.
    const size_t boundary = first + (samples.size() - first) / 3 /
                                        kSamplesPerChunk * kSamplesPerChunk;
    EXPECT_EQ(Diff(Read(job, samples[boundary].t, samples[boundary + 1].t),
                   samples, boundary, boundary + 2),
              "");
    EXPECT_EQ(Diff(Read(job, samples[boundary - 1].t, samples[boundary].t),
                   samples, boundary - 1, boundary + 1),
              "");
  }
  size_t SeriesBytes() const { return head_->MemoryBytes(); }

  int64_t ChunkFileBytes() const {
    int64_t bytes = 0;
    for (const auto& e :
         std::filesystem::directory_iterator(dir_ + "/chunks")) {
      bytes += static_cast<int64_t>(e.file_size());
    }
    return bytes;
  }
  int ChunkFileCount() const {
    int n = 0;
    for ([[maybe_unused]] const auto& e :
         std::filesystem::directory_iterator(dir_ + "/chunks")) {
      ++n;
    }
    return n;
  }
};

TEST_F(ChainTest, MemSeriesHoldsAFixedFewBytesOfChunkReferences) {
  // The newest chunk's ref and max_time; no per-chunk container.
  EXPECT_LE(sizeof(MemSeries), 104u);
}

TEST_F(ChainTest, FiveThousandChunksReadBackBitExact) {
  constexpr int64_t kChunks = 5000;
  const int64_t n = kChunks * kSamplesPerChunk + 37;
  // Timestamps span ~7 days; the clock stands at their end.
  clock_.Set(absl::FromUnixMillis(kStart + n * 1000 + 60000));
  HeadOptions o = Options();
  o.max_segment_bytes = 4 << 20;
  OpenHead(o);
  const std::vector<Sample> samples = Generate(7, kStart, n);
  const Labels labels = Up("long");
  AppendRange(labels, samples, 0, samples.size());
  ASSERT_EQ(head_->stats().chunks_persisted, kChunks);
  ExpectReadsMatch("long", samples);
  // Seeking along the chain.
  auto querier = *head_->NewQuerier(kMinTimestamp, kMaxTimestamp);
  auto set = querier->Select(false, nullptr, {Eq("job", "long")});
  ASSERT_TRUE(set->Next());
  auto it = set->At().Iterator();
  for (size_t i : {size_t{5}, size_t{119}, size_t{120}, size_t{250000},
                   size_t{599999}, samples.size() - 1}) {
    ASSERT_TRUE(it->Seek(samples[i].t)) << i;
    EXPECT_EQ(it->At().t, samples[i].t);
  }
  EXPECT_FALSE(it->Seek(samples.back().t + 1));
}

TEST_F(ChainTest, MemoryBytesDoNotGrowWithPersistedChunks) {
  const int64_t n = 2001 * kSamplesPerChunk + 1;
  clock_.Set(absl::FromUnixMillis(kStart + n * 1000));
  OpenHead();
  const std::vector<Sample> samples = Generate(3, kStart, n);
  const Labels labels = Up("grow");
  // One persisted chunk and a one-sample open chunk...
  AppendRange(labels, samples, 0, kSamplesPerChunk + 1);
  ASSERT_EQ(head_->stats().chunks_persisted, 1);
  const size_t one_chunk = SeriesBytes();
  // ...against 2001 persisted chunks and a one-sample open chunk.
  AppendRange(labels, samples, kSamplesPerChunk + 1, samples.size());
  ASSERT_EQ(head_->stats().chunks_persisted, 2001);
  EXPECT_EQ(SeriesBytes(), one_chunk);
  // And the same after a restart rebuilt the series from the files.
  OpenHead();
  EXPECT_EQ(SeriesBytes(), one_chunk);
  ExpectReadsMatch("grow", samples);
}

TEST_F(ChainTest, RetentionBySizeKeepsTheNewerPartOfEachChain) {
  const int64_t n = 600 * kSamplesPerChunk + 50;
  clock_.Set(absl::FromUnixMillis(kStart + n * 1000 + 60000));
  HeadOptions o = Options();
  o.max_segment_bytes = 64 << 10;
  o.retention_bytes = 256 << 10;
  OpenHead(o);
  // Two series, so their chains interleave in the files.
  const std::vector<Sample> a = Generate(1, kStart, n);
  const std::vector<Sample> b = Generate(2, kStart, n);
  for (size_t i = 0; i < a.size(); i += 5000) {
    const size_t end = std::min(a.size(), i + 5000);
    AppendRange(Up("a"), a, i, end);
    AppendRange(Up("b"), b, i, end);
  }
  const int files_before = ChunkFileCount();
  ASSERT_GT(ChunkFileBytes(), int64_t{1} << 20);
  ASSERT_THAT(head_->ApplyRetention(), IsOk());
  EXPECT_LE(ChunkFileBytes(), o.retention_bytes);
  EXPECT_LT(ChunkFileCount(), files_before);
  for (const auto& [job, samples] : {std::pair{"a", &a}, std::pair{"b", &b}}) {
    SCOPED_TRACE(job);
    // What is left is the newest part of the series, from a chunk boundary
    // on, bit-exact; everything older is gone.
    std::vector<Sample> got = Read(job, kMinTimestamp, kMaxTimestamp);
    ASSERT_FALSE(got.empty());
    const size_t first = LowerBound(*samples, got.front().t);
    EXPECT_GT(first, 0u);
    EXPECT_EQ(first % kSamplesPerChunk, 0u);
    EXPECT_EQ(Diff(got, *samples, first, samples->size()), "");
    EXPECT_TRUE(Read(job, kMinTimestamp, (*samples)[first].t - 1).empty());
    ExpectReadsMatch(job, *samples, first);
  }
  // A restart finds the same chains, cut at the same place.
  std::vector<Sample> a_before = Read("a", kMinTimestamp, kMaxTimestamp);
  OpenHead(o);
  EXPECT_EQ(Diff(Read("a", kMinTimestamp, kMaxTimestamp), a,
                 a.size() - a_before.size(), a.size()),
            "");
  EXPECT_EQ(head_->stats().series, 2);
}

TEST_F(ChainTest, RetentionByTimeKeepsTheNewerPartOfEachChain) {
  const int64_t n = 600 * kSamplesPerChunk + 50;  // ~20 h of samples
  clock_.Set(absl::FromUnixMillis(kStart + n * 1000 + 60000));
  HeadOptions o = Options();
  o.max_segment_bytes = 64 << 10;
  o.retention = absl::Hours(24);
  OpenHead(o);
  const std::vector<Sample> a = Generate(1, kStart, n);
  const std::vector<Sample> b = Generate(2, kStart, n / 2);  // stops early
  for (size_t i = 0; i < a.size(); i += 5000) {
    AppendRange(Up("a"), a, i, std::min(a.size(), i + 5000));
    if (i < b.size()) AppendRange(Up("b"), b, i, std::min(b.size(), i + 5000));
  }
  const int files_before = ChunkFileCount();
  // Ten hours later, the cutoff falls in the middle of "a"'s chain and
  // after all of "b".
  clock_.Advance(absl::Hours(14));
  const Timestamp cutoff = clock_.NowMillis() - 24 * 3600 * 1000;
  ASSERT_GT(cutoff, b.back().t);
  ASSERT_THAT(head_->ApplyRetention(), IsOk());
  EXPECT_LT(ChunkFileCount(), files_before);
  std::vector<Sample> got = Read("a", kMinTimestamp, kMaxTimestamp);
  ASSERT_FALSE(got.empty());
  const size_t first = LowerBound(a, got.front().t);
  EXPECT_GT(first, 0u);
  EXPECT_EQ(first % kSamplesPerChunk, 0u);
  EXPECT_LE(first, LowerBound(a, cutoff));  // nothing newer than it is lost
  EXPECT_EQ(Diff(got, a, first, a.size()), "");
  ExpectReadsMatch("a", a, first);
  // "b" expired entirely: its series is collected.
  EXPECT_TRUE(Read("b", kMinTimestamp, kMaxTimestamp).empty());
  EXPECT_EQ(head_->stats().series, 1);
  EXPECT_EQ(head_->stats().series_removed, 1);
}

TEST_F(ChainTest, ReplayRebuildsChainsAndAppendsContinueThem) {
  const int64_t n = 400 * kSamplesPerChunk + 70;
  clock_.Set(absl::FromUnixMillis(kStart + 2 * n * 1000));
  HeadOptions o = Options();
  o.max_segment_bytes = 64 << 10;
  OpenHead(o);
  std::vector<std::vector<Sample>> series;
  for (uint64_t k = 0; k < 3; ++k) series.push_back(Generate(k, kStart, n));
  const std::vector<std::string> jobs = {"x", "y", "z"};
  const size_t half = static_cast<size_t>(n / 2);
  for (size_t k = 0; k < 3; ++k) AppendRange(Up(jobs[k]), series[k], 0, half);
  // Part of the data only in chunk files and the checkpoint, part in the
  // WAL after it.
  ASSERT_THAT(head_->Checkpoint(), IsOk());
  for (size_t k = 0; k < 3; ++k) {
    AppendRange(Up(jobs[k]), series[k], half, series[k].size() - 1000);
  }
  const size_t bytes = SeriesBytes();
  OpenHead(o);
  EXPECT_EQ(head_->stats().series, 3);
  EXPECT_LE(SeriesBytes(), bytes);
  for (size_t k = 0; k < 3; ++k) {
    SCOPED_TRACE(jobs[k]);
    std::vector<Sample> upto(series[k].begin(), series[k].end() - 1000);
    ExpectReadsMatch(jobs[k], upto);
    // Appends after the restart extend the same chain.
    AppendRange(Up(jobs[k]), series[k], series[k].size() - 1000,
                series[k].size());
    ExpectReadsMatch(jobs[k], series[k]);
  }
  OpenHead(o);
  for (size_t k = 0; k < 3; ++k) ExpectReadsMatch(jobs[k], series[k]);
}

// A series collected by retention and created again has two ids in the WAL
// and two chains on disk; replay keeps the new one only, as the head showed
// before the restart (the old data had expired).
TEST_F(ChainTest, SeriesCreatedAgainReplaysOnlyItsNewChain) {
  HeadOptions o = Options();
  o.retention = absl::Hours(2);
  OpenHead(o);
  const Timestamp t0 = clock_.NowMillis() - 3600 * 1000;
  const std::vector<Sample> old_samples =
      Generate(1, t0, 2 * kSamplesPerChunk + 60);
  AppendRange(Up("again"), old_samples, 0, old_samples.size());
  clock_.Advance(absl::Hours(3));
  const Timestamp t1 = clock_.NowMillis() - 1800 * 1000;
  // Another series keeps the chunk file alive past the retention pass.
  const std::vector<Sample> keep = Generate(2, t1, kSamplesPerChunk + 10);
  AppendRange(Up("keep"), keep, 0, keep.size());
  ASSERT_THAT(head_->ApplyRetention(), IsOk());
  ASSERT_EQ(head_->stats().series_removed, 1);
  const std::vector<Sample> new_samples =
      Generate(3, t1, 2 * kSamplesPerChunk + 30);
  AppendRange(Up("again"), new_samples, 0, new_samples.size());
  EXPECT_EQ(Diff(Read("again", kMinTimestamp, kMaxTimestamp), new_samples, 0,
                 new_samples.size()),
            "");
  OpenHead(o);
  EXPECT_EQ(head_->stats().series, 2);
  EXPECT_EQ(Diff(Read("again", kMinTimestamp, kMaxTimestamp), new_samples, 0,
                 new_samples.size()),
            "");
  EXPECT_EQ(
      Diff(Read("keep", kMinTimestamp, kMaxTimestamp), keep, 0, keep.size()),
      "");
  // Appends go on after the new chain.
  const std::vector<Sample> more =
      Generate(4, new_samples.back().t + 1000, kSamplesPerChunk);
  AppendRange(Up("again"), more, 0, more.size());
  std::vector<Sample> all = new_samples;
  all.insert(all.end(), more.begin(), more.end());
  OpenHead(o);
  EXPECT_EQ(
      Diff(Read("again", kMinTimestamp, kMaxTimestamp), all, 0, all.size()),
      "");
}

// A torn tail of the newest chunk file is cut at replay; the rebuilt chain
// starts at the newest surviving chunk, never past the cut, and new chunks
// link to it.
TEST_F(ChainTest, RepairedChunkFileTailRebuildsTheChainBeforeIt) {
  const int64_t n = 300 * kSamplesPerChunk;
  clock_.Set(absl::FromUnixMillis(kStart + 2 * n * 1000));
  HeadOptions o = Options();
  o.max_segment_bytes = 64 << 10;
  OpenHead(o);
  const std::vector<Sample> samples = Generate(5, kStart, n);
  AppendRange(Up("t"), samples, 0, samples.size() - 10);
  // The WAL no longer holds the persisted chunks' samples.
  ASSERT_THAT(head_->Checkpoint(), IsOk());
  head_.reset();
  std::string newest;
  for (const auto& e : std::filesystem::directory_iterator(dir_ + "/chunks")) {
    newest = std::max(newest, e.path().string());
  }
  const auto size = std::filesystem::file_size(newest);
  ASSERT_GT(size, 2000u);
  // Inside the last record (records here are about 1000 bytes).
  std::filesystem::resize_file(newest, size - 500);
  OpenHead(o);
  EXPECT_EQ(head_->stats().chunk_file_truncations, 1);
  // The persisted chunks up to the cut, then a gap (the lost chunks), then
  // the open chunk the checkpoint kept.
  std::vector<Sample> got = Read("t", kMinTimestamp, kMaxTimestamp);
  ASSERT_GT(got.size(), 1000u);
  size_t kept = 0;
  while (kept < got.size() && got[kept].t == samples[kept].t) ++kept;
  EXPECT_EQ(kept % kSamplesPerChunk, 0u);
  EXPECT_EQ(Diff(std::vector<Sample>(got.begin(), got.begin() + kept), samples,
                 0, kept),
            "");
  const size_t open_from = LowerBound(samples, got[kept].t);
  EXPECT_GT(open_from, kept);
  EXPECT_EQ(Diff(std::vector<Sample>(got.begin() + kept, got.end()), samples,
                 open_from, samples.size() - 10),
            "");
  // More chunks after the repair link to the newest surviving one.
  std::vector<Sample> more =
      Generate(6, samples.back().t + 1000, 3 * kSamplesPerChunk);
  AppendRange(Up("t"), more, 0, more.size());
  OpenHead(o);
  std::vector<Sample> after = Read("t", kMinTimestamp, kMaxTimestamp);
  ASSERT_EQ(after.size(), got.size() + more.size());
  EXPECT_EQ(Diff(std::vector<Sample>(after.begin() + got.size(), after.end()),
                 more, 0, more.size()),
            "");
}

}  // namespace
}  // namespace fraisier::tsdb
