#include "engine/tsdb/postings.h"

#include <algorithm>
#include <iterator>
#include <random>
#include <vector>

#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace fraisier::tsdb {
namespace {

using ::testing::ElementsAre;
using ::testing::IsEmpty;
using List = std::vector<SeriesId>;

TEST(PostingsTest, GallopLowerBound) {
  const List l = {1, 3, 5, 7, 9, 11, 13, 15, 17};
  EXPECT_EQ(GallopLowerBound(l, 0, 0), 0u);
  EXPECT_EQ(GallopLowerBound(l, 0, 1), 0u);
  EXPECT_EQ(GallopLowerBound(l, 0, 2), 1u);
  EXPECT_EQ(GallopLowerBound(l, 0, 17), 8u);
  EXPECT_EQ(GallopLowerBound(l, 0, 18), 9u);
  EXPECT_EQ(GallopLowerBound(l, 3, 2), 3u);  // Never moves backwards.
  EXPECT_EQ(GallopLowerBound(l, 3, 12), 6u);
  EXPECT_EQ(GallopLowerBound(l, 9, 1), 9u);
  EXPECT_EQ(GallopLowerBound({}, 0, 5), 0u);
}

TEST(PostingsTest, Tables) {
  List out;
  Intersect(List{1, 2, 3, 7}, List{2, 3, 4, 7, 9}, &out);
  EXPECT_THAT(out, ElementsAre(2, 3, 7));
  Intersect(List{}, List{1}, &out);
  EXPECT_THAT(out, IsEmpty());
  Intersect(List{1, 2}, List{3, 4}, &out);
  EXPECT_THAT(out, IsEmpty());

  Merge({}, &out);
  EXPECT_THAT(out, IsEmpty());
  const List a = {1, 4, 9}, b = {2, 4, 10}, c = {0, 9, 11}, e = {};
  Merge({PostingsSpan(a)}, &out);
  EXPECT_THAT(out, ElementsAre(1, 4, 9));
  Merge({PostingsSpan(a), PostingsSpan(b)}, &out);
  EXPECT_THAT(out, ElementsAre(1, 2, 4, 9, 10));
  Merge({PostingsSpan(a), PostingsSpan(e), PostingsSpan(b), PostingsSpan(c)},
        &out);
  EXPECT_THAT(out, ElementsAre(0, 1, 2, 4, 9, 10, 11));

  IntersectAll({}, &out);
  EXPECT_THAT(out, IsEmpty());
  IntersectAll({PostingsSpan(a), PostingsSpan(b)}, &out);
  EXPECT_THAT(out, ElementsAre(4));
  IntersectAll({PostingsSpan(a), PostingsSpan(c)}, &out);
  EXPECT_THAT(out, ElementsAre(9));
  IntersectAll({PostingsSpan(a), PostingsSpan(b), PostingsSpan(c)}, &out);
  EXPECT_THAT(out, IsEmpty());

  Subtract(List{1, 2, 3, 4}, List{2, 4, 6}, &out);
  EXPECT_THAT(out, ElementsAre(1, 3));
  Subtract(List{1, 2}, List{}, &out);
  EXPECT_THAT(out, ElementsAre(1, 2));
  Subtract(List{}, List{1}, &out);
  EXPECT_THAT(out, IsEmpty());

  EXPECT_TRUE(Intersects(List{1, 5}, List{5, 6}));
  EXPECT_FALSE(Intersects(List{1, 5}, List{2, 6}));
  EXPECT_FALSE(Intersects(List{}, List{2, 6}));
  EXPECT_FALSE(Intersects(List{7, 8}, List{2, 6}));
}

TEST(PostingsTest, OutputBufferIsReused) {
  List out = {99, 98, 97};
  Intersect(List{1}, List{1}, &out);
  EXPECT_THAT(out, ElementsAre(1));
  Merge({}, &out);
  EXPECT_THAT(out, IsEmpty());
}

TEST(PostingsTest, MarksAndFilter) {
  const List base = {2, 4, 6, 8, 10};
  std::vector<uint8_t> marks(base.size(), 0);
  MarkCommon(base, List{1, 4, 5, 10}, &marks);
  MarkCommon(base, List{6}, &marks);
  EXPECT_THAT(marks, ElementsAre(0, 1, 1, 0, 1));
  List keep = base;
  FilterByMarks(marks, 0, &keep);
  EXPECT_THAT(keep, ElementsAre(4, 6, 10));
  List drop = base;
  FilterByMarks(marks, 1, &drop);
  EXPECT_THAT(drop, ElementsAre(2, 8));
}

// A sorted random subset of [0, universe) with about `n` elements.
List RandomList(std::mt19937& rng, size_t n, uint32_t universe) {
  std::uniform_int_distribution<uint32_t> d(0, universe - 1);
  List l;
  for (size_t i = 0; i < n; ++i) l.push_back(d(rng));
  std::sort(l.begin(), l.end());
  l.erase(std::unique(l.begin(), l.end()), l.end());
  return l;
}

// Sizes span ratios from 1:1 to 1:10000 so every algorithm (linear walk and
// galloping either way) runs against the std::set_* references.
TEST(PostingsTest, RandomAgainstStdAlgorithms) {
  std::mt19937 rng(42);
  const size_t sizes[] = {0, 1, 2, 5, 30, 100, 1000, 20000};
  const uint32_t universes[] = {50, 3000, 1000000};
  int cases = 0;
  for (uint32_t universe : universes) {
    for (size_t na : sizes) {
      for (size_t nb : sizes) {
        for (int rep = 0; rep < 3; ++rep, ++cases) {
          const List a = RandomList(rng, na, universe);
          const List b = RandomList(rng, nb, universe);
          List want, got;
          std::set_intersection(a.begin(), a.end(), b.begin(), b.end(),
                                std::back_inserter(want));
          Intersect(a, b, &got);
          ASSERT_EQ(got, want) << na << " " << nb << " " << universe;
          IntersectAll({PostingsSpan(a), PostingsSpan(b)}, &got);
          ASSERT_EQ(got, want);
          ASSERT_EQ(Intersects(a, b), !want.empty());

          std::vector<uint8_t> marks(a.size(), 0);
          MarkCommon(a, b, &marks);
          got = a;
          FilterByMarks(marks, 0, &got);
          ASSERT_EQ(got, want);

          want.clear();
          std::set_union(a.begin(), a.end(), b.begin(), b.end(),
                         std::back_inserter(want));
          Merge({PostingsSpan(a), PostingsSpan(b)}, &got);
          ASSERT_EQ(got, want);

          want.clear();
          std::set_difference(a.begin(), a.end(), b.begin(), b.end(),
                              std::back_inserter(want));
          Subtract(a, b, &got);
          ASSERT_EQ(got, want) << na << " " << nb << " " << universe;
          got = a;
          FilterByMarks(marks, 1, &got);
          ASSERT_EQ(got, want);
        }
      }
    }
  }
  EXPECT_EQ(cases, 3 * 8 * 8 * 3);
}

TEST(PostingsTest, RandomManyLists) {
  std::mt19937 rng(7);
  for (int rep = 0; rep < 200; ++rep) {
    const size_t k = 1 + rng() % 40;
    std::vector<List> lists;
    for (size_t i = 0; i < k; ++i) {
      const size_t n = rng() % 4 == 0 ? rng() % 5000 : rng() % 50;
      lists.push_back(RandomList(rng, n, rep % 2 == 0 ? 2000 : 100000));
    }
    std::vector<PostingsSpan> spans(lists.begin(), lists.end());
    List want_union, want_inter = lists[0], got;
    for (const List& l : lists) {
      List u;
      std::set_union(want_union.begin(), want_union.end(), l.begin(), l.end(),
                     std::back_inserter(u));
      want_union.swap(u);
      List in;
      std::set_intersection(want_inter.begin(), want_inter.end(), l.begin(),
                            l.end(), std::back_inserter(in));
      want_inter.swap(in);
    }
    Merge(spans, &got);
    ASSERT_EQ(got, want_union) << "k=" << k;
    IntersectAll(spans, &got);
    ASSERT_EQ(got, want_inter) << "k=" << k;
  }
}

// The intersection of nearly identical large lists and of a large list
// with a few elements (the galloping case) at the ends of the id range.
TEST(PostingsTest, EdgesOfIdRange) {
  List big;
  for (uint32_t i = 0; i < 100000; ++i) big.push_back(i * 3);
  const List few = {0, 1, 299997, 299998, 4294967295u};
  List out;
  Intersect(few, big, &out);
  EXPECT_THAT(out, ElementsAre(0, 299997));
  Subtract(few, big, &out);
  EXPECT_THAT(out, ElementsAre(1, 299998, 4294967295u));
  Subtract(big, few, &out);
  EXPECT_EQ(out.size(), big.size() - 2);
  EXPECT_EQ(out.front(), 3u);
  EXPECT_EQ(out.back(), 299994u);
}

}  // namespace
}  // namespace fraisier::tsdb
