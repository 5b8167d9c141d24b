// The head as a whole, on node-exporter-like series (bench/data/node_series.h:
// 214 series per host, 9 labels each, counters, gauges and constants):
//
//   bazel run --config=opt //bench:tsdb_head_bench
//
//  - BM_Select*: Select through the head querier with one equality and one
//    regex matcher over 100,000 series, then walk each selected series over
//    a 5-minute instant-query window to its last sample.
//  - BM_AppendByRef, BM_AppendByLabels: ns per sample appending scrapes
//    of 20,000 existing series with and without the series ref.
//  - BM_MemoryPerSeries/series/samples: 1M series with 20 or 100 samples
//    each, appended like scrapes (1000 samples per commit).
//    Counters: rss_per_series (VmRSS growth after malloc_trim) and
//    head_bytes_per_series (Head::MemoryBytes()).
//  - BM_BytesPerSample/series/jitter_ms: series x 780 scrapes at 15 s
//    (6 chunks persisted per series, 60 samples open), timestamps with
//    uniform jitter in [-jitter_ms, +jitter_ms] around each host's
//    schedule. bytes_per_sample = (chunk file bytes + open chunk bytes) /
//    samples; codec_bytes_per_sample counts encoded chunk bytes only (no
//    chunk-file record headers); B_const, B_counter, B_gauge, B_float split
//    the codec bytes by class of series.
//
// Files go to $TSDB_BENCH_DIR (default /tmp). The head's WAL runs with
// FsyncPolicy::kInterval.
#include <malloc.h>
#include <stdlib.h>

#include <cstdint>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "absl/strings/ascii.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/string_view.h"
#include "absl/strings/strip.h"
#include "absl/time/time.h"
#include "bench/data/node_series.h"
#include "benchmark/benchmark.h"
#include "engine/base/clock.h"
#include "engine/model/labels.h"
#include "engine/model/matcher.h"
#include "engine/storage/storage.h"
#include "engine/tsdb/chunk.h"
#include "engine/tsdb/head.h"

namespace fraisier::tsdb {
namespace {

using bench::kSeriesPerHost;
using bench::NodeSeriesLabels;
using bench::ScrapeClock;
using bench::ValueGenerator;

constexpr int64_t kStartMs = 1700000000000;  // 2023-11-14
constexpr int64_t kIntervalMs = 15000;
constexpr int kBatch = 1000;  // samples per commit, like a scrape

std::string MakeTempDir() {
  const char* base = getenv("TSDB_BENCH_DIR");
  std::string templ =
      absl::StrCat(base != nullptr ? base : "/tmp", "/tsdb_head_bench.XXXXXX");
  if (mkdtemp(templ.data()) == nullptr) {
    perror("mkdtemp");
    abort();
  }
  return templ;
}

Labels SeriesLabelsAt(int64_t i) {
  std::vector<std::pair<std::string, std::string>> pairs;
  NodeSeriesLabels(i, &pairs);
  std::vector<LabelPair> views(pairs.begin(), pairs.end());
  return Labels::FromPairs(views);
}

int64_t VmRssBytes() {
  std::ifstream status("/proc/self/status");
  std::string line;
  while (std::getline(status, line)) {
    absl::string_view v = line;
    if (absl::ConsumePrefix(&v, "VmRSS:")) {
      v = absl::StripLeadingAsciiWhitespace(v);
      int64_t kb = 0;
      (void)absl::SimpleAtoi(v.substr(0, v.find(' ')), &kb);
      return kb * 1024;
    }
  }
  return 0;
}

// A head in a temporary directory, removed with it. The clock stands at
// the end of the data so retention accepts all of it.
struct TempHead {
  explicit TempHead(int64_t now_ms)
      : dir(MakeTempDir()), clock(absl::FromUnixMillis(now_ms)) {
    HeadOptions options;
    options.dir = dir;
    options.clock = &clock;
    options.fsync_policy = FsyncPolicy::kInterval;
    absl::StatusOr<std::unique_ptr<Head>> h = Head::Open(options);
    if (!h.ok()) {
      fprintf(stderr, "open: %s\n", h.status().ToString().c_str());
      abort();
    }
    head = std::move(h).value();
  }
  ~TempHead() {
    head.reset();
    std::error_code ec;
    std::filesystem::remove_all(dir, ec);
  }

  std::string dir;
  FakeClock clock;
  std::unique_ptr<Head> head;
};

// Appends `scrapes` realistic scrapes of series [0, n): scrape by scrape,
// host by host, one commit per kBatch samples; refs are reused after the
// first scrape. Returns the number of samples appended.
int64_t Fill(Head& head, int64_t n, int scrapes, int jitter_ms,
             std::vector<storage::SeriesRef>& refs,
             std::vector<ValueGenerator>& values) {
  const int64_t hosts = (n + kSeriesPerHost - 1) / kSeriesPerHost;
  std::vector<ScrapeClock> clocks;
  clocks.reserve(hosts);
  for (int64_t h = 0; h < hosts; ++h) {
    clocks.emplace_back(h, kStartMs, kIntervalMs, jitter_ms);
  }
  int64_t appended = 0;
  for (int k = 0; k < scrapes; ++k) {
    std::unique_ptr<storage::Appender> app = head.NewAppender();
    int in_batch = 0;
    for (int64_t i = 0; i < n; ++i) {
      const int64_t t = clocks[i / kSeriesPerHost].At(k);
      const double v = values[i].Next(t);
      absl::StatusOr<storage::SeriesRef> ref =
          refs[i] != 0 ? app->Append(refs[i], Labels(), t, v)
                       : app->Append(0, SeriesLabelsAt(i), t, v);
      if (!ref.ok()) {
        fprintf(stderr, "append: %s\n", ref.status().ToString().c_str());
        abort();
      }
      refs[i] = *ref;
      ++appended;
      if (++in_batch == kBatch) {
        if (!app->Commit().ok()) abort();
        app = head.NewAppender();
        in_batch = 0;
      }
    }
    if (!app->Commit().ok()) abort();
  }
  return appended;
}

std::vector<ValueGenerator> MakeValues(int64_t n) {
  std::vector<ValueGenerator> values;
  values.reserve(n);
  for (int64_t i = 0; i < n; ++i) values.emplace_back(i);
  return values;
}

Matcher Make(MatchType type, absl::string_view name, absl::string_view value) {
  return *Matcher::Create(type, name, value);
}

// --- Select over 100,000 series ---

constexpr int64_t kSelectSeries = 100'000;
constexpr int kSelectScrapes = 150;  // one persisted chunk, one open

struct SelectFixture {
  SelectFixture() : head(kStartMs + kSelectScrapes * kIntervalMs) {
    std::vector<storage::SeriesRef> refs(kSelectSeries, 0);
    std::vector<ValueGenerator> values = MakeValues(kSelectSeries);
    Fill(*head.head, kSelectSeries, kSelectScrapes, 0, refs, values);
  }
  TempHead head;
};

SelectFixture& Select100k() {
  static auto* fixture = new SelectFixture();
  return *fixture;
}

void RunSelect(benchmark::State& state, std::vector<Matcher> matchers) {
  SelectFixture& f = Select100k();
  const Timestamp maxt = kStartMs + kSelectScrapes * kIntervalMs;
  const Timestamp mint = maxt - 5 * 60 * 1000;
  int64_t selected = 0;
  for (auto _ : state) {
    absl::StatusOr<std::unique_ptr<storage::Querier>> q =
        f.head.head->NewQuerier(mint, maxt);
    std::unique_ptr<storage::SeriesSet> set =
        (*q)->Select(/*sorted=*/false, nullptr, matchers);
    selected = 0;
    double sum = 0;
    while (set->Next()) {
      std::unique_ptr<storage::SampleIterator> it = set->At().Iterator();
      Sample last;
      while (it->Next()) last = it->At();
      sum += last.v;
      ++selected;
    }
    benchmark::DoNotOptimize(sum);
  }
  state.counters["selected"] = static_cast<double>(selected);
  state.counters["ns_per_series"] = benchmark::Counter(
      static_cast<double>(selected) * static_cast<double>(state.iterations()),
      benchmark::Counter::kIsRate | benchmark::Counter::kInvert);
}

// ~7,500 series: 16 of the 64 cpu series of each host.
void BM_Select_CpuUserSystem(benchmark::State& state) {
  RunSelect(state,
            {Make(MatchType::kEqual, "__name__", "node_cpu_seconds_total"),
             Make(MatchType::kRegexMatch, "mode", "user|system")});
}
BENCHMARK(BM_Select_CpuUserSystem)->Unit(benchmark::kMicrosecond);

// ~2,600 series: every network counter of one region.
void BM_Select_RegionNetwork(benchmark::State& state) {
  RunSelect(state,
            {Make(MatchType::kEqual, "region", "eu-west-1"),
             Make(MatchType::kRegexMatch, "__name__", "node_network_.*")});
}
BENCHMARK(BM_Select_RegionNetwork)->Unit(benchmark::kMicrosecond);

// ~30,000 series: every cpu series of the job.
void BM_Select_JobCpuWide(benchmark::State& state) {
  RunSelect(state, {Make(MatchType::kEqual, "job", "node-exporter"),
                    Make(MatchType::kRegexMatch, "__name__", "node_cpu_.*")});
}
BENCHMARK(BM_Select_JobCpuWide)->Unit(benchmark::kMillisecond);

// --- Append by ref vs by labels ---

// 20,000 existing series, one scrape (20 commits of 1000 samples) per
// iteration. By labels is what a remote-write request without refs costs:
// validation, hash lookup and the label comparison against the stored
// series.
void RunAppend(benchmark::State& state, bool by_labels) {
  constexpr int64_t kSeries = 20'000;
  TempHead head(kStartMs);  // the samples run ahead of the clock
  std::vector<Labels> labels;
  labels.reserve(kSeries);
  for (int64_t i = 0; i < kSeries; ++i) labels.push_back(SeriesLabelsAt(i));
  std::vector<storage::SeriesRef> refs(kSeries, 0);
  int64_t t = kStartMs;
  for (auto _ : state) {
    t += kIntervalMs;
    std::unique_ptr<storage::Appender> app = head.head->NewAppender();
    for (int64_t i = 0; i < kSeries; ++i) {
      absl::StatusOr<storage::SeriesRef> ref = app->Append(
          by_labels ? 0 : refs[i], labels[i], t, static_cast<double>(t + i));
      if (!ref.ok()) abort();
      refs[i] = *ref;
      if ((i + 1) % kBatch == 0) {
        if (!app->Commit().ok()) abort();
        app = head.head->NewAppender();
      }
    }
    if (!app->Commit().ok()) abort();
  }
  state.counters["ns_per_sample"] = benchmark::Counter(
      static_cast<double>(kSeries) * static_cast<double>(state.iterations()),
      benchmark::Counter::kIsRate | benchmark::Counter::kInvert);
}

void BM_AppendByRef(benchmark::State& state) { RunAppend(state, false); }
BENCHMARK(BM_AppendByRef)->Unit(benchmark::kMillisecond)->MinTime(2);

void BM_AppendByLabels(benchmark::State& state) { RunAppend(state, true); }
BENCHMARK(BM_AppendByLabels)->Unit(benchmark::kMillisecond)->MinTime(2);

// --- Memory per series ---

// Arg 0: series; arg 1: samples per series.
void BM_MemoryPerSeries(benchmark::State& state) {
  const int64_t n = state.range(0);
  const int samples = static_cast<int>(state.range(1));
  double rss = 0, head_bytes = 0;
  for (auto _ : state) {
    state.PauseTiming();
    TempHead head(kStartMs + samples * kIntervalMs);
    std::vector<storage::SeriesRef> refs(n, 0);
    std::vector<ValueGenerator> values = MakeValues(n);
    malloc_trim(0);
    const int64_t before = VmRssBytes();
    state.ResumeTiming();
    Fill(*head.head, n, samples, 0, refs, values);
    state.PauseTiming();
    malloc_trim(0);
    rss = static_cast<double>(VmRssBytes() - before) / static_cast<double>(n);
    head_bytes =
        static_cast<double>(head.head->MemoryBytes()) / static_cast<double>(n);
    state.ResumeTiming();
  }
  state.counters["rss_per_series"] = rss;
  state.counters["head_bytes_per_series"] = head_bytes;
  state.counters["ns_per_sample"] = benchmark::Counter(
      static_cast<double>(n * samples) *
          static_cast<double>(state.iterations()),
      benchmark::Counter::kIsRate | benchmark::Counter::kInvert);
}
BENCHMARK(BM_MemoryPerSeries)
    ->Args({1'000'000, 20})
    ->Args({1'000'000, 100})
    ->Iterations(1)
    ->Unit(benchmark::kMillisecond);

// --- Bytes per stored sample ---

constexpr int64_t kBytesSeries = 20'000;
constexpr int kBytesScrapes = 6 * kSamplesPerChunk + kSamplesPerChunk / 2;

int64_t DirBytes(const std::string& dir) {
  int64_t bytes = 0;
  std::error_code ec;
  for (const auto& e : std::filesystem::directory_iterator(dir, ec)) {
    if (e.is_regular_file()) bytes += static_cast<int64_t>(e.file_size());
  }
  return bytes;
}

// Encoded chunk bytes of series [0, n) as the head holds them (chunks of
// kSamplesPerChunk samples, cut when the next sample arrives), by class of
// series, so that the total can be explained.
struct CodecBytes {
  int64_t closed = 0;  // completed chunks
  int64_t open = 0;    // the open chunks
  // By class: constant, counter, gauge (integer or fixed decimals), float.
  int64_t class_bytes[4] = {};
  int64_t class_samples[4] = {};
};

int ClassOf(bench::ValueKind kind) {
  switch (kind) {
    case bench::ValueKind::kConstant:
      return 0;
    case bench::ValueKind::kCounterInt:
    case bench::ValueKind::kCounterFixed:
      return 1;
    case bench::ValueKind::kGaugeInt:
    case bench::ValueKind::kGaugeFixed:
      return 2;
    case bench::ValueKind::kGaugeFloat:
    case bench::ValueKind::kGaugeClock:
      return 3;
  }
  return 0;
}

CodecBytes Encode(int64_t n, int scrapes, int jitter_ms) {
  CodecBytes out;
  for (int64_t i = 0; i < n; ++i) {
    const ScrapeClock clock(i / kSeriesPerHost, kStartMs, kIntervalMs,
                            jitter_ms);
    ValueGenerator values(i);
    const int c = ClassOf(values.kind());
    XorChunk chunk;
    int64_t bytes = 0;
    for (int k = 0; k < scrapes; ++k) {
      if (chunk.num_samples() == kSamplesPerChunk) {
        bytes += static_cast<int64_t>(chunk.bytes().size());
        chunk = XorChunk();
      }
      const int64_t t = clock.At(k);
      if (!chunk.Append(t, values.Next(t))) abort();
    }
    out.closed += bytes;
    out.open += static_cast<int64_t>(chunk.bytes().size());
    out.class_bytes[c] += bytes + static_cast<int64_t>(chunk.bytes().size());
    out.class_samples[c] += scrapes;
  }
  return out;
}

// Args: series, jitter_ms.
void BM_BytesPerSample(benchmark::State& state) {
  const int64_t n = state.range(0);
  const int jitter = static_cast<int>(state.range(1));
  for (auto _ : state) {
    TempHead head(kStartMs + (kBytesScrapes + 1) * kIntervalMs);
    std::vector<storage::SeriesRef> refs(n, 0);
    std::vector<ValueGenerator> values = MakeValues(n);
    const int64_t samples =
        Fill(*head.head, n, kBytesScrapes, jitter, refs, values);
    state.PauseTiming();
    const HeadStats stats = head.head->stats();
    const int64_t file_bytes = DirBytes(head.dir + "/chunks");
    const CodecBytes codec = Encode(n, kBytesScrapes, jitter);
    const auto ratio = [](int64_t a, int64_t b) {
      return b == 0 ? 0.0 : static_cast<double>(a) / static_cast<double>(b);
    };
    state.counters["bytes_per_sample"] =
        ratio(file_bytes + codec.open, samples);
    state.counters["codec_bytes_per_sample"] =
        ratio(codec.closed + codec.open, samples);
    state.counters["chunks_persisted"] =
        static_cast<double>(stats.chunks_persisted);
    const char* names[4] = {"B_const", "B_counter", "B_gauge", "B_float"};
    for (int c = 0; c < 4; ++c) {
      state.counters[names[c]] =
          ratio(codec.class_bytes[c], codec.class_samples[c]);
    }
    state.ResumeTiming();
  }
}
BENCHMARK(BM_BytesPerSample)
    ->ArgNames({"series", "jitter_ms"})
    ->Args({kBytesSeries, 0})
    ->Args({kBytesSeries, 1})
    ->Args({kBytesSeries, 2})
    ->Args({kBytesSeries, 50})
    // The first 5 hosts: what bench/run_tsdb_vs_prometheus --bytes also
    // gives Prometheus.
    ->Args({5 * kSeriesPerHost, 0})
    ->Args({5 * kSeriesPerHost, 2})
    ->Iterations(1)
    ->Unit(benchmark::kMillisecond);

}  // namespace
}  // namespace fraisier::tsdb
