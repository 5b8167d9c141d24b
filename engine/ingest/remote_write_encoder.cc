#include "engine/ingest/remote_write_encoder.h"

#include "snappy.h"

namespace fraisier::ingest {

prometheus::TimeSeries* AddSeries(const RemoteWriteSeries& series,
                                  prometheus::WriteRequest* request) {
  prometheus::TimeSeries* ts = request->add_timeseries();
  for (const auto& [name, value] : series.labels) {
    prometheus::Label* label = ts->add_labels();
    label->set_name(name);
    label->set_value(value);
  }
  for (const auto& [t, v] : series.samples) {
    prometheus::Sample* sample = ts->add_samples();
    sample->set_timestamp(t);
    sample->set_value(v);
  }
  return ts;
}

std::string EncodeWriteRequest(const std::vector<RemoteWriteSeries>& series) {
  prometheus::WriteRequest request;
  for (const RemoteWriteSeries& s : series) AddSeries(s, &request);
  std::string out;
  request.SerializeToString(&out);
  return out;
}

std::string SnappyCompress(absl::string_view bytes) {
  std::string out;
  snappy::Compress(bytes.data(), bytes.size(), &out);
  return out;
}

std::string EncodeRemoteWriteBody(
    const std::vector<RemoteWriteSeries>& series) {
  return SnappyCompress(EncodeWriteRequest(series));
}

std::vector<std::string> RemoteWriteHeaders() {
  return {"Content-Encoding: snappy", "Content-Type: application/x-protobuf",
          "X-Prometheus-Remote-Write-Version: 0.1.0"};
}

}  // namespace fraisier::ingest
