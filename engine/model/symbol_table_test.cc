#include "engine/model/symbol_table.h"

#include <string>
#include <thread>
#include <vector>

#include "absl/strings/str_cat.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace fraisier {
namespace {

using ::testing::Optional;

TEST(SymbolTableTest, InternAssignsDenseRefsOnce) {
  SymbolTable table;
  EXPECT_EQ(table.Intern("job"), 0u);
  EXPECT_EQ(table.Intern("instance"), 1u);
  EXPECT_EQ(table.Intern("job"), 0u);
  EXPECT_EQ(table.Intern(""), 2u);
  EXPECT_EQ(table.Intern(""), 2u);
  EXPECT_EQ(table.size(), 3u);
}

TEST(SymbolTableTest, LookupAndFind) {
  SymbolTable table;
  const std::string big(100000, 'x');  // bigger than a storage block
  const uint32_t job = table.Intern("job");
  const uint32_t large = table.Intern(big);
  const uint32_t empty = table.Intern("");
  EXPECT_EQ(table.Lookup(job), "job");
  EXPECT_EQ(table.Lookup(large), big);
  EXPECT_EQ(table.Lookup(empty), "");
  EXPECT_EQ(table.Lookup(999), "");  // unknown refs are empty, not a crash
  EXPECT_THAT(table.Find("job"), Optional(job));
  EXPECT_THAT(table.Find(big), Optional(large));
  EXPECT_THAT(table.Find(""), Optional(empty));
  EXPECT_EQ(table.Find("jo"), std::nullopt);
  EXPECT_EQ(table.Find("jobs"), std::nullopt);
  // Find must not intern.
  EXPECT_EQ(table.size(), 3u);
}

TEST(SymbolTableTest, ViewsStayValidAcrossGrowth) {
  SymbolTable table;
  const absl::string_view first = table.Lookup(table.Intern("first"));
  constexpr int kCount = 100000;
  std::vector<absl::string_view> views;
  views.reserve(kCount);
  for (int i = 0; i < kCount; ++i) {
    views.push_back(table.Lookup(table.Intern(absl::StrCat("value-", i))));
  }
  EXPECT_EQ(table.size(), kCount + 1u);
  EXPECT_EQ(first, "first");
  for (int i = 0; i < kCount; ++i) {
    ASSERT_EQ(views[i], absl::StrCat("value-", i)) << i;
    ASSERT_EQ(views[i].data(), table.Lookup(i + 1).data()) << i;
  }
  // At least the string bytes themselves.
  EXPECT_GT(table.MemoryBytes(), 100000u * 6);
}

TEST(SymbolTableTest, MemoryGrowsWithContent) {
  SymbolTable table;
  const size_t empty = table.MemoryBytes();
  table.Intern(std::string(50000, 'y'));
  EXPECT_GE(table.MemoryBytes(), empty + 50000);
}

TEST(SymbolTableTest, ConcurrentInterningIsConsistent) {
  SymbolTable table;
  constexpr int kThreads = 4;
  constexpr int kStrings = 20000;
  std::vector<std::vector<uint32_t>> refs(kThreads);
  std::vector<std::thread> threads;
  threads.reserve(kThreads);
  for (int t = 0; t < kThreads; ++t) {
    threads.emplace_back([&table, &refs, t] {
      refs[t].resize(kStrings);
      // Different orders so threads race to insert the same strings.
      for (int j = 0; j < kStrings; ++j) {
        const int i = (t % 2 == 0) ? j : kStrings - 1 - j;
        refs[t][i] = table.Intern(absl::StrCat("s", i));
        // Concurrent readers see what was just interned.
        if (table.Lookup(refs[t][i]) != absl::StrCat("s", i)) {
          refs[t][i] = UINT32_MAX;
        }
      }
    });
  }
  for (std::thread& th : threads) th.join();
  EXPECT_EQ(table.size(), static_cast<size_t>(kStrings));
  for (int i = 0; i < kStrings; ++i) {
    for (int t = 1; t < kThreads; ++t) {
      ASSERT_EQ(refs[t][i], refs[0][i]) << "string s" << i << " thread " << t;
    }
    ASSERT_EQ(table.Lookup(refs[0][i]), absl::StrCat("s", i));
  }
}

}  // namespace
}  // namespace fraisier
