// The remote-write receive path on node-exporter-like series
// (bench/data/node_series.h: 9 labels per series), 500 series of one sample
// per request, like a Prometheus 2.42 sender's default batch:
//
//   bazel run --config=opt //bench:remote_write_decode_bench
//
//  - BM_SnappyDecode: snappy block decompression alone.
//  - BM_SnappyAndWalk: snappy + the zero-copy WriteRequest walk + the label
//    hash, no store.
//  - BM_LibprotobufParse: for comparison, libprotobuf's ParseFromArray of
//    the same decoded bytes (what a message-based receiver would pay).
//  - BM_RemoteWriteToHead: Receiver::WriteSnappy into a real tsdb::Head
//    (WAL with FsyncPolicy::kInterval) holding 100,000 series, in steady
//    state: every series exists before timing starts, each round of 200
//    requests advances every series by one 15 s scrape.
// time_per_sample is CPU time per sample (each benchmark is single-threaded).
// Request bodies are built (not timed) a round at a time.
// Files go to $TSDB_BENCH_DIR (default /tmp).
#include <stdlib.h>

#include <algorithm>
#include <cstdint>
#include <cstdio>
#include <filesystem>
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/time/time.h"
#include "bench/data/node_series.h"
#include "benchmark/benchmark.h"
#include "engine/base/clock.h"
#include "engine/ingest/receiver.h"
#include "engine/ingest/series_check.h"
#include "engine/ingest/snappy_block.h"
#include "engine/ingest/write_request_reader.h"
#include "engine/tsdb/head.h"
#include "proto/remote.pb.h"
#include "snappy.h"

namespace fraisier::ingest {
namespace {

using bench::NodeSeriesLabels;

constexpr int kSeries = 100'000;
constexpr int kSeriesPerRequest = 500;
constexpr int kRequestsPerRound = kSeries / kSeriesPerRequest;
constexpr int64_t kStartMs = 1700000000000;
constexpr int64_t kIntervalMs = 15000;

void AppendVarint(uint64_t v, std::string* out) {
  while (v >= 0x80) {
    out->push_back(static_cast<char>((v & 0x7f) | 0x80));
    v >>= 7;
  }
  out->push_back(static_cast<char>(v));
}

void AppendBytesField(int field, absl::string_view payload, std::string* out) {
  out->push_back(static_cast<char>((field << 3) | 2));
  AppendVarint(payload.size(), out);
  out->append(payload.data(), payload.size());
}

// The encoded Label fields of every series (sorted by name, as senders
// send them), built once; requests are then assembled by concatenation.
const std::vector<std::string>& EncodedLabels() {
  static const auto* labels = [] {
    auto* out = new std::vector<std::string>(kSeries);
    std::vector<std::pair<std::string, std::string>> pairs;
    std::string label;
    for (int i = 0; i < kSeries; ++i) {
      NodeSeriesLabels(i, &pairs);
      std::sort(pairs.begin(), pairs.end());
      for (const auto& [name, value] : pairs) {
        label.clear();
        AppendBytesField(1, name, &label);
        AppendBytesField(2, value, &label);
        AppendBytesField(1, label, &(*out)[i]);
      }
    }
    return out;
  }();
  return *labels;
}

// Request `r` of a round: series [r*500, r*500+500), one sample at `t`.
std::string RequestProto(int r, int64_t t, double v_base) {
  const std::vector<std::string>& labels = EncodedLabels();
  std::string request;
  std::string series;
  std::string sample;
  for (int i = r * kSeriesPerRequest; i < (r + 1) * kSeriesPerRequest; ++i) {
    sample.clear();
    sample.push_back(static_cast<char>((1 << 3) | 1));  // value, fixed64
    const double v = v_base + i;
    sample.append(reinterpret_cast<const char*>(&v), sizeof(v));
    sample.push_back(static_cast<char>(2 << 3));  // timestamp, varint
    AppendVarint(static_cast<uint64_t>(t), &sample);
    series = labels[i];
    AppendBytesField(2, sample, &series);
    AppendBytesField(1, series, &request);
  }
  return request;
}

std::string Compress(const std::string& raw) {
  std::string out;
  snappy::Compress(raw.data(), raw.size(), &out);
  return out;
}

// One round of bodies: every series once, at scrape `round`.
std::vector<std::string> RoundBodies(int64_t round) {
  std::vector<std::string> bodies;
  bodies.reserve(kRequestsPerRound);
  for (int r = 0; r < kRequestsPerRound; ++r) {
    bodies.push_back(Compress(
        RequestProto(r, kStartMs + round * kIntervalMs, round * 0.25)));
  }
  return bodies;
}

void SetSampleCounters(benchmark::State& state, int64_t samples) {
  state.SetItemsProcessed(samples);
  // CPU seconds per sample, printed with an SI prefix ("412ns").
  state.counters["time_per_sample"] = benchmark::Counter(
      static_cast<double>(samples),
      benchmark::Counter::kIsRate | benchmark::Counter::kInvert);
}

void BM_SnappyDecode(benchmark::State& state) {
  const std::vector<std::string> bodies = RoundBodies(0);
  std::string buffer;
  size_t i = 0;
  for (auto _ : state) {
    auto decoded = SnappyDecode(bodies[i++ % bodies.size()], 64 << 20, &buffer);
    if (!decoded.ok()) state.SkipWithError("decode failed");
    benchmark::DoNotOptimize(decoded);
  }
  SetSampleCounters(state, state.iterations() * kSeriesPerRequest);
  // What one sample costs on the wire: 9 labels ride along with it.
  state.counters["decoded_bytes_per_sample"] =
      static_cast<double>(RequestProto(0, kStartMs, 0).size()) /
      kSeriesPerRequest;
  state.counters["compressed_bytes_per_sample"] =
      static_cast<double>(bodies[0].size()) / kSeriesPerRequest;
}
BENCHMARK(BM_SnappyDecode);

void BM_SnappyAndWalk(benchmark::State& state) {
  const std::vector<std::string> bodies = RoundBodies(0);
  std::string buffer;
  std::string hash_buffer;
  WriteRequestReader reader;
  std::vector<Label> labels;
  size_t i = 0;
  uint64_t sink = 0;
  for (auto _ : state) {
    auto decoded = SnappyDecode(bodies[i++ % bodies.size()], 64 << 20, &buffer);
    reader.Reset(*decoded);
    for (;;) {
      absl::StatusOr<bool> more = reader.Next();
      if (!more.ok() || !*more) break;
      const TimeSeriesView& ts = reader.series();
      labels.assign(ts.labels.begin(), ts.labels.end());
      sink += HashLabelViews(labels, &hash_buffer);
      for (const Sample& s : ts.samples) sink += s.t;
    }
  }
  benchmark::DoNotOptimize(sink);
  SetSampleCounters(state, state.iterations() * kSeriesPerRequest);
}
BENCHMARK(BM_SnappyAndWalk);

void BM_LibprotobufParse(benchmark::State& state) {
  const std::string raw = RequestProto(0, kStartMs, 0);
  for (auto _ : state) {
    prometheus::WriteRequest request;
    if (!request.ParseFromArray(raw.data(), static_cast<int>(raw.size()))) {
      state.SkipWithError("parse failed");
    }
    benchmark::DoNotOptimize(request);
  }
  SetSampleCounters(state, state.iterations() * kSeriesPerRequest);
}
BENCHMARK(BM_LibprotobufParse);

std::string MakeTempDir() {
  const char* base = getenv("TSDB_BENCH_DIR");
  std::string templ = absl::StrCat(base != nullptr ? base : "/tmp",
                                   "/remote_write_bench.XXXXXX");
  if (mkdtemp(templ.data()) == nullptr) {
    perror("mkdtemp");
    abort();
  }
  return templ;
}

void BM_RemoteWriteToHead(benchmark::State& state) {
  const std::string dir = MakeTempDir();
  FakeClock clock(absl::FromUnixMillis(kStartMs + 86400000));
  tsdb::HeadOptions options;
  options.dir = dir;
  options.clock = &clock;
  options.fsync_policy = tsdb::FsyncPolicy::kInterval;
  auto head = tsdb::Head::Open(options);
  if (!head.ok()) {
    state.SkipWithError(std::string(head.status().message()).c_str());
    return;
  }
  Receiver receiver(**head, ReceiverLimits());
  // Create every series before timing: the steady state is the hot path.
  int64_t round = 0;
  for (const std::string& body : RoundBodies(round)) {
    if (!receiver.WriteSnappy(body).ok()) state.SkipWithError("seed failed");
  }
  std::vector<std::string> bodies;
  size_t next = 0;
  int64_t stored = 0;
  for (auto _ : state) {
    if (next == bodies.size()) {
      state.PauseTiming();
      bodies = RoundBodies(++round);
      next = 0;
      state.ResumeTiming();
    }
    const WriteResult r = receiver.WriteSnappy(bodies[next++]);
    if (!r.ok()) {
      state.SkipWithError(r.message.c_str());
      break;
    }
    stored += r.samples_stored;
  }
  SetSampleCounters(state, stored);
  state.counters["series"] = static_cast<double>((*head)->stats().series);
  head->reset();
  std::filesystem::remove_all(dir);
}
BENCHMARK(BM_RemoteWriteToHead)->Unit(benchmark::kMicrosecond);

}  // namespace
}  // namespace fraisier::ingest
