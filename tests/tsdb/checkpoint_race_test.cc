// Reproducer: Head::Checkpoint() racing a Commit() loses acknowledged
// samples.
//
// HeadAppender::Commit logs the batch to the WAL and only then applies it to
// the series. Head::Checkpoint cuts the WAL (NextSegment), snapshots the
// open chunks and truncates the segments up to the cut. A commit whose frame
// landed before the cut but whose samples were not applied yet when the
// snapshot visited their series is in neither the checkpoint nor a segment
// that survives Truncate: once the head is closed (or crashes) the samples
// are gone, although Commit() returned OK.
//
// The commit appends to the series in descending id order, so its apply loop
// runs against the snapshot's ascending walk; the loop usually shows the loss
// within a few hundred commits.
#include <atomic>
#include <filesystem>
#include <memory>
#include <string>
#include <thread>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/time/time.h"
#include "engine/base/clock.h"
#include "engine/base/status_matchers.h"
#include "engine/model/labels.h"
#include "engine/model/matcher.h"
#include "engine/storage/storage.h"
#include "engine/tsdb/head.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace fraisier::tsdb {
namespace {

using ::fraisier::testing::IsOk;

constexpr int64_t kBase = 1700000000000;
constexpr int kSeries = 2000;
constexpr int kRounds = 40;

// Each round: one Checkpoint() runs while commits go on; the head is closed
// right after it (a crash there would lose the same data) and re-opened.
TEST(CheckpointRaceTest, ConcurrentCheckpointKeepsCommittedSamples) {
  const std::string dir = ::testing::TempDir() + "/checkpoint_race";
  std::filesystem::remove_all(dir);
  FakeClock clock(absl::FromUnixMillis(kBase));
  HeadOptions o;
  o.dir = dir;
  o.clock = &clock;
  std::vector<Labels> labels;
  for (int k = 0; k < kSeries; ++k) {
    labels.push_back(
        Labels::FromPairs({{"__name__", "race"}, {"s", absl::StrCat(k)}}));
  }
  const Matcher race = *Matcher::Create(MatchType::kEqual, "__name__", "race");
  int64_t committed = 0;  // commits c = 0 .. committed-1 returned OK
  int rounds_with_loss = 0;
  int64_t lost = 0;  // samples, cumulative
  std::string first_loss;
  for (int round = 0; round < kRounds; ++round) {
    {
      auto head = Head::Open(o);
      ASSERT_THAT(head, IsOk());
      std::atomic<bool> checkpoint_done{false};
      std::thread checkpointer([&] {
        EXPECT_THAT((*head)->Checkpoint(), IsOk());
        checkpoint_done.store(true);
      });
      std::vector<storage::SeriesRef> refs(kSeries, 0);
      while (!checkpoint_done.load()) {
        auto app = (*head)->NewAppender();
        // Descending ids: the apply loop runs against the snapshot's walk.
        for (int k = kSeries - 1; k >= 0; --k) {
          auto ref = app->Append(refs[k], labels[k], kBase + committed, 1);
          ASSERT_THAT(ref, IsOk());
          refs[k] = *ref;
        }
        ASSERT_THAT(app->Commit(), IsOk());
        ++committed;
      }
      checkpointer.join();
    }
    auto head = Head::Open(o);
    ASSERT_THAT(head, IsOk());
    auto querier = (*head)->NewQuerier(kMinTimestamp, kMaxTimestamp);
    ASSERT_THAT(querier, IsOk());
    auto set = (*querier)->Select(false, nullptr, {race});
    int64_t present = 0;
    while (set->Next()) {
      int64_t next = 0;
      auto it = set->At().Iterator();
      while (it->Next()) {
        if (it->At().t != kBase + next && first_loss.empty()) {
          first_loss =
              absl::StrCat("round ", round, ": ", set->At().labels().ToString(),
                           " lacks commit ", next);
        }
        next = it->At().t - kBase + 1;
        ++present;
      }
    }
    const int64_t lost_now = committed * kSeries - present;
    if (lost_now > lost) ++rounds_with_loss;
    lost = lost_now;
  }
  EXPECT_EQ(lost, 0) << "acknowledged samples lost in " << rounds_with_loss
                     << " of " << kRounds << " rounds (" << committed
                     << " commits of " << kSeries
                     << " samples); first: " << first_loss;
}

}  // namespace
}  // namespace fraisier::tsdb
