#include "tests/integration/write_request.h"

#include "proto/remote.pb.h"
#include "snappy.h"

namespace fraisier::integration {

std::string EncodeProto(const std::vector<TestSeries>& series) {
  prometheus::WriteRequest request;
  for (const TestSeries& s : series) {
    prometheus::TimeSeries* ts = request.add_timeseries();
    for (const auto& [name, value] : s.labels) {
      prometheus::Label* l = ts->add_labels();
      l->set_name(name);
      l->set_value(value);
    }
    for (const auto& [t, v] : s.samples) {
      prometheus::Sample* sample = ts->add_samples();
      sample->set_timestamp(t);
      sample->set_value(v);
    }
  }
  return request.SerializeAsString();
}

std::string Snappy(const std::string& raw) {
  std::string compressed;
  snappy::Compress(raw.data(), raw.size(), &compressed);
  return compressed;
}

std::string EncodeSnappy(const std::vector<TestSeries>& series) {
  return Snappy(EncodeProto(series));
}

HttpResult PostWrite(const std::string& base_url, const std::string& body) {
  return HttpPost(
      base_url + "/api/v1/write", body,
      {"Content-Encoding: snappy", "Content-Type: application/x-protobuf",
       "X-Prometheus-Remote-Write-Version: 0.1.0"});
}

}  // namespace fraisier::integration
