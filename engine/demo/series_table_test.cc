#include "engine/demo/series_table.h"

#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace fraisier::demo {
namespace {

using ::testing::ElementsAre;
using ::testing::Pair;

TEST(SeriesTableTest, SnapshotSortsLabelsWithNameFirst) {
  SeriesTable table;
  const int id = table.Add("up", {{"job", "nats"}, {"instance", "n:8222"}});
  table.Set(id, 1);
  std::vector<ingest::RemoteWriteSeries> s = table.Snapshot(1234);
  ASSERT_EQ(s.size(), 1u);
  EXPECT_THAT(s[0].labels,
              ElementsAre(Pair("__name__", "up"), Pair("instance", "n:8222"),
                          Pair("job", "nats")));
  EXPECT_THAT(s[0].samples, ElementsAre(Pair(1234, 1.0)));
  EXPECT_EQ(table.Find("up", {{"instance", "n:8222"}, {"job", "nats"}}), id);
  EXPECT_EQ(table.Find("up", {{"job", "nats"}}), -1);
}

TEST(SeriesTableTest, CountersNeverGoDown) {
  SeriesTable table;
  const int id = table.Add("c_total", {});
  table.Inc(id, 3);
  table.Inc(id, -2);
  EXPECT_EQ(table.Get(id), 3);
}

TEST(SeriesTableTest, HistogramBucketsAreCumulative) {
  SeriesTable table;
  Histogram h(&table, "lat_seconds", {{"job", "a"}}, {0.1, 1, 2.5});
  h.Observe(0.05);
  h.Observe(0.5);
  h.Observe(3);
  auto bucket = [&](const char* le) {
    return table.Get(
        table.Find("lat_seconds_bucket", {{"job", "a"}, {"le", le}}));
  };
  EXPECT_EQ(bucket("0.1"), 1);
  EXPECT_EQ(bucket("1"), 2);
  EXPECT_EQ(bucket("2.5"), 2);
  EXPECT_EQ(bucket("+Inf"), 3);
  EXPECT_DOUBLE_EQ(table.Get(table.Find("lat_seconds_sum", {{"job", "a"}})),
                   3.55);
  EXPECT_EQ(table.Get(table.Find("lat_seconds_count", {{"job", "a"}})), 3);
  EXPECT_EQ(table.size(), 6u);
}

}  // namespace
}  // namespace fraisier::demo
