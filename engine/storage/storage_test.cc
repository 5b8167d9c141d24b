#include "engine/storage/storage.h"

#include <memory>
#include <string>
#include <vector>

#include "engine/storage/list_series.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace fraisier::storage {
namespace {

TEST(AppendErrorTest, RoundTripsThroughStatus) {
  for (AppendError kind :
       {AppendError::kOutOfOrder, AppendError::kDuplicateTimestamp,
        AppendError::kOutOfBounds, AppendError::kSeriesLimit,
        AppendError::kInvalidLabels}) {
    absl::Status status = AppendErrorStatus(kind, "msg");
    EXPECT_FALSE(status.ok());
    EXPECT_EQ(status.message(), "msg");
    EXPECT_EQ(GetAppendError(status), kind) << AppendErrorName(kind);
  }
  EXPECT_EQ(AppendErrorStatus(AppendError::kSeriesLimit, "x").code(),
            absl::StatusCode::kResourceExhausted);
  EXPECT_EQ(AppendErrorStatus(AppendError::kOutOfOrder, "x").code(),
            absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(GetAppendError(absl::OkStatus()), AppendError::kNone);
  EXPECT_EQ(GetAppendError(absl::InternalError("disk")), AppendError::kNone);
}

std::vector<Sample> Samples() {
  return {{10, 1.0}, {20, 2.0}, {30, 3.0}, {40, 4.0}};
}

TEST(VectorSampleIteratorTest, NextWalksInOrder) {
  std::vector<Sample> samples = Samples();
  VectorSampleIterator it(&samples);
  std::vector<Timestamp> seen;
  while (it.Next()) seen.push_back(it.At().t);
  EXPECT_EQ(seen, (std::vector<Timestamp>{10, 20, 30, 40}));
  EXPECT_FALSE(it.Next());
}

TEST(VectorSampleIteratorTest, SeekNeverMovesBackwards) {
  std::vector<Sample> samples = Samples();
  VectorSampleIterator it(&samples);
  ASSERT_TRUE(it.Seek(15));
  EXPECT_EQ(it.At().t, 20);
  ASSERT_TRUE(it.Seek(5));  // already past 5: stays
  EXPECT_EQ(it.At().t, 20);
  ASSERT_TRUE(it.Seek(20));
  EXPECT_EQ(it.At().t, 20);
  ASSERT_TRUE(it.Seek(40));
  EXPECT_EQ(it.At().v, 4.0);
  EXPECT_FALSE(it.Seek(41));
  EXPECT_FALSE(it.Next());
}

TEST(VectorSampleIteratorTest, EmptyVector) {
  std::vector<Sample> none;
  VectorSampleIterator it(&none);
  EXPECT_FALSE(it.Next());
  VectorSampleIterator it2(&none);
  EXPECT_FALSE(it2.Seek(0));
}

TEST(ListSeriesSetTest, YieldsSeriesInOrder) {
  std::vector<std::unique_ptr<Series>> list;
  list.push_back(std::make_unique<ListSeries>(
      Labels::FromPairs({{"__name__", "a"}}), Samples()));
  list.push_back(std::make_unique<ListSeries>(
      Labels::FromPairs({{"__name__", "b"}}), std::vector<Sample>{{1, 9}}));
  ListSeriesSet set(std::move(list));
  ASSERT_TRUE(set.Next());
  EXPECT_EQ(set.At().labels().MetricName(), "a");
  ASSERT_TRUE(set.Next());
  EXPECT_EQ(set.At().labels().MetricName(), "b");
  auto it = set.At().Iterator();
  ASSERT_TRUE(it->Next());
  EXPECT_EQ(it->At().v, 9);
  EXPECT_FALSE(set.Next());
  EXPECT_TRUE(set.status().ok());

  ErrorSeriesSet failed(absl::DataLossError("corrupt chunk"));
  EXPECT_FALSE(failed.Next());
  EXPECT_EQ(failed.status().code(), absl::StatusCode::kDataLoss);
}

// Records what the default AppendLabelViews passes on.
class RecordingAppender final : public Appender {
 public:
  absl::StatusOr<SeriesRef> Append(SeriesRef ref, const Labels& labels,
                                   Timestamp t, double v) override {
    seen.push_back(labels.ToString());
    return ref + 1;
  }
  absl::Status Commit() override { return absl::OkStatus(); }
  void Rollback() override {}
  std::vector<std::string> seen;
};

TEST(AppenderTest, DefaultAppendLabelViewsBuildsLabels) {
  RecordingAppender app;
  const std::vector<Label> views = {{"__name__", "up"}, {"job", "x"}};
  absl::StatusOr<SeriesRef> ref = app.AppendLabelViews(4, views, 0, 10, 1);
  ASSERT_TRUE(ref.ok());
  EXPECT_EQ(*ref, 5u);
  EXPECT_EQ(app.seen, std::vector<std::string>{"{__name__=\"up\", job=\"x\"}"});
}

}  // namespace
}  // namespace fraisier::storage
