#include "engine/server/self_metrics.h"

#include <dirent.h>
#include <unistd.h>

#include <fstream>
#include <sstream>

#include "absl/strings/match.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "prometheus/counter.h"
#include "prometheus/family.h"
#include "prometheus/histogram.h"
#include "prometheus/metric_family.h"
#include "prometheus/registry.h"
#include "prometheus/text_serializer.h"

namespace fraisier::server {

void CallbackCollector::AddGauge(std::string name, std::string help,
                                 ValueFn fn) {
  Entry e;
  e.name = std::move(name);
  e.help = std::move(help);
  e.type = Type::kGauge;
  e.value = std::move(fn);
  Add(std::move(e));
}

void CallbackCollector::AddCounter(std::string name, std::string help,
                                   ValueFn fn) {
  Entry e;
  e.name = std::move(name);
  e.help = std::move(help);
  e.type = Type::kCounter;
  e.value = std::move(fn);
  Add(std::move(e));
}

void CallbackCollector::AddSummary(
    std::string name, std::string help,
    std::function<std::pair<uint64_t, double>()> fn) {
  Entry e;
  e.name = std::move(name);
  e.help = std::move(help);
  e.type = Type::kSummary;
  e.summary = std::move(fn);
  Add(std::move(e));
}

void CallbackCollector::AddGaugeFamily(std::string name, std::string help,
                                       std::string label_name, LabelledFn fn) {
  Entry e;
  e.name = std::move(name);
  e.help = std::move(help);
  e.type = Type::kGauge;
  e.label_name = std::move(label_name);
  e.labelled = std::move(fn);
  Add(std::move(e));
}

void CallbackCollector::AddCounterFamily(std::string name, std::string help,
                                         std::string label_name,
                                         LabelledFn fn) {
  Entry e;
  e.name = std::move(name);
  e.help = std::move(help);
  e.type = Type::kCounter;
  e.label_name = std::move(label_name);
  e.labelled = std::move(fn);
  Add(std::move(e));
}

void CallbackCollector::Add(Entry entry) {
  std::lock_guard<std::mutex> lock(mu_);
  entries_.push_back(std::move(entry));
}

void CallbackCollector::ForEach(
    const std::function<void(const Entry&)>& fn) const {
  std::lock_guard<std::mutex> lock(mu_);
  for (const Entry& e : entries_) fn(e);
}

namespace {

prometheus::ClientMetric MakeMetric(CallbackCollector::Type type, double v) {
  prometheus::ClientMetric m;
  if (type == CallbackCollector::Type::kCounter) {
    m.counter.value = v;
  } else {
    m.gauge.value = v;
  }
  return m;
}

prometheus::MetricType FamilyType(CallbackCollector::Type type) {
  switch (type) {
    case CallbackCollector::Type::kCounter:
      return prometheus::MetricType::Counter;
    case CallbackCollector::Type::kSummary:
      return prometheus::MetricType::Summary;
    case CallbackCollector::Type::kGauge:
      break;
  }
  return prometheus::MetricType::Gauge;
}

std::vector<prometheus::MetricFamily> Collect(
    const CallbackCollector& callbacks) {
  std::vector<prometheus::MetricFamily> families;
  callbacks.ForEach([&families](const CallbackCollector::Entry& e) {
    prometheus::MetricFamily family;
    family.name = e.name;
    family.help = e.help;
    family.type = FamilyType(e.type);
    if (e.summary) {
      prometheus::ClientMetric m;
      auto [count, sum] = e.summary();
      m.summary.sample_count = count;
      m.summary.sample_sum = sum;
      family.metric.push_back(std::move(m));
    } else if (e.label_name.empty()) {
      family.metric.push_back(MakeMetric(e.type, e.value()));
    } else {
      for (auto& [label_value, v] : e.labelled()) {
        prometheus::ClientMetric m = MakeMetric(e.type, v);
        m.label.push_back({e.label_name, label_value});
        family.metric.push_back(std::move(m));
      }
    }
    families.push_back(std::move(family));
  });
  return families;
}

}  // namespace

ProcessStats ReadProcessStats() {
  ProcessStats stats;
  const double ticks = static_cast<double>(sysconf(_SC_CLK_TCK));
  const double page = static_cast<double>(sysconf(_SC_PAGESIZE));
  std::ifstream stat_file("/proc/self/stat");
  std::string stat((std::istreambuf_iterator<char>(stat_file)),
                   std::istreambuf_iterator<char>());
  // Fields after the parenthesised command name, which may contain spaces.
  if (size_t close = stat.rfind(')'); close != std::string::npos) {
    std::vector<absl::string_view> f =
        absl::StrSplit(absl::string_view(stat).substr(close + 2), ' ');
    // f[0] is field 3 (state); utime=14, stime=15, num_threads=20,
    // starttime=22, vsize=23, rss=24 (1-based field numbers of proc(5)).
    auto field = [&f](int number) -> double {
      double v = 0;
      size_t i = static_cast<size_t>(number - 3);
      if (i < f.size()) (void)absl::SimpleAtod(f[i], &v);
      return v;
    };
    stats.cpu_seconds = (field(14) + field(15)) / ticks;
    stats.threads = field(20);
    stats.virtual_memory_bytes = field(23);
    stats.resident_memory_bytes = field(24) * page;
    double boot_time = 0;
    std::ifstream boot("/proc/stat");
    for (std::string line; std::getline(boot, line);) {
      if (absl::StartsWith(line, "btime ")) {
        (void)absl::SimpleAtod(absl::string_view(line).substr(6), &boot_time);
      }
    }
    stats.start_time_seconds = boot_time + field(22) / ticks;
  }
  int fds = 0;
  if (DIR* dir = opendir("/proc/self/fd"); dir != nullptr) {
    while (const dirent* entry = readdir(dir)) {
      if (entry->d_name[0] != '.') ++fds;
    }
    closedir(dir);
    --fds;  // the descriptor opendir itself holds
  }
  stats.open_fds = fds;
  std::ifstream limits("/proc/self/limits");
  for (std::string line; std::getline(limits, line);) {
    if (!absl::StartsWith(line, "Max open files")) continue;
    std::vector<absl::string_view> parts =
        absl::StrSplit(line, ' ', absl::SkipEmpty());
    if (parts.size() > 3) (void)absl::SimpleAtod(parts[3], &stats.max_fds);
  }
  return stats;
}

struct SelfMetrics::Registry {
  prometheus::Registry registry;
  prometheus::Family<prometheus::Histogram>* http_duration = nullptr;
  prometheus::Family<prometheus::Counter>* http_requests = nullptr;
  prometheus::Family<prometheus::Histogram>* query_duration = nullptr;

  static prometheus::Histogram& HistogramFor(
      prometheus::Family<prometheus::Histogram>& family,
      const prometheus::Labels& labels) {
    static const prometheus::Histogram::BucketBoundaries kBuckets = {
        0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1,
        0.25,   0.5,   1,      2.5,   5,    10,    30,   60};
    return family.Add(labels, kBuckets);
  }
};

SelfMetrics::SelfMetrics()
    : registry_(std::make_unique<Registry>()),
      callbacks_(std::make_unique<CallbackCollector>()) {
  registry_->http_duration = &prometheus::BuildHistogram()
                                  .Name("ruler_http_request_duration_seconds")
                                  .Help("Latency of HTTP requests by handler.")
                                  .Register(registry_->registry);
  registry_->http_requests =
      &prometheus::BuildCounter()
           .Name("ruler_http_requests_total")
           .Help("HTTP requests by handler and status code.")
           .Register(registry_->registry);
  registry_->query_duration = &prometheus::BuildHistogram()
                                   .Name("ruler_query_duration_seconds")
                                   .Help("PromQL query latency by kind.")
                                   .Register(registry_->registry);
}

SelfMetrics::~SelfMetrics() = default;

void SelfMetrics::ObserveHttpRequest(absl::string_view handler, int code,
                                     double seconds) {
  std::string h(handler);
  Registry::HistogramFor(*registry_->http_duration, {{"handler", h}})
      .Observe(seconds);
  registry_->http_requests->Add({{"handler", h}, {"code", absl::StrCat(code)}})
      .Increment();
}

void SelfMetrics::ObserveQuery(absl::string_view kind, double seconds) {
  Registry::HistogramFor(*registry_->query_duration,
                         {{"kind", std::string(kind)}})
      .Observe(seconds);
}

std::string SelfMetrics::Render() const {
  prometheus::TextSerializer serializer;
  std::vector<prometheus::MetricFamily> families =
      registry_->registry.Collect();
  std::vector<prometheus::MetricFamily> more = Collect(*callbacks_);
  families.insert(families.end(), std::make_move_iterator(more.begin()),
                  std::make_move_iterator(more.end()));
  return serializer.Serialize(families);
}

}  // namespace fraisier::server
