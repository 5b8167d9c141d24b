#include "rules/unittest/input_series.h"

#include <memory>

#include "engine/base/status_matchers.h"
#include "engine/storage/memory_storage.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace fraisier::rules::unittest {
namespace {

using ::fraisier::testing::IsOk;
using ::fraisier::testing::StatusIs;
using ::testing::ElementsAre;
using ::testing::HasSubstr;

InputSeries Entry(std::string series, std::string values) {
  return InputSeries{std::move(series), std::move(values), 7, 9};
}

std::vector<Sample> SamplesOf(const InputLoader& loader, size_t i) {
  return loader.series()[i].samples;
}

TEST(InputLoaderTest, ExpandsTheNotationOneIntervalApart) {
  absl::StatusOr<InputLoader> loader = InputLoader::Create(
      {Entry("up{job=\"a\"}", "1+2x2 _ stale -2+4x1 _x2 3x1")}, 60'000, 0,
      "t.yml");
  ASSERT_THAT(loader, IsOk());
  ASSERT_EQ(loader->series().size(), 1u);
  EXPECT_EQ(loader->series()[0].labels.ToString(),
            "{__name__=\"up\", job=\"a\"}");
  const std::vector<Sample> s = SamplesOf(*loader, 0);
  ASSERT_EQ(s.size(), 8u);
  EXPECT_EQ(s[0], (Sample{0, 1}));
  EXPECT_EQ(s[1], (Sample{60'000, 3}));
  EXPECT_EQ(s[2], (Sample{120'000, 5}));
  EXPECT_EQ(s[3].t, 240'000);  // 180s is `_`
  EXPECT_TRUE(IsStaleNaN(s[3].v));
  EXPECT_EQ(s[4], (Sample{300'000, -2}));
  EXPECT_EQ(s[5], (Sample{360'000, 2}));
  // 420s and 480s are `_x2`; 3x1 is two values.
  EXPECT_THAT(std::vector<Sample>(s.begin() + 6, s.end()),
              ElementsAre(Sample{540'000, 3}, Sample{600'000, 3}));
}

TEST(InputLoaderTest, StartTimestampShiftsEverySample) {
  absl::StatusOr<InputLoader> loader =
      InputLoader::Create({Entry("x", "1 2")}, 30'000, 1'000'000, "t.yml");
  ASSERT_THAT(loader, IsOk());
  EXPECT_THAT(SamplesOf(*loader, 0),
              ElementsAre(Sample{1'000'000, 1}, Sample{1'030'000, 2}));
}

TEST(InputLoaderTest, ZeroIntervalKeepsTheFirstValue) {
  absl::StatusOr<InputLoader> loader =
      InputLoader::Create({Entry("x", "_ 5 6 7")}, 0, 0, "t.yml");
  ASSERT_THAT(loader, IsOk());
  EXPECT_THAT(SamplesOf(*loader, 0), ElementsAre(Sample{0, 5}));
}

TEST(InputLoaderTest, SeriesListedTwiceKeepsTheLastValues) {
  absl::StatusOr<InputLoader> loader = InputLoader::Create(
      {Entry("x{a=\"1\"}", "1 1"), Entry("y", "2"), Entry("x{a='1'}", "9")},
      60'000, 0, "t.yml");
  ASSERT_THAT(loader, IsOk());
  ASSERT_EQ(loader->series().size(), 2u);
  EXPECT_THAT(SamplesOf(*loader, 0), ElementsAre(Sample{0, 9}));
}

TEST(InputLoaderTest, ErrorsNameTheEntry) {
  EXPECT_THAT(
      InputLoader::Create({Entry("up", "1 1+x3")}, 60'000, 0, "t.yml"),
      StatusIs(absl::StatusCode::kInvalidArgument,
               "t.yml:7:9: input_series: \"up 1 1+x3\": in series values "
               "\"1 1+x3\": column 6: unexpected \"x\" in series values; "
               "expected a number"));
  EXPECT_THAT(
      InputLoader::Create({Entry("up{job=\"a\"", "1")}, 60'000, 0, "t.yml"),
      StatusIs(absl::StatusCode::kInvalidArgument,
               HasSubstr("t.yml:7:9: input_series: ")));
  EXPECT_THAT(InputLoader::Create({Entry("h", "{{schema:0 sum:1 count:1}}")},
                                  60'000, 0, "t.yml"),
              StatusIs(absl::StatusCode::kInvalidArgument,
                       HasSubstr("native histogram values are not supported")));
}

TEST(InputLoaderTest, AnEmptyOrCommentLineEndsTheBlockAsInPromtool) {
  EXPECT_THAT(InputLoader::Create({Entry("#x", "1"), Entry("y", "2")}, 60'000,
                                  0, "t.yml"),
              StatusIs(absl::StatusCode::kInvalidArgument,
                       HasSubstr("invalid command \"y 2\"")));
  // Values over two lines: the second line is parsed as a series.
  EXPECT_THAT(
      InputLoader::Create({Entry("x", "1 2\n3 4")}, 60'000, 0, "t.yml"),
      StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("\"3 4\"")));
  // A trailing empty entry at the end is harmless.
  EXPECT_THAT(
      InputLoader::Create({Entry("x", "1"), Entry("", "")}, 60'000, 0, "t.yml"),
      IsOk());
}

TEST(InputLoaderTest, AppendUntilFeedsSamplesInTimeOrder) {
  absl::StatusOr<InputLoader> loader = InputLoader::Create(
      {Entry("a", "1 2 3"), Entry("b", "_ 5")}, 60'000, 0, "t.yml");
  ASSERT_THAT(loader, IsOk());
  storage::MemoryStorage store(
      storage::MemoryStorageOptions{.allow_out_of_order = false});
  ASSERT_THAT(loader->AppendUntil(store, 0), IsOk());
  EXPECT_EQ(store.NumSamples(), 1u);
  ASSERT_THAT(loader->AppendUntil(store, 59'999), IsOk());
  EXPECT_EQ(store.NumSamples(), 1u);
  ASSERT_THAT(loader->AppendUntil(store, 60'000), IsOk());
  EXPECT_EQ(store.NumSamples(), 3u);
  ASSERT_THAT(loader->AppendUntil(store, 1'000'000), IsOk());
  EXPECT_EQ(store.NumSamples(), 4u);
  EXPECT_EQ(store.NumSeries(), 2u);
}

}  // namespace
}  // namespace fraisier::rules::unittest
