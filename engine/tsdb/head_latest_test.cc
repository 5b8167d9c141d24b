// Latest-only Selects (SelectHints::latest_only): each series comes back
// with its newest sample when that sample lies in the window, and with its
// chunks otherwise, so a reader taking the newest sample at or before the
// window's end gets the same answer either way.
#include <filesystem>
#include <memory>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "engine/base/clock.h"
#include "engine/base/status_matchers.h"
#include "engine/model/matcher.h"
#include "engine/tsdb/head.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace fraisier::tsdb {
namespace {

using ::fraisier::testing::IsOk;
using ::testing::ElementsAre;

constexpr int64_t kStart = 1700000000000;  // ms

class HeadLatestTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = absl::StrCat(
        ::testing::TempDir(), "/head_latest_",
        ::testing::UnitTest::GetInstance()->current_test_info()->name());
    std::filesystem::remove_all(dir_);
    clock_.Set(absl::FromUnixMillis(kStart + 3600 * 1000));
    Open();
  }
  void TearDown() override {
    head_.reset();
    std::filesystem::remove_all(dir_);
  }
  void Open() {
    head_.reset();
    HeadOptions o;
    o.dir = dir_;
    o.clock = &clock_;
    absl::StatusOr<std::unique_ptr<Head>> head = Head::Open(o);
    ASSERT_THAT(head, IsOk());
    head_ = *std::move(head);
  }
  void Add(const Labels& l, int64_t t, double v) {
    auto app = head_->NewAppender();
    ASSERT_THAT(app->Append(0, l, t, v), IsOk());
    ASSERT_THAT(app->Commit(), IsOk());
  }

  // Every sample a latest-only Select over [start, end] yields, as
  // "job: t=v ...", series in label order.
  std::vector<std::string> Latest(int64_t start, int64_t end) {
    auto querier = head_->NewQuerier(start, end);
    EXPECT_THAT(querier, IsOk());
    storage::SelectHints hints;
    hints.start = start;
    hints.end = end;
    hints.latest_only = true;
    std::vector<Matcher> m = {
        *Matcher::Create(MatchType::kEqual, "__name__", "up")};
    auto set = (*querier)->Select(true, &hints, m);
    std::vector<std::string> out;
    while (set->Next()) {
      std::string line = absl::StrCat(set->At().labels().Get("job"), ":");
      auto it = set->At().Iterator();
      // Read as the engine does: seek the window start, walk to the end.
      for (bool ok = it->Seek(start); ok && it->At().t <= end;
           ok = it->Next()) {
        absl::StrAppend(&line, " ", (it->At().t - kStart) / 1000, "=",
                        it->At().v);
      }
      out.push_back(line);
    }
    return out;
  }

  std::string dir_;
  FakeClock clock_;
  std::unique_ptr<Head> head_;
};

const Labels kA = Labels::FromPairs({{"__name__", "up"}, {"job", "a"}});
const Labels kB = Labels::FromPairs({{"__name__", "up"}, {"job", "b"}});

TEST_F(HeadLatestTest, NewestSampleInTheWindowComesAlone) {
  for (int i = 0; i < 10; ++i) Add(kA, kStart + i * 10'000, i);
  Add(kB, kStart, 7);
  // Window (30 s, 100 s]: a's newest is 90 s; b's only sample is before it.
  EXPECT_THAT(Latest(kStart + 30'001, kStart + 100'000),
              ElementsAre("a: 90=9"));
}

TEST_F(HeadLatestTest, WindowInThePastReadsTheChunks) {
  for (int i = 0; i < 10; ++i) Add(kA, kStart + i * 10'000, i);
  // The newest sample (90 s) is after the window's end: the samples inside
  // it come from the chunk, and the last of them is 50 s.
  std::vector<std::string> got = Latest(kStart + 20'001, kStart + 55'000);
  ASSERT_EQ(got.size(), 1u);
  EXPECT_EQ(got[0], "a: 30=3 40=4 50=5");
}

TEST_F(HeadLatestTest, StaleMarkerIsTheNewestSample) {
  Add(kA, kStart, 1);
  Add(kA, kStart + 10'000, StaleNaN());
  std::vector<std::string> got = Latest(kStart - 1, kStart + 20'000);
  ASSERT_EQ(got.size(), 1u);
  EXPECT_EQ(got[0], "a: 10=nan");
}

TEST_F(HeadLatestTest, AfterRestartValuesComeFromTheStore) {
  // More samples than one chunk holds, so part of the series is in chunk
  // files when the head reopens.
  for (int i = 0; i < 300; ++i) Add(kA, kStart + i * 10'000, 1000 + i);
  Open();
  EXPECT_THAT(Latest(kStart + 2'980'001, kStart + 3'000'000),
              ElementsAre("a: 2990=1299"));
  Add(kA, kStart + 3'000'000, 5);
  EXPECT_THAT(Latest(kStart + 2'980'001, kStart + 3'000'000),
              ElementsAre("a: 3000=5"));
}

}  // namespace
}  // namespace fraisier::tsdb

namespace fraisier::tsdb {
namespace {

// The newest sample of a series lives only in a chunk file after replay
// when the WAL lost the open chunk's samples (a torn tail): a resent copy
// of that sample is still accepted, and another value at its timestamp
// is still refused, as before the restart.
TEST_F(HeadLatestTest, NewestSampleOnlyInAChunkFileAfterReplay) {
  // The 121st append persists the first 120 samples; its own record is
  // the WAL's last.
  for (int i = 0; i <= 120; ++i) Add(kA, kStart + i * 10'000, 1000 + i);
  head_.reset();
  std::string newest;
  for (const auto& e : std::filesystem::directory_iterator(dir_ + "/wal")) {
    newest = std::max(newest, e.path().string());
  }
  ASSERT_FALSE(newest.empty());
  std::filesystem::resize_file(newest, std::filesystem::file_size(newest) - 3);
  Open();
  // The open chunk is empty, so the window comes from the chunk file.
  EXPECT_THAT(Latest(kStart + 1'160'001, kStart + 1'200'000),
              ElementsAre("a: 1170=1117 1180=1118 1190=1119"));
  auto app = head_->NewAppender();
  EXPECT_THAT(app->Append(0, kA, kStart + 1'190'000, 1119), IsOk());
  EXPECT_EQ(storage::GetAppendError(
                app->Append(0, kA, kStart + 1'190'000, 7).status()),
            storage::AppendError::kDuplicateTimestamp);
  EXPECT_THAT(app->Commit(), IsOk());
}

}  // namespace
}  // namespace fraisier::tsdb
