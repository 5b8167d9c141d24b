// Bytes per stored sample on real data: opens the store of a stopped
// `ruler serve` (e.g. one a Prometheus remote-wrote its own, node-exporter's
// and the ruler's metrics to for an hour) and reports
//   disk: (chunk file bytes + open chunk bytes) / samples, what the store
//         really spends;
//   codec: the XOR-encoded chunk bytes alone, by class of series.
// Open chunks are re-encoded from the samples (the codec is deterministic,
// so this equals what the head holds).
//
//   bazel run --config=opt //bench:tsdb_bytes_real -- /path/to/storage
#include <cstdio>
#include <filesystem>
#include <map>
#include <string>

#include "absl/strings/match.h"
#include "engine/base/clock.h"
#include "engine/model/matcher.h"
#include "engine/tsdb/chunk.h"
#include "engine/tsdb/head.h"

namespace fraisier::tsdb {
namespace {

int64_t DirBytes(const std::string& dir) {
  int64_t bytes = 0;
  std::error_code ec;
  for (const auto& e : std::filesystem::directory_iterator(dir, ec)) {
    if (e.is_regular_file()) bytes += static_cast<int64_t>(e.file_size());
  }
  return bytes;
}

// Counters by naming convention; everything else is a gauge.
const char* ClassOf(absl::string_view name) {
  for (absl::string_view suffix : {"_total", "_count", "_sum", "_bucket"}) {
    if (absl::EndsWith(name, suffix)) return "counter-like";
  }
  return "gauge-like";
}

struct Tally {
  int64_t series = 0, samples = 0, bytes = 0, open_bytes = 0;
};

int Run(const std::string& dir) {
  HeadOptions options;
  options.dir = dir;
  options.clock = RealClock::Get();
  options.retention = absl::Hours(24 * 365);
  options.fsync_policy = FsyncPolicy::kInterval;
  absl::StatusOr<std::unique_ptr<Head>> head = Head::Open(options);
  if (!head.ok()) {
    std::fprintf(stderr, "%s\n", std::string(head.status().message()).c_str());
    return 1;
  }
  const int64_t file_bytes = DirBytes(dir + "/chunks");
  auto querier = (*head)->NewQuerier(kMinTimestamp, kMaxTimestamp);
  absl::StatusOr<Matcher> all =
      Matcher::Create(MatchType::kRegexMatch, "__name__", ".+");
  if (!querier.ok() || !all.ok()) return 1;
  auto set = (*querier)->Select(false, nullptr, {*all});
  std::map<std::string, Tally> by_class;
  Tally total;
  while (set->Next()) {
    const storage::Series& series = set->At();
    Tally& t = by_class[ClassOf(series.labels().Get("__name__"))];
    auto it = series.Iterator();
    XorChunk chunk;
    int64_t bytes = 0, samples = 0;
    while (it->Next()) {
      if (chunk.num_samples() == kSamplesPerChunk) {
        bytes += static_cast<int64_t>(chunk.bytes().size());
        chunk = XorChunk();
      }
      Sample s = it->At();
      chunk.Append(s.t, s.v);
      ++samples;
    }
    const int64_t open = static_cast<int64_t>(chunk.bytes().size());
    for (Tally* x : {&t, &total}) {
      x->series += 1;
      x->samples += samples;
      x->bytes += bytes + open;
      x->open_bytes += open;
    }
  }
  if (total.samples == 0) {
    std::printf("no samples in %s\n", dir.c_str());
    return 1;
  }
  std::printf("series %lld, samples %lld (%.0f per series)\n",
              static_cast<long long>(total.series),
              static_cast<long long>(total.samples),
              static_cast<double>(total.samples) / total.series);
  std::printf("disk: chunk files %lld B + open chunks %lld B = %.3f B/sample\n",
              static_cast<long long>(file_bytes),
              static_cast<long long>(total.open_bytes),
              static_cast<double>(file_bytes + total.open_bytes) /
                  static_cast<double>(total.samples));
  std::printf("codec: %.3f B/sample\n", static_cast<double>(total.bytes) /
                                            static_cast<double>(total.samples));
  for (const auto& [name, t] : by_class) {
    std::printf("  %-13s series %6lld samples %9lld codec %.3f B/sample\n",
                name.c_str(), static_cast<long long>(t.series),
                static_cast<long long>(t.samples),
                static_cast<double>(t.bytes) / static_cast<double>(t.samples));
  }
  return 0;
}

}  // namespace
}  // namespace fraisier::tsdb

int main(int argc, char** argv) {
  if (argc != 2) {
    std::fprintf(stderr, "usage: tsdb_bytes_real STORAGE_DIR\n");
    return 2;
  }
  return fraisier::tsdb::Run(argv[1]);
}
