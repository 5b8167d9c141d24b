#include "engine/model/labels.h"

#include <string>
#include <utility>
#include <vector>

#include "absl/container/flat_hash_set.h"
#include "absl/hash/hash.h"
#include "absl/strings/str_cat.h"
#include "engine/model/xxhash.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace fraisier {
namespace {

using ::testing::ElementsAre;
using ::testing::IsEmpty;

std::vector<std::pair<std::string, std::string>> Pairs(const Labels& labels) {
  std::vector<std::pair<std::string, std::string>> out;
  for (const Label l : labels) {
    out.emplace_back(l.name, l.value);
  }
  return out;
}

using P = std::pair<std::string, std::string>;

TEST(LabelsTest, FromPairsSortsDeduplicatesAndDropsEmpty) {
  struct Case {
    std::vector<LabelPair> in;
    std::vector<P> want;
  };
  const Case cases[] = {
      {{}, {}},
      {{{"b", "2"}, {"a", "1"}, {"__name__", "up"}},
       {{"__name__", "up"}, {"a", "1"}, {"b", "2"}}},
      // Byte order: uppercase before '_' before lowercase.
      {{{"a", "1"}, {"_", "2"}, {"Z", "3"}},
       {{"Z", "3"}, {"_", "2"}, {"a", "1"}}},
      // Last value wins for a repeated name.
      {{{"a", "1"}, {"b", "2"}, {"a", "3"}}, {{"a", "3"}, {"b", "2"}}},
      // Empty values mean "absent", also when they win a duplicate.
      {{{"a", ""}, {"b", "2"}}, {{"b", "2"}}},
      {{{"a", "1"}, {"a", ""}}, {}},
      {{{"a", ""}, {"a", "1"}}, {{"a", "1"}}},
  };
  for (const Case& c : cases) {
    const Labels labels = Labels::FromPairs(absl::MakeConstSpan(c.in));
    EXPECT_EQ(Pairs(labels), c.want) << labels.ToString();
    EXPECT_EQ(labels.size(), c.want.size());
    EXPECT_EQ(labels.empty(), c.want.empty());
  }
}

TEST(LabelsTest, FromPairsOverloadsAgree) {
  const Labels a = Labels::FromPairs({{"job", "x"}, {"a", "1"}});
  const std::vector<std::pair<std::string, std::string>> owned = {{"job", "x"},
                                                                  {"a", "1"}};
  const Labels b = Labels::FromPairs(owned);
  EXPECT_EQ(a, b);
  EXPECT_EQ(a.ToString(), R"({a="1", job="x"})");
}

TEST(LabelsTest, IndexAndIteration) {
  const Labels labels = Labels::FromPairs({{"b", "2"}, {"a", "1"}});
  EXPECT_EQ(labels[0], (Label{"a", "1"}));
  EXPECT_EQ(labels[1], (Label{"b", "2"}));
  std::vector<std::string> names;
  for (auto it = labels.begin(); it != labels.end(); ++it) {
    names.emplace_back((*it).name);
  }
  EXPECT_THAT(names, ElementsAre("a", "b"));
  EXPECT_EQ(Labels().begin(), Labels().end());
}

TEST(LabelsTest, GetHasMetricName) {
  const Labels labels =
      Labels::FromPairs({{"__name__", "up"}, {"job", "api"}, {"a", "1"}});
  struct Case {
    absl::string_view name;
    absl::string_view value;
    bool has;
  };
  const Case cases[] = {
      {"__name__", "up", true}, {"job", "api", true}, {"a", "1", true},
      {"jo", "", false},        {"jobs", "", false},  {"", "", false},
      {"zzz", "", false},       {"A", "", false},
  };
  for (const Case& c : cases) {
    EXPECT_EQ(labels.Get(c.name), c.value) << c.name;
    EXPECT_EQ(labels.Has(c.name), c.has) << c.name;
  }
  EXPECT_EQ(labels.MetricName(), "up");
  EXPECT_EQ(Labels::FromPairs({{"job", "x"}}).MetricName(), "");
  EXPECT_EQ(Labels().Get("job"), "");
  EXPECT_FALSE(Labels().Has("job"));
}

TEST(LabelsTest, WithoutMetricName) {
  const Labels labels = Labels::FromPairs({{"__name__", "up"}, {"job", "x"}});
  EXPECT_EQ(labels.WithoutMetricName(), Labels::FromPairs({{"job", "x"}}));
  const Labels plain = Labels::FromPairs({{"job", "x"}});
  // Nothing to drop: the same representation comes back.
  EXPECT_EQ(plain.WithoutMetricName()[0].name.data(), plain[0].name.data());
  EXPECT_TRUE(
      Labels::FromPairs({{"__name__", "up"}}).WithoutMetricName().empty());
}

TEST(LabelsTest, EqualityAndHash) {
  struct Case {
    Labels a;
    Labels b;
    bool equal;
  };
  const Case cases[] = {
      {Labels(), Labels(), true},
      {Labels(), Labels::FromPairs({{"a", ""}}), true},
      {Labels::FromPairs({{"a", "1"}, {"b", "2"}}),
       Labels::FromPairs({{"b", "2"}, {"a", "1"}}), true},
      {Labels::FromPairs({{"a", "1"}}), Labels::FromPairs({{"a", "2"}}), false},
      {Labels::FromPairs({{"a", "1"}}),
       Labels::FromPairs({{"a", "1"}, {"b", "1"}}), false},
      // Same bytes, different boundaries.
      {Labels::FromPairs({{"a", "bc"}}), Labels::FromPairs({{"ab", "c"}}),
       false},
      {Labels::FromPairs({{"a", "b"}, {"c", "d"}}),
       Labels::FromPairs({{"a", "bc"}, {"d", "x"}}), false},
  };
  for (const Case& c : cases) {
    EXPECT_EQ(c.a == c.b, c.equal) << c.a.ToString() << " " << c.b.ToString();
    EXPECT_EQ(c.a != c.b, !c.equal);
    EXPECT_EQ(c.a.Hash() == c.b.Hash(), c.equal)
        << c.a.ToString() << " " << c.b.ToString();
    EXPECT_EQ(absl::Hash<Labels>()(c.a) == absl::Hash<Labels>()(c.b), c.equal);
  }
}

TEST(LabelsTest, HashIsPrometheusLabelsHash) {
  // Prometheus hashes name 0xFF value 0xFF ... with XXH64.
  const absl::string_view kSep = "\xff";
  const Labels labels = Labels::FromPairs({{"job", "x"}, {"__name__", "up"}});
  EXPECT_EQ(labels.Hash(), XxHash64(absl::StrCat("__name__", kSep, "up", kSep,
                                                 "job", kSep, "x", kSep)));
  EXPECT_EQ(Labels().Hash(), XxHash64(""));
}

TEST(LabelsTest, UsableAsHashSetKey) {
  absl::flat_hash_set<Labels> set;
  set.insert(Labels::FromPairs({{"a", "1"}}));
  set.insert(Labels::FromPairs({{"a", "1"}}));
  set.insert(Labels::FromPairs({{"a", "2"}}));
  EXPECT_EQ(set.size(), 2u);
  EXPECT_TRUE(set.contains(Labels::FromPairs({{"a", "2"}})));
}

TEST(LabelsTest, CompareFollowsPrometheus) {
  struct Case {
    Labels a;
    Labels b;
    int want;
  };
  const Case cases[] = {
      {Labels(), Labels(), 0},
      {Labels::FromPairs({{"a", "1"}}), Labels::FromPairs({{"a", "1"}}), 0},
      // Name decides before value.
      {Labels::FromPairs({{"a", "9"}}), Labels::FromPairs({{"b", "1"}}), -1},
      {Labels::FromPairs({{"b", "1"}}), Labels::FromPairs({{"a", "9"}}), 1},
      // Same name: value decides.
      {Labels::FromPairs({{"a", "1"}}), Labels::FromPairs({{"a", "2"}}), -1},
      {Labels::FromPairs({{"a", "10"}}), Labels::FromPairs({{"a", "9"}}), -1},
      // Common prefix: shorter first.
      {Labels(), Labels::FromPairs({{"a", "1"}}), -1},
      {Labels::FromPairs({{"a", "1"}, {"b", "2"}}),
       Labels::FromPairs({{"a", "1"}}), 1},
      // Pairwise: {a,c} vs {b}: first pair a<b decides despite length.
      {Labels::FromPairs({{"a", "1"}, {"c", "1"}}),
       Labels::FromPairs({{"b", "1"}}), -1},
      // Byte order, not locale: "Z" < "a", and bytes >= 0x80 sort last.
      {Labels::FromPairs({{"x", "Z"}}), Labels::FromPairs({{"x", "a"}}), -1},
      {Labels::FromPairs({{"x", "\xc3\xa9"}}), Labels::FromPairs({{"x", "z"}}),
       1},
  };
  for (const Case& c : cases) {
    EXPECT_EQ(Labels::Compare(c.a, c.b), c.want)
        << c.a.ToString() << " vs " << c.b.ToString();
    EXPECT_EQ(Labels::Compare(c.b, c.a), -c.want);
    EXPECT_EQ(c.a < c.b, c.want < 0);
  }
}

TEST(LabelsTest, ToString) {
  struct Case {
    Labels labels;
    std::string want;
  };
  const Case cases[] = {
      {Labels(), "{}"},
      {Labels::FromPairs({{"job", "x"}, {"__name__", "up"}}),
       R"({__name__="up", job="x"})"},
      {Labels::FromPairs({{"v", "a\"b\\c\nd\te"}}), R"({v="a\"b\\c\nd\te"})"},
      {Labels::FromPairs({{"v", "caf\xc3\xa9"}}), "{v=\"caf\xc3\xa9\"}"},
      {Labels::FromPairs({{"v", "\xff"}}), R"({v="\xff"})"},
      // Non-legacy names are quoted (Prometheus 3).
      {Labels::FromPairs({{"service.name", "a"}, {"0x", "b"}}),
       R"({"0x"="b", "service.name"="a"})"},
  };
  for (const Case& c : cases) {
    EXPECT_EQ(c.labels.ToString(), c.want);
  }
}

TEST(LabelsTest, CopiesShareTheRepresentation) {
  const Labels a = Labels::FromPairs({{"job", "x"}, {"instance", "y"}});
  const Labels b = a;  // NOLINT(performance-unnecessary-copy-initialization)
  EXPECT_EQ(a[0].name.data(), b[0].name.data());
  Labels c;
  c = b;
  EXPECT_EQ(a[1].value.data(), c[1].value.data());
  // All labels live in one buffer, in order.
  EXPECT_LT(a[0].value.data(), a[1].name.data());
}

TEST(LabelsTest, IteratorSurvivesMovingTheLabels) {
  Labels a = Labels::FromPairs({{"job", "x"}});
  auto it = a.begin();
  const Labels moved = std::move(a);
  EXPECT_EQ((*it).value, "x");
  EXPECT_EQ(moved.size(), 1u);
}

TEST(AppendLabelNameTest, QuotesOnlyNonLegacyNames) {
  struct Case {
    absl::string_view name;
    std::string want;
  };
  const Case cases[] = {
      {"job", "job"},
      {"_a1", "_a1"},
      {"__name__", "__name__"},
      {"1a", R"("1a")"},
      {"a.b", R"("a.b")"},
      {"a:b", R"("a:b")"},
      {"", R"("")"},
      {"caf\xc3\xa9", "\"caf\xc3\xa9\""},
  };
  for (const Case& c : cases) {
    std::string out;
    AppendLabelName(c.name, &out);
    EXPECT_EQ(out, c.want);
  }
}

TEST(LabelsBuilderTest, Operations) {
  const Labels base =
      Labels::FromPairs({{"__name__", "up"}, {"job", "a"}, {"env", "prod"}});
  LabelsBuilder b(base);
  b.Set("job", "b").Set("zone", "z1").Set("aaa", "first");
  EXPECT_EQ(b.Get("job"), "b");
  EXPECT_EQ(b.Get("missing"), "");
  EXPECT_EQ(b.Build().ToString(),
            R"({__name__="up", aaa="first", env="prod", job="b", zone="z1"})");
  b.Set("env", "");  // empty deletes
  b.Del("aaa").Del("never-there");
  EXPECT_EQ(b.Build().ToString(), R"({__name__="up", job="b", zone="z1"})");
  b.Keep({"job", "zone", "other"});
  EXPECT_EQ(b.Build().ToString(), R"({job="b", zone="z1"})");
  // The base is untouched.
  EXPECT_EQ(base.ToString(), R"({__name__="up", env="prod", job="a"})");
  b.Reset(base);
  EXPECT_EQ(b.Build(), base);
}

TEST(LabelsBuilderTest, UnchangedBuildSharesBase) {
  const Labels base = Labels::FromPairs({{"job", "a"}, {"env", "prod"}});
  LabelsBuilder b(base);
  b.Set("job", "a").Del("zone").Set("zone", "").Keep({"job", "env"});
  const Labels built = b.Build();
  EXPECT_EQ(built, base);
  EXPECT_EQ(built[0].name.data(), base[0].name.data());
}

TEST(LabelsBuilderTest, FromEmptyAndToEmpty) {
  LabelsBuilder b;
  EXPECT_THAT(Pairs(b.Build()), IsEmpty());
  b.Set("b", "2").Set("a", "1").Set("b", "3");
  EXPECT_EQ(b.Build(), Labels::FromPairs({{"a", "1"}, {"b", "3"}}));
  b.Keep({});
  EXPECT_TRUE(b.Build().empty());
  EXPECT_EQ(b.Build(), Labels());
  EXPECT_EQ(b.Build().Hash(), Labels().Hash());
}

}  // namespace
}  // namespace fraisier

namespace fraisier {
namespace {

TEST(LabelsKnownHashTest, SameLabelsAsHashingThem) {
  const Labels hashed =
      Labels::FromPairs({{"__name__", "up"}, {"job", "node"}, {"a", "1"}});
  const std::vector<LabelPair> sorted = {
      {"__name__", "up"}, {"a", "1"}, {"job", "node"}};
  const Labels known = Labels::FromSortedUnique(sorted, hashed.Hash());
  EXPECT_EQ(known, hashed);
  EXPECT_EQ(known.Hash(), Labels::FromSortedUnique(sorted).Hash());
  EXPECT_EQ(known.ToString(), R"({__name__="up", a="1", job="node"})");
}

}  // namespace
}  // namespace fraisier
