// Thin POSIX file helpers for the WAL and checkpoints: every failure comes
// back as an absl::Status naming the operation and the path, so the layers
// above can propagate errors without looking at errno.
//
// Internal to engine/tsdb's WAL; not a general file API.
#ifndef ENGINE_TSDB_WAL_IO_H_
#define ENGINE_TSDB_WAL_IO_H_

#include <cstddef>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"

namespace fraisier::tsdb::wal_internal {

// An open file descriptor, closed on destruction.
//
// Thread-safety: the methods only issue positional system calls (pread,
// pwrite, fdatasync, ftruncate) on an fd that does not change, so they may be
// called concurrently; keeping concurrent writes to disjoint ranges is the
// caller's job.
class File {
 public:
  // Opens for reading only.
  static absl::StatusOr<std::unique_ptr<File>> OpenForRead(std::string path);
  // Opens an existing file for reading and writing.
  static absl::StatusOr<std::unique_ptr<File>> OpenForWrite(std::string path);
  // Creates a new file for reading and writing; fails if it exists.
  static absl::StatusOr<std::unique_ptr<File>> Create(std::string path);

  ~File();
  File(const File&) = delete;
  File& operator=(const File&) = delete;

  const std::string& path() const { return path_; }

  absl::StatusOr<int64_t> Size() const;
  // Writes all of `data` at `offset`, retrying short writes and EINTR.
  absl::Status WriteAt(int64_t offset, absl::string_view data) const;
  // Reads up to `n` bytes at `offset` into `out`; fewer only at end of file.
  absl::StatusOr<size_t> ReadAt(int64_t offset, size_t n, char* out) const;
  // fdatasync: the data and the size are durable when it returns OK.
  absl::Status Sync() const;
  absl::Status Truncate(int64_t size) const;

 private:
  File(int fd, std::string path) : fd_(fd), path_(std::move(path)) {}
  static absl::StatusOr<std::unique_ptr<File>> OpenWithFlags(std::string path,
                                                             int flags);

  const int fd_;
  const std::string path_;
};

// An errno-based status: "<op> <path>: <strerror>".
absl::Status ErrnoError(int err, absl::string_view op, absl::string_view path);

// fsyncs a directory, making creations, renames and removals in it durable.
absl::Status SyncDir(const std::string& dir);

// Creates `dir` and missing parents.
absl::Status MakeDirs(const std::string& dir);

// The names of the entries of `dir` (not "." or ".."), unsorted.
absl::StatusOr<std::vector<std::string>> ListDir(const std::string& dir);

// Removes a file or a directory tree; OK if it does not exist.
absl::Status RemoveAll(const std::string& path);

// rename(2).
absl::Status Rename(const std::string& from, const std::string& to);

bool PathExists(const std::string& path);

// "dir/name".
std::string JoinPath(absl::string_view dir, absl::string_view name);

// The segment file name for `index`: eight decimal digits, zero-padded (more
// digits once the index needs them).
std::string SegmentName(int index);

// The index in a segment file name: only decimal digits, fitting an int.
std::optional<int> ParseSegmentName(absl::string_view name);

// The indexes of the segment files in `dir`, ascending; other entries are
// ignored.
absl::StatusOr<std::vector<int>> ListSegments(const std::string& dir);

}  // namespace fraisier::tsdb::wal_internal

#endif  // ENGINE_TSDB_WAL_IO_H_
