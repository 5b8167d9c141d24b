#include "engine/tsdb/wal_records.h"

#include <bit>
#include <cstdint>
#include <limits>
#include <random>
#include <string>
#include <vector>

#include "engine/base/status_matchers.h"
#include "engine/model/value.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace fraisier::tsdb {
namespace {

using ::fraisier::testing::IsOk;
using ::fraisier::testing::StatusIs;
using ::testing::ElementsAre;
using ::testing::ElementsAreArray;
using ::testing::HasSubstr;
using ::testing::IsEmpty;

std::vector<RefSeries> SomeSeries() {
  return {
      {1, Labels::FromPairs({{"__name__", "up"}, {"job", "api"}})},
      {2, Labels::FromPairs({{"__name__", "up"}, {"job", "db"}})},
      {1000000, Labels::FromPairs({{"le", "0.5"}, {"ünïcode", "välue ☃"}})},
      {7, Labels()},  // decreasing ref and no labels
      {std::numeric_limits<uint64_t>::max(),
       Labels::FromPairs({{"a", std::string(300, 'x')}})},
  };
}

std::vector<RefSample> SomeSamples() {
  const double custom_nan = std::bit_cast<double>(uint64_t{0x7ff8dead0000beef});
  return {
      {1, 1700000000000, 1.5},
      {2, 1700000000000, -0.0},
      {1, 1700000015000, StaleNaN()},
      {1, 1699999999999, custom_nan},  // backwards in time
      {0, std::numeric_limits<int64_t>::min(),
       std::numeric_limits<double>::infinity()},
      {std::numeric_limits<uint64_t>::max(),
       std::numeric_limits<int64_t>::max(),
       std::numeric_limits<double>::denorm_min()},
      {3, 0, 0},
  };
}

TEST(WalRecordsTest, SeriesRoundTrip) {
  const std::vector<RefSeries> in = SomeSeries();
  std::string rec;
  EncodeSeries(in, &rec);
  EXPECT_EQ(GetRecordType(rec), RecordType::kSeries);
  std::vector<RefSeries> out;
  ASSERT_THAT(DecodeSeries(rec, &out), IsOk());
  EXPECT_THAT(out, ElementsAreArray(in));
}

TEST(WalRecordsTest, SamplesRoundTripBitExact) {
  const std::vector<RefSample> in = SomeSamples();
  std::string rec;
  EncodeSamples(in, &rec);
  EXPECT_EQ(GetRecordType(rec), RecordType::kSamples);
  std::vector<RefSample> out;
  ASSERT_THAT(DecodeSamples(rec, &out), IsOk());
  ASSERT_EQ(out.size(), in.size());
  for (size_t i = 0; i < in.size(); ++i) {
    EXPECT_EQ(out[i].ref, in[i].ref) << i;
    EXPECT_EQ(out[i].t, in[i].t) << i;
    EXPECT_EQ(std::bit_cast<uint64_t>(out[i].v),
              std::bit_cast<uint64_t>(in[i].v))
        << i;
  }
  EXPECT_TRUE(IsStaleNaN(out[2].v));
}

TEST(WalRecordsTest, EmptyRecords) {
  std::string rec;
  EncodeSamples({}, &rec);
  EXPECT_EQ(rec, std::string("\x02\x00", 2));
  std::vector<RefSample> samples = {{1, 2, 3}};
  ASSERT_THAT(DecodeSamples(rec, &samples), IsOk());
  EXPECT_THAT(samples, IsEmpty());
  EncodeSeries({}, &rec);
  std::vector<RefSeries> series;
  ASSERT_THAT(DecodeSeries(rec, &series), IsOk());
  EXPECT_THAT(series, IsEmpty());
}

TEST(WalRecordsTest, SamplesAreCompact) {
  // A typical scrape commit: consecutive refs, one timestamp.
  std::vector<RefSample> in;
  for (uint64_t i = 0; i < 1000; ++i) in.push_back({i + 1, 1700000000000, 1.0});
  std::string rec;
  EncodeSamples(in, &rec);
  // 1 byte ref delta + 1 byte time delta + 8 bytes value after the first.
  EXPECT_LT(rec.size(), 1000 * 10 + 16);
}

TEST(WalRecordsTest, KnownEncoding) {
  // Pins the format: type 2, count 2, then (zigzag ref delta, zigzag t
  // delta, 8 value bytes) per sample.
  std::string rec;
  EncodeSamples(std::vector<RefSample>{{1, 3, 1.0}, {0, 2, 0.0}}, &rec);
  const std::string want(
      "\x02\x02"
      "\x02\x06\x00\x00\x00\x00\x00\x00\xf0\x3f"
      "\x01\x01\x00\x00\x00\x00\x00\x00\x00\x00",
      22);
  EXPECT_EQ(rec, want);
}

TEST(WalRecordsTest, WrongTypeIsDataLoss) {
  std::string rec;
  EncodeSeries(SomeSeries(), &rec);
  std::vector<RefSample> samples;
  EXPECT_THAT(DecodeSamples(rec, &samples),
              StatusIs(absl::StatusCode::kDataLoss, HasSubstr("type byte")));
  EXPECT_EQ(GetRecordType(""), RecordType::kUnknown);
  EXPECT_EQ(GetRecordType("\x09"), RecordType::kUnknown);
}

TEST(WalRecordsTest, EveryTruncationIsDataLoss) {
  std::string series_rec;
  EncodeSeries(SomeSeries(), &series_rec);
  std::string samples_rec;
  EncodeSamples(SomeSamples(), &samples_rec);
  std::vector<RefSeries> series;
  std::vector<RefSample> samples;
  for (size_t n = 0; n < series_rec.size(); ++n) {
    EXPECT_THAT(DecodeSeries(series_rec.substr(0, n), &series),
                StatusIs(absl::StatusCode::kDataLoss))
        << n;
    EXPECT_THAT(series, IsEmpty());
  }
  for (size_t n = 0; n < samples_rec.size(); ++n) {
    EXPECT_THAT(DecodeSamples(samples_rec.substr(0, n), &samples),
                StatusIs(absl::StatusCode::kDataLoss))
        << n;
    EXPECT_THAT(samples, IsEmpty());
  }
}

TEST(WalRecordsTest, PreciseErrors) {
  std::vector<RefSample> samples;
  std::string rec;
  EncodeSamples(SomeSamples(), &rec);
  EXPECT_THAT(DecodeSamples(rec + "zz", &samples),
              StatusIs(absl::StatusCode::kDataLoss,
                       HasSubstr("2 trailing bytes after 7 samples")));
  // Count 2, one complete sample, then a timestamp varint cut short.
  const std::string cut(
      "\x02\x02\x02\x06\x00\x00\x00\x00\x00\x00\xf0\x3f"
      "\x02\x86\x80\x80\x80\x80\x80\x80\x80\x80",
      22);
  EXPECT_THAT(DecodeSamples(cut, &samples),
              StatusIs(absl::StatusCode::kDataLoss,
                       HasSubstr("samples record at byte 13: sample 2 of 2: "
                                 "truncated timestamp delta")));
  // A count that the bytes cannot hold is refused before allocating.
  EXPECT_THAT(
      DecodeSamples(std::string("\x02\xff\xff\xff\xff\x0f", 6), &samples),
      StatusIs(absl::StatusCode::kDataLoss,
               HasSubstr("entry count 4294967295 cannot fit")));
  // A varint longer than 10 bytes.
  EXPECT_THAT(
      DecodeSamples(std::string("\x02") + std::string(11, '\xff'), &samples),
      StatusIs(absl::StatusCode::kDataLoss, HasSubstr("overlong entry count")));
}

TEST(WalRecordsTest, SeriesLabelChecks) {
  std::vector<RefSeries> out;
  // type, count 1, ref delta 2 (zigzag 1), 2 labels: b=1, a=1 (unsorted)
  const std::string unsorted(
      "\x01\x01\x02\x02\x01"
      "b\x01"
      "1\x01"
      "a\x01"
      "1",
      12);
  EXPECT_THAT(DecodeSeries(unsorted, &out),
              StatusIs(absl::StatusCode::kDataLoss,
                       HasSubstr("series 1 of 1: label 2: names not sorted")));
  const std::string dup(
      "\x01\x01\x02\x02\x01"
      "a\x01"
      "1\x01"
      "a\x01"
      "2",
      12);
  EXPECT_THAT(DecodeSeries(dup, &out),
              StatusIs(absl::StatusCode::kDataLoss, HasSubstr("not unique")));
  const std::string empty_value(
      "\x01\x01\x02\x01\x01"
      "a\x00"
      "zz",
      9);
  EXPECT_THAT(DecodeSeries(empty_value, &out),
              StatusIs(absl::StatusCode::kDataLoss, HasSubstr("empty value")));
  const std::string good(
      "\x01\x01\x02\x01\x01"
      "a\x01"
      "1",
      8);
  ASSERT_THAT(DecodeSeries(good, &out), IsOk());
  EXPECT_THAT(out, ElementsAre(RefSeries{1, Labels::FromPairs({{"a", "1"}})}));
}

// Random bytes and random mutations of valid records must never crash,
// hang or allocate wildly: every outcome is OK or DataLoss.
TEST(WalRecordsTest, FuzzNeverCrashes) {
  std::mt19937_64 rng(42);
  std::string series_rec;
  EncodeSeries(SomeSeries(), &series_rec);
  std::string samples_rec;
  EncodeSamples(SomeSamples(), &samples_rec);
  std::vector<RefSeries> series;
  std::vector<RefSample> samples;
  for (int i = 0; i < 20000; ++i) {
    std::string input;
    switch (i % 3) {
      case 0: {
        input.resize(rng() % 64);
        for (char& c : input) c = static_cast<char>(rng());
        if (!input.empty()) input[0] = static_cast<char>(1 + rng() % 2);
        break;
      }
      case 1:
        input = series_rec;
        break;
      case 2:
        input = samples_rec;
        break;
    }
    if (i % 3 != 0) {
      const int flips = 1 + static_cast<int>(rng() % 4);
      for (int f = 0; f < flips; ++f) {
        input[rng() % input.size()] ^= static_cast<char>(1 << (rng() % 8));
      }
    }
    const absl::Status a = DecodeSeries(input, &series);
    const absl::Status b = DecodeSamples(input, &samples);
    ASSERT_TRUE(a.ok() || a.code() == absl::StatusCode::kDataLoss) << a;
    ASSERT_TRUE(b.ok() || b.code() == absl::StatusCode::kDataLoss) << b;
  }
}

}  // namespace
}  // namespace fraisier::tsdb
