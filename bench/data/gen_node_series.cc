// Writes the node-exporter-like series of bench/data/node_series.h.
//
//   gen_node_series N [FILE]
//     The first N label sets as promtool's `tsdb bench write` reads them:
//     one JSON object per line.
//   gen_node_series --openmetrics --scrapes=S [--jitter_ms=J] N FILE
//     The first N series with S scrapes each (15 s apart from 2023-11-14,
//     values and timestamps exactly as //bench:tsdb_head_bench's
//     BM_BytesPerSample appends them), in OpenMetrics text for
//     `promtool tsdb create-blocks-from openmetrics`.
#include <cinttypes>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <string>
#include <utility>
#include <vector>

#include "absl/container/flat_hash_map.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_format.h"
#include "absl/strings/string_view.h"
#include "absl/strings/strip.h"
#include "bench/data/node_series.h"

namespace fraisier::bench {
namespace {

constexpr int64_t kStartMs = 1700000000000;  // as tsdb_head_bench
constexpr int64_t kIntervalMs = 15000;

int WriteLabelSets(int64_t n, FILE* out) {
  for (int64_t i = 0; i < n; ++i) {
    const std::string line = NodeSeriesJson(i);
    fwrite(line.data(), 1, line.size(), out);
    fputc('\n', out);
  }
  return 0;
}

// OpenMetrics wants each metric family's lines together: series are
// written name by name, each with all its samples in time order.
int WriteOpenMetrics(int64_t n, int scrapes, int jitter_ms, FILE* out) {
  std::vector<std::string> names;
  absl::flat_hash_map<std::string, std::vector<int64_t>> by_name;
  std::vector<std::pair<std::string, std::string>> labels;
  for (int64_t i = 0; i < n; ++i) {
    const std::string& name = HostTemplates()[i % kSeriesPerHost].name;
    auto [it, added] = by_name.try_emplace(name);
    if (added) names.push_back(name);
    it->second.push_back(i);
  }
  for (const std::string& name : names) {
    for (int64_t i : by_name[name]) {
      NodeSeriesLabels(i, &labels);
      std::string series = name + "{";
      for (size_t l = 1; l < labels.size(); ++l) {
        if (l > 1) series += ",";
        absl::StrAppendFormat(&series, "%s=\"%s\"", labels[l].first,
                              labels[l].second);
      }
      series += "}";
      const ScrapeClock clock(i / kSeriesPerHost, kStartMs, kIntervalMs,
                              jitter_ms);
      ValueGenerator values(i);
      for (int k = 0; k < scrapes; ++k) {
        const int64_t t = clock.At(k);
        absl::FPrintF(out, "%s %.17g %d.%03d\n", series, values.Next(t),
                      t / 1000, t % 1000);
      }
    }
  }
  absl::FPrintF(out, "# EOF\n");
  return 0;
}

int Main(int argc, char** argv) {
  bool openmetrics = false;
  int scrapes = 0;
  int jitter_ms = 0;
  std::vector<std::string> args;
  for (int i = 1; i < argc; ++i) {
    absl::string_view arg = argv[i];
    if (arg == "--openmetrics") {
      openmetrics = true;
    } else if (absl::ConsumePrefix(&arg, "--scrapes=")) {
      if (!absl::SimpleAtoi(arg, &scrapes)) return 2;
    } else if (absl::ConsumePrefix(&arg, "--jitter_ms=")) {
      if (!absl::SimpleAtoi(arg, &jitter_ms)) return 2;
    } else {
      args.emplace_back(arg);
    }
  }
  int64_t n = 0;
  if (args.empty() || args.size() > 2 || !absl::SimpleAtoi(args[0], &n) ||
      (openmetrics && (scrapes <= 0 || args.size() != 2))) {
    fprintf(stderr,
            "usage: %s N [FILE]\n"
            "       %s --openmetrics --scrapes=S [--jitter_ms=J] N FILE\n",
            argv[0], argv[0]);
    return 2;
  }
  FILE* out = args.size() == 2 ? fopen(args[1].c_str(), "w") : stdout;
  if (out == nullptr) {
    perror(args[1].c_str());
    return 1;
  }
  const int rc = openmetrics ? WriteOpenMetrics(n, scrapes, jitter_ms, out)
                             : WriteLabelSets(n, out);
  if (fclose(out) != 0) {
    perror("close");
    return 1;
  }
  return rc;
}

}  // namespace
}  // namespace fraisier::bench

int main(int argc, char** argv) { return fraisier::bench::Main(argc, argv); }
