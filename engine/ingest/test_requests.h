// Test inputs for the remote-write receiver: WriteRequests built with the
// generated messages (what real senders produce) and raw protobuf pieces
// for hand-made malformed bodies. Test-only.
#ifndef ENGINE_INGEST_TEST_REQUESTS_H_
#define ENGINE_INGEST_TEST_REQUESTS_H_

#include <cstdint>
#include <string>
#include <utility>
#include <vector>

#include "absl/strings/string_view.h"
#include "engine/ingest/remote_write_encoder.h"
#include "proto/remote.pb.h"

namespace fraisier::ingest::testing {

struct TestSeries {
  // Written in this order (senders sort; tests may not).
  std::vector<std::pair<std::string, std::string>> labels;
  std::vector<std::pair<int64_t, double>> samples;  // (timestamp ms, value)
  int exemplars = 0;
  int histograms = 0;
};

prometheus::WriteRequest MakeRequest(const std::vector<TestSeries>& series);
std::string Serialize(const prometheus::WriteRequest& request);
using ::fraisier::ingest::SnappyCompress;
// Serialize + SnappyCompress: an HTTP remote-write body.
std::string SnappyBody(const std::vector<TestSeries>& series);

// Raw protobuf pieces.
std::string Varint(uint64_t v);
std::string Tag(int field, int wire_type);
std::string VarintField(int field, uint64_t v);
std::string Fixed64Field(int field, double v);
std::string BytesField(int field, absl::string_view payload);
std::string LabelMessage(absl::string_view name, absl::string_view value);
std::string SampleMessage(int64_t t, double v);

}  // namespace fraisier::ingest::testing

#endif  // ENGINE_INGEST_TEST_REQUESTS_H_
