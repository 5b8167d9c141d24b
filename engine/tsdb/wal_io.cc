#include "engine/tsdb/wal_io.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/types.h>
#include <unistd.h>

#include <algorithm>
#include <climits>
#include <filesystem>
#include <system_error>
#include <utility>

#include "absl/strings/ascii.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"

namespace fraisier::tsdb::wal_internal {

absl::Status ErrnoError(int err, absl::string_view op, absl::string_view path) {
  return absl::ErrnoToStatus(err, absl::StrCat(op, " ", path));
}

absl::StatusOr<std::unique_ptr<File>> File::OpenWithFlags(std::string path,
                                                          int flags) {
  int fd = -1;
  do {
    fd = ::open(path.c_str(), flags | O_CLOEXEC, 0644);
  } while (fd < 0 && errno == EINTR);
  if (fd < 0) return ErrnoError(errno, "open", path);
  return std::unique_ptr<File>(new File(fd, std::move(path)));
}

absl::StatusOr<std::unique_ptr<File>> File::OpenForRead(std::string path) {
  return OpenWithFlags(std::move(path), O_RDONLY);
}

absl::StatusOr<std::unique_ptr<File>> File::OpenForWrite(std::string path) {
  return OpenWithFlags(std::move(path), O_RDWR);
}

absl::StatusOr<std::unique_ptr<File>> File::Create(std::string path) {
  return OpenWithFlags(std::move(path), O_RDWR | O_CREAT | O_EXCL);
}

File::~File() { ::close(fd_); }

absl::StatusOr<int64_t> File::Size() const {
  struct stat st;
  if (::fstat(fd_, &st) != 0) return ErrnoError(errno, "stat", path_);
  return static_cast<int64_t>(st.st_size);
}

absl::Status File::WriteAt(int64_t offset, absl::string_view data) const {
  while (!data.empty()) {
    const ssize_t n = ::pwrite(fd_, data.data(), data.size(), offset);
    if (n < 0) {
      if (errno == EINTR) continue;
      return ErrnoError(errno, "write", path_);
    }
    data.remove_prefix(static_cast<size_t>(n));
    offset += n;
  }
  return absl::OkStatus();
}

absl::StatusOr<size_t> File::ReadAt(int64_t offset, size_t n, char* out) const {
  size_t done = 0;
  while (done < n) {
    const ssize_t got =
        ::pread(fd_, out + done, n - done, offset + static_cast<int64_t>(done));
    if (got < 0) {
      if (errno == EINTR) continue;
      return ErrnoError(errno, "read", path_);
    }
    if (got == 0) break;  // end of file
    done += static_cast<size_t>(got);
  }
  return done;
}

absl::Status File::Sync() const {
  int rc = 0;
  do {
    rc = ::fdatasync(fd_);
  } while (rc != 0 && errno == EINTR);
  if (rc != 0) return ErrnoError(errno, "fdatasync", path_);
  return absl::OkStatus();
}

absl::Status File::Truncate(int64_t size) const {
  int rc = 0;
  do {
    rc = ::ftruncate(fd_, size);
  } while (rc != 0 && errno == EINTR);
  if (rc != 0) return ErrnoError(errno, "truncate", path_);
  return absl::OkStatus();
}

absl::Status SyncDir(const std::string& dir) {
  int fd = -1;
  do {
    fd = ::open(dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  } while (fd < 0 && errno == EINTR);
  if (fd < 0) return ErrnoError(errno, "open directory", dir);
  int rc = 0;
  do {
    rc = ::fsync(fd);
  } while (rc != 0 && errno == EINTR);
  const int err = errno;
  ::close(fd);
  if (rc != 0) return ErrnoError(err, "fsync directory", dir);
  return absl::OkStatus();
}

absl::Status MakeDirs(const std::string& dir) {
  std::error_code ec;
  std::filesystem::create_directories(dir, ec);
  if (ec) return ErrnoError(ec.value(), "create directory", dir);
  return absl::OkStatus();
}

absl::StatusOr<std::vector<std::string>> ListDir(const std::string& dir) {
  DIR* d = ::opendir(dir.c_str());
  if (d == nullptr) return ErrnoError(errno, "list directory", dir);
  std::vector<std::string> names;
  while (true) {
    errno = 0;
    const struct dirent* e = ::readdir(d);
    if (e == nullptr) break;
    const absl::string_view name = e->d_name;
    if (name == "." || name == "..") continue;
    names.emplace_back(name);
  }
  const int err = errno;
  ::closedir(d);
  if (err != 0) return ErrnoError(err, "list directory", dir);
  return names;
}

absl::Status RemoveAll(const std::string& path) {
  std::error_code ec;
  std::filesystem::remove_all(path, ec);
  if (ec) return ErrnoError(ec.value(), "remove", path);
  return absl::OkStatus();
}

absl::Status Rename(const std::string& from, const std::string& to) {
  if (::rename(from.c_str(), to.c_str()) != 0) {
    return ErrnoError(errno, "rename", absl::StrCat(from, " to ", to));
  }
  return absl::OkStatus();
}

bool PathExists(const std::string& path) {
  struct stat st;
  return ::stat(path.c_str(), &st) == 0;
}

std::string JoinPath(absl::string_view dir, absl::string_view name) {
  if (dir.empty()) return std::string(name);
  if (dir.back() == '/') return absl::StrCat(dir, name);
  return absl::StrCat(dir, "/", name);
}

std::string SegmentName(int index) { return absl::StrFormat("%08d", index); }

std::optional<int> ParseSegmentName(absl::string_view name) {
  // More than ten digits cannot fit an int.
  if (name.empty() || name.size() > 10) return std::nullopt;
  for (const char c : name) {
    if (!absl::ascii_isdigit(static_cast<unsigned char>(c))) {
      return std::nullopt;
    }
  }
  int64_t v = 0;
  if (!absl::SimpleAtoi(name, &v) || v > INT_MAX) return std::nullopt;
  // Only the canonical spelling counts, so "7" and "00000007" can never be
  // taken for two copies of one segment.
  if (SegmentName(static_cast<int>(v)) != name) return std::nullopt;
  return static_cast<int>(v);
}

absl::StatusOr<std::vector<int>> ListSegments(const std::string& dir) {
  absl::StatusOr<std::vector<std::string>> names = ListDir(dir);
  if (!names.ok()) return names.status();
  std::vector<int> indexes;
  for (const std::string& name : *names) {
    if (std::optional<int> index = ParseSegmentName(name)) {
      indexes.push_back(*index);
    }
  }
  std::sort(indexes.begin(), indexes.end());
  return indexes;
}

}  // namespace fraisier::tsdb::wal_internal
