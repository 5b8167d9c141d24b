// The write side of the Wal: Open, Log with group commit, Sync, segment
// cuts, Truncate and Close. Reading (Replay and the tail repair done by
// Open) is in wal_replay.cc.
#include "engine/tsdb/wal.h"

#include <algorithm>
#include <utility>

#include "absl/strings/str_cat.h"
#include "engine/base/logging.h"
#include "engine/base/status_macros.h"
#include "engine/tsdb/checkpoint.h"
#include "engine/tsdb/wal_frame.h"
#include "engine/tsdb/wal_io.h"

namespace fraisier::tsdb {

using wal_internal::File;
using wal_internal::kSegmentHeaderSize;

namespace {

// Room for the segment header and at least one small frame.
constexpr int64_t kMinSegmentBytes = 64;

absl::Status Annotate(const absl::Status& s, absl::string_view prefix) {
  return absl::Status(s.code(), absl::StrCat(prefix, s.message()));
}

}  // namespace

Wal::Wal(std::string dir, WalOptions options)
    : dir_(std::move(dir)),
      options_(std::move(options)),
      clock_(options_.clock != nullptr ? options_.clock : RealClock::Get()) {}

absl::StatusOr<std::unique_ptr<Wal>> Wal::Open(std::string dir,
                                               WalOptions options) {
  if (dir.empty()) return absl::InvalidArgumentError("wal: empty directory");
  if (options.max_segment_bytes < kMinSegmentBytes) {
    return absl::InvalidArgumentError(
        absl::StrCat("wal: max_segment_bytes must be at least ",
                     kMinSegmentBytes, ", got ", options.max_segment_bytes));
  }
  if (options.fsync_interval < absl::ZeroDuration()) {
    return absl::InvalidArgumentError("wal: negative fsync_interval");
  }
  FR_RETURN_IF_ERROR(wal_internal::MakeDirs(dir));
  // A crash during WriteCheckpoint leaves a ".tmp" directory: it is
  // incomplete by definition, and the segments it was made from still exist.
  FR_RETURN_IF_ERROR(RemoveCheckpointTemps(dir, nullptr));
  std::unique_ptr<Wal> wal(new Wal(std::move(dir), std::move(options)));
  FR_RETURN_IF_ERROR(wal->OpenLastSegment());
  return wal;
}

Wal::~Wal() {
  const absl::Status s = Close();
  if (!s.ok()) FR_LOG(ERROR) << "wal: closing " << dir_ << ": " << s;
}

absl::Status Wal::CheckUsableLocked() const {
  if (closed_) return absl::FailedPreconditionError("wal: closed");
  return broken_;
}

absl::Status Wal::CreateSegmentLocked(int index) {
  const std::string path =
      wal_internal::JoinPath(dir_, wal_internal::SegmentName(index));
  FR_ASSIGN_OR_RETURN(std::unique_ptr<File> file, File::Create(path));
  absl::Status s = file->WriteAt(0, wal_internal::SegmentHeader());
  if (s.ok()) s = file->Sync();
  // The new directory entry must be durable before commits go into it.
  if (s.ok()) s = wal_internal::SyncDir(dir_);
  if (!s.ok()) {
    file.reset();
    const absl::Status r = wal_internal::RemoveAll(path);
    if (!r.ok()) FR_LOG(WARNING) << "wal: " << r;
    return s;
  }
  seg_ = Segment{index, std::shared_ptr<File>(std::move(file))};
  seg_size_ = kSegmentHeaderSize;
  ++metrics_.segments_created;
  return absl::OkStatus();
}

absl::Status Wal::WriteFrameLocked(absl::string_view frame) {
  const absl::Status s = seg_.file->WriteAt(seg_size_, frame);
  if (s.ok()) {
    seg_size_ += static_cast<int64_t>(frame.size());
    return absl::OkStatus();
  }
  // Part of the frame may have reached the file (e.g. ENOSPC midway). Cut it,
  // or the next commit would land behind garbage and be lost on replay.
  const absl::Status t = seg_.file->Truncate(seg_size_);
  if (!t.ok()) {
    broken_ = Annotate(t, "wal: cannot undo a failed write, log unusable: ");
  }
  return s;
}

absl::Status Wal::CutLocked() {
  const absl::Status s = seg_.file->Sync();
  if (!s.ok()) {
    broken_ = Annotate(s, "wal: fsync failed, log unusable: ");
    return broken_;
  }
  // Everything written so far is in this segment and now durable.
  synced_seq_ = written_seq_;
  last_sync_ = clock_->Now();
  sync_cv_.notify_all();
  return CreateSegmentLocked(seg_.index + 1);
}

absl::Status Wal::WaitSyncedLocked(std::unique_lock<std::mutex>& lock,
                                   int64_t seq) {
  while (synced_seq_ < seq) {
    if (!broken_.ok()) return broken_;
    if (closed_) return absl::FailedPreconditionError("wal: closed");
    if (syncing_) {
      // A leader's fsync is in flight; it may or may not cover `seq`
      // (if not, one of the waiters leads the next round).
      sync_cv_.wait(lock);
      continue;
    }
    syncing_ = true;
    if (options_.before_sync_for_testing) {
      lock.unlock();
      options_.before_sync_for_testing();
      lock.lock();
    }
    // Every frame written so far rides along on this fsync: that is the
    // group commit. The segment is pinned so a concurrent cut cannot close
    // its file under us.
    const int64_t target = written_seq_;
    const std::shared_ptr<File> file = seg_.file;
    lock.unlock();
    const absl::Time sync_start = clock_->Now();
    const absl::Status s = file->Sync();
    const absl::Duration sync_time = clock_->Now() - sync_start;
    lock.lock();
    syncing_ = false;
    ++metrics_.commit_syncs;
    metrics_.commit_sync_seconds += absl::ToDoubleSeconds(sync_time);
    if (s.ok()) {
      synced_seq_ = std::max(synced_seq_, target);
      last_sync_ = clock_->Now();
    } else if (broken_.ok()) {
      broken_ = Annotate(s, "wal: fsync failed, log unusable: ");
    }
    sync_cv_.notify_all();
  }
  return absl::OkStatus();
}

absl::Status Wal::Log(absl::Span<const absl::string_view> records) {
  if (records.empty()) {
    std::lock_guard<std::mutex> lock(mu_);
    return CheckUsableLocked();
  }
  // Encoding and checksumming happen before taking the lock, so concurrent
  // committers only serialize on the write itself.
  std::string frame;
  FR_RETURN_IF_ERROR(wal_internal::EncodeBatchFrame(records, &frame));
  const int64_t frame_size = static_cast<int64_t>(frame.size());

  std::unique_lock<std::mutex> lock(mu_);
  FR_RETURN_IF_ERROR(CheckUsableLocked());
  if (seg_size_ > static_cast<int64_t>(kSegmentHeaderSize) &&
      seg_size_ + frame_size > options_.max_segment_bytes) {
    FR_RETURN_IF_ERROR(CutLocked());
  }
  FR_RETURN_IF_ERROR(WriteFrameLocked(frame));
  const int64_t seq = ++written_seq_;
  ++metrics_.commits;
  metrics_.records += static_cast<int64_t>(records.size());
  metrics_.bytes_written += frame_size;

  if (options_.fsync_policy == FsyncPolicy::kEveryCommit) {
    return WaitSyncedLocked(lock, seq);
  }
  const absl::Time now = clock_->Now();
  if (now - last_sync_ >= options_.fsync_interval) {
    // Claim this interval's sync before releasing the lock, so concurrent
    // callers do not pile up behind the same fsync.
    last_sync_ = now;
    return WaitSyncedLocked(lock, seq);
  }
  return absl::OkStatus();
}

absl::Status Wal::Sync() {
  std::unique_lock<std::mutex> lock(mu_);
  FR_RETURN_IF_ERROR(CheckUsableLocked());
  last_sync_ = clock_->Now();
  return WaitSyncedLocked(lock, written_seq_);
}

absl::StatusOr<int> Wal::NextSegment() {
  std::lock_guard<std::mutex> lock(mu_);
  FR_RETURN_IF_ERROR(CheckUsableLocked());
  const int closed = seg_.index;
  FR_RETURN_IF_ERROR(CutLocked());
  return closed;
}

absl::Status Wal::Truncate(int last_segment) {
  {
    std::lock_guard<std::mutex> lock(mu_);
    if (last_segment >= seg_.index) {
      return absl::InvalidArgumentError(
          absl::StrCat("wal: cannot truncate through segment ", last_segment,
                       ", segment ", seg_.index, " is still being written"));
    }
  }
  // Segments only ever get added above seg_.index, so what is deleted below
  // cannot be touched by a concurrent Log.
  const std::string checkpoint =
      wal_internal::JoinPath(dir_, CheckpointDirName(last_segment));
  if (!wal_internal::PathExists(checkpoint)) {
    return absl::FailedPreconditionError(absl::StrCat(
        "wal: no ", checkpoint, "; truncating without it would lose data"));
  }
  FR_ASSIGN_OR_RETURN(std::vector<int> segments,
                      wal_internal::ListSegments(dir_));
  int removed = 0;
  for (int index : segments) {
    if (index > last_segment) break;
    FR_RETURN_IF_ERROR(wal_internal::RemoveAll(
        wal_internal::JoinPath(dir_, wal_internal::SegmentName(index))));
    ++removed;
  }
  FR_RETURN_IF_ERROR(DeleteCheckpoints(dir_, last_segment));
  FR_RETURN_IF_ERROR(wal_internal::SyncDir(dir_));
  FR_LOG(INFO) << "wal: truncated " << removed << " segments through "
               << last_segment;
  return absl::OkStatus();
}

absl::Status Wal::Close() {
  std::unique_lock<std::mutex> lock(mu_);
  if (closed_) return absl::OkStatus();
  // An in-flight leader holds its own reference to the file, but waiting
  // for it keeps the final state simple: nothing runs after Close returns.
  sync_cv_.wait(lock, [this] { return !syncing_; });
  closed_ = true;
  absl::Status s = broken_;
  if (s.ok() && seg_.file != nullptr) {
    s = seg_.file->Sync();
    if (s.ok()) {
      synced_seq_ = written_seq_;
    } else {
      broken_ = Annotate(s, "wal: fsync failed: ");
    }
  }
  seg_.file.reset();
  sync_cv_.notify_all();
  return s;
}

int Wal::current_segment() const {
  std::lock_guard<std::mutex> lock(mu_);
  return seg_.index;
}

WalMetrics Wal::metrics() const {
  std::lock_guard<std::mutex> lock(mu_);
  return metrics_;
}

}  // namespace fraisier::tsdb
