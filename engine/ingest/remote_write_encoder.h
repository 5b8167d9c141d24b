// The sending side of remote-write 1.0: series to a snappy-compressed
// prometheus.WriteRequest body and the headers that go with it. The demo
// workload (`ruler demo`) sends with it and the tests build their request
// bodies with it, so every sender in the project encodes the same way.
#ifndef ENGINE_INGEST_REMOTE_WRITE_ENCODER_H_
#define ENGINE_INGEST_REMOTE_WRITE_ENCODER_H_

#include <cstdint>
#include <string>
#include <utility>
#include <vector>

#include "absl/strings/string_view.h"
#include "proto/remote.pb.h"

namespace fraisier::ingest {

struct RemoteWriteSeries {
  // Sent in this order: the spec wants them sorted by name, but tests send
  // unsorted labels on purpose, so the encoder does not sort.
  std::vector<std::pair<std::string, std::string>> labels;
  std::vector<std::pair<int64_t, double>> samples;  // (timestamp ms, value)

  friend bool operator==(const RemoteWriteSeries&,
                         const RemoteWriteSeries&) = default;
};

// Appends one series (labels, then samples) to `request`.
prometheus::TimeSeries* AddSeries(const RemoteWriteSeries& series,
                                  prometheus::WriteRequest* request);

// The serialized prometheus.WriteRequest holding `series`.
std::string EncodeWriteRequest(const std::vector<RemoteWriteSeries>& series);

// Snappy block format, as remote-write bodies are compressed.
std::string SnappyCompress(absl::string_view bytes);

// SnappyCompress(EncodeWriteRequest(series)): an HTTP remote-write body.
std::string EncodeRemoteWriteBody(const std::vector<RemoteWriteSeries>& series);

// The header lines a remote-write 1.0 sender sets.
std::vector<std::string> RemoteWriteHeaders();

}  // namespace fraisier::ingest

#endif  // ENGINE_INGEST_REMOTE_WRITE_ENCODER_H_
