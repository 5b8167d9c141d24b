// MemIndex against a brute-force scan (every matcher applied to every
// series' labels) on random data, and under concurrent use.
#include <algorithm>
#include <atomic>
#include <map>
#include <random>
#include <set>
#include <string>
#include <thread>
#include <utility>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "engine/base/status_matchers.h"
#include "engine/model/labels.h"
#include "engine/model/matcher.h"
#include "engine/tsdb/index.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace fraisier::tsdb {
namespace {

using ::fraisier::testing::IsOk;

// Values share prefixes ("a", "ab", "abc", "10.0.1.2") so prefix and
// alternation regexes hit several of them.
const std::vector<std::string>& ValuePool() {
  static const auto* pool = new std::vector<std::string>{
      "a",        "ab",       "abc",   "abd",      "b",        "ba",
      "api",      "api-1",    "api-2", "db",       "10.0.1.2", "10.0.1.3",
      "10.0.2.1", "10.1.0.1", "A",     "AB",       "x.y",      "x|y",
      "prod",     "staging",  "dev",   "\xc3\xa9", "z",        "zz"};
  return *pool;
}

// Labels are present with different probabilities, so absent labels are
// common for some names and rare for others. "gone" is never present.
const std::vector<std::pair<std::string, uint32_t>>& NamePool() {
  static const auto* pool = new std::vector<std::pair<std::string, uint32_t>>{
      {"__name__", 100}, {"job", 90}, {"instance", 70}, {"env", 50},
      {"pod", 30},       {"x", 15},   {"code", 60}};
  return *pool;
}

class RandomData {
 public:
  explicit RandomData(uint32_t seed) : rng_(seed) {}

  Labels RandomLabels() {
    std::vector<std::pair<std::string, std::string>> pairs;
    for (const auto& [name, percent] : NamePool()) {
      if (Uniform(100) < percent) pairs.emplace_back(name, RandomValue());
    }
    return Labels::FromPairs(pairs);
  }

  std::string RandomValue() {
    // "pod" style high-cardinality values now and then.
    if (Uniform(10) == 0) return absl::StrCat("p", Uniform(3000));
    return ValuePool()[Uniform(ValuePool().size())];
  }

  std::string RandomName() {
    if (Uniform(12) == 0) return "gone";
    return NamePool()[Uniform(NamePool().size())].first;
  }

  std::string RandomRegex() {
    switch (Uniform(13)) {
      case 0:
        return ".*";
      case 1:
        return ".+";
      case 2:
        return RandomValue() + ".*";  // Prefix fast path.
      case 3:
        return ".*" + RandomValue();
      case 4:
        return "10\\.0\\..*";
      case 5:
        return "a[bc]?";  // RE2, prefix "a".
      case 6:
        return "(?i)a.*";  // RE2, no usable prefix.
      case 7:
        return "api-[0-9]+";
      case 8:
        return "p1[0-9]*|db";
      default: {
        // Literal alternations, sometimes with "" as an alternative.
        std::vector<std::string> alts;
        const int n = 1 + Uniform(3);
        for (int i = 0; i < n; ++i) {
          std::string v = Uniform(6) == 0 ? "" : RandomValue();
          if (v == "x|y") v = "x\\|y";
          if (v == "x.y") v = "x\\.y";
          alts.push_back(v);
        }
        return absl::StrJoin(alts, "|");
      }
    }
  }

  Matcher RandomMatcher() {
    const MatchType types[] = {MatchType::kEqual, MatchType::kNotEqual,
                               MatchType::kRegexMatch,
                               MatchType::kRegexNoMatch};
    const MatchType type = types[Uniform(4)];
    std::string value;
    if (type == MatchType::kEqual || type == MatchType::kNotEqual) {
      value = Uniform(5) == 0 ? "" : RandomValue();
    } else {
      value = RandomRegex();
    }
    absl::StatusOr<Matcher> m = Matcher::Create(type, RandomName(), value);
    EXPECT_THAT(m, IsOk()) << value;
    return *std::move(m);
  }

  std::vector<Matcher> RandomMatchers() {
    std::vector<Matcher> ms;
    const int n = 1 + Uniform(4);
    for (int i = 0; i < n; ++i) ms.push_back(RandomMatcher());
    return ms;
  }

  uint32_t Uniform(uint32_t n) {
    return std::uniform_int_distribution<uint32_t>(0, n - 1)(rng_);
  }
  std::mt19937& rng() { return rng_; }

 private:
  std::mt19937 rng_;
};

// The reference: id -> labels, scanned for every question.
class BruteForce {
 public:
  void Add(SeriesId id, Labels labels) { series_[id] = std::move(labels); }
  void Remove(SeriesId id) { series_.erase(id); }
  size_t size() const { return series_.size(); }

  std::vector<SeriesId> Select(const std::vector<Matcher>& ms) const {
    std::vector<SeriesId> out;
    if (ms.empty()) return out;
    for (const auto& [id, labels] : series_) {
      if (std::all_of(ms.begin(), ms.end(), [&l = labels](const Matcher& m) {
            return m.MatchesLabels(l);
          })) {
        out.push_back(id);
      }
    }
    return out;
  }

  std::vector<std::string> LabelNames(const std::vector<Matcher>& ms) const {
    std::set<std::string> names;
    for (const auto& [id, labels] : series_) {
      if (!ms.empty() && !Matches(ms, labels)) continue;
      for (const Label& l : labels) names.emplace(l.name);
    }
    return {names.begin(), names.end()};
  }

  std::vector<std::string> LabelValues(absl::string_view name,
                                       const std::vector<Matcher>& ms) const {
    std::set<std::string> values;
    for (const auto& [id, labels] : series_) {
      if (!ms.empty() && !Matches(ms, labels)) continue;
      if (labels.Has(name)) values.emplace(labels.Get(name));
    }
    return {values.begin(), values.end()};
  }

 private:
  static bool Matches(const std::vector<Matcher>& ms, const Labels& labels) {
    return std::all_of(ms.begin(), ms.end(), [&](const Matcher& m) {
      return m.MatchesLabels(labels);
    });
  }

  std::map<SeriesId, Labels> series_;
};

std::string Describe(const std::vector<Matcher>& ms) {
  return absl::StrJoin(ms, ", ", [](std::string* out, const Matcher& m) {
    out->append(m.ToString());
  });
}

// Runs `sets` random matcher sets against both; returns how many selected
// at least one series (to show the data is not trivially empty).
int CompareSelect(RandomData& data, const MemIndex& index,
                  const BruteForce& ref, int sets) {
  int non_empty = 0;
  for (int i = 0; i < sets; ++i) {
    const std::vector<Matcher> ms = data.RandomMatchers();
    const std::vector<SeriesId> want = ref.Select(ms);
    EXPECT_EQ(index.Select(ms), want) << Describe(ms);
    if (!want.empty()) ++non_empty;
    if (i % 4 == 0) {
      EXPECT_EQ(index.LabelNames(ms), ref.LabelNames(ms)) << Describe(ms);
      const std::string name = data.RandomName();
      EXPECT_EQ(index.LabelValues(name, ms), ref.LabelValues(name, ms))
          << name << " " << Describe(ms);
    }
  }
  return non_empty;
}

TEST(MemIndexRandomTest, SelectMatchesBruteForce) {
  RandomData data(20240601);
  MemIndex index;
  BruteForce ref;
  // 6000 series with gaps between ids; about 5% are added out of order.
  std::vector<SeriesId> ids;
  for (SeriesId i = 0; i < 6000; ++i) ids.push_back(i * 3 + 1);
  for (size_t i = 0; i + 1 < ids.size(); i += 20) {
    std::swap(
        ids[i],
        ids[i + 1 + data.Uniform(std::min<size_t>(500, ids.size() - i - 1))]);
  }
  for (SeriesId id : ids) {
    Labels labels = data.RandomLabels();
    index.Add(id, labels);
    ref.Add(id, std::move(labels));
  }
  ASSERT_EQ(index.NumSeries(), 6000u);
  EXPECT_EQ(index.LabelNames(), ref.LabelNames({}));
  for (const auto& [name, p] : NamePool()) {
    EXPECT_EQ(index.LabelValues(name), ref.LabelValues(name, {}));
  }

  const int non_empty = CompareSelect(data, index, ref, 1500);
  EXPECT_GT(non_empty, 300);
  EXPECT_LT(non_empty, 1500);

  // Garbage-collect a third of the series in a few batches, then compare
  // again, including values and names that disappeared.
  for (int batch = 0; batch < 3; ++batch) {
    std::vector<SeriesId> gone;
    for (SeriesId id : ids) {
      if (data.Uniform(9) == 0) gone.push_back(id);
    }
    gone.push_back(999999);  // Unknown ids are ignored.
    std::sort(gone.begin(), gone.end());
    gone.erase(std::unique(gone.begin(), gone.end()), gone.end());
    index.Remove(gone);
    for (SeriesId id : gone) ref.Remove(id);
  }
  ASSERT_EQ(index.NumSeries(), ref.size());
  EXPECT_LT(ref.size(), 5000u);
  EXPECT_EQ(index.LabelNames(), ref.LabelNames({}));
  CompareSelect(data, index, ref, 500);

  // Re-adding after removal keeps working.
  for (SeriesId id = 20000; id < 21000; ++id) {
    Labels labels = data.RandomLabels();
    index.Add(id, labels);
    ref.Add(id, std::move(labels));
  }
  CompareSelect(data, index, ref, 300);
}

// Two writers add interleaved ids (so each sees the other's larger ids and
// inserts out of order) while two readers query. Readers check what must
// hold at any moment: results sorted and distinct, and a later query with a
// subset of the matchers returns a superset. Afterwards the index equals the
// reference. Run under --config=tsan to check the locking.
TEST(MemIndexRandomTest, ConcurrentAddAndSelect) {
  MemIndex index;
  constexpr SeriesId kPerWriter = 3000;
  std::vector<Labels> labels(2 * kPerWriter);
  RandomData data(99);
  for (Labels& l : labels) l = data.RandomLabels();
  std::atomic<bool> done{false};
  std::atomic<int> reads{0};

  const auto writer = [&](SeriesId first) {
    for (SeriesId id = first; id < 2 * kPerWriter; id += 2) {
      index.Add(id, labels[id]);
    }
  };
  const auto reader = [&](uint32_t seed) {
    RandomData local(seed);
    while (!done.load()) {
      const std::vector<Matcher> ms = local.RandomMatchers();
      const std::vector<SeriesId> got = index.Select(ms);
      EXPECT_TRUE(std::adjacent_find(got.begin(), got.end(),
                                     std::greater_equal<>()) == got.end());
      // Series are only added, so a later query with fewer matchers sees
      // at least the same series.
      const std::vector<SeriesId> wider = index.Select({ms[0]});
      EXPECT_TRUE(
          std::includes(wider.begin(), wider.end(), got.begin(), got.end()))
          << Describe(ms);
      const std::vector<std::string> values = index.LabelValues("job", ms);
      EXPECT_TRUE(std::is_sorted(values.begin(), values.end()));
      reads.fetch_add(1);
    }
  };
  std::thread r1(reader, 1), r2(reader, 2);
  std::thread w1(writer, 0), w2(writer, 1);
  w1.join();
  w2.join();
  done.store(true);
  r1.join();
  r2.join();
  EXPECT_GT(reads.load(), 0);

  BruteForce ref;
  for (SeriesId id = 0; id < 2 * kPerWriter; ++id) ref.Add(id, labels[id]);
  ASSERT_EQ(index.NumSeries(), 2 * kPerWriter);
  CompareSelect(data, index, ref, 200);
}

}  // namespace
}  // namespace fraisier::tsdb
