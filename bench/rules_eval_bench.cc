// Rule evaluation in one process, without HTTP or ingest: the CPU of one
// evaluation cycle of a rule file over the node-exporter-like fleet of
// bench/data/node_series, for profiling what bench/run_rules_vs_prometheus
// measures end to end.
//
//   python3 bench/gen_node_rules.py /tmp/rules.yml
//   bazel run --config=opt //bench:rules_eval_bench -- --rules=/tmp/rules.yml
//       [--series=100000] [--scrapes=20] [--cycles=5] [--threads=1]
//
// The head (in a temporary directory) gets `scrapes` scrapes 10 s apart;
// then every group is evaluated at the time of the last scrape + 1 s,
// `cycles` times, 10 s apart (no new data: the windows slide over the same
// samples, and recording rules write back as in the service). With
// --threads=N the groups are shared out to N threads per cycle, as the
// service runs groups concurrently. Reports process CPU and wall time per
// cycle (the first cycle, which creates the recording rules' series, is
// reported apart) and what the rules produced.
#include <time.h>

#include <atomic>
#include <cstdint>
#include <cstdio>
#include <filesystem>
#include <memory>
#include <string>
#include <thread>
#include <vector>

#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/string_view.h"
#include "absl/strings/strip.h"
#include "absl/time/time.h"
#include "bench/data/node_series.h"
#include "engine/base/clock.h"
#include "engine/model/labels.h"
#include "engine/storage/storage.h"
#include "engine/tsdb/head.h"
#include "promql/engine.h"
#include "rules/group.h"
#include "rules/rule_query.h"
#include "rules/rulefile/rule_file.h"

namespace fraisier {
namespace {

constexpr int64_t kStartMs = 1'800'000'000'000;
constexpr int64_t kIntervalMs = 10'000;
constexpr int64_t kBatch = 5'000;

struct Flags {
  std::string rules;
  int64_t series = 100'000;
  int scrapes = 20;
  int cycles = 5;
  int threads = 1;
};

bool ParseFlags(int argc, char** argv, Flags* flags) {
  for (int i = 1; i < argc; ++i) {
    absl::string_view arg = argv[i];
    int64_t n = 0;
    if (absl::ConsumePrefix(&arg, "--rules=")) {
      flags->rules = std::string(arg);
    } else if (absl::ConsumePrefix(&arg, "--series=") &&
               absl::SimpleAtoi(arg, &n) && n > 0) {
      flags->series = n;
    } else if (absl::ConsumePrefix(&arg, "--scrapes=") &&
               absl::SimpleAtoi(arg, &n) && n > 0) {
      flags->scrapes = static_cast<int>(n);
    } else if (absl::ConsumePrefix(&arg, "--cycles=") &&
               absl::SimpleAtoi(arg, &n) && n > 0) {
      flags->cycles = static_cast<int>(n);
    } else if (absl::ConsumePrefix(&arg, "--threads=") &&
               absl::SimpleAtoi(arg, &n) && n > 0) {
      flags->threads = static_cast<int>(n);
    } else {
      fprintf(stderr, "unknown or bad flag: %s\n", argv[i]);
      return false;
    }
  }
  if (flags->rules.empty()) {
    fprintf(stderr, "--rules=FILE is required\n");
    return false;
  }
  return true;
}

double CpuSeconds() {
  timespec ts;
  clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ts);
  return static_cast<double>(ts.tv_sec) + ts.tv_nsec * 1e-9;
}

// Appends `scrapes` scrapes of series [0, n), host by host, with label sets
// built once and series references reused after the first scrape.
void Fill(tsdb::Head& head, int64_t n, int scrapes) {
  std::vector<Labels> labels;
  std::vector<bench::ValueGenerator> values;
  std::vector<storage::SeriesRef> refs(n, 0);
  labels.reserve(n);
  values.reserve(n);
  std::vector<std::pair<std::string, std::string>> pairs;
  for (int64_t i = 0; i < n; ++i) {
    bench::NodeSeriesLabels(i, &pairs);
    labels.push_back(Labels::FromPairs(pairs));
    values.emplace_back(i);
  }
  for (int k = 0; k < scrapes; ++k) {
    const int64_t t = kStartMs + k * kIntervalMs;
    std::unique_ptr<storage::Appender> app = head.NewAppender();
    int64_t in_batch = 0;
    for (int64_t i = 0; i < n; ++i) {
      absl::StatusOr<storage::SeriesRef> ref =
          app->Append(refs[i], labels[i], t, values[i].Next(t));
      if (!ref.ok()) {
        fprintf(stderr, "append: %s\n", ref.status().ToString().c_str());
        exit(1);
      }
      refs[i] = *ref;
      if (++in_batch == kBatch) {
        if (absl::Status s = app->Commit(); !s.ok()) {
          fprintf(stderr, "commit: %s\n", s.ToString().c_str());
          exit(1);
        }
        app = head.NewAppender();
        in_batch = 0;
      }
    }
    if (absl::Status s = app->Commit(); !s.ok()) {
      fprintf(stderr, "commit: %s\n", s.ToString().c_str());
      exit(1);
    }
  }
}

// Evaluates every group once at `ts`, the groups shared out round-robin
// to `threads` threads.
void Cycle(std::vector<std::unique_ptr<rules::Group>>& groups, absl::Time ts,
           const rules::GroupContext& ctx, int threads) {
  if (threads <= 1) {
    for (auto& g : groups) g->Eval(ts, ctx);
    return;
  }
  std::vector<std::thread> workers;
  for (int w = 0; w < threads; ++w) {
    workers.emplace_back([&, w] {
      for (size_t i = w; i < groups.size(); i += threads) {
        groups[i]->Eval(ts, ctx);
      }
    });
  }
  for (auto& t : workers) t.join();
}

int Main(int argc, char** argv) {
  Flags flags;
  if (!ParseFlags(argc, argv, &flags)) return 2;

  absl::StatusOr<rules::RuleFileSpec> file = rules::LoadRuleFile(flags.rules);
  if (!file.ok()) {
    fprintf(stderr, "%s\n", file.status().ToString().c_str());
    return 1;
  }
  std::vector<std::unique_ptr<rules::Group>> groups;
  int num_rules = 0;
  for (const auto& spec : file->groups) {
    groups.push_back(
        std::make_unique<rules::Group>(spec, flags.rules, absl::Seconds(10)));
    num_rules += static_cast<int>(spec.rules.size());
  }

  const std::string dir = (std::filesystem::temp_directory_path() /
                           absl::StrCat("rules_eval_bench.", getpid()))
                              .string();
  const int64_t last_ms = kStartMs + (flags.scrapes - 1) * kIntervalMs;
  FakeClock clock(absl::FromUnixMillis(last_ms));
  tsdb::HeadOptions options;
  options.dir = dir;
  options.clock = &clock;
  options.fsync_policy = tsdb::FsyncPolicy::kInterval;
  absl::StatusOr<std::unique_ptr<tsdb::Head>> head = tsdb::Head::Open(options);
  if (!head.ok()) {
    fprintf(stderr, "open: %s\n", head.status().ToString().c_str());
    return 1;
  }
  const double fill_start = CpuSeconds();
  Fill(**head, flags.series, flags.scrapes);
  printf("filled %lld series x %d scrapes in %.1f CPU-s\n",
         static_cast<long long>(flags.series), flags.scrapes,
         CpuSeconds() - fill_start);

  promql::Engine engine{promql::EngineOptions{}};
  rules::GroupContext ctx;
  ctx.store = head->get();
  ctx.query = rules::EngineQueryFunc(engine, **head);
  int64_t firing = 0;
  ctx.notify = [&firing](const rules::AlertingRule&,
                         std::vector<rules::Alert> alerts) {
    firing += static_cast<int64_t>(alerts.size());
  };

  absl::Time ts = absl::FromUnixMillis(last_ms + 1000);
  double total_cpu = 0, total_wall = 0;
  for (int c = 0; c <= flags.cycles; ++c) {
    clock.Set(ts);
    const double cpu0 = CpuSeconds();
    const absl::Time wall0 = absl::Now();
    Cycle(groups, ts, ctx, flags.threads);
    const double cpu = CpuSeconds() - cpu0;
    const double wall = absl::ToDoubleSeconds(absl::Now() - wall0);
    printf("cycle %d: %.1f ms CPU, %.1f ms wall%s\n", c, cpu * 1e3, wall * 1e3,
           c == 0 ? " (creates the recorded series)" : "");
    if (c > 0) {
      total_cpu += cpu;
      total_wall += wall;
    }
    ts += absl::Seconds(10);
  }
  int64_t failures = 0;
  for (const auto& g : groups) failures += g->failures();
  printf(
      "%d rules in %zu groups over %lld series, %d threads: %.1f ms CPU per "
      "cycle (%.3f ms per rule), %.1f ms wall; %lld failed evaluations\n",
      num_rules, groups.size(), static_cast<long long>(flags.series),
      flags.threads, total_cpu * 1e3 / flags.cycles,
      total_cpu * 1e3 / flags.cycles / num_rules,
      total_wall * 1e3 / flags.cycles, static_cast<long long>(failures));
  head->reset();
  std::error_code ec;
  std::filesystem::remove_all(dir, ec);
  return 0;
}

}  // namespace
}  // namespace fraisier

int main(int argc, char** argv) { return fraisier::Main(argc, argv); }
