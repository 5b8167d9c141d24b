#include "engine/ingest/remote_write_encoder.h"

#include <string>

#include "engine/ingest/snappy_block.h"
#include "engine/ingest/write_request_reader.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace fraisier::ingest {
namespace {

using ::testing::ElementsAre;

TEST(RemoteWriteEncoderTest, BodyDecodesToTheSameSeriesInOrder) {
  const std::vector<RemoteWriteSeries> series = {
      {{{"__name__", "fraisier_deployments_total"},
        {"environment", "production"},
        {"status", "success"}},
       {{1700000000000, 41}, {1700000005000, 42}}},
      // Unsorted on purpose: the encoder keeps the caller's order.
      {{{"job", "nats"}, {"__name__", "nats_server_state"}},
       {{1700000005000, 0}}},
  };
  const std::string body = EncodeRemoteWriteBody(series);
  EXPECT_EQ(body, SnappyCompress(EncodeWriteRequest(series)));

  std::string buffer;
  absl::StatusOr<absl::string_view> raw = SnappyDecode(body, 1 << 20, &buffer);
  ASSERT_TRUE(raw.ok()) << raw.status();
  WriteRequestReader reader;
  reader.Reset(*raw);

  ASSERT_EQ(reader.Next().value_or(false), true);
  const TimeSeriesView& first = reader.series();
  ASSERT_EQ(first.labels.size(), 3u);
  EXPECT_EQ(first.labels[0].name, "__name__");
  EXPECT_EQ(first.labels[0].value, "fraisier_deployments_total");
  EXPECT_EQ(first.labels[2].name, "status");
  EXPECT_EQ(first.labels[2].value, "success");
  ASSERT_EQ(first.samples.size(), 2u);
  EXPECT_EQ(first.samples[1].t, 1700000005000);
  EXPECT_EQ(first.samples[1].v, 42);

  ASSERT_EQ(reader.Next().value_or(false), true);
  const TimeSeriesView& second = reader.series();
  ASSERT_EQ(second.labels.size(), 2u);
  EXPECT_EQ(second.labels[0].name, "job");
  EXPECT_EQ(second.samples[0].v, 0);

  EXPECT_EQ(reader.Next().value_or(true), false);
}

TEST(RemoteWriteEncoderTest, HeadersAreRemoteWriteOne) {
  EXPECT_THAT(RemoteWriteHeaders(),
              ElementsAre("Content-Encoding: snappy",
                          "Content-Type: application/x-protobuf",
                          "X-Prometheus-Remote-Write-Version: 0.1.0"));
}

}  // namespace
}  // namespace fraisier::ingest
