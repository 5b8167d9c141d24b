#include "engine/ingest/receiver.h"

#include <bit>
#include <cmath>
#include <filesystem>
#include <limits>
#include <memory>
#include <string>
#include <thread>
#include <vector>

#include "absl/strings/str_cat.h"
#include "engine/base/clock.h"
#include "engine/base/status_matchers.h"
#include "engine/ingest/test_requests.h"
#include "engine/model/labels.h"
#include "engine/model/matcher.h"
#include "engine/model/value.h"
#include "engine/storage/memory_storage.h"
#include "engine/tsdb/head.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace fraisier::ingest {
namespace {

using ::fraisier::testing::IsOk;
using ::testing::ElementsAre;
using ::testing::HasSubstr;
using ::testing::IsEmpty;
using namespace ::fraisier::ingest::testing;  // NOLINT: test builders

constexpr int64_t kStart = 1700000000000;  // ms

// Every sample of every series in `store`, as "labels t=bits ..." lines:
// values by bit pattern so NaNs compare exactly.
std::vector<std::string> Dump(storage::Queryable& store) {
  auto querier = store.NewQuerier(kMinTimestamp, kMaxTimestamp);
  EXPECT_THAT(querier, IsOk());
  auto set = (*querier)->Select(
      true, nullptr,
      {*Matcher::Create(MatchType::kRegexMatch, "__name__", ".+")});
  std::vector<std::string> out;
  while (set->Next()) {
    std::string line = set->At().labels().ToString();
    auto it = set->At().Iterator();
    while (it->Next()) {
      absl::StrAppend(&line, " ", it->At().t - kStart, "=",
                      absl::Hex(std::bit_cast<uint64_t>(it->At().v)));
    }
    out.push_back(line);
  }
  EXPECT_THAT(set->status(), IsOk());
  return out;
}

std::string Bits(double v) {
  return absl::StrCat(absl::Hex(std::bit_cast<uint64_t>(v)));
}

TestSeries Series(std::vector<std::pair<std::string, std::string>> labels,
                  std::vector<std::pair<int64_t, double>> samples) {
  for (auto& s : samples) s.first += kStart;
  return TestSeries{std::move(labels), std::move(samples)};
}

class ReceiverTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = absl::StrCat(
        ::testing::TempDir(), "/receiver_",
        ::testing::UnitTest::GetInstance()->current_test_info()->name());
    std::filesystem::remove_all(dir_);
    clock_.Set(absl::FromUnixMillis(kStart + 3600 * 1000));
  }
  void TearDown() override {
    receiver_.reset();
    head_.reset();
    std::filesystem::remove_all(dir_);
  }

  void Open(ReceiverLimits limits = ReceiverLimits(), int64_t max_series = 0) {
    tsdb::HeadOptions o;
    o.dir = dir_;
    o.clock = &clock_;
    o.max_series = max_series;
    o.max_segment_bytes = 1 << 20;
    auto head = tsdb::Head::Open(std::move(o));
    ASSERT_THAT(head, IsOk());
    head_ = *std::move(head);
    receiver_ = std::make_unique<Receiver>(*head_, limits, &clock_);
  }

  WriteResult Write(const std::vector<TestSeries>& series) {
    return receiver_->WriteSnappy(SnappyBody(series));
  }

  std::string dir_;
  FakeClock clock_;
  std::unique_ptr<tsdb::Head> head_;
  std::unique_ptr<Receiver> receiver_;
};

TEST(WriteCodeTest, HttpStatusesAndNames) {
  EXPECT_EQ(HttpStatus(WriteCode::kOk), 204);
  EXPECT_EQ(HttpStatus(WriteCode::kBadRequest), 400);
  EXPECT_EQ(HttpStatus(WriteCode::kPayloadTooLarge), 413);
  EXPECT_EQ(HttpStatus(WriteCode::kTooManyRequests), 429);
  EXPECT_EQ(HttpStatus(WriteCode::kUnavailable), 503);
  EXPECT_EQ(HttpStatus(WriteCode::kInternal), 500);
  EXPECT_EQ(WriteCodeName(WriteCode::kTooManyRequests), "too_many_requests");
  EXPECT_EQ(RejectReasonName(RejectReason::kDuplicateTimestamp),
            "duplicate_timestamp");
}

// Every way a request can be bad, one at a time against a head holding
// earlier data: each gets its code and a message naming the problem, the
// service keeps working, and everything stored before is still there.
TEST_F(ReceiverTest, BadInputTable) {
  ReceiverLimits limits;
  limits.max_body_bytes = 64 << 10;
  limits.max_series_per_request = 100;
  constexpr int kSeeded = 10;
  Open(limits, /*max_series=*/kSeeded + 5);

  std::vector<TestSeries> seed;
  for (int i = 0; i < kSeeded; ++i) {
    seed.push_back(Series({{"__name__", "seed"},
                           {"instance", absl::StrCat("i", i)},
                           {"job", "s"}},
                          {{1000, i * 1.5}, {2000, -i * 1.0}}));
  }
  WriteResult seeded = Write(seed);
  ASSERT_TRUE(seeded.ok()) << seeded.message;
  ASSERT_EQ(seeded.samples_stored, 2 * kSeeded);
  const std::vector<std::string> before = Dump(*head_);
  ASSERT_EQ(before.size(), static_cast<size_t>(kSeeded));

  const std::string good_proto = Serialize(MakeRequest(seed));
  const std::string good_body = SnappyCompress(good_proto);
  std::vector<TestSeries> too_many(101, seed[0]);
  std::vector<TestSeries> new_series;
  for (int i = 0; i < 10; ++i) {
    new_series.push_back(
        Series({{"__name__", "fresh"}, {"instance", absl::StrCat("n", i)}},
               {{1000, 1}}));
  }

  struct Case {
    std::string name;
    std::string body;  // snappy-compressed HTTP body
    WriteCode code;
    std::string message;
  };
  const Case cases[] = {
      {"not snappy", good_proto, WriteCode::kBadRequest,
       "snappy: not valid snappy block data"},
      {"truncated snappy", good_body.substr(0, good_body.size() - 7),
       WriteCode::kBadRequest, "snappy: truncated block"},
      {"truncated varint", SnappyCompress("\x0a"), WriteCode::kBadRequest,
       "protobuf: truncated varint at byte 1"},
      {"length overrun",
       SnappyCompress(
           BytesField(1, BytesField(1, LabelMessage("__name__", "x"))) +
           std::string("\x0a\x8f\x4e", 3) + "abc"),
       WriteCode::kBadRequest,
       "protobuf: field 1 length 9999 overruns the message at byte 17"},
      {"wrong wire type",
       SnappyCompress(BytesField(
           1,
           BytesField(1, LabelMessage("__name__", "x")) + VarintField(2, 5))),
       WriteCode::kBadRequest,
       "field 2 (TimeSeries.samples) has wire type 0 (varint), want 2"},
      {"unsorted label names",
       SnappyBody({Series({{"__name__", "m"}, {"job", "a"}, {"instance", "b"}},
                          {{5000, 1}})}),
       WriteCode::kBadRequest,
       R"(timeseries[0] {__name__="m", job="a", instance="b"}: labels are )"
       R"(not sorted: "job" before "instance")"},
      {"duplicate label names",
       SnappyBody({Series({{"__name__", "m"}, {"job", "a"}, {"job", "b"}},
                          {{5000, 1}})}),
       WriteCode::kBadRequest, R"(duplicate label name "job")"},
      {"empty metric name",
       SnappyBody({Series({{"__name__", ""}, {"job", "a"}}, {{5000, 1}})}),
       WriteCode::kBadRequest, "empty metric name"},
      {"invalid UTF-8 in a label value",
       SnappyBody({Series({{"__name__", "m"}, {"job", "a\xff"}}, {{5000, 1}})}),
       WriteCode::kBadRequest, R"(label value for "job" is not valid UTF-8)"},
      {"out-of-order sample", SnappyBody({Series(seed[3].labels, {{1500, 7}})}),
       WriteCode::kBadRequest,
       "timeseries[0] {__name__=\"seed\", instance=\"i3\", job=\"s\"}: out of "
       "order sample"},
      {"duplicate timestamp with a different value",
       SnappyBody({Series(seed[4].labels, {{2000, 99}})}),
       WriteCode::kBadRequest, "duplicate sample for timestamp"},
      {"oversized body", std::string(65 << 10, 'x'),
       WriteCode::kPayloadTooLarge,
       "request body of 66560 bytes exceeds the limit of 65536 bytes"},
      {"too many series per request", SnappyBody(too_many),
       WriteCode::kPayloadTooLarge,
       "request has more than 100 series "
       "(remote_write_receiver.max_series_per_request)"},
      {"active-series limit reached", SnappyBody(new_series),
       WriteCode::kTooManyRequests, "limit of 15 active series reached"},
  };
  int64_t failures = 0;
  for (const Case& c : cases) {
    SCOPED_TRACE(c.name);
    const WriteResult r = receiver_->WriteSnappy(c.body);
    EXPECT_EQ(r.code, c.code) << r.message;
    EXPECT_EQ(HttpStatus(r.code), HttpStatus(c.code));
    EXPECT_THAT(r.message, HasSubstr(c.message));
    EXPECT_EQ(r.samples_stored, 0);
    // Nothing stored before is lost, nothing of the bad request is added.
    EXPECT_EQ(Dump(*head_), before);
    ++failures;
  }
  // The 429 says how to get out of it.
  const WriteResult limited = Write(new_series);
  EXPECT_THAT(limited.message, HasSubstr("nothing from this request was "
                                         "stored. Raise "
                                         "storage.max_active_series"));
  // And the service still takes good data.
  const WriteResult after = Write({Series(seed[0].labels, {{3000, 3}})});
  EXPECT_TRUE(after.ok()) << after.message;
  const ReceiverMetrics& m = receiver_->metrics();
  EXPECT_EQ(m.requests_with(WriteCode::kOk), 2);
  EXPECT_EQ(m.requests_with(WriteCode::kBadRequest), 11);
  EXPECT_EQ(m.requests_with(WriteCode::kPayloadTooLarge), 2);
  EXPECT_EQ(m.requests_with(WriteCode::kTooManyRequests), 2);
  EXPECT_EQ(m.rejected(RejectReason::kOutOfOrder), 1);
  EXPECT_EQ(m.rejected(RejectReason::kDuplicateTimestamp), 1);
  EXPECT_EQ(m.rejected(RejectReason::kInvalidLabels), 4);
  EXPECT_EQ(m.rejected(RejectReason::kSeriesLimit), 20);
  EXPECT_EQ(m.rejected(RejectReason::kLimit), 202);  // 101 series x 2
  EXPECT_EQ(failures, 14);
}

TEST_F(ReceiverTest, SpecialValuesAreStoredBitExact) {
  Open();
  const double quiet_nan_payload = std::bit_cast<double>(0x7ff8000000000abcULL);
  const double values[] = {std::numeric_limits<double>::quiet_NaN(),
                           StaleNaN(),
                           quiet_nan_payload,
                           std::numeric_limits<double>::infinity(),
                           -std::numeric_limits<double>::infinity(),
                           -0.0,
                           5e-324,
                           0.1};
  TestSeries s = Series({{"__name__", "v"}}, {});
  std::string want = "{__name__=\"v\"}";
  for (size_t i = 0; i < std::size(values); ++i) {
    const int64_t t = 1000 * static_cast<int64_t>(i + 1);
    s.samples.push_back({kStart + t, values[i]});
    absl::StrAppend(&want, " ", t, "=", Bits(values[i]));
  }
  const WriteResult r = Write({s});
  ASSERT_TRUE(r.ok()) << r.message;
  EXPECT_EQ(r.samples_stored, static_cast<int64_t>(std::size(values)));
  EXPECT_THAT(Dump(*head_), ElementsAre(want));
}

TEST_F(ReceiverTest, ManySeriesAcrossRequests) {
  Open();
  constexpr int kSeries = 2000;
  for (int round = 0; round < 3; ++round) {
    std::vector<TestSeries> batch;
    for (int i = 0; i < kSeries; ++i) {
      batch.push_back(Series({{"__name__", "node_load1"},
                              {"instance", absl::StrCat("host-", i)},
                              {"job", "node"}},
                             {{1000 * (round + 1), i + round * 0.5}}));
    }
    const WriteResult r = Write(batch);
    ASSERT_TRUE(r.ok()) << r.message;
    EXPECT_EQ(r.series_received, kSeries);
    EXPECT_EQ(r.samples_stored, kSeries);
  }
  EXPECT_EQ(head_->stats().series, kSeries);
  EXPECT_EQ(head_->stats().samples_appended, 3 * kSeries);
  const std::vector<std::string> dump = Dump(*head_);
  ASSERT_EQ(dump.size(), static_cast<size_t>(kSeries));
  EXPECT_THAT(dump[0], HasSubstr("instance=\"host-0\""));
  EXPECT_THAT(dump[0], HasSubstr(absl::StrCat(" 1000=", Bits(0), " 2000=",
                                              Bits(0.5), " 3000=", Bits(1))));
  EXPECT_EQ(receiver_->metrics().samples_stored.load(), 3 * kSeries);
}

TEST_F(ReceiverTest, PartialAcceptanceCountsEveryRefusal) {
  Open();
  const auto api = std::vector<std::pair<std::string, std::string>>{
      {"__name__", "up"}, {"job", "api"}};
  ASSERT_TRUE(Write({Series(api, {{5000, 1}})}).ok());
  const WriteResult r = Write({
      Series({{"__name__", "ok"}}, {{1000, 1}, {2000, 2}, {3000, 3}}),
      Series({{"__name__", "bad"}, {"b", "1"}, {"a", "1"}},
             {{1000, 1}, {2000, 2}}),
      // Out of order, an exact resend (accepted), then a new sample.
      Series(api, {{4000, 9}, {5000, 1}, {6000, 1}}),
      // Empty values mean "no such label".
      Series({{"__name__", "dropped"}, {"env", ""}}, {{1000, 4}}),
  });
  EXPECT_EQ(r.code, WriteCode::kBadRequest);
  EXPECT_EQ(r.series_received, 4);
  EXPECT_EQ(r.samples_received, 9);
  EXPECT_EQ(r.samples_stored, 6);
  EXPECT_EQ(r.samples_rejected, 3);
  EXPECT_EQ(r.series_rejected, 1);
  EXPECT_EQ(r.message,
            R"(timeseries[1] {__name__="bad", b="1", a="1"}: labels are not )"
            R"(sorted: "b" before "a" (2 samples), and 1 more samples )"
            "rejected; 6 of 9 samples stored");
  EXPECT_THAT(Dump(*head_),
              ElementsAre(absl::StrCat("{__name__=\"dropped\"} 1000=", Bits(4)),
                          absl::StrCat("{__name__=\"ok\"} 1000=", Bits(1),
                                       " 2000=", Bits(2), " 3000=", Bits(3)),
                          absl::StrCat("{__name__=\"up\", job=\"api\"} 5000=",
                                       Bits(1), " 6000=", Bits(1))));
  const ReceiverMetrics& m = receiver_->metrics();
  EXPECT_EQ(m.rejected(RejectReason::kInvalidLabels), 2);
  EXPECT_EQ(m.rejected(RejectReason::kOutOfOrder), 1);
  EXPECT_EQ(m.series_rejected.load(), 1);
  EXPECT_EQ(m.samples_received.load(), 10);
  EXPECT_EQ(m.samples_stored.load(), 7);
}

TEST_F(ReceiverTest, ExemplarsHistogramsAndMetadataAreCountedAndIgnored) {
  Open();
  TestSeries s = Series({{"__name__", "req"}}, {{1000, 1}});
  s.exemplars = 2;
  s.histograms = 3;
  TestSeries only_histograms = Series({{"__name__", "h"}}, {});
  only_histograms.histograms = 1;
  prometheus::WriteRequest request = MakeRequest({s, only_histograms});
  request.add_metadata()->set_metric_family_name("req");
  const WriteResult r =
      receiver_->WriteSnappy(SnappyCompress(Serialize(request)));
  ASSERT_TRUE(r.ok()) << r.message;
  EXPECT_EQ(r.samples_stored, 1);
  EXPECT_EQ(r.exemplars_ignored, 2);
  EXPECT_EQ(r.histograms_ignored, 4);
  EXPECT_EQ(r.metadata_ignored, 1);
  EXPECT_EQ(receiver_->metrics().histograms_ignored.load(), 4);
  EXPECT_EQ(receiver_->metrics().exemplars_ignored.load(), 2);
  EXPECT_THAT(Dump(*head_),
              ElementsAre(absl::StrCat("{__name__=\"req\"} 1000=", Bits(1))));
}

TEST_F(ReceiverTest, LimitsAndTheFuture) {
  ReceiverLimits limits;
  limits.max_samples_per_request = 3;
  limits.max_decoded_bytes = 200;
  limits.max_label_value_length = 8;
  Open(limits);
  WriteResult r = Write({Series({{"__name__", "a"}}, {{1, 1}, {2, 2}}),
                         Series({{"__name__", "b"}}, {{1, 1}, {2, 2}})});
  EXPECT_EQ(r.code, WriteCode::kPayloadTooLarge);
  EXPECT_THAT(r.message, HasSubstr("more than 3 samples"));
  std::vector<TestSeries> big;
  for (int i = 0; i < 20; ++i) big.push_back(Series({{"__name__", "c"}}, {}));
  r = Write(big);
  EXPECT_EQ(r.code, WriteCode::kPayloadTooLarge);
  EXPECT_THAT(r.message, HasSubstr("snappy: decoded size 340 exceeds limit "
                                   "200 (remote_write_receiver.max_decoded_"
                                   "size)"));
  r = receiver_->WriteProto(Serialize(MakeRequest(big)));
  EXPECT_EQ(r.code, WriteCode::kPayloadTooLarge);
  EXPECT_THAT(r.message, HasSubstr("decoded request of 340 bytes"));
  // A per-series limit refuses the series, not the request.
  r = Write({Series({{"__name__", "a"}, {"v", "123456789"}}, {{1, 1}}),
             Series({{"__name__", "a"}}, {{1000, 1}})});
  EXPECT_EQ(r.code, WriteCode::kBadRequest);
  EXPECT_EQ(r.samples_stored, 1);
  EXPECT_THAT(r.message, HasSubstr("max_label_value_length"));
  EXPECT_EQ(receiver_->metrics().rejected(RejectReason::kLimit), 5);
  // Nanoseconds by mistake: refused as out of bounds, not stored.
  const int64_t now = clock_.NowMillis();
  r = receiver_->WriteSnappy(SnappyBody(
      {{{{"__name__", "ns"}}, {{now * 1000000, 1}, {now + 60000, 2}}}}));
  EXPECT_EQ(r.code, WriteCode::kBadRequest);
  EXPECT_THAT(r.message, HasSubstr("is more than 10m ahead of the receiver's "
                                   "clock"));
  EXPECT_EQ(r.samples_stored, 1);
  EXPECT_EQ(receiver_->metrics().rejected(RejectReason::kOutOfBounds), 1);
}

TEST_F(ReceiverTest, ConcurrentWriters) {
  Open();
  constexpr int kThreads = 4;
  constexpr int kRequests = 30;
  std::vector<std::thread> threads;
  for (int w = 0; w < kThreads; ++w) {
    threads.emplace_back([this, w] {
      for (int i = 0; i < kRequests; ++i) {
        std::vector<TestSeries> batch;
        for (int s = 0; s < 20; ++s) {
          batch.push_back(Series({{"__name__", "c"},
                                  {"series", absl::StrCat(s)},
                                  {"writer", absl::StrCat(w)}},
                                 {{1000 * (i + 1), i}}));
        }
        const WriteResult r = Write(batch);
        EXPECT_TRUE(r.ok()) << r.message;
      }
    });
  }
  for (std::thread& t : threads) t.join();
  EXPECT_EQ(head_->stats().series, kThreads * 20);
  EXPECT_EQ(head_->stats().samples_appended, kThreads * kRequests * 20);
  EXPECT_EQ(receiver_->metrics().requests_with(WriteCode::kOk),
            kThreads * kRequests);
}

// A store whose commits or appends fail as a broken disk would.
class BrokenStore final : public storage::Appendable {
 public:
  explicit BrokenStore(bool fail_append) : fail_append_(fail_append) {}
  std::unique_ptr<storage::Appender> NewAppender() override {
    return std::make_unique<BrokenAppender>(fail_append_);
  }

 private:
  class BrokenAppender final : public storage::Appender {
   public:
    explicit BrokenAppender(bool fail_append) : fail_append_(fail_append) {}
    absl::StatusOr<storage::SeriesRef> Append(storage::SeriesRef, const Labels&,
                                              Timestamp, double) override {
      if (fail_append_) return absl::InternalError("index corrupted");
      return 1;
    }
    absl::Status Commit() override {
      return absl::UnavailableError("wal: write: no space left on device");
    }
    void Rollback() override {}

   private:
    bool fail_append_;
  };
  bool fail_append_;
};

TEST(ReceiverStoreFailureTest, CommitFailureIsUnavailable) {
  BrokenStore store(/*fail_append=*/false);
  Receiver receiver(store, ReceiverLimits());
  const WriteResult r =
      receiver.WriteSnappy(SnappyBody({{{{"__name__", "x"}}, {{1, 1}}}}));
  EXPECT_EQ(r.code, WriteCode::kUnavailable);
  EXPECT_EQ(HttpStatus(r.code), 503);
  EXPECT_THAT(r.message, HasSubstr("storage: commit failed, nothing from this "
                                   "request was stored: wal: write: no space"));
  EXPECT_EQ(r.samples_stored, 0);
  EXPECT_EQ(receiver.metrics().requests_with(WriteCode::kUnavailable), 1);
}

TEST(ReceiverStoreFailureTest, UnexpectedAppendErrorIsInternal) {
  BrokenStore store(/*fail_append=*/true);
  Receiver receiver(store, ReceiverLimits());
  const WriteResult r =
      receiver.WriteSnappy(SnappyBody({{{{"__name__", "x"}}, {{1, 1}}}}));
  EXPECT_EQ(r.code, WriteCode::kInternal);
  EXPECT_EQ(HttpStatus(r.code), 500);
  EXPECT_THAT(r.message, HasSubstr("storage: index corrupted"));
}

TEST(ReceiverMemoryStorageTest, WorksThroughTheDefaultLabelViewAppend) {
  storage::MemoryStorage store;
  Receiver receiver(store, ReceiverLimits());
  const WriteResult r = receiver.WriteProto(
      Serialize(MakeRequest({{{{"__name__", "m"}, {"job", "x"}},
                              {{kStart + 1, 1}, {kStart + 2, 2}}}})));
  ASSERT_TRUE(r.ok()) << r.message;
  EXPECT_THAT(Dump(store),
              ElementsAre(absl::StrCat(
                  "{__name__=\"m\", job=\"x\"} 1=", Bits(1), " 2=", Bits(2))));
  EXPECT_THAT(receiver.WriteProto("").message, IsEmpty());  // empty request
}

}  // namespace
}  // namespace fraisier::ingest
