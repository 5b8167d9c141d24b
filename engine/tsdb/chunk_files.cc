#include "engine/tsdb/chunk_files.h"

#include <dirent.h>
#include <fcntl.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <utility>
#include <vector>

#include "absl/strings/ascii.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "engine/base/status_macros.h"
#include "engine/tsdb/chunk_records.h"

namespace fraisier::tsdb {
namespace {

using chunk_records::kVersion2;
using chunk_records::kVersion3;
using chunk_records::Record;

// Segment header: magic, format version, 3 reserved zero bytes.
constexpr uint32_t kMagic = 0x46524348;  // "FRCH"
// Version 2 added the back-pointer (prev ref) to every record; version 3
// (written now) made the record header varints. Version 1 files are
// refused at Open; version 2 files are read.
constexpr int64_t kHeaderSize = 8;
constexpr int64_t kMinSegmentBytes = 4096;
constexpr int64_t kMaxSegmentBytes = (int64_t{1} << 32) - 1;

absl::Status ErrnoStatus(absl::string_view op, absl::string_view path) {
  const int err = errno;
  const std::string msg =
      absl::StrCat("chunk files: ", op, " ", path, ": ", std::strerror(err));
  if (err == ENOENT) return absl::NotFoundError(msg);
  if (err == ENOSPC || err == EDQUOT) return absl::ResourceExhaustedError(msg);
  return absl::InternalError(msg);
}

void PutBE(char* p, uint64_t v, int bytes) {
  for (int i = bytes - 1; i >= 0; --i, v >>= 8) p[i] = static_cast<char>(v);
}

uint64_t GetBE(const char* p, int bytes) {
  uint64_t v = 0;
  for (int i = 0; i < bytes; ++i) v = (v << 8) | static_cast<uint8_t>(p[i]);
  return v;
}

absl::Status WriteAllAt(int fd, absl::string_view data, int64_t offset,
                        absl::string_view path) {
  while (!data.empty()) {
    const ssize_t n = pwrite(fd, data.data(), data.size(), offset);
    if (n < 0) {
      if (errno == EINTR) continue;
      return ErrnoStatus("write", path);
    }
    data.remove_prefix(static_cast<size_t>(n));
    offset += n;
  }
  return absl::OkStatus();
}

// Makes a new directory entry durable.
absl::Status SyncDir(const std::string& dir) {
  const int fd = open(dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (fd < 0) return ErrnoStatus("open", dir);
  const int rc = fsync(fd);
  absl::Status st = rc == 0 ? absl::OkStatus() : ErrnoStatus("fsync", dir);
  close(fd);
  return st;
}

absl::Status MakeDirs(const std::string& dir) {
  for (size_t i = 1; i <= dir.size(); ++i) {
    if (i < dir.size() && dir[i] != '/') continue;
    const std::string prefix = dir.substr(0, i);
    if (mkdir(prefix.c_str(), 0755) != 0 && errno != EEXIST) {
      return ErrnoStatus("mkdir", prefix);
    }
  }
  return absl::OkStatus();
}

// A read-only shared mapping of a segment file, unmapped when the last
// holder (the segment or a ChunkHandle) lets go.
struct Mapping {
  const char* data = nullptr;
  size_t length = 0;
  ~Mapping() {
    if (data != nullptr) munmap(const_cast<char*>(data), length);
  }
};

absl::StatusOr<std::shared_ptr<const Mapping>> MapFile(int fd, size_t length,
                                                       absl::string_view path) {
  auto m = std::make_shared<Mapping>();
  if (length == 0) return m;
  void* p = mmap(nullptr, length, PROT_READ, MAP_SHARED, fd, 0);
  if (p == MAP_FAILED) return ErrnoStatus("mmap", path);
  m->data = static_cast<const char*>(p);
  m->length = length;
  return m;
}

// Parses the record at `off` of the `size` valid bytes at `base`, the
// segment numbered `segment` of format `version`; on failure returns the
// reason. Reads nothing at or beyond base + size.
std::string ParseRecord(uint8_t version, const char* base, int64_t size,
                        uint32_t segment, int64_t off, Record* rec) {
  if (off < kHeaderSize || off >= size) return "offset outside the segment";
  return chunk_records::Parse(version, base, size, off,
                              MakeChunkRef(segment, static_cast<uint32_t>(off)),
                              rec);
}

bool KnownVersion(char v) { return v == kVersion2 || v == kVersion3; }

bool ParseIndex(absl::string_view name, uint32_t* index) {
  if (name.size() < 6 || name.size() > 10) return false;
  for (char c : name) {
    if (!absl::ascii_isdigit(static_cast<unsigned char>(c))) return false;
  }
  return absl::SimpleAtoi(name, index) && *index > 0;
}

}  // namespace

struct ChunkFiles::Segment {
  uint32_t index = 0;
  std::string path;
  std::shared_ptr<const Mapping> mapping;
  std::atomic<int64_t> size{0};  // published: complete records only
  uint8_t version = kVersion3;   // of the file's header (2 or 3)
  // Guarded by write_mu_:
  int fd = -1;  // open while this segment is being written
  bool scanned = false;
  Timestamp max_time = kMinTimestamp;  // of the scanned or written chunks
  int64_t chunks = 0;

  ~Segment() {
    if (fd >= 0) close(fd);
  }
};

ChunkFiles::ChunkFiles(std::string dir, ChunkFilesOptions options)
    : dir_(std::move(dir)), options_(options) {}

ChunkFiles::~ChunkFiles() = default;

absl::StatusOr<std::unique_ptr<ChunkFiles>> ChunkFiles::Open(
    std::string dir, ChunkFilesOptions options) {
  if (options.max_segment_bytes < kMinSegmentBytes ||
      options.max_segment_bytes > kMaxSegmentBytes) {
    return absl::InvalidArgumentError(
        absl::StrCat("chunk files: max_segment_bytes ",
                     options.max_segment_bytes, " outside [4096, 2^32)"));
  }
  FR_RETURN_IF_ERROR(MakeDirs(dir));
  std::unique_ptr<ChunkFiles> files(new ChunkFiles(std::move(dir), options));
  std::vector<uint32_t> indexes;
  DIR* d = opendir(files->dir_.c_str());
  if (d == nullptr) return ErrnoStatus("opendir", files->dir_);
  while (dirent* e = readdir(d)) {
    uint32_t index;
    if (ParseIndex(e->d_name, &index)) indexes.push_back(index);
  }
  closedir(d);
  std::sort(indexes.begin(), indexes.end());
  for (uint32_t index : indexes) {
    auto seg = std::make_shared<Segment>();
    seg->index = index;
    seg->path = absl::StrFormat("%s/%06u", files->dir_, index);
    const int fd = open(seg->path.c_str(), O_RDONLY | O_CLOEXEC);
    if (fd < 0) return ErrnoStatus("open", seg->path);
    struct stat st;
    if (fstat(fd, &st) != 0) {
      absl::Status s = ErrnoStatus("stat", seg->path);
      close(fd);
      return s;
    }
    auto mapping = MapFile(fd, static_cast<size_t>(st.st_size), seg->path);
    close(fd);  // the mapping keeps the file readable
    if (!mapping.ok()) return mapping.status();
    // A torn header or a bad magic is left to the scan's repair; a valid
    // magic with another version is a file of another build, which must
    // not be "repaired" away.
    const Mapping& m = **mapping;
    if (m.length >= static_cast<size_t>(kHeaderSize) &&
        GetBE(m.data, 4) == kMagic) {
      if (!KnownVersion(m.data[4])) {
        return absl::FailedPreconditionError(absl::StrCat(
            "chunk files: ", seg->path, " has format version ",
            static_cast<int>(static_cast<uint8_t>(m.data[4])),
            "; this build reads versions 2 and 3 (files of an older build "
            "cannot be read; move the directory away to start over without "
            "its chunks)"));
      }
      seg->version = static_cast<uint8_t>(m.data[4]);
    }
    seg->mapping = *std::move(mapping);
    seg->size.store(st.st_size);
    files->total_bytes_ += st.st_size;
    files->segments_[index] = std::move(seg);
  }
  if (!indexes.empty()) {
    files->last_recovered_ = indexes.back();
    if (indexes.back() == UINT32_MAX) {
      return absl::ResourceExhaustedError("chunk files: segment index space");
    }
    files->next_index_ = indexes.back() + 1;
  }
  return files;
}

std::shared_ptr<ChunkFiles::Segment> ChunkFiles::FindSegment(
    uint32_t index) const {
  std::shared_lock<std::shared_mutex> lock(map_mu_);
  auto it = segments_.find(index);
  return it == segments_.end() ? nullptr : it->second;
}

absl::Status ChunkFiles::CutLocked() {
  if (active_ != nullptr) {
    // Finished segments are durable, so Sync only ever needs the newest.
    if (fdatasync(active_->fd) != 0) return ErrnoStatus("fsync", active_->path);
    close(active_->fd);
    active_->fd = -1;
    active_ = nullptr;
  }
  if (next_index_ == UINT32_MAX) {
    return absl::ResourceExhaustedError("chunk files: segment index space");
  }
  auto seg = std::make_shared<Segment>();
  seg->index = next_index_;
  seg->path = absl::StrFormat("%s/%06u", dir_, seg->index);
  seg->fd =
      open(seg->path.c_str(), O_CREAT | O_EXCL | O_RDWR | O_CLOEXEC, 0644);
  if (seg->fd < 0) return ErrnoStatus("create", seg->path);
  ++next_index_;
  char header[kHeaderSize] = {};
  PutBE(header, kMagic, 4);
  header[4] = static_cast<char>(kVersion3);
  FR_RETURN_IF_ERROR(WriteAllAt(seg->fd, absl::string_view(header, kHeaderSize),
                                0, seg->path));
  FR_RETURN_IF_ERROR(SyncDir(dir_));
  // Map the whole size the segment may reach, so later records are
  // readable without remapping; only bytes below the published size are
  // ever touched, so the pages beyond the end of the file never are.
  FR_ASSIGN_OR_RETURN(
      seg->mapping,
      MapFile(seg->fd, static_cast<size_t>(options_.max_segment_bytes),
              seg->path));
  seg->scanned = true;
  seg->size.store(kHeaderSize, std::memory_order_release);
  total_bytes_ += kHeaderSize;
  {
    std::unique_lock<std::shared_mutex> lock(map_mu_);
    segments_[seg->index] = seg;
  }
  active_ = std::move(seg);
  return absl::OkStatus();
}

absl::StatusOr<ChunkRef> ChunkFiles::Write(uint64_t series_ref,
                                           ChunkRef prev_ref, Timestamp mint,
                                           Timestamp maxt,
                                           absl::string_view chunk_bytes,
                                           uint8_t encoding) {
  const auto len = static_cast<int64_t>(chunk_bytes.size());
  // The size depends on where the record goes (the back-pointer is a
  // distance); a record in a fresh segment is at most this big.
  const int64_t max_record_size = chunk_records::SizeV3(
      series_ref, prev_ref, MakeChunkRef(UINT32_MAX, UINT32_MAX), mint, maxt,
      chunk_bytes);
  if (kHeaderSize + max_record_size > options_.max_segment_bytes) {
    return absl::InvalidArgumentError(
        absl::StrCat("chunk files: a ", len, "-byte chunk exceeds the ",
                     options_.max_segment_bytes, "-byte segment size"));
  }
  std::lock_guard<std::mutex> lock(write_mu_);
  int64_t record_size = 0;
  for (int attempt = 0; attempt < 2; ++attempt) {
    if (active_ != nullptr) {
      const int64_t at = active_->size.load(std::memory_order_relaxed);
      record_size = chunk_records::SizeV3(
          series_ref, prev_ref,
          MakeChunkRef(active_->index, static_cast<uint32_t>(at)), mint, maxt,
          chunk_bytes);
      if (at + record_size <= options_.max_segment_bytes) break;
    }
    FR_RETURN_IF_ERROR(CutLocked());
  }
  const int64_t offset = active_->size.load(std::memory_order_relaxed);
  const ChunkRef ref =
      MakeChunkRef(active_->index, static_cast<uint32_t>(offset));
  if (prev_ref >= ref) {
    return absl::InvalidArgumentError(
        absl::StrCat("chunk files: back-pointer ", prev_ref,
                     " is not older than the new record ", ref));
  }
  record_size =
      chunk_records::SizeV3(series_ref, prev_ref, ref, mint, maxt, chunk_bytes);
  scratch_.resize(static_cast<size_t>(record_size));
  chunk_records::EncodeV3(series_ref, prev_ref, ref, mint, maxt, encoding,
                          chunk_bytes, scratch_.data());

  absl::Status st = WriteAllAt(active_->fd, scratch_, offset, active_->path);
  if (!st.ok()) {
    // Drop a partial record now; a crash instead leaves it for recovery.
    (void)!ftruncate(active_->fd, offset);
    return st;
  }
  active_->max_time = std::max(active_->max_time, maxt);
  ++active_->chunks;
  // Publishes the record to Read (which loads the size with acquire).
  active_->size.store(offset + record_size, std::memory_order_release);
  total_bytes_ += record_size;
  {
    std::lock_guard<std::mutex> stats_lock(stats_mu_);
    ++stats_.chunks_written;
  }
  return ref;
}

absl::StatusOr<ChunkHandle> ChunkFiles::Read(ChunkRef ref) const {
  std::shared_ptr<Segment> seg = FindSegment(ChunkRefSegment(ref));
  if (seg == nullptr) {
    return absl::NotFoundError(absl::StrCat(
        "chunk files: segment ", ChunkRefSegment(ref), " does not exist"));
  }
  const int64_t size = seg->size.load(std::memory_order_acquire);
  Record rec;
  const std::string why =
      seg->mapping->data == nullptr
          ? "empty segment"
          : ParseRecord(seg->version, seg->mapping->data, size, seg->index,
                        ChunkRefOffset(ref), &rec);
  if (!why.empty()) {
    return absl::DataLossError(absl::StrCat("chunk files: ", seg->path,
                                            " at offset ", ChunkRefOffset(ref),
                                            ": ", why));
  }
  ChunkHandle h;
  h.mapping_ = seg->mapping;
  h.bytes_ = rec.data;
  h.series_ref_ = rec.series_ref;
  h.prev_ref_ = rec.prev_ref;
  h.min_time_ = rec.mint;
  h.max_time_ = rec.maxt;
  h.encoding_ = rec.encoding;
  return h;
}

bool ChunkFiles::Contains(ChunkRef ref) const {
  std::shared_ptr<Segment> seg = FindSegment(ChunkRefSegment(ref));
  return seg != nullptr &&
         ChunkRefOffset(ref) < seg->size.load(std::memory_order_acquire);
}

absl::Status ChunkFiles::Sync() {
  int fd;
  std::string path;
  {
    std::lock_guard<std::mutex> lock(write_mu_);
    if (active_ == nullptr) return absl::OkStatus();
    // A duplicate stays valid even if a cut closes the original meanwhile
    // (the cut syncs that segment itself), and keeps fsync off the lock.
    fd = fcntl(active_->fd, F_DUPFD_CLOEXEC, 0);
    path = active_->path;
  }
  if (fd < 0) return ErrnoStatus("dup", path);
  const int rc = fdatasync(fd);
  absl::Status st = rc == 0 ? absl::OkStatus() : ErrnoStatus("fsync", path);
  close(fd);
  return st;
}

absl::Status ChunkFiles::ScanLocked(Segment& seg, bool repair,
                                    ChunkCallback* callback) {
  const int64_t size = seg.size.load(std::memory_order_acquire);
  const char* base = seg.mapping->data;
  int64_t off = kHeaderSize;
  std::string why;
  if (size < kHeaderSize || base == nullptr) {
    why = "segment header cut short";
    off = 0;
  } else if (GetBE(base, 4) != kMagic || !KnownVersion(base[4])) {
    why = "bad segment magic or version";
    off = 0;
  } else {
    seg.version = static_cast<uint8_t>(base[4]);
  }
  seg.max_time = kMinTimestamp;
  seg.chunks = 0;
  while (why.empty() && off < size) {
    Record rec;
    why = ParseRecord(seg.version, base, size, seg.index, off, &rec);
    if (!why.empty()) break;
    if (callback != nullptr) {
      const int n = rec.data.size() >= 2
                        ? static_cast<int>(GetBE(rec.data.data(), 2))
                        : 0;
      FR_RETURN_IF_ERROR((*callback)(
          rec.series_ref, MakeChunkRef(seg.index, static_cast<uint32_t>(off)),
          rec.mint, rec.maxt, n));
    }
    seg.max_time = std::max(seg.max_time, rec.maxt);
    ++seg.chunks;
    off = rec.end;
  }
  seg.scanned = true;
  if (why.empty()) return absl::OkStatus();
  const std::string where =
      absl::StrCat(seg.path, " at offset ", off, ": ", why);
  if (!repair || seg.index != last_recovered_) {
    return absl::DataLossError(absl::StrCat("chunk files: ", where));
  }
  // The newest segment before a crash may end in a record that was being
  // written: keep every complete record before it, drop the rest.
  const int64_t dropped = size - off;
  if (off == 0) {
    FR_RETURN_IF_ERROR(DeleteLocked(seg.index));
  } else {
    const int fd = open(seg.path.c_str(), O_WRONLY | O_CLOEXEC);
    if (fd < 0) return ErrnoStatus("open", seg.path);
    const bool ok = ftruncate(fd, off) == 0 && fdatasync(fd) == 0;
    absl::Status st = ok ? absl::OkStatus() : ErrnoStatus("truncate", seg.path);
    close(fd);
    FR_RETURN_IF_ERROR(st);
    seg.size.store(off, std::memory_order_release);
    total_bytes_ -= dropped;
  }
  std::lock_guard<std::mutex> stats_lock(stats_mu_);
  ++stats_.truncations;
  stats_.truncated_bytes += dropped;
  stats_.last_truncation = where;
  return absl::OkStatus();
}

absl::Status ChunkFiles::ForEachChunk(ChunkCallback callback) {
  std::lock_guard<std::mutex> lock(write_mu_);
  std::vector<std::shared_ptr<Segment>> segs;
  {
    std::shared_lock<std::shared_mutex> map_lock(map_mu_);
    for (const auto& [index, seg] : segments_) segs.push_back(seg);
  }
  int64_t chunks = 0;
  absl::Status st;
  for (const auto& seg : segs) {
    st = ScanLocked(*seg, /*repair=*/true, &callback);
    chunks += seg->chunks;
    if (!st.ok()) break;
  }
  std::lock_guard<std::mutex> stats_lock(stats_mu_);
  stats_.chunks_scanned = chunks;
  return st;
}

absl::Status ChunkFiles::DeleteLocked(uint32_t index) {
  std::shared_ptr<Segment> seg = FindSegment(index);
  if (seg == nullptr) return absl::OkStatus();
  if (unlink(seg->path.c_str()) != 0 && errno != ENOENT) {
    return ErrnoStatus("delete", seg->path);
  }
  {
    std::unique_lock<std::shared_mutex> lock(map_mu_);
    segments_.erase(index);
  }
  total_bytes_ -= seg->size.load();
  if (seg == active_) active_ = nullptr;
  std::lock_guard<std::mutex> stats_lock(stats_mu_);
  ++stats_.segments_deleted;
  return absl::OkStatus();
}

absl::StatusOr<int> ChunkFiles::DeleteSegmentsBefore(Timestamp t) {
  std::lock_guard<std::mutex> lock(write_mu_);
  if (active_ != nullptr && active_->chunks > 0 && active_->max_time < t) {
    // Retire the segment being written; the next Write starts a new one.
    if (fdatasync(active_->fd) != 0) return ErrnoStatus("fsync", active_->path);
    close(active_->fd);
    active_->fd = -1;
    active_ = nullptr;
  }
  std::vector<std::shared_ptr<Segment>> segs;
  {
    std::shared_lock<std::shared_mutex> map_lock(map_mu_);
    for (const auto& [index, seg] : segments_) segs.push_back(seg);
  }
  int deleted = 0;
  for (const auto& seg : segs) {
    if (seg == active_) continue;
    // A segment from before Open is read once to learn its time range; a
    // corrupt one is judged by the records before the damage.
    if (!seg->scanned) (void)ScanLocked(*seg, /*repair=*/false, nullptr);
    if (seg->max_time >= t) continue;
    FR_RETURN_IF_ERROR(DeleteLocked(seg->index));
    ++deleted;
  }
  return deleted;
}

absl::StatusOr<int> ChunkFiles::DeleteOldestUntil(int64_t max_bytes) {
  std::lock_guard<std::mutex> lock(write_mu_);
  std::vector<std::shared_ptr<Segment>> segs;
  {
    std::shared_lock<std::shared_mutex> map_lock(map_mu_);
    for (const auto& [index, seg] : segments_) segs.push_back(seg);
  }
  int deleted = 0;
  for (const auto& seg : segs) {
    if (total_bytes_.load() <= max_bytes || seg == active_) break;
    FR_RETURN_IF_ERROR(DeleteLocked(seg->index));
    ++deleted;
  }
  return deleted;
}

int64_t ChunkFiles::TotalBytes() const { return total_bytes_.load(); }

ChunkFilesStats ChunkFiles::stats() const {
  ChunkFilesStats s;
  {
    std::lock_guard<std::mutex> lock(stats_mu_);
    s = stats_;
  }
  {
    std::shared_lock<std::shared_mutex> lock(map_mu_);
    s.segments = static_cast<int64_t>(segments_.size());
  }
  s.total_bytes = total_bytes_.load();
  return s;
}

}  // namespace fraisier::tsdb
