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
#include "tests/tsdb/crash_test_util.h"

namespace fraisier::tsdb::crash_testing {
namespace {

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
  ExpectChainsLinkInWriteOrder(chunks);
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

}  // namespace
}  // namespace fraisier::tsdb::crash_testing
