#include "engine/ingest/write_request_reader.h"

#include <bit>
#include <cmath>
#include <limits>
#include <string>
#include <vector>

#include "engine/base/status_matchers.h"
#include "engine/ingest/test_requests.h"
#include "engine/model/value.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace fraisier::ingest {
namespace {

using ::fraisier::testing::IsOkAndHolds;
using ::fraisier::testing::StatusIs;
using ::testing::ElementsAre;
using ::testing::Eq;
using ::testing::HasSubstr;
using namespace ::fraisier::ingest::testing;  // NOLINT: test builders

std::vector<std::string> LabelStrings(const TimeSeriesView& ts) {
  std::vector<std::string> out;
  for (const Label& l : ts.labels) {
    out.push_back(std::string(l.name) + "=" + std::string(l.value));
  }
  return out;
}

TEST(WriteRequestReaderTest, WalksGeneratedRequests) {
  prometheus::WriteRequest request = MakeRequest({
      {{{"__name__", "up"}, {"job", "api"}}, {{1000, 1}, {2000, 0}}, 2, 1},
      {{{"__name__", "x"}, {"a", ""}}, {{-5, StaleNaN()}}},
      {{{"__name__", "empty"}}, {}},
  });
  request.add_metadata()->set_metric_family_name("up");
  const std::string bytes = Serialize(request);
  WriteRequestReader reader;
  reader.Reset(bytes);

  ASSERT_THAT(reader.Next(), IsOkAndHolds(true));
  const TimeSeriesView& ts = reader.series();
  EXPECT_EQ(ts.index, 0);
  EXPECT_EQ(ts.offset, 0u);
  EXPECT_THAT(LabelStrings(ts), ElementsAre("__name__=up", "job=api"));
  // Zero-copy: the views point into the request bytes.
  EXPECT_GE(ts.labels[1].value.data(), bytes.data());
  EXPECT_LT(ts.labels[1].value.data(), bytes.data() + bytes.size());
  EXPECT_THAT(ts.samples, ElementsAre(Sample{1000, 1}, Sample{2000, 0}));
  EXPECT_EQ(ts.exemplars, 2);
  EXPECT_EQ(ts.histograms, 1);
  const Label* first_labels = ts.labels.data();

  ASSERT_THAT(reader.Next(), IsOkAndHolds(true));
  EXPECT_EQ(reader.series().index, 1);
  EXPECT_GT(reader.series().offset, 0u);
  EXPECT_THAT(LabelStrings(reader.series()), ElementsAre("__name__=x", "a="));
  ASSERT_EQ(reader.series().samples.size(), 1u);
  EXPECT_EQ(reader.series().samples[0].t, -5);
  EXPECT_TRUE(IsStaleNaN(reader.series().samples[0].v));
  EXPECT_EQ(reader.series().exemplars, 0);
  // The label vector is reused from series to series.
  EXPECT_EQ(reader.series().labels.data(), first_labels);

  ASSERT_THAT(reader.Next(), IsOkAndHolds(true));
  EXPECT_TRUE(reader.series().samples.empty());
  ASSERT_THAT(reader.Next(), IsOkAndHolds(false));
  EXPECT_EQ(reader.metadata(), 1);
  EXPECT_EQ(reader.position(), bytes.size());
}

TEST(WriteRequestReaderTest, LongStringsTakeTheGeneralPath) {
  const std::string long_value(300, 'v');
  const std::string bytes = Serialize(MakeRequest(
      {{{{std::string(130, 'n'), "x"}, {"job", long_value}, {"", ""}},
        {{1, 1}}}}));
  WriteRequestReader reader;
  reader.Reset(bytes);
  ASSERT_THAT(reader.Next(), IsOkAndHolds(true));
  ASSERT_EQ(reader.series().labels.size(), 3u);
  EXPECT_EQ(reader.series().labels[0].name, std::string(130, 'n'));
  EXPECT_EQ(reader.series().labels[1].value, long_value);
  // proto3 omits empty strings: an empty Label message.
  EXPECT_EQ(reader.series().labels[2], (Label{"", ""}));
}

TEST(WriteRequestReaderTest, ValuesAreBitExact) {
  const double values[] = {std::numeric_limits<double>::quiet_NaN(),
                           StaleNaN(),
                           std::numeric_limits<double>::infinity(),
                           -std::numeric_limits<double>::infinity(),
                           -0.0,
                           5e-324,
                           1.7976931348623157e308};
  TestSeries s{{{"__name__", "v"}}, {}};
  int64_t t = std::numeric_limits<int64_t>::min();
  for (double v : values) s.samples.push_back({t++, v});
  const std::string bytes = Serialize(MakeRequest({s}));
  WriteRequestReader reader;
  reader.Reset(bytes);
  ASSERT_THAT(reader.Next(), IsOkAndHolds(true));
  ASSERT_EQ(reader.series().samples.size(), std::size(values));
  for (size_t i = 0; i < std::size(values); ++i) {
    EXPECT_EQ(std::bit_cast<uint64_t>(reader.series().samples[i].v),
              std::bit_cast<uint64_t>(values[i]));
    EXPECT_EQ(reader.series().samples[i].t,
              std::numeric_limits<int64_t>::min() + static_cast<int64_t>(i));
  }
}

TEST(WriteRequestReaderTest, SkipsUnknownFieldsOfEveryWireType) {
  const std::string unknown =
      VarintField(9, 300) + Fixed64Field(10, 1.5) + BytesField(11, "junk") +
      // A group with a nested group and a varint inside.
      Tag(12, 3) + VarintField(1, 7) + Tag(13, 3) + Tag(13, 4) + Tag(12, 4) +
      Tag(14, 5) + std::string("\x01\x02\x03\x04", 4);
  const std::string label = LabelMessage("__name__", "up") + unknown;
  // A repeated singular field: the last value wins.
  const std::string job = BytesField(1, "job") + BytesField(2, "old") +
                          BytesField(2, "api") + unknown;
  const std::string sample = unknown + SampleMessage(42, 2.5) + unknown;
  const std::string series = unknown + BytesField(1, label) + unknown +
                             BytesField(1, job) + BytesField(2, sample);
  const std::string request =
      VarintField(2, 1) + BytesField(1, series) + unknown + BytesField(3, "");
  WriteRequestReader reader;
  reader.Reset(request);
  ASSERT_THAT(reader.Next(), IsOkAndHolds(true));
  EXPECT_THAT(LabelStrings(reader.series()),
              ElementsAre("__name__=up", "job=api"));
  EXPECT_THAT(reader.series().samples, ElementsAre(Sample{42, 2.5}));
  EXPECT_EQ(reader.series().offset, 2u);
  ASSERT_THAT(reader.Next(), IsOkAndHolds(false));
  EXPECT_EQ(reader.metadata(), 1);
}

TEST(WriteRequestReaderTest, ErrorsNameTheByteOffset) {
  const std::string label = LabelMessage("__name__", "up");
  struct Case {
    std::string bytes;
    std::string want;
  };
  const Case cases[] = {
      {"\x0a", "protobuf: truncated varint at byte 1"},
      {std::string("\x0a\x02\x0a\x80", 4), "truncated varint at byte 3"},
      {"\x0a\xff\xff\xff\xff\xff\xff\xff\xff\xff\xff\x01",
       "varint longer than 10 bytes at byte 1"},
      {std::string("\x0a\x8f\x4e") + "abc",
       "protobuf: field 1 length 9999 overruns the message at byte 0 "
       "(in WriteRequest, 3 bytes left)"},
      // The label's length runs past the end of its TimeSeries.
      {BytesField(1, Tag(1, 2) + Varint(50) + "ab"),
       "field 1 length 50 overruns the message at byte 2 (in TimeSeries, 2 "
       "bytes left)"},
      {VarintField(1, 5),
       "field 1 (WriteRequest.timeseries) has wire type 0 (varint), want 2 "
       "(length-delimited), at byte 0"},
      {BytesField(1,
                  BytesField(1, label) + BytesField(2, Fixed64Field(2, 1.0))),
       "field 2 (Sample.timestamp) has wire type 1 (fixed64), want 0 "
       "(varint), at byte"},
      {BytesField(1, BytesField(2, VarintField(1, 1))),
       "field 1 (Sample.value) has wire type 0 (varint), want 1 (fixed64)"},
      {BytesField(1, BytesField(1, VarintField(1, 1))),
       "field 1 (Label.name) has wire type 0"},
      {BytesField(1, Fixed64Field(1, 1.0)), "(TimeSeries.labels) has wire"},
      {VarintField(3, 1), "(WriteRequest.metadata) has wire type 0"},
      {Tag(1, 7), "invalid wire type 7 for field 1 at byte 0"},
      {Tag(0, 0) + Varint(1), "invalid field number 0 at byte 0"},
      {Tag(5, 3) + VarintField(1, 1),
       "group field 5 starting at byte 0 is "
       "not closed"},
      {Tag(5, 3) + Tag(6, 4),
       "end-group for field 6 at byte 1 closes group "
       "field 5"},
      {Tag(5, 4), "unexpected end-group for field 5 at byte 0"},
      {BytesField(1, BytesField(2, Tag(1, 1) + "abc")),
       "truncated fixed64 field 1 at byte 4 (in Sample)"},
      {Tag(9, 5) + "ab", "truncated fixed32 field 9 at byte 0"},
  };
  for (const Case& c : cases) {
    WriteRequestReader reader;
    reader.Reset(c.bytes);
    absl::StatusOr<bool> more = reader.Next();
    while (more.ok() && *more) more = reader.Next();
    EXPECT_THAT(more,
                StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr(c.want)))
        << c.want;
    // A failed reader stays failed.
    EXPECT_FALSE(reader.Next().ok());
  }
}

// Bit flips and truncations of a valid request: every outcome is a clean
// success or a "protobuf: " error, and views stay inside the buffer (ASan
// runs check the rest).
TEST(WriteRequestReaderTest, MutatedBytesNeverEscapeTheBuffer) {
  TestSeries s{{{"__name__", "up"}, {"job", "api"}}, {{1000, 1}, {2000, 2}}};
  s.exemplars = 1;
  s.histograms = 1;
  const std::string valid = Serialize(MakeRequest({s, s}));
  uint64_t rng = 42;
  auto next = [&rng] {
    rng = rng * 6364136223846793005ULL + 1442695040888963407ULL;
    return rng >> 33;
  };
  WriteRequestReader reader;
  for (int round = 0; round < 5000; ++round) {
    std::string bytes = valid;
    const int flips = 1 + static_cast<int>(next() % 4);
    for (int i = 0; i < flips; ++i) {
      bytes[next() % bytes.size()] ^= static_cast<char>(1 << (next() % 8));
    }
    if (next() % 4 == 0) bytes.resize(next() % bytes.size());
    reader.Reset(bytes);
    for (;;) {
      absl::StatusOr<bool> more = reader.Next();
      if (!more.ok()) {
        EXPECT_THAT(std::string(more.status().message()),
                    ::testing::StartsWith("protobuf: "));
        break;
      }
      if (!*more) break;
      for (const Label& l : reader.series().labels) {
        for (absl::string_view v : {l.name, l.value}) {
          if (v.empty()) continue;  // an absent field: a null view
          EXPECT_GE(v.data(), bytes.data());
          EXPECT_LE(v.data() + v.size(), bytes.data() + bytes.size());
        }
      }
    }
  }
}

TEST(WriteRequestReaderTest, RefusesDeeplyNestedGroups) {
  std::string bytes;
  for (int i = 0; i < 100; ++i) bytes += Tag(5, 3);
  for (int i = 0; i < 100; ++i) bytes += Tag(5, 4);
  WriteRequestReader reader;
  reader.Reset(bytes);
  EXPECT_THAT(reader.Next(), StatusIs(absl::StatusCode::kInvalidArgument,
                                      HasSubstr("groups nested too deeply")));
}

}  // namespace
}  // namespace fraisier::ingest
