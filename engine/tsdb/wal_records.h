// Encodings of the records the head writes to the WAL and to checkpoints.
//
// The Wal itself treats records as opaque bytes; this file gives them
// meaning. Every record starts with one type byte (RecordType) followed by a
// type-specific body; docs/wal_format.md has the byte-level layout.
//
//   series:  the label set behind a series ref, logged once when the head
//            creates the series (and again in every checkpoint);
//   samples: (ref, timestamp, value) triples, many per record, with refs and
//            timestamps delta-encoded against the previous sample because a
//            commit usually carries neighbouring refs and close timestamps.
//
// Values are stored as their 8 raw IEEE-754 bytes, so every NaN payload
// (notably the stale marker, see engine/model/value.h) survives bit-exact.
//
// Decoders are meant to face arbitrary bytes (a damaged disk, a fuzzer):
// they never crash, never allocate more than the input can justify, and
// report a DataLoss status naming the record type, the entry and the byte
// offset where decoding failed.
//
// All functions are stateless and thread-safe.
#ifndef ENGINE_TSDB_WAL_RECORDS_H_
#define ENGINE_TSDB_WAL_RECORDS_H_

#include <cstdint>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/strings/string_view.h"
#include "absl/types/span.h"
#include "engine/model/labels.h"
#include "engine/model/timestamp.h"

namespace fraisier::tsdb {

// The first byte of every record. Values are part of the on-disk format:
// never renumber, only add.
enum class RecordType : uint8_t {
  kUnknown = 0,  // never written; returned for empty or unrecognised records
  kSeries = 1,
  kSamples = 2,
};

// The type of an encoded record; kUnknown when it is empty or its first byte
// is not a known type.
RecordType GetRecordType(absl::string_view record);

// A series as the WAL knows it: the head's ref and the full label set.
struct RefSeries {
  uint64_t ref = 0;
  Labels labels;

  friend bool operator==(const RefSeries& a, const RefSeries& b) {
    return a.ref == b.ref && a.labels == b.labels;
  }
};

// One float sample of the series `ref`.
struct RefSample {
  uint64_t ref = 0;
  Timestamp t = 0;
  double v = 0;

  // Bitwise on the value, so NaN payloads compare exactly.
  friend bool operator==(const RefSample& a, const RefSample& b);
};

// Replace *out with the encoding of `series` / `samples`. Any refs,
// timestamps, label sets and values are representable, so encoding cannot
// fail. An empty span gives a valid record with no entries.
void EncodeSeries(absl::Span<const RefSeries> series, std::string* out);
void EncodeSamples(absl::Span<const RefSample> samples, std::string* out);

// Replace *out with the entries of `record`. On error returns DataLoss
// (naming what was being decoded and the byte offset) and leaves *out empty.
//
// DecodeSeries also checks that each label set is what a Labels can hold:
// names strictly increasing (sorted, unique), names and values non-empty.
absl::Status DecodeSeries(absl::string_view record,
                          std::vector<RefSeries>* out);
absl::Status DecodeSamples(absl::string_view record,
                           std::vector<RefSample>* out);

}  // namespace fraisier::tsdb

#endif  // ENGINE_TSDB_WAL_RECORDS_H_
