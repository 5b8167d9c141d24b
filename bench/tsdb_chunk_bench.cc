// XOR chunk encoding: append and decode time per sample and encoded bytes
// per sample, on generated series that look like scraped metrics.
//
// Run: bazel run --config=opt //bench:tsdb_chunk_bench
//
// The data: series scraped every 15 s, each timestamp off by a uniform
// jitter of up to +-2 ms (Prometheus's scrape loop timestamps drift by a
// few ms), 120 samples per chunk (kSamplesPerChunk).
//   counter: an integer start value, then + a small integer (0..10) per
//            scrape;
//   gauge:   a random walk (0.5% per scrape) rounded to 2-4 significant
//            digits, magnitudes from 0.01 to 1e10 (latencies, CPU
//            fractions, byte sizes);
//   idle:    a value that does not change (error counters, up, info);
//   random:  uniformly random value bits (the encoding's worst case).
// "mix" is half counters, half gauges; "mix_idle" adds a third of idle
// series, closer to what an exporter's metrics look like.
#include <algorithm>
#include <bit>
#include <cmath>
#include <cstdint>
#include <random>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "benchmark/benchmark.h"
#include "engine/model/value.h"
#include "engine/tsdb/chunk.h"

namespace fraisier::tsdb {
namespace {

enum Kind { kCounter, kGauge, kIdle, kRandom };

double RoundSignificant(double v, int digits) {
  if (v == 0) return 0;
  const double scale =
      std::pow(10.0, digits - 1 - static_cast<int>(std::floor(std::log10(v))));
  return std::round(v * scale) / scale;
}

std::vector<Sample> MakeSeries(Kind kind, std::mt19937_64& rng, int jitter) {
  std::vector<Sample> out;
  out.reserve(kSamplesPerChunk);
  std::uniform_int_distribution<int> jit(-jitter, jitter);
  const Timestamp start = 1700000000000 + static_cast<Timestamp>(rng() % 15000);
  double v = 0;
  double walk = 0;
  int digits = 3;
  switch (kind) {
    case kCounter:
      v = static_cast<double>(rng() % 1000000);
      break;
    case kGauge:
      walk = std::pow(10.0, std::uniform_real_distribution<>(-2, 10)(rng));
      digits = 2 + static_cast<int>(rng() % 3);
      break;
    case kIdle:
      v = static_cast<double>(rng() % 3 == 0 ? 0 : rng() % 1000);
      break;
    case kRandom:
      break;
  }
  std::normal_distribution<> step(0, 0.005);
  for (int i = 0; i < kSamplesPerChunk; ++i) {
    const Timestamp t = start + 15000LL * i + jit(rng);
    switch (kind) {
      case kCounter:
        out.push_back({t, v});
        v += static_cast<double>(rng() % 11);
        break;
      case kGauge:
        out.push_back({t, RoundSignificant(walk, digits)});
        walk *= 1 + step(rng);
        break;
      case kIdle:
        out.push_back({t, v});
        break;
      case kRandom:
        out.push_back({t, std::bit_cast<double>((rng() & ~(0x7FFULL << 52)) |
                                                (0x3FFULL << 52))});
        break;
    }
  }
  return out;
}

// 1,000 series of the given make-up.
std::vector<std::vector<Sample>> MakeData(const std::vector<Kind>& cycle,
                                          int jitter) {
  std::mt19937_64 rng(42);
  std::vector<std::vector<Sample>> data;
  for (int i = 0; i < 1000; ++i) {
    data.push_back(MakeSeries(cycle[i % cycle.size()], rng, jitter));
  }
  return data;
}

const std::vector<Kind>& Cycle(int which) {
  static const auto* cycles = new std::vector<std::vector<Kind>>{
      {kCounter}, {kGauge}, {kCounter, kGauge}, {kCounter, kGauge, kIdle},
      {kIdle},    {kRandom}};
  return (*cycles)[which];
}

const char* const kNames[] = {"counter",  "gauge", "mix",
                              "mix_idle", "idle",  "random"};

// The size Prometheus's XOR chunk (tsdb/chunkenc/xor.go) would take for the
// same samples, computed rather than encoded, for comparison.
size_t PrometheusXorBytes(const std::vector<Sample>& samples) {
  auto varint_bytes = [](uint64_t v) {
    size_t n = 1;
    while (v >= 0x80) v >>= 7, ++n;
    return n;
  };
  size_t bits = 16;
  int leading = -1, trailing = 0;
  int64_t delta = 0;
  for (size_t i = 0; i < samples.size(); ++i) {
    const uint64_t v = std::bit_cast<uint64_t>(samples[i].v);
    if (i == 0) {
      const int64_t t = samples[0].t;
      bits += 8 * varint_bytes((static_cast<uint64_t>(t) << 1) ^
                               static_cast<uint64_t>(t >> 63)) +
              64;
      continue;
    }
    const int64_t d = samples[i].t - samples[i - 1].t;
    if (i == 1) {
      bits += 8 * varint_bytes(static_cast<uint64_t>(d));
    } else {
      const int64_t dod = d - delta;
      auto fits = [&](int n) {
        return dod >= -((int64_t{1} << (n - 1)) - 1) &&
               dod <= (int64_t{1} << (n - 1));
      };
      bits += dod == 0 ? 1 : fits(14) ? 16 : fits(17) ? 20 : fits(20) ? 24 : 68;
    }
    delta = d;
    const uint64_t x = v ^ std::bit_cast<uint64_t>(samples[i - 1].v);
    if (x == 0) {
      bits += 1;
      continue;
    }
    int lead = std::min(std::countl_zero(x), 31);
    const int trail = std::countr_zero(x);
    if (leading >= 0 && lead >= leading && trail >= trailing) {
      bits += 2 + (64 - leading - trailing);
    } else {
      leading = lead;
      trailing = trail;
      bits += 2 + 5 + 6 + (64 - lead - trail);
    }
  }
  return (bits + 7) / 8;
}

void BM_XorAppend(benchmark::State& state) {
  const int jitter = static_cast<int>(state.range(1));
  const auto data = MakeData(Cycle(static_cast<int>(state.range(0))), jitter);
  int64_t samples = 0;
  size_t bytes = 0, memory20 = 0;
  for (auto _ : state) {
    bytes = 0;
    for (const auto& series : data) {
      XorChunk chunk;
      for (const Sample& s : series) chunk.Append(s.t, s.v);
      bytes += chunk.bytes().size();
      benchmark::DoNotOptimize(chunk.bytes().data());
      samples += static_cast<int64_t>(series.size());
    }
  }
  size_t prometheus = 0;
  for (const auto& series : data) {
    XorChunk chunk;
    for (int i = 0; i < 20; ++i) chunk.Append(series[i].t, series[i].v);
    memory20 += chunk.MemoryBytes();
    prometheus += PrometheusXorBytes(series);
  }
  state.SetLabel(
      absl::StrCat(kNames[state.range(0)], " jitter=+-", jitter, "ms"));
  state.counters["ns_per_sample"] = benchmark::Counter(
      static_cast<double>(samples),
      benchmark::Counter::kIsRate | benchmark::Counter::kInvert);
  state.counters["bytes_per_sample"] =
      static_cast<double>(bytes) / (data.size() * kSamplesPerChunk);
  state.counters["prom_bytes_per_sample"] =
      static_cast<double>(prometheus) / (data.size() * kSamplesPerChunk);
  state.counters["mem_20_samples"] =
      static_cast<double>(memory20) / data.size();
}

void BM_XorDecode(benchmark::State& state) {
  const int jitter = static_cast<int>(state.range(1));
  const auto data = MakeData(Cycle(static_cast<int>(state.range(0))), jitter);
  std::vector<std::string> chunks;
  for (const auto& series : data) {
    XorChunk chunk;
    for (const Sample& s : series) chunk.Append(s.t, s.v);
    chunks.emplace_back(chunk.bytes());
  }
  int64_t samples = 0;
  for (auto _ : state) {
    double sum = 0;
    Timestamp tsum = 0;
    for (const std::string& bytes : chunks) {
      XorIterator it(bytes);
      while (it.Next()) {
        const Sample s = it.At();
        sum += s.v;
        tsum += s.t;
        ++samples;
      }
    }
    benchmark::DoNotOptimize(sum);
    benchmark::DoNotOptimize(tsum);
  }
  state.SetLabel(
      absl::StrCat(kNames[state.range(0)], " jitter=+-", jitter, "ms"));
  state.counters["ns_per_sample"] = benchmark::Counter(
      static_cast<double>(samples),
      benchmark::Counter::kIsRate | benchmark::Counter::kInvert);
}

void Args(benchmark::internal::Benchmark* b) {
  for (int kind = 0; kind < 6; ++kind) b->Args({kind, 2});
  b->Args({2, 0});  // the mix with perfectly regular timestamps
  b->Args({2, 5});  // and with more jitter
}

BENCHMARK(BM_XorAppend)->Apply(Args);
BENCHMARK(BM_XorDecode)->Apply(Args);

}  // namespace
}  // namespace fraisier::tsdb
