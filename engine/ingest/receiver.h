// The remote-write receiver core shared by the HTTP endpoint and the gRPC
// service: decode (snappy, zero-copy protobuf walk), validate, apply limits,
// append to the store in one batch, and say what happened.
//
//   Receiver receiver(head, limits, RealClock::Get());
//   WriteResult r = receiver.WriteSnappy(request_body);    // POST
//   /api/v1/write response.status = HttpStatus(r.code);                  //
//   204, 400, ... if (!r.ok()) response.body = r.message;
//
// Outcomes (docs/decisions.md, "Remote-write partial failures"):
// - a body that does not decode (bad snappy, bad protobuf) or is over a
//   request limit stores nothing: 400 or 413;
// - otherwise every valid series' valid samples are committed in one batch;
//   invalid series and refused samples (out of order, duplicate timestamp
//   with another value, out of bounds) are skipped and counted, and the
//   answer is 400 naming the first problem and the counts;
// - the store's active-series limit refuses the whole request with 429 and
//   a WAL failure with 503, storing nothing, so the sender's retry is clean.
#ifndef ENGINE_INGEST_RECEIVER_H_
#define ENGINE_INGEST_RECEIVER_H_

#include <array>
#include <atomic>
#include <cstdint>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include "absl/strings/string_view.h"
#include "engine/base/clock.h"
#include "engine/ingest/limits.h"
#include "engine/storage/storage.h"

namespace fraisier::ingest {

enum class WriteCode {
  kOk,               // everything stored
  kBadRequest,       // bad body or bad data; do not retry
  kPayloadTooLarge,  // over a size limit; do not retry
  kTooManyRequests,  // active-series limit; nothing stored, retry later
  kUnavailable,      // the store could not commit (WAL I/O); retry
  kInternal,         // a bug or an unexpected store error
};
inline constexpr int kNumWriteCodes = 6;

// "ok", "bad_request", "payload_too_large", "too_many_requests",
// "unavailable", "internal": the outcome label for metrics.
absl::string_view WriteCodeName(WriteCode code);
// 204 (Prometheus answers 204 No Content), 400, 413, 429, 503, 500.
int HttpStatus(WriteCode code);

// Why samples were refused (the metric label values).
enum class RejectReason {
  kOutOfOrder,
  kDuplicateTimestamp,
  kOutOfBounds,
  kSeriesLimit,
  kInvalidLabels,
  kLimit,  // a ReceiverLimits limit
};
inline constexpr int kNumRejectReasons = 6;
// "out_of_order", "duplicate_timestamp", "out_of_bounds", "series_limit",
// "invalid_labels", "limit".
absl::string_view RejectReasonName(RejectReason reason);

struct WriteResult {
  WriteCode code = WriteCode::kOk;
  // Empty when kOk; otherwise the first problem (with the series and its
  // index in the request where there is one) and the counts.
  std::string message;
  int64_t series_received = 0;  // walked before the outcome was decided
  int64_t samples_received = 0;
  int64_t samples_stored = 0;    // accepted into the committed batch
  int64_t samples_rejected = 0;  // received - stored, when the body decoded
  int64_t series_rejected = 0;   // refused whole (labels, per-series limits)
  int64_t exemplars_ignored = 0;
  int64_t histograms_ignored = 0;  // native histograms are not stored yet
  int64_t metadata_ignored = 0;

  bool ok() const { return code == WriteCode::kOk; }
};

// Counters over the receiver's lifetime, for the server's /metrics.
// Thread-safety: every field is an atomic, updated with relaxed ordering
// once per request; readers see each counter monotonic, not a snapshot.
struct ReceiverMetrics {
  std::array<std::atomic<int64_t>, kNumWriteCodes> requests{};  // by code
  std::atomic<int64_t> series_received{0};
  std::atomic<int64_t> samples_received{0};
  std::atomic<int64_t> samples_stored{0};
  // By RejectReason. Request-level failures with no per-sample reason
  // (undecodable body, commit failure) count only in `requests`.
  std::array<std::atomic<int64_t>, kNumRejectReasons> samples_rejected{};
  std::atomic<int64_t> series_rejected{0};
  std::atomic<int64_t> exemplars_ignored{0};
  std::atomic<int64_t> histograms_ignored{0};
  std::atomic<int64_t> metadata_ignored{0};

  int64_t requests_with(WriteCode code) const {
    return requests[static_cast<int>(code)].load(std::memory_order_relaxed);
  }
  int64_t rejected(RejectReason reason) const {
    return samples_rejected[static_cast<int>(reason)].load(
        std::memory_order_relaxed);
  }
};

// Thread-safety: thread-safe; any number of HTTP and gRPC threads may call
// WriteSnappy/WriteProto concurrently. Each call takes a scratch set
// (decode buffer, reader, label and hash buffers) from a small pool, so
// steady-state requests allocate nothing per series or sample.
// Invariants: a call either commits one batch or stores nothing; the store
// and the clock outlive the receiver; scratch sets in the pool are idle.
class Receiver {
 public:
  // `clock` may be null: then samples ahead of time are not refused.
  Receiver(storage::Appendable& store, const ReceiverLimits& limits,
           const Clock* clock = nullptr);
  ~Receiver();
  Receiver(const Receiver&) = delete;
  Receiver& operator=(const Receiver&) = delete;

  // The HTTP path: a snappy block-compressed WriteRequest.
  WriteResult WriteSnappy(absl::string_view compressed_body);
  // An uncompressed WriteRequest (the gRPC path).
  WriteResult WriteProto(absl::string_view protobuf_bytes);

  const ReceiverMetrics& metrics() const { return metrics_; }
  const ReceiverLimits& limits() const { return limits_; }

 private:
  struct Scratch;

  std::unique_ptr<Scratch> AcquireScratch();
  void ReleaseScratch(std::unique_ptr<Scratch> scratch);
  // Decoded bytes in, result out; `scratch` is this call's.
  WriteResult Write(absl::string_view protobuf_bytes, Scratch& scratch);
  // Counts `result` into metrics_ and returns it.
  WriteResult Record(WriteResult result,
                     const std::array<int64_t, kNumRejectReasons>& rejected);

  storage::Appendable& store_;
  const ReceiverLimits limits_;
  const Clock* const clock_;
  ReceiverMetrics metrics_;
  std::mutex pool_mu_;  // std::mutex: TSan sees it (DESIGN §4)
  std::vector<std::unique_ptr<Scratch>> pool_;  // guarded by pool_mu_
};

}  // namespace fraisier::ingest

#endif  // ENGINE_INGEST_RECEIVER_H_
