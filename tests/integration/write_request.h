// Remote-write request bodies for tests, encoded as `ruler demo` and
// Prometheus send them (engine/ingest/remote_write_encoder.h).
#ifndef TESTS_INTEGRATION_WRITE_REQUEST_H_
#define TESTS_INTEGRATION_WRITE_REQUEST_H_

#include <string>
#include <vector>

#include "engine/ingest/remote_write_encoder.h"
#include "tests/integration/test_util.h"

namespace fraisier::integration {

// Labels are sent in the given order (a test may send them unsorted on
// purpose).
using TestSeries = ingest::RemoteWriteSeries;

// The serialized prometheus.WriteRequest.
inline std::string EncodeProto(const std::vector<TestSeries>& series) {
  return ingest::EncodeWriteRequest(series);
}
// EncodeProto, snappy-compressed.
inline std::string EncodeSnappy(const std::vector<TestSeries>& series) {
  return ingest::EncodeRemoteWriteBody(series);
}
inline std::string Snappy(const std::string& raw) {
  return ingest::SnappyCompress(raw);
}

// POSTs `body` to base_url + /api/v1/write with remote-write 1.0 headers.
HttpResult PostWrite(const std::string& base_url, const std::string& body);

}  // namespace fraisier::integration

#endif  // TESTS_INTEGRATION_WRITE_REQUEST_H_
