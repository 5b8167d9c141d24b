// Limits of the remote-write receiver, shared by the HTTP and gRPC paths.
// Field names and defaults match the `remote_write_receiver` section of the
// server configuration (engine/server/config.h), so wiring is a copy.
#ifndef ENGINE_INGEST_LIMITS_H_
#define ENGINE_INGEST_LIMITS_H_

#include <cstdint>

#include "absl/time/time.h"
#include "engine/model/validation.h"

namespace fraisier::ingest {

// Production defaults, chosen for Prometheus senders: a 2.42 sender packs at
// most max_samples_per_send (500 by default, often raised to a few
// thousand) samples per request, i.e. a few hundred kB decoded. The limits
// sit two to three orders of magnitude above that, so they never bite a
// healthy sender but bound what one request can cost.
struct ReceiverLimits {
  // Compressed HTTP body (and, by default, gRPC message) size: 413 above.
  int64_t max_body_bytes = int64_t{32} << 20;
  // Decoded protobuf size, checked from the snappy header before
  // allocating: 413 above. Snappy expands at most ~6x in practice; 256 MiB
  // bounds the memory of one request.
  int64_t max_decoded_bytes = int64_t{256} << 20;
  // Per request: a request over these is refused whole (413), nothing stored.
  int64_t max_series_per_request = 100'000;
  int64_t max_samples_per_request = 1'000'000;
  // Per series: a series over these is skipped and counted (reason
  // "limit"); the rest of the request is stored. Real exporters stay below
  // ~30 labels, 100-byte names and 1 kB values.
  int64_t max_labels_per_series = 64;
  int64_t max_label_name_length = 1024;
  int64_t max_label_value_length = 4096;
  // Prometheus 2.42 accepts only legacy names ([a-zA-Z_][a-zA-Z0-9_]*,
  // metric names also ':'); kUtf8 accepts Prometheus 3's UTF-8 names.
  NameValidation name_validation = NameValidation::kLegacy;
  // Samples further ahead of the receiver's clock are refused as out of
  // bounds (Prometheus's remote-write handler does the same): a sender
  // writing nanoseconds instead of milliseconds would otherwise pin its
  // series in the future and make every later sample out of order. Only
  // checked when the Receiver has a clock.
  absl::Duration max_ahead = absl::Minutes(10);
};

}  // namespace fraisier::ingest

#endif  // ENGINE_INGEST_LIMITS_H_
