// Remote-write request bodies for the load generator: series serialized
// once, snappy-compressed with every sample kept as a literal, so each round
// only patches values and timestamps in place (no re-encoding, no
// re-compression; the generator stays a small fraction of a core).
#ifndef BENCH_REMOTE_WRITE_LOAD_BODY_H_
#define BENCH_REMOTE_WRITE_LOAD_BODY_H_

#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

#include "absl/strings/string_view.h"

namespace fraisier::bench::load {

// A sample as the generated code serializes it when value != 0 and the
// timestamp takes a 6-byte varint: field 2 (samples) of TimeSeries, length
// 16, then `value` (0x09 + 8 bytes) and `timestamp` (0x10 + 6 bytes).
inline constexpr int kSampleBytes = 18;
inline constexpr int kValueOffset = 3;       // from the 0x12 tag
inline constexpr int kTimestampOffset = 12;  // from the 0x12 tag
inline constexpr int kTimestampBytes = 6;
// 6-byte varints hold [2^35, 2^42) ms: 1971-02-03 to 2109-05-15.
inline constexpr int64_t kMinTimestampMs = int64_t{1} << 35;
inline constexpr int64_t kMaxTimestampMs = (int64_t{1} << 42) - 1;

// The 6-byte varint of a timestamp in [kMinTimestampMs, kMaxTimestampMs].
void EncodeTimestamp(int64_t t_ms, char out[kTimestampBytes]);

// One request of every round: a fixed set of series.
struct Request {
  int64_t first_series = 0;
  int64_t num_series = 0;
  std::string raw;                   // uncompressed body (--encoder=snappy)
  std::vector<size_t> raw_samples;   // sample offsets in `raw`
  std::string body;                  // compressed body sent
  std::vector<size_t> body_samples;  // sample offsets in `body`
  std::string head;                  // request line and headers
};

// Fills `r`'s bodies for its series; keeps `raw` only when `keep_raw`
// (the --encoder=snappy mode re-compresses it every round).
void BuildRequest(bool keep_raw, Request* r);
std::string RequestHead(absl::string_view path, absl::string_view host,
                        int port, size_t body_size);
// Decodes a body and checks every series' labels and sample; exits on a
// mismatch (the generator's self-check).
void VerifyBody(const Request& r, const std::string& body,
                const std::vector<double>& values, int64_t t_ms);

}  // namespace fraisier::bench::load

#endif  // BENCH_REMOTE_WRITE_LOAD_BODY_H_
