#include "bench/data/node_series.h"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <string>
#include <utility>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"

namespace fraisier::bench {
namespace {

uint64_t Mix(uint64_t x) {  // splitmix64's finalizer
  x += 0x9e3779b97f4a7c15ull;
  x = (x ^ (x >> 30)) * 0xbf58476d1ce4e5b9ull;
  x = (x ^ (x >> 27)) * 0x94d049bb133111ebull;
  return x ^ (x >> 31);
}

using Pairs = std::vector<std::pair<std::string, std::string>>;

SeriesTemplate T(std::string name, Pairs labels, ValueKind kind, double start,
                 double rate = 0, int decimals = 0, int64_t unit = 1) {
  SeriesTemplate t;
  t.name = std::move(name);
  t.labels = std::move(labels);
  t.kind = kind;
  t.start = start;
  t.rate = rate;
  t.decimals = decimals;
  t.unit = unit;
  return t;
}

std::vector<SeriesTemplate> BuildTemplates() {
  using K = ValueKind;
  std::vector<SeriesTemplate> out;
  // node_cpu_seconds_total: 8 cpus x 8 modes, USER_HZ resolution (0.01 s).
  struct Mode {
    const char* mode;
    double start;
    double rate;  // seconds per 15 s scrape
  };
  const Mode modes[] = {{"idle", 1.0e6, 12.0},  {"iowait", 2000, 0.05},
                        {"irq", 0, 0},          {"nice", 50, 0.002},
                        {"softirq", 5000, 0.1}, {"steal", 800, 0.03},
                        {"system", 4e4, 0.6},   {"user", 1.5e5, 2.0}};
  for (int cpu = 0; cpu < 8; ++cpu) {
    for (const Mode& m : modes) {
      out.push_back(T("node_cpu_seconds_total",
                      {{"cpu", absl::StrCat(cpu)}, {"mode", m.mode}},
                      m.rate == 0 ? K::kConstant : K::kCounterFixed, m.start,
                      m.rate, 2));
    }
  }
  // Filesystems: 4 mounts x 7 series.
  const std::pair<const char*, const char*> mounts[] = {
      {"/dev/nvme0n1p1", "/"},
      {"/dev/nvme1n1", "/var/lib/containerd"},
      {"tmpfs", "/run"},
      {"shm", "/dev/shm"}};
  for (const auto& [device, mount] : mounts) {
    const Pairs l = {{"device", device}, {"mountpoint", mount}};
    out.push_back(T("node_filesystem_avail_bytes", l, K::kGaugeInt, 6e10,
                    4096 * 20, 0, 4096));
    out.push_back(T("node_filesystem_free_bytes", l, K::kGaugeInt, 6.4e10,
                    4096 * 20, 0, 4096));
    out.push_back(T("node_filesystem_size_bytes", l, K::kConstant, 1.073e11));
    out.push_back(T("node_filesystem_files", l, K::kConstant, 6553600));
    out.push_back(T("node_filesystem_files_free", l, K::kGaugeInt, 6.4e6, 30));
    out.push_back(T("node_filesystem_readonly", l, K::kConstant, 0));
    out.push_back(T("node_filesystem_device_error", l, K::kConstant, 0));
  }
  // Network: 3 devices x 8 counters (errors and most drops stay 0).
  for (const char* dev : {"eth0", "lo", "cni0"}) {
    const Pairs l = {{"device", dev}};
    out.push_back(
        T("node_network_receive_bytes_total", l, K::kCounterInt, 5e11, 1.5e7));
    out.push_back(
        T("node_network_transmit_bytes_total", l, K::kCounterInt, 4e11, 1.2e7));
    out.push_back(
        T("node_network_receive_packets_total", l, K::kCounterInt, 8e8, 2e4));
    out.push_back(T("node_network_transmit_packets_total", l, K::kCounterInt,
                    7e8, 1.8e4));
    out.push_back(T("node_network_receive_errs_total", l, K::kConstant, 0));
    out.push_back(T("node_network_transmit_errs_total", l, K::kConstant, 0));
    out.push_back(
        T("node_network_receive_drop_total", l, K::kCounterInt, 1200, 0.05));
    out.push_back(T("node_network_transmit_drop_total", l, K::kConstant, 0));
  }
  // Disks: 2 devices x 8 series; times in ms resolution.
  for (const char* dev : {"nvme0n1", "nvme1n1"}) {
    const Pairs l = {{"device", dev}};
    out.push_back(
        T("node_disk_reads_completed_total", l, K::kCounterInt, 2e7, 300));
    out.push_back(
        T("node_disk_writes_completed_total", l, K::kCounterInt, 9e7, 1500));
    out.push_back(
        T("node_disk_read_bytes_total", l, K::kCounterInt, 6e11, 1.2e7));
    out.push_back(
        T("node_disk_written_bytes_total", l, K::kCounterInt, 2e12, 4e7));
    out.push_back(
        T("node_disk_io_time_seconds_total", l, K::kCounterFixed, 2e5, 3.0, 3));
    out.push_back(T("node_disk_read_time_seconds_total", l, K::kCounterFixed,
                    5e4, 0.4, 3));
    out.push_back(T("node_disk_write_time_seconds_total", l, K::kCounterFixed,
                    3e5, 2.5, 3));
    out.push_back(T("node_disk_io_now", l, K::kGaugeInt, 0, 1));
  }
  // Memory: 20 gauges in kB resolution.
  struct Mem {
    const char* name;
    double start;
    double rate;  // 0: constant
  };
  const Mem mems[] = {{"MemTotal", 68719476736.0, 0},
                      {"MemFree", 8e9, 5e7},
                      {"MemAvailable", 3e10, 5e7},
                      {"Buffers", 5e8, 1e5},
                      {"Cached", 2e10, 2e7},
                      {"Active", 2.5e10, 3e7},
                      {"Inactive", 1.2e10, 1e7},
                      {"Dirty", 2e6, 1e6},
                      {"Writeback", 0, 0},
                      {"Slab", 1.5e9, 1e6},
                      {"SReclaimable", 1e9, 5e5},
                      {"Shmem", 3e8, 1e4},
                      {"Mapped", 1.2e9, 2e6},
                      {"PageTables", 1.5e8, 1e5},
                      {"SwapTotal", 0, 0},
                      {"SwapFree", 0, 0},
                      {"HugePages_Total", 0, 0},
                      {"Committed_AS", 4e10, 5e7},
                      {"AnonPages", 1.8e10, 3e7},
                      {"KernelStack", 4e7, 2e4}};
  for (const Mem& m : mems) {
    out.push_back(T(absl::StrCat("node_memory_", m.name, "_bytes"), {},
                    m.rate == 0 ? K::kConstant : K::kGaugeInt, m.start, m.rate,
                    0, 1024));
  }
  // Per-collector scrape metrics: 16 collectors x 2.
  for (const char* c :
       {"arp", "conntrack", "cpu", "diskstats", "filefd", "filesystem",
        "loadavg", "meminfo", "netdev", "netstat", "sockstat", "stat",
        "textfile", "time", "timex", "vmstat"}) {
    const Pairs l = {{"collector", c}};
    out.push_back(T("node_scrape_collector_success", l, K::kConstant, 1));
    out.push_back(
        T("node_scrape_collector_duration_seconds", l, K::kGaugeFloat, 0.002));
  }
  // 30 single series.
  out.push_back(T("node_load1", {}, K::kGaugeFixed, 2.5, 0.3, 2));
  out.push_back(T("node_load5", {}, K::kGaugeFixed, 2.5, 0.1, 2));
  out.push_back(T("node_load15", {}, K::kGaugeFixed, 2.5, 0.05, 2));
  out.push_back(T("node_procs_running", {}, K::kGaugeInt, 3, 2));
  out.push_back(T("node_procs_blocked", {}, K::kGaugeInt, 0, 1));
  out.push_back(
      T("node_context_switches_total", {}, K::kCounterInt, 5e10, 3e5));
  out.push_back(T("node_intr_total", {}, K::kCounterInt, 3e10, 2e5));
  out.push_back(T("node_forks_total", {}, K::kCounterInt, 2e7, 50));
  out.push_back(T("node_boot_time_seconds", {}, K::kConstant, 1.69e9));
  out.push_back(T("node_time_seconds", {}, K::kGaugeClock, 0));
  out.push_back(T("node_entropy_available_bits", {}, K::kConstant, 256));
  out.push_back(T("node_filefd_allocated", {}, K::kGaugeInt, 12000, 20));
  out.push_back(
      T("node_filefd_maximum", {}, K::kConstant, 9223372036854775807.0));
  out.push_back(T("up", {}, K::kConstant, 1));
  out.push_back(T("scrape_duration_seconds", {}, K::kGaugeFloat, 0.03));
  out.push_back(T("scrape_samples_scraped", {}, K::kConstant, 1500));
  out.push_back(
      T("scrape_samples_post_metric_relabeling", {}, K::kConstant, 1500));
  out.push_back(T("scrape_series_added", {}, K::kConstant, 0));
  out.push_back(
      T("node_timex_offset_seconds", {}, K::kGaugeFixed, 1e-4, 2e-5, 6));
  out.push_back(T("node_timex_sync_status", {}, K::kConstant, 1));
  out.push_back(T("node_sockstat_TCP_inuse", {}, K::kGaugeInt, 150, 5));
  out.push_back(T("node_netstat_Tcp_CurrEstab", {}, K::kGaugeInt, 120, 4));
  out.push_back(T("node_netstat_Tcp_ActiveOpens", {}, K::kCounterInt, 3e7, 60));
  out.push_back(
      T("node_netstat_Tcp_PassiveOpens", {}, K::kCounterInt, 1e7, 20));
  out.push_back(
      T("node_netstat_Tcp_RetransSegs", {}, K::kCounterInt, 2e5, 0.5));
  out.push_back(T("node_vmstat_pgfault", {}, K::kCounterInt, 9e10, 2e5));
  out.push_back(T("node_vmstat_pgmajfault", {}, K::kCounterInt, 3e5, 0.3));
  out.push_back(T("node_vmstat_pswpin", {}, K::kConstant, 0));
  out.push_back(T("node_vmstat_pswpout", {}, K::kConstant, 0));
  out.push_back(T("node_vmstat_oom_kill", {}, K::kConstant, 0));
  if (out.size() != static_cast<size_t>(kSeriesPerHost)) {
    fprintf(stderr, "node_series: %zu templates, want %d\n", out.size(),
            kSeriesPerHost);
    abort();
  }
  return out;
}

// Target labels of host `h`, in the order they fill up to 9 labels.
Pairs HostLabels(int64_t h) {
  static const char* const kRegions[] = {
      "us-east-1", "eu-west-1", "ap-southeast-2", "us-west-2", "eu-central-1"};
  const int64_t cluster = h / 40;  // 40 nodes per cluster
  const char* region = kRegions[cluster % 5];
  const char* env = cluster % 3 == 2 ? "staging" : "prod";
  static const char kAlnum[] = "bcdfghjklmnpqrstvwxz2456789";
  std::string pod = "node-exporter-";
  uint64_t r = Mix(static_cast<uint64_t>(h) ^ 0x706f64);
  for (int i = 0; i < 5; ++i) {
    pod.push_back(kAlnum[r % 27]);
    r /= 27;
  }
  return {
      {"instance",
       absl::StrFormat("ip-10-%d-%d-%d.%s.compute.internal", cluster % 256,
                       (h >> 8) & 255, h & 255, region)},
      {"job", "node-exporter"},
      {"cluster", absl::StrFormat("%s-%s-%d", env, region, cluster / 5)},
      {"region", region},
      {"namespace", "monitoring"},
      {"pod", std::move(pod)},
      {"container", "node-exporter"},
      {"endpoint", "https"},
  };
}

}  // namespace

const std::vector<SeriesTemplate>& HostTemplates() {
  static const auto* templates =
      new std::vector<SeriesTemplate>(BuildTemplates());
  return *templates;
}

void NodeSeriesLabels(int64_t index, Pairs* out) {
  const SeriesTemplate& t = HostTemplates()[index % kSeriesPerHost];
  out->clear();
  out->emplace_back("__name__", t.name);
  for (const auto& l : t.labels) out->push_back(l);
  for (auto& l : HostLabels(index / kSeriesPerHost)) {
    if (out->size() == kLabelsPerSeries) break;
    out->push_back(std::move(l));
  }
}

std::string NodeSeriesJson(int64_t index) {
  Pairs labels;
  NodeSeriesLabels(index, &labels);
  std::string out = "{";
  for (const auto& [name, value] : labels) {
    if (out.size() > 1) out += ",";
    absl::StrAppend(&out, "\"", name, "\":\"", value, "\"");
  }
  out += "}";
  return out;
}

ValueGenerator::ValueGenerator(int64_t index)
    : tmpl_(&HostTemplates()[index % kSeriesPerHost]),
      rng_(Mix(static_cast<uint64_t>(index) * 0x2545f4914f6cdd1dull)) {}

uint64_t ValueGenerator::Rand() {
  rng_ += 0x9e3779b97f4a7c15ull;
  return Mix(rng_);
}

double ValueGenerator::Next(int64_t t_ms) {
  const SeriesTemplate& t = *tmpl_;
  const double scale = std::pow(10.0, t.decimals);
  if (!started_) {
    started_ = true;
    // Hosts differ: scale the typical start by 0.5-1.5 (0 and 1 stay).
    const double f = t.start > 1 ? 0.5 + Uniform() : 1.0;
    switch (t.kind) {
      case ValueKind::kConstant:
        value_ = t.start > 1e15 ? t.start : std::round(t.start * f);
        return value_;
      case ValueKind::kCounterInt:
      case ValueKind::kCounterFixed:
      case ValueKind::kGaugeFixed:
        units_ = std::llround(t.start * f * scale);
        break;
      case ValueKind::kGaugeInt:
        units_ = std::llround(t.start * f / static_cast<double>(t.unit));
        break;
      case ValueKind::kGaugeFloat:
      case ValueKind::kGaugeClock:
        break;
    }
    value_ = t.start * f;  // the mean gauges revert to
  } else {
    switch (t.kind) {
      case ValueKind::kConstant:
        return value_;
      case ValueKind::kCounterInt:
      case ValueKind::kCounterFixed:
        units_ += std::llround(t.rate * (0.5 + Uniform()) * scale);
        break;
      case ValueKind::kGaugeInt:
      case ValueKind::kGaugeFixed: {
        // A random walk in steps of up to `rate`, pulled back to the mean.
        const double unit = t.kind == ValueKind::kGaugeInt
                                ? static_cast<double>(t.unit)
                                : 1.0 / scale;
        const double mean = value_ / unit;
        const double step = (Uniform() - 0.5) * 2 * t.rate / unit -
                            0.05 * (static_cast<double>(units_) - mean);
        units_ = std::max<int64_t>(0, units_ + std::llround(step));
        break;
      }
      case ValueKind::kGaugeFloat:
      case ValueKind::kGaugeClock:
        break;
    }
  }
  switch (t.kind) {
    case ValueKind::kCounterInt:
      return static_cast<double>(units_);
    case ValueKind::kCounterFixed:
    case ValueKind::kGaugeFixed:
      return static_cast<double>(units_) / scale;
    case ValueKind::kGaugeInt:
      return static_cast<double>(units_ * t.unit);
    case ValueKind::kGaugeFloat:
      return value_ * (0.5 + Uniform());
    case ValueKind::kGaugeClock:
      return static_cast<double>(t_ms) / 1e3 + 0.0005 + Uniform() * 0.002;
    case ValueKind::kConstant:
      break;
  }
  return value_;
}

ScrapeClock::ScrapeClock(int64_t host, int64_t start_ms, int64_t interval_ms,
                         int jitter_ms)
    : host_(host),
      first_ms_(start_ms + static_cast<int64_t>(
                               Mix(static_cast<uint64_t>(host) ^ 0x6f6666) %
                               static_cast<uint64_t>(interval_ms))),
      interval_ms_(interval_ms),
      jitter_ms_(jitter_ms) {}

int64_t ScrapeClock::At(int64_t k) const {
  int64_t t = first_ms_ + k * interval_ms_;
  if (jitter_ms_ > 0) {
    const uint64_t r = Mix((static_cast<uint64_t>(host_) << 32) ^
                           static_cast<uint64_t>(k) ^ 0x6a6974);
    t += static_cast<int64_t>(r % static_cast<uint64_t>(2 * jitter_ms_ + 1)) -
         jitter_ms_;
  }
  return t;
}

}  // namespace fraisier::bench
