// Head write throughput, doing exactly the work of Prometheus 2.42's
// `promtool tsdb bench write --metrics=M --scrapes=S FILE` so that the two
// processes can be compared sample for sample (bench/run_tsdb_vs_prometheus
// runs both and reads their CPU time).
//
//   tsdb_write_compare [--metrics=20000] [--scrapes=3000] [--out=DIR]
//                      [--workers=0] FILE
//
// What promtool does, mirrored here (cmd/promtool/tsdb.go, ingestScrapes
// and ingestScrapesShard):
//  - reads the first M distinct label sets of FILE, one JSON object a line,
//    parsed the naive way promtool parses them (drop '"', '{', '}', split
//    on ',' then ':'), sorted by name;
//  - for i = 0, 100, 200, ... < S: splits the series into shards of 1000
//    and runs one goroutine per shard (here: a thread per shard, or
//    --workers threads taking shards in turn) which ingests 100 scrapes of
//    its shard: scrape k has timestamp 30000 * i + 30000 * (k + 1) and a
//    fresh appender, every series' value starts at 123456789 for the round
//    and grows by 1000 per scrape, the series ref of the first append is
//    reused, and the appender commits after the shard's 1000 samples;
//  - so it appends M * 100 * ceil(S / 100) samples in batches of 1000.
// The head runs with the WAL in FsyncPolicy::kInterval (1 s), the closest
// match to Prometheus's WAL, which writes without fsyncing each commit.
//
// Prints promtool-style stage lines, then `cpu_seconds=` (user+sys of the
// whole process so far, from getrusage) and `ingest_cpu_seconds=`.
#include <sys/resource.h>

#include <algorithm>
#include <atomic>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <memory>
#include <string>
#include <thread>
#include <utility>
#include <vector>

#include "absl/container/flat_hash_set.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_replace.h"
#include "absl/strings/str_split.h"
#include "absl/strings/string_view.h"
#include "absl/strings/strip.h"
#include "absl/time/clock.h"
#include "absl/time/time.h"
#include "engine/base/clock.h"
#include "engine/model/labels.h"
#include "engine/storage/storage.h"
#include "engine/tsdb/head.h"

namespace fraisier::tsdb {
namespace {

constexpr int64_t kTimeDelta = 30000;  // promtool's timeDelta
constexpr int kShardSize = 1000;
constexpr int kScrapesPerRound = 100;

// The real clock moved back to the Unix epoch when the run starts:
// promtool's timestamps start at 30 s after the epoch, which a head with
// the real time would refuse as older than retention. Interval fsync still
// sees real seconds pass.
class EpochClock final : public Clock {
 public:
  absl::Time Now() const override {
    return absl::UnixEpoch() + (absl::Now() - start_);
  }

 private:
  const absl::Time start_ = absl::Now();
};

double CpuSeconds() {
  struct rusage ru;
  getrusage(RUSAGE_SELF, &ru);
  return static_cast<double>(ru.ru_utime.tv_sec + ru.ru_stime.tv_sec) +
         static_cast<double>(ru.ru_utime.tv_usec + ru.ru_stime.tv_usec) / 1e6;
}

[[noreturn]] void Die(absl::string_view what, const absl::Status& status) {
  fprintf(stderr, "%.*s: %s\n", static_cast<int>(what.size()), what.data(),
          status.ToString().c_str());
  exit(1);
}

// promtool's readPrometheusLabels.
std::vector<Labels> ReadLabels(absl::string_view path, int64_t n) {
  std::ifstream in{std::string(path)};
  if (!in) {
    fprintf(stderr, "cannot open %s\n", std::string(path).c_str());
    exit(1);
  }
  std::vector<Labels> out;
  absl::flat_hash_set<uint64_t> hashes;
  std::string line;
  std::vector<LabelPair> pairs;
  while (static_cast<int64_t>(out.size()) < n && std::getline(in, line)) {
    const std::string s =
        absl::StrReplaceAll(line, {{"\"", ""}, {"{", ""}, {"}", ""}});
    pairs.clear();
    for (absl::string_view chunk : absl::StrSplit(s, ',')) {
      std::vector<absl::string_view> kv = absl::StrSplit(chunk, ':');
      if (kv.size() < 2) {
        fprintf(stderr, "bad label %s\n", std::string(chunk).c_str());
        exit(1);
      }
      pairs.emplace_back(kv[0], kv[1]);
    }
    Labels labels = Labels::FromPairs(pairs);
    if (!hashes.insert(labels.Hash()).second) continue;
    out.push_back(std::move(labels));
  }
  return out;
}

// promtool's ingestScrapesShard.
uint64_t IngestShard(Head* head, absl::Span<const Labels> shard,
                     int scrape_count, int64_t base_t) {
  struct Sample {
    const Labels* labels;
    int64_t value;
    storage::SeriesRef ref;
  };
  std::vector<Sample> scrape;
  scrape.reserve(shard.size());
  for (const Labels& l : shard) scrape.push_back({&l, 123456789, 0});
  uint64_t total = 0;
  int64_t ts = base_t;
  for (int i = 0; i < scrape_count; ++i) {
    std::unique_ptr<storage::Appender> app = head->NewAppender();
    ts += kTimeDelta;
    for (Sample& s : scrape) {
      s.value += 1000;
      absl::StatusOr<storage::SeriesRef> ref =
          app->Append(s.ref, *s.labels, ts, static_cast<double>(s.value));
      if (!ref.ok()) Die("append", ref.status());
      if (s.ref == 0) s.ref = *ref;
      ++total;
    }
    if (absl::Status st = app->Commit(); !st.ok()) Die("commit", st);
  }
  return total;
}

// promtool's ingestScrapes. workers == 0: a thread per shard per round, as
// promtool runs a goroutine per shard.
uint64_t IngestScrapes(Head* head, const std::vector<Labels>& series,
                       int scrape_count, int workers) {
  std::atomic<uint64_t> total{0};
  const absl::Span<const Labels> all(series);
  std::vector<absl::Span<const Labels>> shards;
  for (size_t off = 0; off < all.size(); off += kShardSize) {
    shards.push_back(all.subspan(off, kShardSize));
  }
  for (int i = 0; i < scrape_count; i += kScrapesPerRound) {
    const int64_t base_t = kTimeDelta * i;
    std::vector<std::thread> threads;
    if (workers <= 0) {
      for (absl::Span<const Labels> shard : shards) {
        threads.emplace_back([&, shard] {
          total += IngestShard(head, shard, kScrapesPerRound, base_t);
        });
      }
    } else {
      std::atomic<size_t> next{0};
      for (int w = 0; w < workers; ++w) {
        threads.emplace_back([&] {
          for (size_t k = next++; k < shards.size(); k = next++) {
            total += IngestShard(head, shards[k], kScrapesPerRound, base_t);
          }
        });
      }
    }
    for (std::thread& t : threads) t.join();
  }
  printf("ingestion completed\n");
  return total.load();
}

int Main(int argc, char** argv) {
  int64_t metrics = 20000;
  int scrapes = 3000;
  int workers = 0;
  std::string out = "benchout_fraisier";
  std::string file;
  for (int i = 1; i < argc; ++i) {
    absl::string_view arg = argv[i];
    bool ok = true;
    if (absl::ConsumePrefix(&arg, "--metrics=")) {
      ok = absl::SimpleAtoi(arg, &metrics);
    } else if (absl::ConsumePrefix(&arg, "--scrapes=")) {
      ok = absl::SimpleAtoi(arg, &scrapes);
    } else if (absl::ConsumePrefix(&arg, "--workers=")) {
      ok = absl::SimpleAtoi(arg, &workers);
    } else if (absl::ConsumePrefix(&arg, "--out=")) {
      out = std::string(arg);
    } else if (!arg.empty() && arg[0] != '-' && file.empty()) {
      file = std::string(arg);
    } else {
      ok = false;
    }
    if (!ok) {
      fprintf(stderr,
              "usage: %s [--metrics=N] [--scrapes=N] [--out=DIR] "
              "[--workers=N] FILE\n",
              argv[0]);
      return 2;
    }
  }
  if (file.empty()) {
    fprintf(stderr, "missing FILE\n");
    return 2;
  }
  std::error_code ec;
  std::filesystem::remove_all(out, ec);
  std::filesystem::create_directories(out);

  EpochClock clock;
  HeadOptions options;
  options.dir = out + "/storage";
  options.clock = &clock;
  options.fsync_policy = FsyncPolicy::kInterval;
  options.fsync_interval = absl::Seconds(1);
  absl::StatusOr<std::unique_ptr<Head>> head = Head::Open(options);
  if (!head.ok()) Die("open", head.status());

  printf(">> start stage=readData\n");
  absl::Time start = absl::Now();
  const std::vector<Labels> series = ReadLabels(file, metrics);
  printf(">> completed stage=readData duration=%s\n",
         absl::FormatDuration(absl::Now() - start).c_str());

  printf(">> start stage=ingestScrapes\n");
  start = absl::Now();
  const double cpu_before = CpuSeconds();
  const uint64_t total = IngestScrapes(head->get(), series, scrapes, workers);
  const absl::Duration dur = absl::Now() - start;
  const double ingest_cpu = CpuSeconds() - cpu_before;
  printf(">> completed stage=ingestScrapes duration=%s\n",
         absl::FormatDuration(dur).c_str());
  printf(" > total samples: %llu\n", static_cast<unsigned long long>(total));
  printf(" > samples/sec: %.1f\n",
         static_cast<double>(total) / absl::ToDoubleSeconds(dur));

  printf(">> start stage=stopStorage\n");
  start = absl::Now();
  const HeadStats stats = (*head)->stats();
  head->reset();
  printf(">> completed stage=stopStorage duration=%s\n",
         absl::FormatDuration(absl::Now() - start).c_str());
  printf("series=%lld samples_appended=%lld chunks_persisted=%lld\n",
         static_cast<long long>(stats.series),
         static_cast<long long>(stats.samples_appended),
         static_cast<long long>(stats.chunks_persisted));
  printf("ingest_cpu_seconds=%.3f cpu_seconds=%.3f\n", ingest_cpu,
         CpuSeconds());
  return 0;  // like promtool, leaves --out in place
}

}  // namespace
}  // namespace fraisier::tsdb

int main(int argc, char** argv) { return fraisier::tsdb::Main(argc, argv); }
