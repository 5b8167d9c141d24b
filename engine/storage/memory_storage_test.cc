#include "engine/storage/memory_storage.h"

#include <cmath>
#include <memory>
#include <string>
#include <thread>
#include <vector>

#include "engine/model/value.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace fraisier::storage {
namespace {

using ::testing::ElementsAre;
using ::testing::IsEmpty;

Labels L(std::initializer_list<LabelPair> pairs) {
  return Labels::FromPairs(pairs);
}

Matcher Eq(absl::string_view name, absl::string_view value) {
  return *Matcher::Create(MatchType::kEqual, name, value);
}

Matcher Re(absl::string_view name, absl::string_view value) {
  return *Matcher::Create(MatchType::kRegexMatch, name, value);
}

struct Got {
  std::string labels;
  std::vector<Sample> samples;
};

std::vector<Got> SelectAll(MemoryStorage& store, Timestamp mint, Timestamp maxt,
                           std::vector<Matcher> matchers) {
  auto querier = store.NewQuerier(mint, maxt);
  EXPECT_TRUE(querier.ok());
  std::unique_ptr<SeriesSet> set = (*querier)->Select(true, nullptr, matchers);
  std::vector<Got> out;
  while (set->Next()) {
    Got g{set->At().labels().ToString(), {}};
    auto it = set->At().Iterator();
    while (it->Next()) g.samples.push_back(it->At());
    out.push_back(std::move(g));
  }
  EXPECT_TRUE(set->status().ok());
  return out;
}

void AppendOk(MemoryStorage& store, const Labels& labels,
              std::vector<Sample> samples) {
  auto app = store.NewAppender();
  for (const Sample& s : samples) {
    ASSERT_TRUE(app->Append(0, labels, s.t, s.v).ok());
  }
  ASSERT_TRUE(app->Commit().ok());
}

TEST(MemoryStorageTest, NothingVisibleBeforeCommit) {
  MemoryStorage store;
  auto app = store.NewAppender();
  ASSERT_TRUE(app->Append(0, L({{"__name__", "up"}}), 10, 1).ok());
  EXPECT_THAT(SelectAll(store, 0, 100, {Eq("__name__", "up")}), IsEmpty());
  ASSERT_TRUE(app->Commit().ok());
  EXPECT_EQ(SelectAll(store, 0, 100, {Eq("__name__", "up")}).size(), 1u);
  EXPECT_EQ(store.NumSeries(), 1u);
  EXPECT_EQ(store.NumSamples(), 1u);
}

TEST(MemoryStorageTest, RollbackDropsTheBatch) {
  MemoryStorage store;
  auto app = store.NewAppender();
  ASSERT_TRUE(app->Append(0, L({{"__name__", "up"}}), 10, 1).ok());
  app->Rollback();
  ASSERT_TRUE(app->Commit().ok());
  EXPECT_EQ(store.NumSamples(), 0u);
}

TEST(MemoryStorageTest, SelectAppliesMatchersAndSortsByLabels) {
  MemoryStorage store;
  AppendOk(store, L({{"__name__", "x"}, {"job", "b"}}), {{1, 1}});
  AppendOk(store, L({{"__name__", "x"}, {"job", "a"}}), {{1, 2}});
  AppendOk(store, L({{"__name__", "y"}, {"job", "a"}}), {{1, 3}});
  std::vector<Got> got = SelectAll(store, 0, 10, {Eq("__name__", "x")});
  ASSERT_EQ(got.size(), 2u);
  EXPECT_EQ(got[0].labels, R"({__name__="x", job="a"})");
  EXPECT_EQ(got[1].labels, R"({__name__="x", job="b"})");

  got = SelectAll(store, 0, 10, {Re("__name__", "x|y"), Eq("job", "a")});
  ASSERT_EQ(got.size(), 2u);
  EXPECT_EQ(got[0].labels, R"({__name__="x", job="a"})");
  EXPECT_EQ(got[1].labels, R"({__name__="y", job="a"})");

  // An absent label matches as "".
  got = SelectAll(store, 0, 10, {Eq("instance", ""), Eq("job", "b")});
  ASSERT_EQ(got.size(), 1u);
  // No matchers: everything.
  EXPECT_EQ(SelectAll(store, 0, 10, {}).size(), 3u);
}

TEST(MemoryStorageTest, SelectKeepsOnlySamplesInRangeInclusive) {
  MemoryStorage store;
  AppendOk(store, L({{"__name__", "x"}}), {{0, 0}, {10, 1}, {20, 2}, {30, 3}});
  AppendOk(store, L({{"__name__", "old"}}), {{0, 0}});
  std::vector<Got> got = SelectAll(store, 10, 20, {Re("__name__", ".+")});
  ASSERT_EQ(got.size(), 1u);  // "old" has nothing in range
  EXPECT_THAT(got[0].samples, ElementsAre(Sample{10, 1}, Sample{20, 2}));
}

TEST(MemoryStorageTest, OutOfOrderSamplesAreSortedIn) {
  MemoryStorage store;
  Labels x = L({{"__name__", "x"}});
  AppendOk(store, x, {{30, 3}, {10, 1}});
  AppendOk(store, x, {{20, 2}, {0, 0}});
  std::vector<Got> got =
      SelectAll(store, kMinTimestamp, kMaxTimestamp, {Eq("__name__", "x")});
  ASSERT_EQ(got.size(), 1u);
  EXPECT_THAT(got[0].samples, ElementsAre(Sample{0, 0}, Sample{10, 1},
                                          Sample{20, 2}, Sample{30, 3}));
}

TEST(MemoryStorageTest, OutOfOrderRefusedWhenDisabled) {
  MemoryStorage store(MemoryStorageOptions{.allow_out_of_order = false});
  Labels x = L({{"__name__", "x"}});
  AppendOk(store, x, {{30, 3}});
  auto app = store.NewAppender();
  auto ref = app->Append(0, x, 10, 1);
  ASSERT_FALSE(ref.ok());
  EXPECT_EQ(GetAppendError(ref.status()), AppendError::kOutOfOrder);
  // Within one batch too.
  ASSERT_TRUE(app->Append(0, x, 40, 4).ok());
  EXPECT_EQ(GetAppendError(app->Append(0, x, 35, 4).status()),
            AppendError::kOutOfOrder);
  ASSERT_TRUE(app->Commit().ok());
  EXPECT_EQ(store.NumSamples(), 2u);
}

TEST(MemoryStorageTest, DuplicateTimestamps) {
  MemoryStorage store;
  Labels x = L({{"__name__", "x"}});
  AppendOk(store, x, {{10, 1}});
  auto app = store.NewAppender();
  // The same value again is accepted and changes nothing.
  EXPECT_TRUE(app->Append(0, x, 10, 1).ok());
  EXPECT_EQ(GetAppendError(app->Append(0, x, 10, 2).status()),
            AppendError::kDuplicateTimestamp);
  ASSERT_TRUE(app->Commit().ok());
  EXPECT_EQ(store.NumSamples(), 1u);
}

TEST(MemoryStorageTest, StaleMarkersAndNaNsAreKeptBitwise) {
  MemoryStorage store;
  Labels x = L({{"__name__", "x"}});
  AppendOk(store, x, {{10, std::nan("")}, {20, StaleNaN()}});
  auto app = store.NewAppender();
  EXPECT_TRUE(app->Append(0, x, 20, StaleNaN()).ok());
  EXPECT_FALSE(app->Append(0, x, 10, StaleNaN()).ok());
  app->Rollback();
  std::vector<Got> got = SelectAll(store, 0, 100, {Eq("__name__", "x")});
  ASSERT_EQ(got.size(), 1u);
  ASSERT_EQ(got[0].samples.size(), 2u);
  EXPECT_TRUE(std::isnan(got[0].samples[0].v));
  EXPECT_FALSE(IsStaleNaN(got[0].samples[0].v));
  EXPECT_TRUE(IsStaleNaN(got[0].samples[1].v));
}

TEST(MemoryStorageTest, EmptyLabelsRefused) {
  MemoryStorage store;
  auto app = store.NewAppender();
  EXPECT_EQ(GetAppendError(app->Append(0, Labels(), 1, 1).status()),
            AppendError::kInvalidLabels);
}

TEST(MemoryStorageTest, AppendReturnsKnownRefs) {
  MemoryStorage store;
  Labels x = L({{"__name__", "x"}});
  auto app = store.NewAppender();
  EXPECT_EQ(*app->Append(0, x, 1, 1), 0u);  // not known until committed
  ASSERT_TRUE(app->Commit().ok());
  auto ref = app->Append(0, x, 2, 2);
  ASSERT_TRUE(ref.ok());
  EXPECT_NE(*ref, 0u);
  EXPECT_TRUE(app->Append(*ref, x, 3, 3).ok());
  ASSERT_TRUE(app->Commit().ok());
  EXPECT_EQ(store.NumSamples(), 3u);
}

TEST(MemoryStorageTest, LabelNamesAndValues) {
  MemoryStorage store;
  AppendOk(store, L({{"__name__", "x"}, {"job", "b"}}), {{1, 1}});
  AppendOk(store, L({{"__name__", "x"}, {"job", "a"}, {"zone", "z"}}),
           {{1, 1}});
  AppendOk(store, L({{"__name__", "y"}, {"env", "p"}}), {{100, 1}});
  auto q = store.NewQuerier(0, 10);
  ASSERT_TRUE(q.ok());
  EXPECT_THAT(*(*q)->LabelNames({}), ElementsAre("__name__", "job", "zone"));
  EXPECT_THAT(*(*q)->LabelValues("job", {}), ElementsAre("a", "b"));
  std::vector<Matcher> m = {Eq("job", "b")};
  EXPECT_THAT(*(*q)->LabelValues("job", m), ElementsAre("b"));
  EXPECT_THAT(*(*q)->LabelNames(m), ElementsAre("__name__", "job"));
  EXPECT_THAT(*(*q)->LabelValues("nope", {}), IsEmpty());
  auto all = store.NewQuerier(kMinTimestamp, kMaxTimestamp);
  EXPECT_THAT(*(*all)->LabelValues("__name__", {}), ElementsAre("x", "y"));
}

TEST(MemoryStorageTest, ClearRemovesEverything) {
  MemoryStorage store;
  AppendOk(store, L({{"__name__", "x"}}), {{1, 1}});
  store.Clear();
  EXPECT_EQ(store.NumSeries(), 0u);
  EXPECT_THAT(SelectAll(store, 0, 10, {}), IsEmpty());
  AppendOk(store, L({{"__name__", "x"}}), {{1, 2}});  // no duplicate error
  EXPECT_EQ(store.NumSamples(), 1u);
}

TEST(MemoryStorageTest, ConcurrentAppendersAndQueriers) {
  MemoryStorage store;
  constexpr int kThreads = 4;
  constexpr int kSamples = 500;
  std::vector<std::thread> threads;
  for (int i = 0; i < kThreads; ++i) {
    threads.emplace_back([&store, i] {
      Labels l =
          Labels::FromPairs({{"__name__", "x"}, {"thread", std::to_string(i)}});
      for (int t = 0; t < kSamples; ++t) {
        auto app = store.NewAppender();
        ASSERT_TRUE(app->Append(0, l, t, t).ok());
        ASSERT_TRUE(app->Commit().ok());
      }
    });
    threads.emplace_back([&store] {
      for (int n = 0; n < 50; ++n) {
        auto q = store.NewQuerier(kMinTimestamp, kMaxTimestamp);
        auto set = (*q)->Select(true, nullptr, {});
        while (set->Next()) {
          auto it = set->At().Iterator();
          Timestamp last = -1;
          while (it->Next()) {
            ASSERT_GT(it->At().t, last);
            last = it->At().t;
          }
        }
      }
    });
  }
  for (std::thread& t : threads) t.join();
  EXPECT_EQ(store.NumSeries(), static_cast<size_t>(kThreads));
  EXPECT_EQ(store.NumSamples(), static_cast<size_t>(kThreads * kSamples));
}

}  // namespace
}  // namespace fraisier::storage
