#include "engine/tsdb/index.h"

#include <string>
#include <utility>
#include <vector>

#include "absl/strings/str_cat.h"
#include "engine/base/status_matchers.h"
#include "engine/model/labels.h"
#include "engine/model/matcher.h"
#include "engine/tsdb/postings_list.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace fraisier::tsdb {
namespace {

using ::fraisier::testing::IsOk;
using ::testing::ElementsAre;
using ::testing::IsEmpty;

Matcher M(absl::string_view name, absl::string_view op,
          absl::string_view value) {
  const MatchType type = op == "="    ? MatchType::kEqual
                         : op == "!=" ? MatchType::kNotEqual
                         : op == "=~" ? MatchType::kRegexMatch
                                      : MatchType::kRegexNoMatch;
  absl::StatusOr<Matcher> m = Matcher::Create(type, name, value);
  EXPECT_THAT(m, IsOk());
  return *std::move(m);
}

TEST(PostingsListTest, InlineGrowthAndOrder) {
  PostingsList l;
  EXPECT_TRUE(l.empty());
  EXPECT_EQ(l.HeapBytes(), 0u);
  EXPECT_TRUE(l.Insert(5));
  EXPECT_TRUE(l.Insert(9));
  EXPECT_EQ(l.HeapBytes(), 0u);  // Two ids fit inline.
  EXPECT_FALSE(l.Insert(9));
  EXPECT_TRUE(l.Insert(1));  // Out of order, moves to the heap.
  EXPECT_THAT(l.span(), ElementsAre(1, 5, 9));
  EXPECT_GT(l.HeapBytes(), 0u);
  for (SeriesId id = 100; id < 1100; ++id) EXPECT_TRUE(l.Insert(id));
  EXPECT_TRUE(l.Insert(7));
  EXPECT_FALSE(l.Insert(500));
  EXPECT_EQ(l.size(), 1004u);
  EXPECT_EQ(l.span()[2], 7u);
  // Modest growth: at most 1/8 of slack, plus malloc's rounding.
  EXPECT_LE(l.HeapBytes(), 1004 * 4 * 9 / 8 + 16);
  EXPECT_GE(l.HeapBytes(), 1004 * 4);

  PostingsList moved(std::move(l));
  EXPECT_EQ(moved.size(), 1004u);
  EXPECT_TRUE(l.empty());  // NOLINT: checking the moved-from state.
  const std::vector<SeriesId> few = {3, 4};
  moved.Assign(few);
  EXPECT_THAT(moved.span(), ElementsAre(3, 4));
  EXPECT_EQ(moved.HeapBytes(), 0u);
  const std::vector<SeriesId> more = {1, 2, 3, 4, 5};
  moved.Assign(more);
  // Trimmed to fit, up to malloc's 16-byte rounding.
  EXPECT_LT(moved.HeapBytes(), 5 * sizeof(SeriesId) + 16);
  l = std::move(moved);
  EXPECT_THAT(l.span(), ElementsAre(1, 2, 3, 4, 5));
}

class MemIndexTest : public ::testing::Test {
 protected:
  void SetUp() override {
    index_.Add(1, Labels::FromPairs({{"__name__", "up"},
                                     {"job", "api"},
                                     {"instance", "10.0.0.1:80"}}));
    index_.Add(2, Labels::FromPairs({{"__name__", "up"},
                                     {"job", "api"},
                                     {"instance", "10.0.1.7:80"},
                                     {"x", "a"}}));
    index_.Add(3, Labels::FromPairs({{"__name__", "up"},
                                     {"job", "db"},
                                     {"instance", "10.1.0.1:80"},
                                     {"x", "b"}}));
    index_.Add(4, Labels::FromPairs(
                      {{"__name__", "rpc"}, {"job", "db"}, {"x", "ab"}}));
  }

  std::vector<SeriesId> Select(std::vector<Matcher> ms) {
    return index_.Select(ms);
  }

  MemIndex index_;
};

TEST_F(MemIndexTest, EqualityAndAbsentLabels) {
  EXPECT_THAT(Select({M("job", "=", "api")}), ElementsAre(1, 2));
  EXPECT_THAT(Select({M("job", "=", "none")}), IsEmpty());
  EXPECT_THAT(Select({M("nope", "=", "a")}), IsEmpty());
  EXPECT_THAT(Select({M("x", "=", "")}), ElementsAre(1));
  EXPECT_THAT(Select({M("nope", "=", "")}), ElementsAre(1, 2, 3, 4));
  EXPECT_THAT(Select({M("x", "!=", "")}), ElementsAre(2, 3, 4));
  EXPECT_THAT(Select({M("x", "!=", "a")}), ElementsAre(1, 3, 4));
  EXPECT_THAT(Select({M("job", "=", "api"), M("x", "!=", "a")}),
              ElementsAre(1));
  EXPECT_THAT(Select({M("job", "=", "db"), M("x", "=", "b")}), ElementsAre(3));
  EXPECT_THAT(Select({}), IsEmpty());
}

TEST_F(MemIndexTest, Regexes) {
  EXPECT_THAT(Select({M("x", "=~", "a|b")}), ElementsAre(2, 3));
  EXPECT_THAT(Select({M("x", "=~", "a|")}), ElementsAre(1, 2));
  EXPECT_THAT(Select({M("x", "!~", "a|")}), ElementsAre(3, 4));
  EXPECT_THAT(Select({M("x", "!~", "a|b")}), ElementsAre(1, 4));
  EXPECT_THAT(Select({M("x", "=~", ".*")}), ElementsAre(1, 2, 3, 4));
  EXPECT_THAT(Select({M("x", "=~", ".+")}), ElementsAre(2, 3, 4));
  EXPECT_THAT(Select({M("x", "!~", ".*")}), IsEmpty());
  EXPECT_THAT(Select({M("x", "!~", ".+")}), ElementsAre(1));
  EXPECT_THAT(Select({M("x", "=~", "a.*")}), ElementsAre(2, 4));
  EXPECT_THAT(Select({M("x", "=~", "a.+")}), ElementsAre(4));
  EXPECT_THAT(Select({M("x", "=~", ".*b")}), ElementsAre(3, 4));
  EXPECT_THAT(Select({M("instance", "=~", "10\\.0\\..*")}), ElementsAre(1, 2));
  EXPECT_THAT(Select({M("instance", "=~", "10\\.0\\.[0-9]+\\.1:80")}),
              ElementsAre(1));
  EXPECT_THAT(Select({M("instance", "!~", "10\\.0\\..*")}), ElementsAre(3, 4));
  EXPECT_THAT(Select({M("job", "=", "api"), M("instance", "=~", "10\\..*")}),
              ElementsAre(1, 2));
  // x is required by the second matcher, so "a|" acts as "a".
  EXPECT_THAT(Select({M("x", "=~", "a|"), M("x", "=~", ".+")}), ElementsAre(2));
  EXPECT_THAT(Select({M("x", "=~", ".*"), M("job", "=", "db")}),
              ElementsAre(3, 4));
}

TEST_F(MemIndexTest, LabelNamesAndValues) {
  EXPECT_THAT(index_.LabelNames(),
              ElementsAre("__name__", "instance", "job", "x"));
  EXPECT_THAT(index_.LabelNames({M("__name__", "=", "rpc")}),
              ElementsAre("__name__", "job", "x"));
  EXPECT_THAT(index_.LabelNames({M("job", "=", "nope")}), IsEmpty());
  EXPECT_THAT(index_.LabelValues("x"), ElementsAre("a", "ab", "b"));
  EXPECT_THAT(index_.LabelValues("nope"), IsEmpty());
  EXPECT_THAT(index_.LabelValues("x", {M("job", "=", "db")}),
              ElementsAre("ab", "b"));
  EXPECT_THAT(index_.LabelValues("x", {M("x", "=~", "a.*")}),
              ElementsAre("a", "ab"));
  EXPECT_THAT(index_.LabelValues("instance", {M("x", "=", "")}),
              ElementsAre("10.0.0.1:80"));
}

TEST_F(MemIndexTest, OutOfOrderAndDuplicateAdds) {
  index_.Add(0, Labels::FromPairs({{"job", "api"}}));
  index_.Add(3, Labels::FromPairs({{"__name__", "up"},
                                   {"job", "db"},
                                   {"instance", "10.1.0.1:80"},
                                   {"x", "b"}}));
  EXPECT_EQ(index_.NumSeries(), 5u);
  EXPECT_THAT(Select({M("job", "=", "api")}), ElementsAre(0, 1, 2));
  EXPECT_THAT(Select({M("x", "=", "")}), ElementsAre(0, 1));
  EXPECT_THAT(Select({M("job", "=", "db")}), ElementsAre(3, 4));
}

TEST_F(MemIndexTest, RemoveDropsEmptiedValuesAndNames) {
  const size_t before = index_.MemoryBytes();
  const std::vector<SeriesId> gone = {2, 4, 99};
  index_.Remove(gone);
  EXPECT_EQ(index_.NumSeries(), 2u);
  EXPECT_THAT(Select({M("job", "=", "api")}), ElementsAre(1));
  EXPECT_THAT(Select({M("x", "=", "")}), ElementsAre(1));
  EXPECT_THAT(Select({M("x", "=~", ".+")}), ElementsAre(3));
  EXPECT_THAT(index_.LabelValues("x"), ElementsAre("b"));
  EXPECT_THAT(index_.LabelValues("__name__"), ElementsAre("up"));
  index_.Remove(std::vector<SeriesId>{3});
  EXPECT_THAT(index_.LabelNames(), ElementsAre("__name__", "instance", "job"));
  EXPECT_LT(index_.MemoryBytes(), before);
  index_.Remove(std::vector<SeriesId>{1});
  EXPECT_THAT(index_.LabelNames(), IsEmpty());
  EXPECT_EQ(index_.NumSeries(), 0u);
  EXPECT_THAT(Select({M("x", "=", "")}), IsEmpty());
  // Ids may come back after removal.
  index_.Add(2, Labels::FromPairs({{"job", "api"}}));
  EXPECT_THAT(Select({M("job", "=~", "api|db")}), ElementsAre(2));
}

// Churn through many distinct values so that the arena holding dead strings
// is compacted, and check everything still reads back.
TEST(MemIndexArenaTest, CompactsAfterChurn) {
  MemIndex index;
  const std::string pad(200, 'p');
  SeriesId next = 0;
  for (int round = 0; round < 6; ++round) {
    std::vector<SeriesId> ids;
    for (int i = 0; i < 4000; ++i, ++next) {
      index.Add(next, Labels::FromPairs({{"job", "churn"},
                                         {"pod", absl::StrCat(pad, next)}}));
      ids.push_back(next);
    }
    if (round < 5) index.Remove(ids);
  }
  EXPECT_EQ(index.NumSeries(), 4000u);
  // 4000 live pods of ~205 bytes, plus btrees and postings; without
  // compaction the arena alone would hold ~5 MB.
  EXPECT_LT(index.MemoryBytes(), 2'600'000u);
  const std::vector<Matcher> pod = {M("pod", "=", absl::StrCat(pad, next - 1))};
  EXPECT_THAT(index.Select(pod), ElementsAre(next - 1));
  EXPECT_EQ(index.LabelValues("pod").size(), 4000u);
  EXPECT_EQ(index.Select({M("job", "=", "churn")}).size(), 4000u);
}

}  // namespace
}  // namespace fraisier::tsdb
