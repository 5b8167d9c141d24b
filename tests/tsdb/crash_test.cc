// Crash recovery of the head (engine/tsdb/head.h) from the outside:
//
//  1. KillCyclesKeepEveryAcknowledgedBatch: a child process commits batches
//     with FsyncPolicy::kEveryCommit and acknowledges each one on a pipe; the
//     parent SIGKILLs it at a random moment (mid-commit, mid-chunk-cut,
//     mid-checkpoint, mid-replay), re-opens the directory and checks that
//     exactly the acknowledged batches (plus at most the one in flight) are
//     there, bit for bit. The next child continues from the recovered state.
//  2. TornWalTailIsCutAndAppendsContinue: truncations and bit flips at the end
//     of the last WAL segment (docs/wal_format.md, "Recovery").
//  3. CorruptChunkFileTail: truncations and bit flips in the newest chunk
//     segment (docs/chunk_files_format.md), with and without a checkpoint
//     having truncated the WAL that covered the damaged chunks.
//
// Every batch b appends one sample to each of the kSeries series
// crash{s="k"} at BatchTime(b) with value BatchValue(b, k), so any state the
// store recovers can be checked against the one that was written.
//
// The random plan comes from a fixed seed (CRASH_TEST_SEED overrides it),
// printed with every failure; kill timing still varies from run to run.
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <sys/stat.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <bit>
#include <cerrno>
#include <cstdint>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <functional>
#include <iostream>
#include <iterator>
#include <memory>
#include <random>
#include <set>
#include <string>
#include <tuple>
#include <utility>
#include <vector>

#include "absl/functional/function_ref.h"
#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/strings/string_view.h"
#include "absl/time/clock.h"
#include "absl/time/time.h"
#include "engine/base/clock.h"
#include "engine/base/status_matchers.h"
#include "engine/model/labels.h"
#include "engine/model/matcher.h"
#include "engine/model/value.h"
#include "engine/storage/storage.h"
#include "engine/tsdb/chunk.h"
#include "engine/tsdb/head.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace fraisier::tsdb {
namespace {

namespace fs = std::filesystem;

using ::fraisier::testing::IsOk;
using storage::SeriesRef;

constexpr int kSeries = 50;
constexpr int64_t kBase = 1700000000000;  // ms; the time of batch 0
constexpr int64_t kStep = 1000;           // ms between batches
constexpr uint64_t kDefaultSeed = 20240607;

uint64_t Seed() {
  uint64_t seed = kDefaultSeed;
  if (const char* env = std::getenv("CRASH_TEST_SEED"); env != nullptr) {
    if (!absl::SimpleAtoi(env, &seed)) seed = kDefaultSeed;
  }
  return seed;
}

Timestamp BatchTime(int64_t batch) { return kBase + batch * kStep; }

// Varied mantissas so the XOR chunks carry real payloads, and now and then
// a stale marker, whose NaN bits must survive exactly.
double BatchValue(int64_t batch, int k) {
  if ((batch + 3 * k) % 211 == 0) return StaleNaN();
  return static_cast<double>(batch) * 1.25 + k * 1000.0 +
         static_cast<double>((batch * 31 + k) % 97) / 64.0;
}

uint64_t Bits(double v) { return std::bit_cast<uint64_t>(v); }

Labels CrashLabels(int k) {
  const std::string s = absl::StrCat(k);
  return Labels::FromPairs({{"__name__", "crash"}, {"s", s}});
}

const std::vector<Labels>& AllLabels() {
  static const auto* labels = [] {
    auto* v = new std::vector<Labels>;
    for (int k = 0; k < kSeries; ++k) v->push_back(CrashLabels(k));
    return v;
  }();
  return *labels;
}

// Small segments so WAL and chunk segments are cut often and both kinds of
// cut get interrupted by kills.
HeadOptions CrashOptions(const std::string& dir, const Clock* clock,
                         int64_t max_segment_bytes = 32 << 10) {
  HeadOptions o;
  o.dir = dir;
  o.clock = clock;
  o.fsync_policy = FsyncPolicy::kEveryCommit;
  o.max_segment_bytes = max_segment_bytes;
  return o;
}

// Appends and commits batch `batch`; `refs` caches the series refs.
absl::Status AppendBatch(Head& head, int64_t batch,
                         std::vector<SeriesRef>* refs) {
  std::unique_ptr<storage::Appender> app = head.NewAppender();
  for (int k = 0; k < kSeries; ++k) {
    absl::StatusOr<SeriesRef> ref = app->Append(
        (*refs)[k], AllLabels()[k], BatchTime(batch), BatchValue(batch, k));
    if (!ref.ok()) return ref.status();
    (*refs)[k] = *ref;
  }
  return app->Commit();
}

// --- Reading back what the store holds ---

struct Snapshot {
  std::vector<std::vector<Sample>> samples =
      std::vector<std::vector<Sample>>(kSeries);
  // Series that are not crash{s="k"}, duplicates, iterator errors.
  std::vector<std::string> problems;
};

Snapshot ReadAll(Head& head) {
  Snapshot snap;
  absl::StatusOr<std::unique_ptr<storage::Querier>> querier =
      head.NewQuerier(kMinTimestamp, kMaxTimestamp);
  if (!querier.ok()) {
    snap.problems.push_back(querier.status().ToString());
    return snap;
  }
  // Every series of the store, not only the expected ones.
  const Matcher any =
      *Matcher::Create(MatchType::kRegexMatch, "__name__", ".+");
  std::unique_ptr<storage::SeriesSet> set =
      (*querier)->Select(false, nullptr, {any});
  std::vector<bool> seen(kSeries, false);
  while (set->Next()) {
    const Labels& labels = set->At().labels();
    int k = -1;
    if (!absl::SimpleAtoi(labels.Get("s"), &k) || k < 0 || k >= kSeries ||
        labels != AllLabels()[k]) {
      snap.problems.push_back(
          absl::StrCat("unexpected series ", labels.ToString()));
      continue;
    }
    if (seen[k]) {
      snap.problems.push_back(
          absl::StrCat("series ", labels.ToString(), " selected twice"));
      continue;
    }
    seen[k] = true;
    std::unique_ptr<storage::SampleIterator> it = set->At().Iterator();
    while (it->Next()) snap.samples[k].push_back(it->At());
    if (!it->status().ok()) {
      snap.problems.push_back(absl::StrCat("iterating ", labels.ToString(),
                                           ": ", it->status().ToString()));
    }
  }
  if (!set->status().ok()) snap.problems.push_back(set->status().ToString());
  return snap;
}

std::string DescribeSample(int k, const Sample& s) {
  return absl::StrCat("series ", k, " t=", s.t, " (batch ",
                      (s.t - kBase) / kStep, ") bits=", absl::Hex(Bits(s.v)));
}

// The kill test's invariant: every series holds exactly batches [0, n) for
// one common n (a commit is one WAL frame: all or nothing). Returns n, or -1
// with *error set.
int64_t CommonPrefix(const Snapshot& snap, std::string* error) {
  if (!snap.problems.empty()) {
    *error = absl::StrJoin(snap.problems, "; ");
    return -1;
  }
  const int64_t n = static_cast<int64_t>(snap.samples[0].size());
  for (int k = 0; k < kSeries; ++k) {
    const std::vector<Sample>& got = snap.samples[k];
    if (static_cast<int64_t>(got.size()) != n) {
      *error = absl::StrCat("series 0 has ", n, " samples but series ", k,
                            " has ", got.size(), " (a partial batch)");
      return -1;
    }
    for (int64_t b = 0; b < n; ++b) {
      const Sample want{BatchTime(b), BatchValue(b, k)};
      if (got[b] != want) {
        *error = absl::StrCat("sample ", b, " of series ", k, " is ",
                              DescribeSample(k, got[b]), ", want ",
                              DescribeSample(k, want));
        return -1;
      }
    }
  }
  return n;
}

// For damage tests: every present sample is one that was written (batch in
// [0, batches), exact bits, strictly increasing), and every written sample
// is present unless `may_be_missing(k, batch)`. *missing counts the absent.
std::string CheckWithGaps(const Snapshot& snap, int64_t batches,
                          absl::FunctionRef<bool(int, int64_t)> may_be_missing,
                          int64_t* missing) {
  std::vector<std::string> errors;
  *missing = 0;
  for (const std::string& p : snap.problems) errors.push_back(p);
  for (int k = 0; k < kSeries && errors.size() < 10; ++k) {
    int64_t next = 0;  // the next batch that may appear
    for (const Sample& s : snap.samples[k]) {
      const int64_t b = (s.t - kBase) / kStep;
      if (s.t < BatchTime(next) || (s.t - kBase) % kStep != 0 || b >= batches) {
        errors.push_back(absl::StrCat("invented or reordered sample ",
                                      DescribeSample(k, s)));
        break;
      }
      if (Bits(s.v) != Bits(BatchValue(b, k))) {
        errors.push_back(absl::StrCat("wrong value ", DescribeSample(k, s),
                                      ", want bits ",
                                      absl::Hex(Bits(BatchValue(b, k)))));
        break;
      }
      for (; next < b; ++next) {
        ++*missing;
        if (!may_be_missing(k, next)) {
          errors.push_back(absl::StrCat("series ", k, " lost batch ", next));
        }
      }
      next = b + 1;
    }
    for (; next < batches; ++next) {
      ++*missing;
      if (!may_be_missing(k, next)) {
        errors.push_back(absl::StrCat("series ", k, " lost batch ", next));
      }
    }
  }
  if (errors.size() > 10) errors.resize(10);
  return absl::StrJoin(errors, "; ");
}

// --- Files ---

std::string ReadFile(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  return std::string(std::istreambuf_iterator<char>(in),
                     std::istreambuf_iterator<char>());
}

void TruncateFile(const std::string& path, int64_t size) {
  ASSERT_EQ(truncate(path.c_str(), size), 0) << path << ": " << errno;
}

void FlipBit(const std::string& path, int64_t offset, int bit) {
  std::fstream f(path, std::ios::binary | std::ios::in | std::ios::out);
  ASSERT_TRUE(f.good()) << path;
  f.seekg(offset);
  char c = 0;
  f.read(&c, 1);
  ASSERT_TRUE(f.good()) << path << " offset " << offset;
  c = static_cast<char>(c ^ (1 << bit));
  f.seekp(offset);
  f.write(&c, 1);
  ASSERT_TRUE(f.good()) << path;
}

void AppendBytes(const std::string& path, const std::string& bytes) {
  std::ofstream f(path, std::ios::binary | std::ios::app);
  f.write(bytes.data(), static_cast<std::streamsize>(bytes.size()));
  ASSERT_TRUE(f.good()) << path;
}

int64_t FileSize(const std::string& path) {
  struct stat st;
  return stat(path.c_str(), &st) == 0 ? st.st_size : -1;
}

void CopyTree(const std::string& from, const std::string& to) {
  fs::remove_all(to);
  fs::copy(from, to, fs::copy_options::recursive);
}

// Files in `dir` whose names are all digits (WAL or chunk segments), by
// number.
std::vector<std::string> NumberedFiles(const std::string& dir) {
  std::vector<std::pair<uint64_t, std::string>> found;
  std::error_code ec;
  for (const fs::directory_entry& e : fs::directory_iterator(dir, ec)) {
    const std::string name = e.path().filename().string();
    uint64_t n;
    if (!e.is_regular_file() || name.empty() ||
        !std::all_of(name.begin(), name.end(),
                     [](char c) { return c >= '0' && c <= '9'; }) ||
        !absl::SimpleAtoi(name, &n)) {
      continue;
    }
    found.emplace_back(n, name);
  }
  std::sort(found.begin(), found.end());
  std::vector<std::string> names;
  for (auto& [n, name] : found) names.push_back(std::move(name));
  return names;
}

uint64_t GetLE(absl::string_view b, size_t off, int bytes) {
  uint64_t v = 0;
  for (int i = bytes - 1; i >= 0; --i) {
    v = (v << 8) | static_cast<uint8_t>(b[off + i]);
  }
  return v;
}

uint64_t GetBE(absl::string_view b, size_t off, int bytes) {
  uint64_t v = 0;
  for (int i = 0; i < bytes; ++i)
    v = (v << 8) | static_cast<uint8_t>(b[off + i]);
  return v;
}

// One WAL frame (docs/wal_format.md): 16-byte header, payload.
struct WalFrame {
  std::string segment;  // file name under wal/
  int64_t offset = 0;
  int64_t size = 0;
};

// The frames of every WAL segment, in order. Only for well-formed files.
std::vector<WalFrame> WalFrames(const std::string& wal_dir) {
  std::vector<WalFrame> frames;
  for (const std::string& name : NumberedFiles(wal_dir)) {
    const std::string data = ReadFile(wal_dir + "/" + name);
    size_t off = 8;  // segment header
    while (off + 16 <= data.size()) {
      EXPECT_EQ(GetLE(data, off, 4), 0x4C4157D9u) << name << " at " << off;
      const int64_t size = 16 + static_cast<int64_t>(GetLE(data, off + 8, 4));
      frames.push_back(WalFrame{name, static_cast<int64_t>(off), size});
      off += static_cast<size_t>(size);
    }
    EXPECT_EQ(off, data.size()) << name;
  }
  return frames;
}

// One chunk record (docs/chunk_files_format.md).
struct ChunkRecord {
  std::string segment;  // file name under chunks/
  int64_t offset = 0;
  int64_t end = 0;  // just past the CRC
  uint64_t series_ref = 0;
  Timestamp mint = 0;
  Timestamp maxt = 0;

  bool operator<(const ChunkRecord& o) const {
    return std::tie(segment, offset) < std::tie(o.segment, o.offset);
  }
};

// Every record of every chunk segment, in write order. Only for well-formed
// files.
std::vector<ChunkRecord> ChunkRecords(const std::string& chunk_dir) {
  std::vector<ChunkRecord> records;
  for (const std::string& name : NumberedFiles(chunk_dir)) {
    const std::string data = ReadFile(chunk_dir + "/" + name);
    EXPECT_GE(data.size(), 8u) << name;
    size_t off = 8;
    while (off < data.size()) {
      ChunkRecord r;
      r.segment = name;
      r.offset = static_cast<int64_t>(off);
      r.series_ref = GetBE(data, off, 8);
      r.mint = static_cast<Timestamp>(GetBE(data, off + 8, 8));
      r.maxt = static_cast<Timestamp>(GetBE(data, off + 16, 8));
      size_t p = off + 25;
      uint64_t len = 0;
      for (int shift = 0;; shift += 7) {
        const auto byte = static_cast<uint8_t>(data[p++]);
        len |= static_cast<uint64_t>(byte & 0x7f) << shift;
        if ((byte & 0x80) == 0) break;
      }
      off = p + len + 4;
      r.end = static_cast<int64_t>(off);
      records.push_back(r);
    }
    EXPECT_EQ(off, data.size()) << name;
  }
  return records;
}

class CrashTest : public ::testing::Test {
 protected:
  void SetUp() override {
    root_ = absl::StrCat(
        ::testing::TempDir(), "/crash_",
        ::testing::UnitTest::GetInstance()->current_test_info()->name());
    fs::remove_all(root_);
    fs::create_directories(root_);
  }
  void TearDown() override {
    if (!HasFailure()) fs::remove_all(root_);
  }

  std::string Dir(absl::string_view name) const {
    return absl::StrCat(root_, "/", name);
  }

  absl::StatusOr<std::unique_ptr<Head>> OpenHead(const std::string& dir) {
    return Head::Open(CrashOptions(dir, &clock_, max_segment_bytes_));
  }

  std::string root_;
  FakeClock clock_{absl::FromUnixMillis(kBase)};
  int64_t max_segment_bytes_ = 32 << 10;
};

// --- 1. SIGKILL at random moments ---

// Messages on the acknowledgement pipe: a batch number >= 0 once that batch
// is committed, or one of these.
constexpr int64_t kCheckpointStart = -1;
constexpr int64_t kCheckpointDone = -2;

struct ChildPlan {
  int64_t first_batch = 0;
  int64_t max_batches = 0;
  int checkpoint_one_in = 0;  // before each batch; 0: never
  uint64_t seed = 0;
};

void WriteMessage(int fd, int64_t message) {
  ssize_t n;
  do {
    n = write(fd, &message, sizeof(message));
  } while (n < 0 && errno == EINTR);
  if (n != sizeof(message)) _exit(4);
}

[[noreturn]] void ChildDie(absl::string_view what, const absl::Status& status) {
  const std::string msg =
      absl::StrCat("crash_test child: ", what, ": ", status.ToString(), "\n");
  (void)!write(STDERR_FILENO, msg.data(), msg.size());
  _exit(3);
}

// The child: never returns into gtest.
[[noreturn]] void RunChild(const std::string& dir, const ChildPlan& plan,
                           int fd) {
  FakeClock clock(absl::FromUnixMillis(kBase));
  absl::StatusOr<std::unique_ptr<Head>> head =
      Head::Open(CrashOptions(dir, &clock));
  if (!head.ok()) ChildDie("open", head.status());
  std::mt19937_64 rng(plan.seed);
  std::vector<SeriesRef> refs(kSeries, 0);
  for (int64_t b = plan.first_batch; b < plan.first_batch + plan.max_batches;
       ++b) {
    if (plan.checkpoint_one_in > 0 && rng() % plan.checkpoint_one_in == 0) {
      WriteMessage(fd, kCheckpointStart);
      if (absl::Status st = (*head)->Checkpoint(); !st.ok()) {
        ChildDie("checkpoint", st);
      }
      WriteMessage(fd, kCheckpointDone);
    }
    if (absl::Status st = AppendBatch(**head, b, &refs); !st.ok()) {
      ChildDie(absl::StrCat("batch ", b), st);
    }
    WriteMessage(fd, b);
  }
  head->reset();
  _exit(0);
}

// Reads one message; 1 on success, 0 at EOF, -1 on timeout or error.
int ReadMessage(int fd, int64_t* message) {
  char* p = reinterpret_cast<char*>(message);
  size_t got = 0;
  while (got < sizeof(*message)) {
    // A watchdog, not synchronization: a healthy child acknowledges within
    // milliseconds.
    pollfd pfd{fd, POLLIN, 0};
    const int ready = poll(&pfd, 1, 60000);
    if (ready < 0 && errno == EINTR) continue;
    if (ready <= 0) return -1;
    const ssize_t n = read(fd, p + got, sizeof(*message) - got);
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) return -1;
    if (n == 0) return got == 0 ? 0 : -1;
    got += static_cast<size_t>(n);
  }
  return 1;
}

enum class KillAt {
  kDuringOpen,        // before any acknowledgement: replay, tail repair
  kAfterAcks,         // mid-commit (possibly mid-chunk-cut)
  kDuringCheckpoint,  // after the child announced a checkpoint
};

struct KillPlan {
  KillAt at = KillAt::kAfterAcks;
  int64_t acks = 0;    // kAfterAcks: kill after this many acknowledgements
  int checkpoint = 0;  // kDuringCheckpoint: after this many announcements
  int delay_us = 0;    // then wait this long (the fault injection)
};

std::string PlanString(const ChildPlan& c, const KillPlan& k) {
  static constexpr absl::string_view kNames[] = {"during-open", "after-acks",
                                                 "during-checkpoint"};
  return absl::StrCat(
      "first_batch=", c.first_batch, " checkpoint_one_in=", c.checkpoint_one_in,
      " child_seed=", c.seed, " kill=", kNames[static_cast<int>(k.at)],
      " acks=", k.acks, " checkpoint=", k.checkpoint, " delay_us=", k.delay_us);
}

struct KillTotals {
  int cycles = 0;
  int killed = 0;
  int finished = 0;  // the child ran out of batches first
  int killed_before_first_ack = 0;
  int killed_in_checkpoint = 0;   // announced, not finished
  int64_t acknowledged = 0;       // acknowledgements received
  int64_t batches_verified = 0;   // sum over reopens of batches compared
  int64_t in_flight_present = 0;  // unacknowledged batches that survived
  int checkpoints_done = 0;
  int reopens_with_checkpoint = 0;
  int wal_tail_repairs = 0;
};

// Runs one child under `kill`, then verifies the directory in this process.
// *batches is the number of batches present before and after.
void RunKillCycle(const std::string& dir, const ChildPlan& child,
                  const KillPlan& kill_plan, int64_t* batches,
                  KillTotals* totals) {
  int fds[2];
  ASSERT_EQ(pipe2(fds, O_CLOEXEC), 0);
  const pid_t pid = fork();
  ASSERT_GE(pid, 0) << "fork: " << errno;
  if (pid == 0) {
    close(fds[0]);
    RunChild(dir, child, fds[1]);
  }
  close(fds[1]);

  int64_t acks = 0;
  int started = 0, done = 0;
  std::string protocol_error;
  auto handle = [&](int64_t m) {
    if (m >= 0) {
      if (m != child.first_batch + acks && protocol_error.empty()) {
        protocol_error = absl::StrCat("ack ", m, " out of sequence");
      }
      ++acks;
    } else if (m == kCheckpointStart) {
      ++started;
    } else if (m == kCheckpointDone) {
      ++done;
    }
  };
  bool trigger = kill_plan.at == KillAt::kDuringOpen;
  bool watchdog = false;
  while (!trigger) {
    int64_t m;
    const int r = ReadMessage(fds[0], &m);
    if (r == 0) break;  // the child exited on its own
    if (r < 0) {
      watchdog = true;
      trigger = true;
      break;
    }
    handle(m);
    trigger = (kill_plan.at == KillAt::kAfterAcks && acks >= kill_plan.acks) ||
              (kill_plan.at == KillAt::kDuringCheckpoint &&
               started >= kill_plan.checkpoint);
  }
  if (trigger) {
    if (kill_plan.delay_us > 0 && !watchdog) {
      absl::SleepFor(absl::Microseconds(kill_plan.delay_us));
    }
    kill(pid, SIGKILL);
  }
  int status = 0;
  ASSERT_EQ(waitpid(pid, &status, 0), pid);
  for (int64_t m; !watchdog && ReadMessage(fds[0], &m) == 1;) handle(m);
  close(fds[0]);
  ASSERT_FALSE(watchdog) << "child sent nothing for 60 s";
  ASSERT_TRUE(protocol_error.empty()) << protocol_error;
  const bool killed = WIFSIGNALED(status) && WTERMSIG(status) == SIGKILL;
  ASSERT_TRUE(killed || (WIFEXITED(status) && WEXITSTATUS(status) == 0))
      << "child failed (see its message above), status " << status;

  ++totals->cycles;
  totals->acknowledged += acks;
  totals->checkpoints_done += done;
  if (killed) {
    ++totals->killed;
    if (acks == 0) ++totals->killed_before_first_ack;
    if (started > done) ++totals->killed_in_checkpoint;
  } else {
    ++totals->finished;
  }

  FakeClock clock(absl::FromUnixMillis(kBase));
  absl::StatusOr<std::unique_ptr<Head>> head =
      Head::Open(CrashOptions(dir, &clock));
  ASSERT_THAT(head, IsOk());
  const ReplayStats& rs = (*head)->replay_stats();
  EXPECT_THAT(rs.missing_segments, ::testing::IsEmpty());
  for (const WalCorruption& c : rs.corruptions) {
    // A kill can only tear the end of the last segment: everything before
    // was written completely (and fsynced) before the kill.
    EXPECT_TRUE(c.truncated && !c.in_checkpoint)
        << c.file << " at " << c.offset << ": " << c.reason;
    ++totals->wal_tail_repairs;
  }
  if (rs.checkpoint >= 0) ++totals->reopens_with_checkpoint;

  std::string error;
  const int64_t n = CommonPrefix(ReadAll(**head), &error);
  ASSERT_GE(n, 0) << error;
  const int64_t acknowledged = child.first_batch + acks;
  // Every acknowledged batch survives; at most the one in flight beyond.
  EXPECT_GE(n, acknowledged) << "acknowledged batches lost";
  EXPECT_LE(n, acknowledged + (killed ? 1 : 0)) << "batches never attempted";
  totals->in_flight_present += n - acknowledged;
  totals->batches_verified += n;
  EXPECT_EQ((*head)->stats().series, n > 0 ? kSeries : 0);
  auto querier = (*head)->NewQuerier(kMinTimestamp, kMaxTimestamp);
  ASSERT_THAT(querier, IsOk());
  absl::StatusOr<std::vector<std::string>> values =
      (*querier)->LabelValues("s", {});
  ASSERT_THAT(values, IsOk());
  EXPECT_EQ(values->size(), n > 0 ? size_t{kSeries} : 0);
  *batches = n;
}

TEST_F(CrashTest, KillCyclesKeepEveryAcknowledgedBatch) {
  const uint64_t seed = Seed();
  SCOPED_TRACE(absl::StrCat("seed=", seed, " (CRASH_TEST_SEED reruns it)"));
  std::mt19937_64 rng(seed);
  auto uniform = [&rng](int64_t lo, int64_t hi) {
    return std::uniform_int_distribution<int64_t>(lo, hi)(rng);
  };
  const std::string dir = Dir("head");
  constexpr int kCycles = 48;
  KillTotals totals;
  int64_t batches = 0;
  for (int cycle = 0; cycle < kCycles; ++cycle) {
    ChildPlan child;
    child.first_batch = batches;
    child.max_batches = 400;
    child.seed = rng();
    KillPlan kill;
    switch (cycle % 4) {
      case 0:  // anywhere among commits, occasional checkpoints
        child.checkpoint_one_in = 30;
        kill.at = KillAt::kAfterAcks;
        kill.acks = uniform(1, 100);
        kill.delay_us = static_cast<int>(uniform(0, 800));
        break;
      case 1:  // inside a checkpoint
        child.checkpoint_one_in = 8;
        kill.at = KillAt::kDuringCheckpoint;
        kill.checkpoint = static_cast<int>(uniform(1, 2));
        kill.delay_us = static_cast<int>(uniform(0, 4000));
        break;
      case 2: {  // around the commit that cuts every series' chunk
        const int64_t cut = (batches / kSamplesPerChunk + 1) * kSamplesPerChunk;
        kill.at = KillAt::kAfterAcks;
        kill.acks = cut - batches;  // the cut batch is the one in flight
        kill.delay_us = static_cast<int>(uniform(0, 1500));
        break;
      }
      case 3:  // during Open (replay, repairs) or the first commits
        child.checkpoint_one_in = 20;
        kill.at = KillAt::kDuringOpen;
        kill.delay_us = static_cast<int>(uniform(0, 6000));
        break;
    }
    SCOPED_TRACE(absl::StrCat("cycle ", cycle, ": ", PlanString(child, kill)));
    RunKillCycle(dir, child, kill, &batches, &totals);
    if (HasFatalFailure()) return;
  }

  // Both tails were exercised: chunks were cut and persisted, checkpoints
  // truncated the WAL.
  const std::vector<ChunkRecord> chunks = ChunkRecords(dir + "/chunks");
  EXPECT_GE(batches, 2 * kSamplesPerChunk + 1);
  EXPECT_GE(chunks.size(), size_t{2 * kSeries});
  EXPECT_GT(totals.reopens_with_checkpoint, 0);
  EXPECT_EQ(totals.cycles, kCycles);
  std::cout << "kill cycles: " << totals.cycles << " (killed " << totals.killed
            << ", before the first ack " << totals.killed_before_first_ack
            << ", inside Checkpoint " << totals.killed_in_checkpoint
            << ", child finished " << totals.finished << ")\n"
            << "acknowledged batches: " << totals.acknowledged
            << ", unacknowledged in-flight batches present after a kill: "
            << totals.in_flight_present << "\n"
            << "batches verified over all reopens: " << totals.batches_verified
            << " (x" << kSeries << " samples), final batches " << batches
            << "\n"
            << "checkpoints completed: " << totals.checkpoints_done
            << ", reopens from a checkpoint: " << totals.reopens_with_checkpoint
            << ", WAL tail repairs: " << totals.wal_tail_repairs
            << ", chunk records on disk: " << chunks.size() << "\n";
}

// --- 2. Torn and corrupt WAL tails ---

TEST_F(CrashTest, TornWalTailIsCutAndAppendsContinue) {
  max_segment_bytes_ = 8 << 10;  // several segments
  const std::string tmpl = Dir("template");
  int64_t batches = 0;
  std::vector<WalFrame> frames;
  {
    auto head = OpenHead(tmpl);
    ASSERT_THAT(head, IsOk());
    std::vector<SeriesRef> refs(kSeries, 0);
    // Until there are three segments and the last holds four frames.
    while (true) {
      ASSERT_THAT(AppendBatch(**head, batches++, &refs), IsOk());
      if (batches < 20) continue;
      frames = WalFrames(tmpl + "/wal");
      ASSERT_EQ(static_cast<int64_t>(frames.size()), batches);
      const auto in_last =
          std::count_if(frames.begin(), frames.end(), [&](const WalFrame& f) {
            return f.segment == frames.back().segment;
          });
      if (NumberedFiles(tmpl + "/wal").size() >= 3 && in_last >= 4) break;
      ASSERT_LT(batches, 500);
    }
  }
  const WalFrame last = frames.back();
  const WalFrame prev = frames[frames.size() - 2];
  ASSERT_EQ(prev.segment, last.segment);
  const int64_t first_in_segment =
      std::find_if(
          frames.begin(), frames.end(),
          [&](const WalFrame& f) { return f.segment == last.segment; }) -
      frames.begin();

  struct Case {
    std::string name;
    std::function<void(const std::string& path)> damage;
    int64_t first_lost;  // batches from here on are gone
    bool reported;       // one WalCorruption (truncated) expected
    int64_t offset;      // where it starts
    int64_t bytes;       // bytes_dropped
  };
  std::vector<Case> cases;
  // Torn writes: the last frame cut anywhere inside.
  for (int64_t d : {int64_t{1}, int64_t{4}, int64_t{8}, int64_t{15},
                    int64_t{16}, int64_t{17}, last.size / 2, last.size - 1}) {
    cases.push_back(Case{
        absl::StrCat("truncate_last_frame_at_", d),
        [&last, d](const std::string& p) { TruncateFile(p, last.offset + d); },
        batches - 1, true, last.offset, d});
  }
  // Bit flips in every header field and in the payload of the last frame.
  for (int64_t d : {int64_t{0}, int64_t{3}, int64_t{5}, int64_t{9}, int64_t{11},
                    int64_t{12}, int64_t{13}, int64_t{15}, int64_t{16},
                    last.size / 2, last.size - 1}) {
    for (int bit : {0, 7}) {
      cases.push_back(
          Case{absl::StrCat("flip_last_frame_byte_", d, "_bit_", bit),
               [&last, d, bit](const std::string& p) {
                 FlipBit(p, last.offset + d, bit);
               },
               batches - 1, true, last.offset, last.size});
    }
  }
  // Damage in the next-to-last frame drops the intact last one too: it was
  // written after the damaged commit.
  cases.push_back(Case{"flip_previous_frame_payload",
                       [&prev](const std::string& p) {
                         FlipBit(p, prev.offset + prev.size / 2, 2);
                       },
                       batches - 2, true, prev.offset, prev.size + last.size});
  // Garbage after the last complete frame.
  cases.push_back(
      Case{"zeros_after_last_frame",
           [](const std::string& p) { AppendBytes(p, std::string(100, '\0')); },
           batches, true, last.offset + last.size, 100});
  // Starts with the frame magic, then a length far past the end.
  const std::string garbage = "\xd9WAL garbage that is no frame";
  cases.push_back(Case{
      "garbage_after_last_frame",
      [&garbage](const std::string& p) { AppendBytes(p, garbage); }, batches,
      true, last.offset + last.size, static_cast<int64_t>(garbage.size())});
  // A clean cut at a frame boundary is not damage.
  cases.push_back(
      Case{"truncate_at_frame_boundary",
           [&last](const std::string& p) { TruncateFile(p, last.offset); },
           batches - 1, false, 0, 0});
  // A damaged segment header: the whole segment goes.
  cases.push_back(Case{"truncate_inside_segment_header",
                       [](const std::string& p) { TruncateFile(p, 3); },
                       first_in_segment, true, 0, 3});
  cases.push_back(
      Case{"flip_segment_magic", [](const std::string& p) { FlipBit(p, 1, 0); },
           first_in_segment, true, 0, FileSize(tmpl + "/wal/" + last.segment)});
  // A zero-length last segment is a cut whose header never landed: the
  // header is written again and nothing is reported (docs/wal_format.md).
  cases.push_back(Case{"truncate_segment_to_zero",
                       [](const std::string& p) { TruncateFile(p, 0); },
                       first_in_segment, false, 0, 0});

  for (const Case& c : cases) {
    SCOPED_TRACE(c.name);
    const std::string dir = Dir(c.name);
    CopyTree(tmpl, dir);
    c.damage(dir + "/wal/" + last.segment);
    if (HasFatalFailure()) return;
    {
      auto head = OpenHead(dir);
      ASSERT_THAT(head, IsOk());
      const ReplayStats& rs = (*head)->replay_stats();
      if (c.reported) {
        ASSERT_EQ(rs.corruptions.size(), 1u);
        const WalCorruption& w = rs.corruptions[0];
        EXPECT_TRUE(w.truncated);
        EXPECT_FALSE(w.in_checkpoint);
        EXPECT_EQ(fs::path(w.file).filename().string(), last.segment);
        EXPECT_EQ(w.offset, c.offset) << w.reason;
        EXPECT_EQ(w.bytes, c.bytes) << w.reason;
        EXPECT_EQ(rs.bytes_dropped, c.bytes);
        if (c.first_lost < batches - 1 && c.offset > 0) {
          // The intact frames cut with the tail are counted.
          EXPECT_GE(rs.records_dropped, batches - 1 - c.first_lost);
        }
      } else {
        EXPECT_THAT(rs.corruptions, ::testing::IsEmpty());
        EXPECT_EQ(rs.bytes_dropped, 0);
      }
      std::string error;
      EXPECT_EQ(CommonPrefix(ReadAll(**head), &error), c.first_lost) << error;
      EXPECT_EQ((*head)->stats().series, kSeries);
      // Appends continue after the good data...
      std::vector<SeriesRef> refs(kSeries, 0);
      for (int64_t b = c.first_lost; b < c.first_lost + 5; ++b) {
        ASSERT_THAT(AppendBatch(**head, b, &refs), IsOk());
      }
    }
    // ... and survive another reopen, with nothing left to repair.
    auto head = OpenHead(dir);
    ASSERT_THAT(head, IsOk());
    EXPECT_THAT((*head)->replay_stats().corruptions, ::testing::IsEmpty());
    EXPECT_EQ((*head)->replay_stats().bytes_dropped, 0);
    std::string error;
    EXPECT_EQ(CommonPrefix(ReadAll(**head), &error), c.first_lost + 5) << error;
  }
}

// --- 3. Torn and corrupt chunk-file tails ---
//
// The head's recovery promise for chunk files: a chunk's samples are in the
// WAL (or in the checkpoint, if they were still in the open chunk when it
// was taken) until a checkpoint truncates the segments that logged them,
// and Checkpoint() fsyncs the chunk files before that truncation. So:
//  - damage to a chunk written after the last checkpoint loses nothing: the
//    WAL (or the checkpoint) still holds its samples and replay rebuilds it;
//  - damage to a chunk that was persisted before the last checkpoint loses
//    exactly its samples: nothing else holds them any more. The head must
//    not invent anything in their place, and everything else must be intact.
// Observed (see the printed totals): the WAL-covered cases lose nothing;
// each damaged pre-checkpoint chunk loses all of its samples (a gap in the
// series), and nothing else.

struct ChunkScenario {
  std::string name;
  int64_t checkpoint_before = -1;  // Checkpoint() before this batch; -1: none
  int64_t batches = 0;
};

TEST_F(CrashTest, CorruptChunkFileTail) {
  max_segment_bytes_ = 16 << 10;  // the newest file holds a few dozen chunks
  const std::vector<ChunkScenario> scenarios = {
      // Chunks cut at batches 120 and 240, all still covered by the WAL.
      {"wal_covers_all", -1, 300},
      // The newest chunk file was written before the checkpoint.
      {"pre_checkpoint_chunks", 300, 340},
      // The newest chunk file was written after it (the cut at batch 360).
      {"post_checkpoint_chunks", 300, 380},
  };
  for (const ChunkScenario& sc : scenarios) {
    SCOPED_TRACE(sc.name);
    const std::string tmpl = Dir(sc.name + "_template");
    std::vector<SeriesRef> refs(kSeries, 0);
    std::set<ChunkRecord> before_checkpoint;
    {
      auto head = OpenHead(tmpl);
      ASSERT_THAT(head, IsOk());
      for (int64_t b = 0; b < sc.batches; ++b) {
        if (b == sc.checkpoint_before) {
          for (const ChunkRecord& r : ChunkRecords(tmpl + "/chunks")) {
            before_checkpoint.insert(r);
          }
          ASSERT_THAT((*head)->Checkpoint(), IsOk());
        }
        ASSERT_THAT(AppendBatch(**head, b, &refs), IsOk());
      }
    }
    const std::vector<ChunkRecord> records = ChunkRecords(tmpl + "/chunks");
    const std::string newest = NumberedFiles(tmpl + "/chunks").back();
    std::vector<ChunkRecord> in_newest;
    for (const ChunkRecord& r : records) {
      if (r.segment == newest) in_newest.push_back(r);
    }
    ASSERT_GE(in_newest.size(), 3u);
    const int64_t size = FileSize(tmpl + "/chunks/" + newest);
    if (sc.name == "pre_checkpoint_chunks") {
      ASSERT_TRUE(before_checkpoint.count(in_newest.back()));
    } else {
      ASSERT_FALSE(before_checkpoint.count(in_newest.back()));
    }
    // The series each ref names.
    std::vector<int> series_of_ref(kSeries + 1, -1);
    for (int k = 0; k < kSeries; ++k) {
      ASSERT_LE(refs[k], static_cast<SeriesRef>(kSeries));
      series_of_ref[refs[k]] = k;
    }

    struct Case {
      std::string name;
      bool flip;   // else truncate
      int64_t at;  // offset
    };
    const ChunkRecord& mid = in_newest[in_newest.size() / 2];
    const std::vector<Case> cases = {
        {"truncate_last_record_by_one", false, size - 1},
        {"truncate_inside_middle_record", false,
         mid.offset + (mid.end - mid.offset) / 2},
        {"truncate_at_middle_record_boundary", false, mid.offset},
        {"truncate_inside_header", false, 5},
        {"flip_last_crc", true, size - 2},
        {"flip_first_record_data", true,
         in_newest[0].offset + (in_newest[0].end - in_newest[0].offset) / 2},
        {"flip_first_record_series_ref", true, in_newest[0].offset + 7},
        {"flip_magic", true, 1},
    };
    for (const Case& c : cases) {
      SCOPED_TRACE(c.name);
      const std::string dir = Dir(absl::StrCat(sc.name, "_", c.name));
      CopyTree(tmpl, dir);
      const std::string path = dir + "/chunks/" + newest;
      if (c.flip) {
        FlipBit(path, c.at, 3);
      } else {
        TruncateFile(path, c.at);
      }
      if (HasFatalFailure()) return;
      // What the repair drops: from the damaged record to the end of the
      // file, or the whole file when its header is damaged.
      std::vector<ChunkRecord> dropped;
      for (const ChunkRecord& r : in_newest) {
        if (c.at < 8 || r.end > c.at) dropped.push_back(r);
      }
      const int64_t kept_size = c.at < 8 ? -1 : dropped.front().offset;
      int64_t at_risk = 0;
      for (const ChunkRecord& r : dropped) {
        if (before_checkpoint.count(r))
          at_risk += (r.maxt - r.mint) / kStep + 1;
      }
      auto may_be_missing = [&](int k, int64_t batch) {
        for (const ChunkRecord& r : dropped) {
          if (before_checkpoint.count(r) &&
              r.series_ref < series_of_ref.size() &&
              series_of_ref[r.series_ref] == k && r.mint <= BatchTime(batch) &&
              BatchTime(batch) <= r.maxt) {
            return true;
          }
        }
        return false;
      };

      int64_t missing = 0;
      {
        auto head = OpenHead(dir);
        ASSERT_THAT(head, IsOk());
        EXPECT_EQ(FileSize(path), kept_size) << "the repair of " << path;
        const std::string error = CheckWithGaps(ReadAll(**head), sc.batches,
                                                may_be_missing, &missing);
        EXPECT_EQ(error, "");
        EXPECT_LE(missing, at_risk);
        EXPECT_EQ((*head)->stats().series, kSeries);
        for (int64_t b = sc.batches; b < sc.batches + 5; ++b) {
          ASSERT_THAT(AppendBatch(**head, b, &refs), IsOk());
        }
      }
      auto head = OpenHead(dir);
      ASSERT_THAT(head, IsOk());
      int64_t missing_after = 0;
      const std::string error = CheckWithGaps(ReadAll(**head), sc.batches + 5,
                                              may_be_missing, &missing_after);
      EXPECT_EQ(error, "");
      EXPECT_EQ(missing_after, missing);
      std::cout << sc.name << "/" << c.name << ": dropped " << dropped.size()
                << " chunk records, " << at_risk
                << " samples only in pre-checkpoint chunks, " << missing
                << " samples missing after reopen\n";
    }
  }
}

}  // namespace
}  // namespace fraisier::tsdb
