// Parse and format cost of realistic rule expressions: the Fraisier alert
// and dashboard expressions from the seed guide plus typical Prometheus
// alerting and recording rules.
//
//   bazel run --config=opt //bench:promql_parse_bench
//
// Counters: `expr_time` is the time per expression (the iteration time
// divided by the number of expressions), `allocs_per_expr` the number of
// heap allocations (global operator new calls) per expression.
#include <atomic>
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <new>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "benchmark/benchmark.h"
#include "promql/ast.h"
#include "promql/parser.h"
#include "promql/printer.h"

// Counts every allocation made through the global operator new.
namespace {

std::atomic<int64_t> g_allocations{0};

void* CountedAlloc(std::size_t size) {
  g_allocations.fetch_add(1, std::memory_order_relaxed);
  void* p = std::malloc(size == 0 ? 1 : size);
  if (p == nullptr) std::abort();  // the project does not use exceptions
  return p;
}

void* CountedAlignedAlloc(std::size_t size, std::align_val_t align) {
  g_allocations.fetch_add(1, std::memory_order_relaxed);
  const std::size_t a = static_cast<std::size_t>(align);
  void* p = std::aligned_alloc(a, (size + a - 1) / a * a);
  if (p == nullptr) std::abort();
  return p;
}

}  // namespace

void* operator new(std::size_t size) { return CountedAlloc(size); }
void* operator new[](std::size_t size) { return CountedAlloc(size); }
void* operator new(std::size_t size, const std::nothrow_t&) noexcept {
  return CountedAlloc(size);
}
void* operator new[](std::size_t size, const std::nothrow_t&) noexcept {
  return CountedAlloc(size);
}
void* operator new(std::size_t size, std::align_val_t align) {
  return CountedAlignedAlloc(size, align);
}
void* operator new[](std::size_t size, std::align_val_t align) {
  return CountedAlignedAlloc(size, align);
}
void* operator new(std::size_t size, std::align_val_t align,
                   const std::nothrow_t&) noexcept {
  return CountedAlignedAlloc(size, align);
}
void* operator new[](std::size_t size, std::align_val_t align,
                     const std::nothrow_t&) noexcept {
  return CountedAlignedAlloc(size, align);
}
void operator delete(void* p) noexcept { std::free(p); }
void operator delete[](void* p) noexcept { std::free(p); }
void operator delete(void* p, std::size_t) noexcept { std::free(p); }
void operator delete[](void* p, std::size_t) noexcept { std::free(p); }
void operator delete(void* p, const std::nothrow_t&) noexcept { std::free(p); }
void operator delete[](void* p, const std::nothrow_t&) noexcept {
  std::free(p);
}
void operator delete(void* p, std::align_val_t) noexcept { std::free(p); }
void operator delete[](void* p, std::align_val_t) noexcept { std::free(p); }
void operator delete(void* p, std::size_t, std::align_val_t) noexcept {
  std::free(p);
}
void operator delete[](void* p, std::size_t, std::align_val_t) noexcept {
  std::free(p);
}
void operator delete(void* p, std::align_val_t,
                     const std::nothrow_t&) noexcept {
  std::free(p);
}
void operator delete[](void* p, std::align_val_t,
                       const std::nothrow_t&) noexcept {
  std::free(p);
}

namespace fraisier::promql {
namespace {

// The seed guide's alerting rules and dashboard/query expressions.
const std::vector<std::string>& FraisierExpressions() {
  static const auto* const exprs = new std::vector<std::string>{
      "(\n  increase(fraisier_deployment_failures_total[1h]) /\n"
      "  increase(fraisier_deployments_total[1h])\n"
      ") > 0.1  # More than 10% failures\n",
      "increase(fraisier_health_checks_failed[1h]) > 5",
      "nats_server_state == 0",
      "fraisier_database_connections >= 95",
      "rate(fraisier_deployments_total[5m])",
      "(fraisier_deployments_total{status=\"success\"} / "
      "fraisier_deployments_total) * 100",
      "avg(fraisier_deployment_duration_seconds)",
      "histogram_quantile(0.95, fraisier_deployment_duration_seconds)",
      "increase(fraisier_deployment_failures_total[1h])",
      "(fraisier_health_checks_passed / (fraisier_health_checks_passed + "
      "fraisier_health_checks_failed)) * 100",
      "increase(fraisier_deployments_total[1d])",
      "increase(fraisier_health_checks_passed[1h])",
      "rate(nats_jetstream_messages[1m])",
      "pg_stat_database_blks_hit / (pg_stat_database_blks_hit + "
      "pg_stat_database_blks_read)",
      // The checklist's API latency and error-rate alerts.
      "histogram_quantile(0.95, sum by (le) "
      "(rate(fraisier_request_duration_seconds_bucket[5m]))) > 1",
      "sum(rate(fraisier_errors_total[5m])) / "
      "sum(rate(fraisier_requests_total[5m])) > 0.01",
  };
  return *exprs;
}

// Typical Prometheus alerting and recording rule expressions
// (node-exporter, kube-prometheus and SLO style).
const std::vector<std::string>& TypicalExpressions() {
  static const auto* const exprs = new std::vector<std::string>{
      "up{job=\"node\"} == 0",
      "absent(up{job=\"fraisier\"} == 1)",
      "sum by (job) (rate(http_requests_total{code=~\"5..\"}[5m])) / sum by "
      "(job) (rate(http_requests_total[5m])) > 0.05",
      "histogram_quantile(0.99, sum by (le, verb) "
      "(rate(apiserver_request_duration_seconds_bucket{verb!~\"LIST|WATCH\"}"
      "[5m]))) > 1",
      "predict_linear(node_filesystem_avail_bytes{fstype!~\"tmpfs|overlay\"}"
      "[6h], 4 * 3600) < 0",
      "(node_filesystem_avail_bytes{mountpoint=\"/\"} / "
      "node_filesystem_size_bytes{mountpoint=\"/\"} * 100 < 10) and on "
      "(instance, device, mountpoint) node_filesystem_readonly == 0",
      "1 - avg without (cpu, mode) "
      "(rate(node_cpu_seconds_total{mode=\"idle\"}[5m]))",
      "(node_memory_MemTotal_bytes - node_memory_MemAvailable_bytes) / "
      "node_memory_MemTotal_bytes * 100 > 90",
      "increase(kube_pod_container_status_restarts_total[15m]) > 3",
      "topk(10, sum by (pod) "
      "(rate(container_cpu_usage_seconds_total{container!=\"\"}[5m])))",
      "max_over_time(rate(http_requests_total[5m])[1h:1m]) > 2 * "
      "avg_over_time(rate(http_requests_total[5m])[1d:5m])",
      "rate(http_requests_total[5m]) / rate(http_requests_total[5m] offset "
      "1w) > 1.5",
      "sum(rate(http_requests_total[5m] @ end())) by (job)",
      "kube_pod_info * on (pod, namespace) group_left (node) "
      "kube_node_info",
      "rate(fraisier_deployments_total[5m]) * on (instance) group_left "
      "(version) fraisier_build_info",
      "label_replace(up, \"host\", \"$1\", \"instance\", \"(.*):\\\\d+\")",
      "count by (version) (count_values without (instance) (\"version\", "
      "build_info))",
      "time() - process_start_time_seconds < 300",
      "changes(process_start_time_seconds[1h]) > 2",
      "abs(delta(node_hwmon_temp_celsius[10m])) > 5",
      "quantile_over_time(0.9, probe_duration_seconds{job=\"blackbox\"}"
      "[10m]) > 0.5",
      "probe_success{job=\"blackbox\"} == 0 or "
      "absent_over_time(probe_success{job=\"blackbox\"}[5m])",
      "sum without (instance) (rate(grpc_server_handled_total{grpc_code!="
      "\"OK\"}[5m])) / ignoring (grpc_code) group_left sum without "
      "(instance, grpc_code) (rate(grpc_server_handled_total[5m]))",
      "(1 - sum(rate(slo_errors_total[1h])) / sum(rate(slo_requests_total"
      "[1h]))) < bool 0.999",
      "clamp_min(nats_varz_mem / nats_varz_mem offset 1h, 0) > 1.2",
  };
  return *exprs;
}

std::vector<std::string> AllExpressions() {
  std::vector<std::string> all = FraisierExpressions();
  const std::vector<std::string>& typical = TypicalExpressions();
  all.insert(all.end(), typical.begin(), typical.end());
  return all;
}

void SetCounters(benchmark::State& state, size_t exprs_per_iteration,
                 int64_t allocations) {
  const double exprs =
      static_cast<double>(state.iterations()) * exprs_per_iteration;
  state.SetItemsProcessed(static_cast<int64_t>(exprs));
  state.counters["expr_time"] = benchmark::Counter(
      exprs, benchmark::Counter::kIsRate | benchmark::Counter::kInvert);
  state.counters["allocs_per_expr"] = allocations / exprs;
}

void ParseAll(benchmark::State& state, const std::vector<std::string>& exprs) {
  const ParseOptions options;
  for (const std::string& e : exprs) {  // all must parse
    absl::StatusOr<ExprPtr> r = ParseExpr(e, options);
    if (!r.ok()) {
      state.SkipWithError(std::string(r.status().message()).c_str());
      return;
    }
  }
  const int64_t before = g_allocations.load(std::memory_order_relaxed);
  for (auto _ : state) {
    for (const std::string& e : exprs) {
      absl::StatusOr<ExprPtr> r = ParseExpr(e, options);
      benchmark::DoNotOptimize(r);
    }
  }
  SetCounters(state, exprs.size(),
              g_allocations.load(std::memory_order_relaxed) - before);
}

void BM_Parse(benchmark::State& state) { ParseAll(state, AllExpressions()); }
BENCHMARK(BM_Parse);

void BM_ParseFraisierRules(benchmark::State& state) {
  ParseAll(state, FraisierExpressions());
}
BENCHMARK(BM_ParseFraisierRules);

void BM_Format(benchmark::State& state) {
  std::vector<ExprPtr> trees;
  for (const std::string& e : AllExpressions()) {
    absl::StatusOr<ExprPtr> r = ParseExpr(e);
    if (!r.ok()) {
      state.SkipWithError(std::string(r.status().message()).c_str());
      return;
    }
    trees.push_back(*std::move(r));
  }
  const int64_t before = g_allocations.load(std::memory_order_relaxed);
  for (auto _ : state) {
    for (const ExprPtr& tree : trees) {
      std::string text = Format(*tree);
      benchmark::DoNotOptimize(text);
    }
  }
  SetCounters(state, trees.size(),
              g_allocations.load(std::memory_order_relaxed) - before);
}
BENCHMARK(BM_Format);

}  // namespace
}  // namespace fraisier::promql
