#include "engine/tsdb/head.h"

#include <cmath>
#include <filesystem>
#include <memory>
#include <string>
#include <thread>
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

}  // namespace
}  // namespace fraisier::tsdb
