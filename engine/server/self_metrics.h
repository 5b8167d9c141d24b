// The service's own metrics for /metrics, in Prometheus's text format via
// prometheus-cpp. The header does not include prometheus-cpp: its namespace
// `prometheus` collides with the remote-write protobuf package of the same
// name, and files that wire both must compile. Counters kept elsewhere as plain
// atomics (head, WAL, receiver) are read at scrape time through callbacks, so
// hot paths never touch prometheus-cpp objects.
#ifndef ENGINE_SERVER_SELF_METRICS_H_
#define ENGINE_SERVER_SELF_METRICS_H_

#include <functional>
#include <memory>
#include <mutex>
#include <string>
#include <utility>
#include <vector>

#include "absl/strings/string_view.h"

namespace fraisier::server {

// Values read when scraped. A labelled family returns one value per label
// value of its single label. Thread-safe: registration happens before the
// server starts; Collect() may run on any thread.
class CallbackCollector {
 public:
  using ValueFn = std::function<double()>;
  using LabelledFn =
      std::function<std::vector<std::pair<std::string, double>>()>;

  void AddGauge(std::string name, std::string help, ValueFn fn);
  void AddCounter(std::string name, std::string help, ValueFn fn);
  // A summary without quantiles: count and sum (Prometheus's
  // prometheus_tsdb_wal_fsync_duration_seconds shape).
  void AddSummary(std::string name, std::string help,
                  std::function<std::pair<uint64_t, double>()> fn);
  void AddGaugeFamily(std::string name, std::string help,
                      std::string label_name, LabelledFn fn);
  void AddCounterFamily(std::string name, std::string help,
                        std::string label_name, LabelledFn fn);

  enum class Type { kGauge, kCounter, kSummary };
  struct Entry {
    std::string name;
    std::string help;
    Type type = Type::kGauge;
    std::string label_name;  // empty: unlabelled
    ValueFn value;
    LabelledFn labelled;
    std::function<std::pair<uint64_t, double>()> summary;
  };
  // Calls `fn` for each registered entry, under the registration lock.
  void ForEach(const std::function<void(const Entry&)>& fn) const;

 private:
  void Add(Entry entry);

  mutable std::mutex mu_;
  std::vector<Entry> entries_;  // guarded by mu_
};

// process_* metrics as Prometheus's client libraries export them, read from
// /proc/self. Values are 0 where /proc is unavailable.
struct ProcessStats {
  double cpu_seconds = 0;
  double resident_memory_bytes = 0;
  double virtual_memory_bytes = 0;
  double open_fds = 0;
  double max_fds = 0;
  double start_time_seconds = 0;
  double threads = 0;
};
ProcessStats ReadProcessStats();

// The registry behind /metrics. Thread-safe.
class SelfMetrics {
 public:
  SelfMetrics();
  ~SelfMetrics();

  CallbackCollector& callbacks() { return *callbacks_; }

  // HTTP request latency by handler (Prometheus's
  // prometheus_http_request_duration_seconds shape).
  void ObserveHttpRequest(absl::string_view handler, int code, double seconds);
  // PromQL query latency by kind ("instant", "range", "rule").
  void ObserveQuery(absl::string_view kind, double seconds);

  // The text exposition format (version 0.0.4).
  std::string Render() const;

 private:
  struct Registry;  // prometheus-cpp objects
  std::unique_ptr<Registry> registry_;
  std::unique_ptr<CallbackCollector> callbacks_;
};

}  // namespace fraisier::server

#endif  // ENGINE_SERVER_SELF_METRICS_H_
