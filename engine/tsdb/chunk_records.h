// Internal to ChunkFiles: the byte layout of one chunk record in a segment
// file, per format version (docs/chunk_files_format.md). Version 3 (varint
// header fields, the first timestamp taken from the chunk data) is written;
// version 2 (fixed 8-byte fields) is still read.
#ifndef ENGINE_TSDB_CHUNK_RECORDS_H_
#define ENGINE_TSDB_CHUNK_RECORDS_H_

#include <cstdint>
#include <string>

#include "absl/strings/string_view.h"
#include "engine/model/timestamp.h"

namespace fraisier::tsdb::chunk_records {

inline constexpr uint8_t kVersion2 = 2;
inline constexpr uint8_t kVersion3 = 3;

struct Record {
  uint64_t series_ref = 0;
  uint64_t prev_ref = 0;  // a ChunkRef
  Timestamp mint = 0;
  Timestamp maxt = 0;
  uint8_t encoding = 0;
  absl::string_view data;
  int64_t end = 0;  // offset just past the CRC
};

// Parses the record of a segment of format `version` at `off`, which is the
// record's ChunkRef `ref`, among the `size` valid bytes at `base`. On
// failure returns the reason (CRC, truncation, unknown encoding, a
// back-pointer that is not older than `ref`); reads nothing at or beyond
// base + size.
std::string Parse(uint8_t version, const char* base, int64_t size, int64_t off,
                  uint64_t ref, Record* rec);

// The size of a version 3 record, and its bytes (written to `out`, which
// must have that size). `ref` is where it will be written.
int64_t SizeV3(uint64_t series_ref, uint64_t prev_ref, uint64_t ref,
               Timestamp mint, Timestamp maxt, absl::string_view data);
void EncodeV3(uint64_t series_ref, uint64_t prev_ref, uint64_t ref,
              Timestamp mint, Timestamp maxt, uint8_t encoding,
              absl::string_view data, char* out);

}  // namespace fraisier::tsdb::chunk_records

#endif  // ENGINE_TSDB_CHUNK_RECORDS_H_
