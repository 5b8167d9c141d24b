// WAL checkpoints: a compacted copy of what the head still needs from WAL
// segments 0..N (its live series and the samples not yet in chunk files),
// written so that the segments can be deleted and replay does not grow with
// uptime.
//
// A checkpoint is the directory `checkpoint.<N>` (N zero-padded like segment
// names) next to the segments. It holds files in the segment format
// (wal_frame.h, docs/wal_format.md) named 00000000, 00000001, ... It is
// written under `checkpoint.<N>.tmp`, fsynced, renamed into place and the
// parent directory fsynced, so a `checkpoint.<N>` directory is always
// complete; anything ending in ".tmp" is the leftover of a crash and is
// ignored by readers and removed by Wal::Open.
//
// The usual sequence (the head drives it, Prometheus-style):
//
//   FR_ASSIGN_OR_RETURN(int last, wal->NextSegment());
//   FR_RETURN_IF_ERROR(WriteCheckpoint(wal->dir(), last, produce));
//   FR_RETURN_IF_ERROR(wal->Truncate(last));
//
// Functions are thread-safe with respect to each other as long as two calls
// do not write the same checkpoint index.
#ifndef ENGINE_TSDB_CHECKPOINT_H_
#define ENGINE_TSDB_CHECKPOINT_H_

#include <cstddef>
#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"

namespace fraisier::tsdb {

// Receives the records of a checkpoint being written.
class RecordSink {
 public:
  virtual ~RecordSink() = default;
  // Appends one record (copied). Errors are I/O errors; after one, the
  // producer should return it.
  virtual absl::Status Add(absl::string_view record) = 0;
};

struct CheckpointOptions {
  // A checkpoint file is closed and a new one started past this size.
  int64_t max_file_bytes = int64_t{128} << 20;
  // Records are grouped into checksummed frames of about this many bytes.
  size_t frame_bytes = size_t{1} << 20;
};

// "checkpoint.00000012" for 12.
std::string CheckpointDirName(int last_segment);

// Writes checkpoint.<last_segment> in `dir` with the records `produce` adds
// to its sink, atomically: on any error (including one returned by
// `produce`) nothing but possibly a ".tmp" directory is left, and the
// temporary directory is removed when possible. AlreadyExists if that
// checkpoint is already complete: checkpoints are immutable, since deleting
// one to replace it would open a window where neither copy exists.
absl::Status WriteCheckpoint(absl::string_view dir, int last_segment,
                             std::function<absl::Status(RecordSink&)> produce,
                             const CheckpointOptions& options = {});

struct CheckpointRef {
  int last_segment = -1;
  std::string path;
};

// The complete checkpoints in `dir`, oldest first.
absl::StatusOr<std::vector<CheckpointRef>> ListCheckpoints(
    absl::string_view dir);

// The newest complete checkpoint, or nullopt.
absl::StatusOr<std::optional<CheckpointRef>> LastCheckpoint(
    absl::string_view dir);

// Removes complete checkpoints with last_segment < `before`.
absl::Status DeleteCheckpoints(absl::string_view dir, int before);

// Removes leftover "checkpoint.*.tmp" directories; *removed (optional) gets
// their number. Only safe while no WriteCheckpoint runs on `dir`.
absl::Status RemoveCheckpointTemps(absl::string_view dir, int* removed);

}  // namespace fraisier::tsdb

#endif  // ENGINE_TSDB_CHECKPOINT_H_
