// A zero-copy walker over the protobuf bytes of a prometheus.WriteRequest
// (proto/remote.proto, proto/types.proto; upstream field numbers). No
// libprotobuf message is built: labels come out as views into the request
// buffer, samples are decoded into a reused vector.
//
//   WriteRequestReader reader;
//   reader.Reset(bytes);
//   for (;;) {
//     FR_ASSIGN_OR_RETURN(bool more, reader.Next());
//     if (!more) break;
//     const TimeSeriesView& ts = reader.series();
//     ...
//   }
//
// Fields we do not store are skipped but counted: metadata, exemplars and
// native histograms. Unknown fields of every wire type (including groups)
// are skipped. Errors are InvalidArgument starting with "protobuf: " and
// name the absolute byte offset in the request.
#ifndef ENGINE_INGEST_WRITE_REQUEST_READER_H_
#define ENGINE_INGEST_WRITE_REQUEST_READER_H_

#include <cstddef>
#include <cstdint>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "absl/types/span.h"
#include "engine/model/labels.h"
#include "engine/model/value.h"

namespace fraisier::ingest {

// One TimeSeries of the request. Labels are as sent (order, duplicates and
// empty values preserved) and point into the request buffer; the spans
// point into the reader. Valid until the next Next() or Reset().
struct TimeSeriesView {
  int64_t index = 0;  // position among the request's timeseries (0-based)
  size_t offset = 0;  // byte offset of the TimeSeries' field tag
  absl::Span<const Label> labels;
  absl::Span<const Sample> samples;
  int64_t exemplars = 0;   // skipped, not stored
  int64_t histograms = 0;  // native histograms: skipped, not stored yet
};

// Thread-safety: not thread-safe; one reader per request at a time (keep
// one per worker thread so its vectors stay warm).
// Invariants: pos_ <= data_.size(); labels_ and samples_ hold only the
// current series and keep their capacity across series and Reset(), so a
// warm reader allocates nothing per series.
class WriteRequestReader {
 public:
  WriteRequestReader() = default;
  WriteRequestReader(const WriteRequestReader&) = delete;
  WriteRequestReader& operator=(const WriteRequestReader&) = delete;

  // Starts walking `request`, which must outlive the views handed out.
  void Reset(absl::string_view request);

  // Moves to the next TimeSeries: true when there is one (see series()),
  // false at the end of the request, or an error for malformed bytes. After
  // an error the reader stays failed until Reset().
  absl::StatusOr<bool> Next();

  const TimeSeriesView& series() const { return series_; }
  // MetricMetadata entries passed so far (ignored by the receiver).
  int64_t metadata() const { return metadata_; }
  // Bytes of the request consumed so far.
  size_t position() const { return pos_; }

 private:
  // Parses the TimeSeries in [begin, end) into series_; false with
  // failed_ set on malformed bytes.
  bool ParseSeries(const char* begin, const char* end);

  absl::string_view data_;
  size_t pos_ = 0;
  int64_t next_index_ = 0;
  int64_t metadata_ = 0;
  absl::Status failed_;  // the first error; the reader stays failed
  TimeSeriesView series_;
  std::vector<Label> labels_;
  std::vector<Sample> samples_;
};

}  // namespace fraisier::ingest

#endif  // ENGINE_INGEST_WRITE_REQUEST_READER_H_
