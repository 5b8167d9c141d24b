#include "engine/tsdb/checkpoint.h"

#include <algorithm>
#include <memory>
#include <utility>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/strip.h"
#include "absl/types/span.h"
#include "engine/base/logging.h"
#include "engine/base/status_macros.h"
#include "engine/tsdb/wal_frame.h"
#include "engine/tsdb/wal_io.h"

namespace fraisier::tsdb {

using wal_internal::File;

namespace {

constexpr absl::string_view kPrefix = "checkpoint.";
constexpr absl::string_view kTempSuffix = ".tmp";

std::optional<int> ParseCheckpointName(absl::string_view name) {
  if (!absl::ConsumePrefix(&name, kPrefix)) return std::nullopt;
  return wal_internal::ParseSegmentName(name);
}

// Batches records into frames and frames into files of the temporary
// checkpoint directory.
//
// Thread-safety: not thread-safe; owned by one WriteCheckpoint call.
// Invariants: file_ is open with file_size_ bytes (header included) once
// Add or Finish has run; pending_ holds the records of the next frame,
// laid out back to back with their lengths in pending_lengths_.
class CheckpointWriter final : public RecordSink {
 public:
  CheckpointWriter(std::string dir, const CheckpointOptions& options)
      : dir_(std::move(dir)), options_(options) {}

  absl::Status Add(absl::string_view record) override {
    FR_RETURN_IF_ERROR(failed_);
    if (pending_.size() + record.size() > options_.frame_bytes &&
        !pending_lengths_.empty()) {
      FR_RETURN_IF_ERROR(Remember(Flush()));
    }
    pending_.append(record.data(), record.size());
    pending_lengths_.push_back(record.size());
    ++records_;
    return absl::OkStatus();
  }

  // Writes what is pending and makes every file durable.
  absl::Status Finish() {
    FR_RETURN_IF_ERROR(failed_);
    FR_RETURN_IF_ERROR(Remember(Flush()));
    if (file_ == nullptr) FR_RETURN_IF_ERROR(Remember(NewFile()));
    return Remember(file_->Sync());
  }

  int64_t records() const { return records_; }
  int files() const { return next_index_; }

 private:
  absl::Status Remember(absl::Status status) {
    if (!status.ok() && failed_.ok()) failed_ = status;
    return status;
  }

  absl::Status NewFile() {
    if (file_ != nullptr) FR_RETURN_IF_ERROR(file_->Sync());
    FR_ASSIGN_OR_RETURN(file_,
                        File::Create(wal_internal::JoinPath(
                            dir_, wal_internal::SegmentName(next_index_++))));
    FR_RETURN_IF_ERROR(file_->WriteAt(0, wal_internal::SegmentHeader()));
    file_size_ = wal_internal::kSegmentHeaderSize;
    return absl::OkStatus();
  }

  absl::Status Flush() {
    if (pending_lengths_.empty()) return absl::OkStatus();
    std::vector<absl::string_view> views;
    views.reserve(pending_lengths_.size());
    size_t pos = 0;
    for (size_t len : pending_lengths_) {
      views.push_back(absl::string_view(pending_).substr(pos, len));
      pos += len;
    }
    FR_RETURN_IF_ERROR(wal_internal::EncodeBatchFrame(views, &frame_));
    pending_.clear();
    pending_lengths_.clear();
    const bool has_frames =
        file_size_ > static_cast<int64_t>(wal_internal::kSegmentHeaderSize);
    if (file_ == nullptr ||
        (has_frames && file_size_ + static_cast<int64_t>(frame_.size()) >
                           options_.max_file_bytes)) {
      FR_RETURN_IF_ERROR(NewFile());
    }
    FR_RETURN_IF_ERROR(file_->WriteAt(file_size_, frame_));
    file_size_ += static_cast<int64_t>(frame_.size());
    return absl::OkStatus();
  }

  const std::string dir_;
  const CheckpointOptions options_;
  std::unique_ptr<File> file_;
  int64_t file_size_ = 0;
  int next_index_ = 0;
  std::string pending_;
  std::vector<size_t> pending_lengths_;
  std::string frame_;  // reused between frames
  int64_t records_ = 0;
  absl::Status failed_;  // sticky: a failed write leaves the file unusable
};

}  // namespace

std::string CheckpointDirName(int last_segment) {
  return absl::StrCat(kPrefix, wal_internal::SegmentName(last_segment));
}

absl::Status WriteCheckpoint(absl::string_view dir, int last_segment,
                             std::function<absl::Status(RecordSink&)> produce,
                             const CheckpointOptions& options) {
  if (last_segment < 0) {
    return absl::InvalidArgumentError(
        absl::StrCat("checkpoint: negative segment index ", last_segment));
  }
  if (options.max_file_bytes <
      static_cast<int64_t>(wal_internal::kSegmentHeaderSize +
                           wal_internal::kFrameHeaderSize)) {
    return absl::InvalidArgumentError("checkpoint: max_file_bytes too small");
  }
  const std::string parent(dir);
  const std::string final_dir =
      wal_internal::JoinPath(dir, CheckpointDirName(last_segment));
  const std::string temp_dir = absl::StrCat(final_dir, kTempSuffix);
  if (wal_internal::PathExists(final_dir)) {
    return absl::AlreadyExistsError(
        absl::StrCat("checkpoint: ", final_dir, " already exists"));
  }
  // A leftover from a crashed attempt at the same index.
  FR_RETURN_IF_ERROR(wal_internal::RemoveAll(temp_dir));
  FR_RETURN_IF_ERROR(wal_internal::MakeDirs(temp_dir));

  absl::Status status;
  int64_t records = 0;
  int files = 0;
  {
    CheckpointWriter writer(temp_dir, options);
    status = produce(writer);
    if (status.ok()) status = writer.Finish();
    records = writer.records();
    files = writer.files();
  }  // closes the last file before the rename
  if (status.ok()) status = wal_internal::SyncDir(temp_dir);
  if (status.ok()) status = wal_internal::Rename(temp_dir, final_dir);
  if (!status.ok()) {
    const absl::Status cleanup = wal_internal::RemoveAll(temp_dir);
    if (!cleanup.ok()) {
      FR_LOG(WARNING) << "checkpoint: could not remove " << temp_dir << ": "
                      << cleanup;
    }
    return status;
  }
  // Without this the rename could be lost in a crash after Truncate already
  // deleted the segments the checkpoint replaces.
  FR_RETURN_IF_ERROR(wal_internal::SyncDir(parent));
  FR_LOG(INFO) << "checkpoint: wrote " << final_dir << " with " << records
               << " records in " << files << " files";
  return absl::OkStatus();
}

absl::StatusOr<std::vector<CheckpointRef>> ListCheckpoints(
    absl::string_view dir) {
  const std::string d(dir);
  FR_ASSIGN_OR_RETURN(std::vector<std::string> names, wal_internal::ListDir(d));
  std::vector<CheckpointRef> refs;
  for (const std::string& name : names) {
    if (std::optional<int> n = ParseCheckpointName(name)) {
      refs.push_back(CheckpointRef{*n, wal_internal::JoinPath(d, name)});
    }
  }
  std::sort(refs.begin(), refs.end(),
            [](const CheckpointRef& a, const CheckpointRef& b) {
              return a.last_segment < b.last_segment;
            });
  return refs;
}

absl::StatusOr<std::optional<CheckpointRef>> LastCheckpoint(
    absl::string_view dir) {
  FR_ASSIGN_OR_RETURN(std::vector<CheckpointRef> refs, ListCheckpoints(dir));
  if (refs.empty()) return std::optional<CheckpointRef>();
  return std::optional<CheckpointRef>(std::move(refs.back()));
}

absl::Status DeleteCheckpoints(absl::string_view dir, int before) {
  FR_ASSIGN_OR_RETURN(std::vector<CheckpointRef> refs, ListCheckpoints(dir));
  bool removed = false;
  for (const CheckpointRef& ref : refs) {
    if (ref.last_segment >= before) continue;
    FR_RETURN_IF_ERROR(wal_internal::RemoveAll(ref.path));
    removed = true;
  }
  if (removed) FR_RETURN_IF_ERROR(wal_internal::SyncDir(std::string(dir)));
  return absl::OkStatus();
}

absl::Status RemoveCheckpointTemps(absl::string_view dir, int* removed) {
  const std::string d(dir);
  FR_ASSIGN_OR_RETURN(std::vector<std::string> names, wal_internal::ListDir(d));
  int count = 0;
  for (const std::string& name : names) {
    if (!absl::StartsWith(name, kPrefix) ||
        !absl::EndsWith(name, kTempSuffix)) {
      continue;
    }
    const std::string path = wal_internal::JoinPath(d, name);
    FR_LOG(WARNING) << "checkpoint: removing " << path
                    << ", left over from an interrupted checkpoint";
    FR_RETURN_IF_ERROR(wal_internal::RemoveAll(path));
    ++count;
  }
  if (count > 0) FR_RETURN_IF_ERROR(wal_internal::SyncDir(d));
  if (removed != nullptr) *removed = count;
  return absl::OkStatus();
}

}  // namespace fraisier::tsdb
