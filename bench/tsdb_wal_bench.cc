// WAL commit throughput: one Log() of a 1,000-sample record per iteration,
// with fsync on every commit (1 and 4 committers, where group commit shares
// fsyncs) and with interval fsync. Plus the cost of encoding the record.
//
//   bazel run --config=opt //bench:tsdb_wal_bench
//
// Files go to $WAL_BENCH_DIR (default /tmp); put it on the disk you want
// to measure. Closed segments are deleted as the benchmark goes, so disk
// use stays around one segment.
#include <stdlib.h>

#include <cstdint>
#include <cstdio>
#include <filesystem>
#include <memory>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/time/time.h"
#include "benchmark/benchmark.h"
#include "engine/tsdb/wal.h"
#include "engine/tsdb/wal_records.h"

namespace fraisier::tsdb {
namespace {

constexpr int kSamplesPerCommit = 1000;
constexpr int64_t kSegmentBytes = int64_t{32} << 20;

std::vector<RefSample> ScrapeLikeSamples(int64_t t) {
  std::vector<RefSample> samples;
  samples.reserve(kSamplesPerCommit);
  for (int i = 0; i < kSamplesPerCommit; ++i) {
    // Neighbouring refs, one timestamp, values with real mantissas.
    samples.push_back({static_cast<uint64_t>(1000 + i), t, 0.001 * i + t % 97});
  }
  return samples;
}

std::string MakeTempDir() {
  const char* base = getenv("WAL_BENCH_DIR");
  std::string templ =
      absl::StrCat(base != nullptr ? base : "/tmp", "/tsdb_wal_bench.XXXXXX");
  if (mkdtemp(templ.data()) == nullptr) {
    perror("mkdtemp");
    abort();
  }
  return templ;
}

// Shared by the threads of one benchmark run; set up and torn down by
// thread 0 outside the timed loop (Google Benchmark starts and ends the
// loop of all threads together).
struct Fixture {
  std::string dir;
  std::unique_ptr<Wal> wal;
  std::string record;
};
Fixture* fixture = nullptr;

void BM_Log(benchmark::State& state, FsyncPolicy policy) {
  if (state.thread_index() == 0) {
    fixture = new Fixture;
    fixture->dir = MakeTempDir();
    WalOptions options;
    options.fsync_policy = policy;
    options.fsync_interval = absl::Seconds(1);
    options.max_segment_bytes = kSegmentBytes;
    absl::StatusOr<std::unique_ptr<Wal>> wal = Wal::Open(fixture->dir, options);
    if (!wal.ok()) {
      state.SkipWithError(std::string(wal.status().message()).c_str());
      return;
    }
    fixture->wal = std::move(wal).value();
    EncodeSamples(ScrapeLikeSamples(1700000000000), &fixture->record);
  }
  int64_t n = 0;
  for (auto _ : state) {
    const absl::string_view rec = fixture->record;
    const absl::Status s = fixture->wal->Log({&rec, 1});
    if (!s.ok()) {
      state.SkipWithError(std::string(s.message()).c_str());
      break;
    }
    // Keep disk use bounded: drop closed segments now and then.
    if (state.thread_index() == 0 && ++n % 2048 == 0) {
      const int current = fixture->wal->current_segment();
      for (int i = current - 1; i >= 0; --i) {
        char name[16];
        snprintf(name, sizeof(name), "/%08d", i);
        if (std::remove((fixture->dir + name).c_str()) != 0) break;
      }
    }
  }
  if (state.thread_index() == 0) {
    const WalMetrics m = fixture->wal->metrics();
    state.counters["fsyncs_per_commit"] =
        m.commits > 0 ? static_cast<double>(m.commit_syncs) / m.commits : 0;
    state.counters["bytes_per_commit"] =
        m.commits > 0 ? static_cast<double>(m.bytes_written) / m.commits : 0;
    (void)fixture->wal->Close();
    std::error_code ec;
    std::filesystem::remove_all(fixture->dir, ec);
    delete fixture;
    fixture = nullptr;
  }
  state.SetItemsProcessed(state.iterations() * kSamplesPerCommit);
}

void BM_LogEveryCommit(benchmark::State& state) {
  BM_Log(state, FsyncPolicy::kEveryCommit);
}
BENCHMARK(BM_LogEveryCommit)->Threads(1)->Threads(4)->UseRealTime();

void BM_LogInterval(benchmark::State& state) {
  BM_Log(state, FsyncPolicy::kInterval);
}
BENCHMARK(BM_LogInterval)->Threads(1)->Threads(4)->UseRealTime();

void BM_EncodeSamples1000(benchmark::State& state) {
  const std::vector<RefSample> samples = ScrapeLikeSamples(1700000000000);
  std::string out;
  for (auto _ : state) {
    EncodeSamples(samples, &out);
    benchmark::DoNotOptimize(out.data());
  }
  state.SetItemsProcessed(state.iterations() * kSamplesPerCommit);
  state.counters["bytes"] = static_cast<double>(out.size());
}
BENCHMARK(BM_EncodeSamples1000);

void BM_DecodeSamples1000(benchmark::State& state) {
  std::string rec;
  EncodeSamples(ScrapeLikeSamples(1700000000000), &rec);
  std::vector<RefSample> out;
  for (auto _ : state) {
    const absl::Status s = DecodeSamples(rec, &out);
    benchmark::DoNotOptimize(s.ok());
  }
  state.SetItemsProcessed(state.iterations() * kSamplesPerCommit);
}
BENCHMARK(BM_DecodeSamples1000);

}  // namespace
}  // namespace fraisier::tsdb
