// MemIndex: query latency, build time and memory per series.
//
//   bazel run --config=opt //bench:tsdb_index_bench
//
// Series look like a scrape fleet: metric x target, 9 labels each
// (__name__, container, env, handler, instance, job, namespace, pod,
// region). Counters: bytes_per_series is MemIndex::MemoryBytes();
// heap_per_series is what malloc reports in use (mallinfo2), which adds
// malloc's per-block headers and rounding.
#include <malloc.h>

#include <cstdint>
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "benchmark/benchmark.h"
#include "engine/model/labels.h"
#include "engine/model/matcher.h"
#include "engine/tsdb/index.h"

namespace fraisier::tsdb {
namespace {

constexpr int kMetrics = 200;

// Series `i` is metric i % 200 of target i / 200. Its pod changes every
// `series_per_pod` series: 200 gives one pod per target, smaller values a
// high-cardinality pod label, which stresses the per-value overhead.
std::vector<Labels> MakeSeries(int series, int series_per_pod) {
  std::vector<Labels> out;
  out.reserve(series);
  for (int i = 0; i < series; ++i) {
    const int metric = i % kMetrics;
    const int target = i / kMetrics;
    const int pod = i / series_per_pod;
    const std::string job =
        target % 20 == 0 ? "api" : absl::StrCat("job_", target % 20);
    out.push_back(Labels::FromPairs({
        {"__name__", absl::StrCat("metric_", metric, "_total")},
        {"container", absl::StrCat("c", target % 10)},
        {"env", target % 3 == 0   ? "prod"
                : target % 3 == 1 ? "staging"
                                  : "dev"},
        {"handler", absl::StrCat("/api/v1/h", i % 50)},
        {"instance", absl::StrFormat("10.%d.%d.%d:9100", (target / 256) % 4,
                                     target % 256, target / 1024)},
        {"job", job},
        {"namespace", absl::StrCat("ns_", target % 50)},
        {"pod", absl::StrFormat("app-%08x-%d", target * 2654435761u, pod)},
        {"region", absl::StrCat("region_", target % 8)},
    }));
  }
  return out;
}

size_t HeapInUse() {
  const struct mallinfo2 info = mallinfo2();
  return info.uordblks + info.hblkhd;
}

Matcher Make(MatchType type, absl::string_view name, absl::string_view value) {
  return *Matcher::Create(type, name, value);
}

const MemIndex& Index100k() {
  static const MemIndex* index = [] {
    auto* idx = new MemIndex();
    const std::vector<Labels> series = MakeSeries(100'000, kMetrics);
    for (size_t i = 0; i < series.size(); ++i) idx->Add(i, series[i]);
    return idx;
  }();
  return *index;
}

void RunSelect(benchmark::State& state, std::vector<Matcher> matchers) {
  const MemIndex& index = Index100k();
  size_t selected = 0;
  for (auto _ : state) {
    std::vector<SeriesId> ids = index.Select(matchers);
    selected = ids.size();
    benchmark::DoNotOptimize(ids.data());
  }
  state.counters["selected"] = static_cast<double>(selected);
}

// The case named in the issue: one equality and one prefix regex.
void BM_Select_EqAndPrefixRegex(benchmark::State& state) {
  RunSelect(state, {Make(MatchType::kEqual, "job", "api"),
                    Make(MatchType::kRegexMatch, "instance", "10\\.0\\..*")});
}
BENCHMARK(BM_Select_EqAndPrefixRegex)->Unit(benchmark::kMicrosecond);

void BM_Select_MetricAndJob(benchmark::State& state) {
  RunSelect(state, {Make(MatchType::kEqual, "__name__", "metric_7_total"),
                    Make(MatchType::kEqual, "job", "api")});
}
BENCHMARK(BM_Select_MetricAndJob)->Unit(benchmark::kMicrosecond);

// A regex with no literal prefix scans every instance value through RE2.
void BM_Select_EqAndScanRegex(benchmark::State& state) {
  RunSelect(state,
            {Make(MatchType::kEqual, "job", "api"),
             Make(MatchType::kRegexMatch, "instance", "10\\.[01]\\..*:9100")});
}
BENCHMARK(BM_Select_EqAndScanRegex)->Unit(benchmark::kMicrosecond);

// Empty-matching matchers are subtracted from the intersecting ones.
void BM_Select_MetricNotEnvNoFoo(benchmark::State& state) {
  RunSelect(state, {Make(MatchType::kEqual, "__name__", "metric_7_total"),
                    Make(MatchType::kNotEqual, "env", "prod"),
                    Make(MatchType::kEqual, "foo", "")});
}
BENCHMARK(BM_Select_MetricNotEnvNoFoo)->Unit(benchmark::kMicrosecond);

void BM_LabelValues_InstanceForJob(benchmark::State& state) {
  const MemIndex& index = Index100k();
  const std::vector<Matcher> ms = {Make(MatchType::kEqual, "job", "api")};
  size_t n = 0;
  for (auto _ : state) {
    n = index.LabelValues("instance", ms).size();
    benchmark::DoNotOptimize(n);
  }
  state.counters["values"] = static_cast<double>(n);
}
BENCHMARK(BM_LabelValues_InstanceForJob)->Unit(benchmark::kMicrosecond);

// Builds a 1M-series index per iteration (labels prepared beforehand).
// Arg: series per pod (200: 5k pods; 10: 100k pods).
void BM_Build1M(benchmark::State& state) {
  const std::vector<Labels> series = MakeSeries(1'000'000, state.range(0));
  size_t bytes = 0, heap = 0;
  for (auto _ : state) {
    const size_t heap_before = HeapInUse();
    auto index = std::make_unique<MemIndex>();
    for (size_t i = 0; i < series.size(); ++i) index->Add(i, series[i]);
    state.PauseTiming();
    bytes = index->MemoryBytes();
    heap = HeapInUse() - heap_before;
    index.reset();
    state.ResumeTiming();
  }
  const double n = static_cast<double>(series.size());
  state.counters["bytes_per_series"] = static_cast<double>(bytes) / n;
  state.counters["heap_per_series"] = static_cast<double>(heap) / n;
  state.counters["ns_per_series"] = benchmark::Counter(
      n * static_cast<double>(state.iterations()),
      benchmark::Counter::kIsRate | benchmark::Counter::kInvert);
}
BENCHMARK(BM_Build1M)
    ->Arg(200)
    ->Arg(10)
    ->Iterations(3)
    ->Unit(benchmark::kMillisecond);

}  // namespace
}  // namespace fraisier::tsdb
