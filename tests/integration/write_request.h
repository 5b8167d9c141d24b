// Builds remote-write request bodies for tests: protobuf from the generated
// messages, snappy block-compressed, as Prometheus sends them.
#ifndef TESTS_INTEGRATION_WRITE_REQUEST_H_
#define TESTS_INTEGRATION_WRITE_REQUEST_H_

#include <cstdint>
#include <string>
#include <utility>
#include <vector>

#include "tests/integration/test_util.h"

namespace fraisier::integration {

struct TestSeries {
  // As sent, in this order (a test may send them unsorted on purpose).
  std::vector<std::pair<std::string, std::string>> labels;
  std::vector<std::pair<int64_t, double>> samples;  // (ms, value)
};

// The serialized prometheus.WriteRequest.
std::string EncodeProto(const std::vector<TestSeries>& series);
// EncodeProto, snappy-compressed.
std::string EncodeSnappy(const std::vector<TestSeries>& series);
std::string Snappy(const std::string& raw);

// POSTs `body` to base_url + /api/v1/write with remote-write 1.0 headers.
HttpResult PostWrite(const std::string& base_url, const std::string& body);

}  // namespace fraisier::integration

#endif  // TESTS_INTEGRATION_WRITE_REQUEST_H_
