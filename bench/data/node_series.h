// A deterministic, node-exporter-like fleet of series for the store
// benchmarks: label sets (9 labels each) and, for benchmarks that care
// about compression, realistic values and scrape timestamps.
//
// Series `i` is template `i % kSeriesPerHost` of host `i / kSeriesPerHost`.
// A host exports 214 series: node_cpu_seconds_total per cpu and mode,
// filesystem, network, disk and memory gauges and counters, per-collector
// scrape metrics, load, procs, vmstat/netstat counters, `up` and the scrape_*
// series. 30% are constant (sizes, `up`, zero error counters).
//
// Labels are what a kube-prometheus node-exporter target carries (job,
// instance, namespace, pod, container, endpoint, cluster, region) plus the
// metric's own labels, keeping the first 9. Values contain no ',', ':', '"',
// '{' or '}', so promtool's naive label-file reader parses them.
#ifndef BENCH_DATA_NODE_SERIES_H_
#define BENCH_DATA_NODE_SERIES_H_

#include <cstdint>
#include <string>
#include <utility>
#include <vector>

#include "absl/strings/string_view.h"

namespace fraisier::bench {

inline constexpr int kLabelsPerSeries = 9;

// How a series' value moves from one scrape to the next.
enum class ValueKind {
  kConstant,      // never changes (sizes, `up`, zero error counters)
  kCounterInt,    // integer counter (bytes, packets, context switches)
  kCounterFixed,  // counter with `decimals` digits (cpu seconds, io time)
  kGaugeInt,      // integer gauge random walk in steps of `unit` (bytes)
  kGaugeFixed,    // gauge with `decimals` digits (load averages)
  kGaugeFloat,    // noisy full-precision float (durations)
  kGaugeClock,    // node_time_seconds: the scrape time with sub-ms noise
};

// One series of a host template.
struct SeriesTemplate {
  std::string name;
  std::vector<std::pair<std::string, std::string>> labels;  // metric's own
  ValueKind kind = ValueKind::kConstant;
  double start = 0;  // typical initial value
  double rate = 0;   // typical change per scrape (counters: increase)
  int decimals = 0;  // kCounterFixed, kGaugeFixed
  int64_t unit = 1;  // kGaugeInt step
};

// The per-host list of series; kSeriesPerHost entries.
const std::vector<SeriesTemplate>& HostTemplates();
inline constexpr int kSeriesPerHost = 214;

// The 9 label pairs of series `index`, unsorted (metric name first).
void NodeSeriesLabels(int64_t index,
                      std::vector<std::pair<std::string, std::string>>* out);

// The label set as one JSON object on one line, as promtool's
// `tsdb bench write` reads it: {"__name__":"...","cpu":"0",...}.
std::string NodeSeriesJson(int64_t index);

// Generates the values of one series, scrape after scrape. Deterministic
// in `index`.
class ValueGenerator {
 public:
  explicit ValueGenerator(int64_t index);
  // The value of the next scrape taken at `t_ms`.
  double Next(int64_t t_ms);
  ValueKind kind() const { return tmpl_->kind; }

 private:
  uint64_t Rand();
  double Uniform() { return static_cast<double>(Rand() >> 11) * 0x1p-53; }

  const SeriesTemplate* tmpl_;
  uint64_t rng_;
  int64_t units_ = 0;  // kCounter*/kGaugeInt/kGaugeFixed: value in units
  double value_ = 0;
  bool started_ = false;
};

// Scrape timestamps of a host: every `interval_ms` from a per-host offset,
// each moved by a uniform jitter in [-jitter_ms, +jitter_ms].
class ScrapeClock {
 public:
  ScrapeClock(int64_t host, int64_t start_ms, int64_t interval_ms,
              int jitter_ms);
  // Timestamp of scrape number `k` (k >= 0).
  int64_t At(int64_t k) const;

 private:
  int64_t host_;
  int64_t first_ms_;
  int64_t interval_ms_;
  int jitter_ms_;
};

}  // namespace fraisier::bench

#endif  // BENCH_DATA_NODE_SERIES_H_
