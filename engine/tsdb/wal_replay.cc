// The read side of the Wal: the tail repair Open makes on the last segment,
// and Replay. The recovery rules implemented here are specified in
// docs/wal_format.md ("Recovery").
#include <algorithm>
#include <optional>
#include <utility>

#include "absl/strings/str_cat.h"
#include "engine/base/logging.h"
#include "engine/base/status_macros.h"
#include "engine/tsdb/checkpoint.h"
#include "engine/tsdb/wal.h"
#include "engine/tsdb/wal_frame.h"
#include "engine/tsdb/wal_io.h"

namespace fraisier::tsdb {

using wal_internal::File;
using wal_internal::FrameReader;
using wal_internal::HeaderCheck;
using wal_internal::kSegmentHeaderSize;

namespace {

void LogCorruption(const WalCorruption& c) {
  FR_LOG(WARNING) << "wal: " << (c.truncated ? "cut damaged tail of " : "")
                  << c.file << " at offset " << c.offset << ": " << c.reason
                  << " (" << c.bytes << " bytes, at least " << c.records
                  << " records lost" << (c.truncated ? "" : "; skipped") << ")";
}

// Counts the records of intact frames after the damage at reader.offset():
// in the last segment they are dropped with the tail, and the count makes
// the loss visible.
absl::StatusOr<int64_t> CountRecordsAfterDamage(FrameReader& reader) {
  int64_t records = 0;
  FR_RETURN_IF_ERROR(reader.Resync());
  while (true) {
    FR_ASSIGN_OR_RETURN(FrameReader::Outcome outcome, reader.Next());
    if (outcome == FrameReader::Outcome::kEnd) break;
    if (outcome == FrameReader::Outcome::kBatch) {
      records += static_cast<int64_t>(reader.records().size());
    } else {
      FR_RETURN_IF_ERROR(reader.Resync());
    }
  }
  return records;
}

}  // namespace

absl::Status Wal::OpenLastSegment() {
  std::lock_guard<std::mutex> lock(mu_);
  last_sync_ = clock_->Now();
  FR_ASSIGN_OR_RETURN(std::vector<int> segments,
                      wal_internal::ListSegments(dir_));
  FR_ASSIGN_OR_RETURN(std::optional<CheckpointRef> checkpoint,
                      LastCheckpoint(dir_));
  const int covered = checkpoint ? checkpoint->last_segment : -1;
  if (segments.empty() || segments.back() <= covered) {
    // Fresh directory, or every segment is already in the checkpoint
    // (replay would skip anything appended to them): start above both.
    const int next =
        std::max(segments.empty() ? 0 : segments.back() + 1, covered + 1);
    return CreateSegmentLocked(next);
  }

  const int index = segments.back();
  const std::string path =
      wal_internal::JoinPath(dir_, wal_internal::SegmentName(index));
  FR_ASSIGN_OR_RETURN(std::unique_ptr<File> file, File::OpenForWrite(path));
  FR_ASSIGN_OR_RETURN(const int64_t size, file->Size());

  // Find where the good data ends: the first damage of any kind. Torn
  // writes are the expected damage here, and everything after one was
  // written later than it, so keeping later frames would replay commits
  // whose predecessors are gone.
  FrameReader reader(file.get(), size);
  WalCorruption cut;
  cut.file = path;
  cut.segment = index;
  cut.truncated = true;
  std::string reason;
  FR_ASSIGN_OR_RETURN(const HeaderCheck header, reader.ReadHeader(&reason));
  if (header == HeaderCheck::kUnsupportedVersion) {
    return absl::FailedPreconditionError(
        absl::StrCat("wal: ", path, ": ", reason));
  }
  bool damaged = false;
  if (header == HeaderCheck::kDamaged) {
    damaged = true;
    cut.offset = 0;
    cut.reason = reason;
    FR_ASSIGN_OR_RETURN(cut.records, CountRecordsAfterDamage(reader));
  } else {
    while (!damaged) {
      FR_ASSIGN_OR_RETURN(FrameReader::Outcome outcome, reader.Next());
      if (outcome == FrameReader::Outcome::kEnd) break;
      if (outcome == FrameReader::Outcome::kCorrupt) {
        damaged = true;
        cut.offset = reader.offset();
        cut.reason = reader.reason();
        const int64_t claimed = static_cast<int64_t>(reader.claimed_records());
        FR_ASSIGN_OR_RETURN(const int64_t later,
                            CountRecordsAfterDamage(reader));
        cut.records = claimed + later;
      }
    }
  }

  int64_t good = size;
  if (damaged) {
    cut.bytes = size - cut.offset;
    if (cut.offset < static_cast<int64_t>(kSegmentHeaderSize)) {
      FR_RETURN_IF_ERROR(file->Truncate(0));
      FR_RETURN_IF_ERROR(file->WriteAt(0, wal_internal::SegmentHeader()));
      good = kSegmentHeaderSize;
    } else {
      FR_RETURN_IF_ERROR(file->Truncate(cut.offset));
      good = cut.offset;
    }
    FR_RETURN_IF_ERROR(file->Sync());
    // A zero-length file is a segment whose creation did not complete; its
    // header is simply written again and there is nothing to report.
    if (size > 0) {
      LogCorruption(cut);
      open_repairs_.push_back(std::move(cut));
    }
  }
  seg_ = Segment{index, std::shared_ptr<File>(std::move(file))};
  seg_size_ = good;
  return absl::OkStatus();
}

absl::Status Wal::ReplayFile(
    const std::string& path, bool in_checkpoint, int index, int64_t limit,
    const std::function<absl::Status(absl::string_view)>& fn,
    ReplayStats* stats) {
  FR_ASSIGN_OR_RETURN(std::unique_ptr<File> file, File::OpenForRead(path));
  if (limit < 0) {
    FR_ASSIGN_OR_RETURN(limit, file->Size());
  }
  FrameReader reader(file.get(), limit);
  const auto report = [&](int64_t offset, std::string reason,
                          int64_t records) -> absl::Status {
    // The reason and count are taken before Resync, which reuses them.
    FR_RETURN_IF_ERROR(reader.Resync());
    WalCorruption c;
    c.file = path;
    c.in_checkpoint = in_checkpoint;
    c.segment = index;
    c.offset = offset;
    c.bytes = reader.offset() - offset;
    c.reason = std::move(reason);
    c.records = records;
    LogCorruption(c);
    stats->records_dropped += c.records;
    stats->bytes_dropped += c.bytes;
    stats->corruptions.push_back(std::move(c));
    return absl::OkStatus();
  };

  std::string reason;
  FR_ASSIGN_OR_RETURN(const HeaderCheck header, reader.ReadHeader(&reason));
  if (header == HeaderCheck::kUnsupportedVersion) {
    return absl::FailedPreconditionError(
        absl::StrCat("wal: ", path, ": ", reason));
  }
  if (header == HeaderCheck::kDamaged) {
    FR_RETURN_IF_ERROR(report(0, reason, 0));
  }
  while (true) {
    FR_ASSIGN_OR_RETURN(FrameReader::Outcome outcome, reader.Next());
    if (outcome == FrameReader::Outcome::kEnd) break;
    if (outcome == FrameReader::Outcome::kCorrupt) {
      // Not a tail (Open repaired that): media damage in data that was
      // fsynced. Later frames were acknowledged as durable, so they are
      // kept; see docs/wal_format.md for why this beats stopping here.
      FR_RETURN_IF_ERROR(
          report(reader.offset(), reader.reason(),
                 static_cast<int64_t>(reader.claimed_records())));
      continue;
    }
    ++stats->commits_read;
    for (absl::string_view record : reader.records()) {
      const absl::Status s = fn(record);
      if (!s.ok()) {
        return absl::Status(
            s.code(), absl::StrCat("wal: replaying ", path, " at offset ",
                                   reader.frame_offset(), ": ", s.message()));
      }
      ++stats->records_read;
    }
  }
  return absl::OkStatus();
}

absl::Status Wal::Replay(std::function<absl::Status(absl::string_view)> fn,
                         ReplayStats* stats) {
  ReplayStats local;
  ReplayStats& st = stats != nullptr ? *stats : local;
  st = ReplayStats();

  // Snapshot the writer: commits finishing after this point are not read,
  // and the current segment is read only up to its size now, which always
  // ends on a frame boundary.
  int current = 0;
  int64_t current_size = 0;
  {
    std::lock_guard<std::mutex> lock(mu_);
    current = seg_.index;
    current_size = seg_size_;
    for (const WalCorruption& c : open_repairs_) {
      st.records_dropped += c.records;
      st.bytes_dropped += c.bytes;
      st.corruptions.push_back(c);
    }
  }

  FR_ASSIGN_OR_RETURN(std::optional<CheckpointRef> checkpoint,
                      LastCheckpoint(dir_));
  // The next segment index replay needs: 0 unless a checkpoint covers the
  // ones before.
  int expected = 0;
  if (checkpoint) {
    st.checkpoint = checkpoint->last_segment;
    FR_ASSIGN_OR_RETURN(std::vector<int> files,
                        wal_internal::ListSegments(checkpoint->path));
    int next_file = 0;
    for (int f : files) {
      if (f != next_file) {
        // Files are numbered from 0 without gaps; a hole is lost data.
        WalCorruption c;
        c.file = wal_internal::JoinPath(checkpoint->path,
                                        wal_internal::SegmentName(next_file));
        c.in_checkpoint = true;
        c.segment = next_file;
        c.reason = absl::StrCat("checkpoint files ", next_file, " to ", f - 1,
                                " are missing");
        LogCorruption(c);
        st.corruptions.push_back(std::move(c));
      }
      next_file = f + 1;
      const int64_t before = st.records_read;
      FR_RETURN_IF_ERROR(
          ReplayFile(wal_internal::JoinPath(checkpoint->path,
                                            wal_internal::SegmentName(f)),
                     /*in_checkpoint=*/true, f, /*limit=*/-1, fn, &st));
      st.checkpoint_records += st.records_read - before;
    }
    expected = checkpoint->last_segment + 1;
  }

  FR_ASSIGN_OR_RETURN(std::vector<int> segments,
                      wal_internal::ListSegments(dir_));
  for (int index : segments) {
    // At or below the checkpoint: left over from a crash between
    // WriteCheckpoint and Truncate; the checkpoint already holds them.
    if (index <= st.checkpoint) continue;
    // Created by a NextSegment after the snapshot.
    if (index > current) break;
    if (expected < index) {
      FR_LOG(WARNING) << "wal: segments " << expected << " to " << index - 1
                      << " are missing from " << dir_
                      << "; their commits are lost";
      st.missing_segments.emplace_back(expected, index - 1);
    }
    expected = index + 1;
    if (st.first_segment < 0) st.first_segment = index;
    st.last_segment = index;
    ++st.segments_read;
    FR_RETURN_IF_ERROR(ReplayFile(
        wal_internal::JoinPath(dir_, wal_internal::SegmentName(index)),
        /*in_checkpoint=*/false, index,
        index == current ? current_size : int64_t{-1}, fn, &st));
  }
  FR_LOG(INFO) << "wal: replayed " << st.records_read << " records ("
               << st.checkpoint_records << " from checkpoint " << st.checkpoint
               << ", segments " << st.first_segment << " to " << st.last_segment
               << "), dropped " << st.records_dropped << " records and "
               << st.bytes_dropped << " bytes in " << st.corruptions.size()
               << " damaged regions";
  return absl::OkStatus();
}

}  // namespace fraisier::tsdb
