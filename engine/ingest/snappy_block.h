// Decoding of the snappy *block* format, the compression remote-write 1.0
// bodies use (not the framed/stream format), through Debian's libsnappy.
//
// The decoded size is checked against a limit before anything is
// allocated, and the output goes into a caller-owned buffer that keeps its
// capacity, so a request thread decodes request after request without
// allocating once the buffer has grown to the usual request size.
#ifndef ENGINE_INGEST_SNAPPY_BLOCK_H_
#define ENGINE_INGEST_SNAPPY_BLOCK_H_

#include <cstddef>
#include <string>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"

namespace fraisier::ingest {

// Decodes `compressed` and returns a view of the decoded bytes, which live in
// `*buffer` (grown when needed, never shrunk; its previous contents are
// overwritten). The view is valid until `*buffer` is next modified.
//
// Errors are InvalidArgument with a "snappy: " prefix saying what is wrong:
// an empty body, a framed-format or gzip body, a bad length header, a
// declared size over `max_decoded_bytes` ("decoded size N exceeds limit M"),
// a truncated block or corrupt data (with the byte offset). Stateless and
// thread-safe.
absl::StatusOr<absl::string_view> SnappyDecode(absl::string_view compressed,
                                               size_t max_decoded_bytes,
                                               std::string* buffer);

// The decoded size `compressed` declares in its header, for callers that
// treat "too large" differently from "malformed"; the same header errors
// as SnappyDecode.
absl::StatusOr<size_t> SnappyDecodedLength(absl::string_view compressed);

}  // namespace fraisier::ingest

#endif  // ENGINE_INGEST_SNAPPY_BLOCK_H_
