// Checks the wire layout against byte strings built by hand from the
// remote-write 1.0 field numbers, so a renumbered field cannot slip through.
#include <string>

#include "gtest/gtest.h"
#include "proto/remote.grpc.pb.h"
#include "proto/remote.pb.h"
#include "proto/types.pb.h"

namespace {

std::string Bytes(std::initializer_list<int> bytes) {
  std::string out;
  for (int b : bytes) out.push_back(static_cast<char>(b));
  return out;
}

// WriteRequest{timeseries: [{labels: [__name__="up"],
//                            samples: [{value: 1, timestamp: 1000}]}]}
std::string UpSeriesBytes() {
  std::string label =
      Bytes({0x0a, 0x08}) + "__name__" + Bytes({0x12, 0x02}) + "up";
  std::string sample =
      Bytes({0x09, 0, 0, 0, 0, 0, 0, 0xf0, 0x3f, 0x10, 0xe8, 0x07});
  std::string series = Bytes({0x0a, static_cast<int>(label.size())}) + label +
                       Bytes({0x12, static_cast<int>(sample.size())}) + sample;
  return Bytes({0x0a, static_cast<int>(series.size())}) + series;
}

TEST(RemoteWriteProtoTest, EncodesUpstreamFieldNumbers) {
  prometheus::WriteRequest request;
  prometheus::TimeSeries* series = request.add_timeseries();
  prometheus::Label* label = series->add_labels();
  label->set_name("__name__");
  label->set_value("up");
  prometheus::Sample* sample = series->add_samples();
  sample->set_value(1.0);
  sample->set_timestamp(1000);
  EXPECT_EQ(request.SerializeAsString(), UpSeriesBytes());
}

TEST(RemoteWriteProtoTest, DecodesHandBuiltPayload) {
  prometheus::WriteRequest request;
  ASSERT_TRUE(request.ParseFromString(UpSeriesBytes()));
  ASSERT_EQ(request.timeseries_size(), 1);
  const prometheus::TimeSeries& series = request.timeseries(0);
  ASSERT_EQ(series.labels_size(), 1);
  EXPECT_EQ(series.labels(0).name(), "__name__");
  EXPECT_EQ(series.labels(0).value(), "up");
  ASSERT_EQ(series.samples_size(), 1);
  EXPECT_EQ(series.samples(0).value(), 1.0);
  EXPECT_EQ(series.samples(0).timestamp(), 1000);
}

TEST(RemoteWriteProtoTest, MetadataExemplarAndHistogramFields) {
  // metadata (field 3): {type: COUNTER, metric_family_name: "x", help: "h",
  // unit: "s"}; help is field 4 and unit field 5 (3 is unused upstream).
  std::string metadata =
      Bytes({0x08, 0x01, 0x12, 0x01, 'x', 0x22, 0x01, 'h', 0x2a, 0x01, 's'});
  // A series with one exemplar (field 3) and one histogram (field 4):
  // histogram {count_int: 5, schema: -1 (zigzag 1), timestamp: 7 (field 15)}.
  std::string exemplar = Bytes({0x11, 0, 0, 0, 0, 0, 0, 0, 0x40, 0x18, 0x02});
  std::string histogram = Bytes({0x08, 0x05, 0x20, 0x01, 0x78, 0x07});
  std::string series =
      Bytes({0x1a, static_cast<int>(exemplar.size())}) + exemplar +
      Bytes({0x22, static_cast<int>(histogram.size())}) + histogram;
  std::string payload =
      Bytes({0x0a, static_cast<int>(series.size())}) + series +
      Bytes({0x1a, static_cast<int>(metadata.size())}) + metadata;

  prometheus::WriteRequest request;
  ASSERT_TRUE(request.ParseFromString(payload));
  ASSERT_EQ(request.metadata_size(), 1);
  EXPECT_EQ(request.metadata(0).type(), prometheus::MetricMetadata::COUNTER);
  EXPECT_EQ(request.metadata(0).metric_family_name(), "x");
  EXPECT_EQ(request.metadata(0).help(), "h");
  EXPECT_EQ(request.metadata(0).unit(), "s");
  ASSERT_EQ(request.timeseries_size(), 1);
  ASSERT_EQ(request.timeseries(0).exemplars_size(), 1);
  EXPECT_EQ(request.timeseries(0).exemplars(0).value(), 2.0);
  EXPECT_EQ(request.timeseries(0).exemplars(0).timestamp(), 2);
  ASSERT_EQ(request.timeseries(0).histograms_size(), 1);
  const prometheus::Histogram& h = request.timeseries(0).histograms(0);
  EXPECT_EQ(h.count_int(), 5u);
  EXPECT_EQ(h.schema(), -1);
  EXPECT_EQ(h.timestamp(), 7);
}

TEST(RemoteWriteProtoTest, GrpcServiceMethodName) {
  EXPECT_STREQ(prometheus::RemoteWrite::service_full_name(),
               "prometheus.RemoteWrite");
}

}  // namespace
