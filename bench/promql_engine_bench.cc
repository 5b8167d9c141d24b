// Our PromQL engine on the workload of Prometheus's promql/bench_test.go
// (bench/promql_workload.h), and the helpers bench/promql_vs_prometheus
// needs to run the same workload on Prometheus 2.42.
//
//   promql_engine_bench [--match=SUBSTR] [--steps=1,1000,10000]
//                       [--storage=head|memory] [--head_dir=DIR]
//                       [--out=FILE] [--runs=N]
//       Loads the data into the embedded head (or MemoryStorage), then
//       times Engine::RangeQuery for every case (query x step count): the
//       median of several runs (fewer for slow cases: 1 run from 2 s, 3
//       from 0.5 s, else 5 to 21 depending on speed; --runs=N forces N, for
//       profiling). Prints a table and
//       writes tab-separated rows to --out:
//         id steps median_ms runs series points nan inf label_hash
//         value_sum weighted_sum expr
//   promql_engine_bench --list [--steps=...]
//       The cases: id steps start_ms end_ms expr prometheus_expr.
//   promql_engine_bench --write_openmetrics=DIR
//       The data as OpenMetrics, one file per 2 h block (promtool 2.42
//       re-parses its whole input once per block, so one big file would
//       cost a pass per block).
//   promql_engine_bench --prometheus_json=FILE --start_ms=N --step_ms=N
//       Reads a /api/v1/query_range response (stats=all) and prints
//         evalTotalTime_s innerEvalTime_s execTotalTime_s series points nan
//         inf label_hash value_sum weighted_sum
//       with the checksum computed exactly as for our results.
#include <fcntl.h>
#include <malloc.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <charconv>
#include <cmath>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "absl/container/flat_hash_map.h"
#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/match.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/strings/str_split.h"
#include "absl/strings/string_view.h"
#include "absl/time/clock.h"
#include "absl/time/time.h"
#include "bench/promql_workload.h"
#include "engine/base/clock.h"
#include "engine/model/labels.h"
#include "engine/storage/memory_storage.h"
#include "engine/storage/storage.h"
#include "engine/tsdb/head.h"
#include "promql/ast.h"
#include "promql/engine.h"
#include "promql/parser.h"
#include "promql/value.h"

namespace fraisier::bench {
namespace {

[[noreturn]] void Die(absl::string_view what, const absl::Status& status) {
  fprintf(stderr, "%.*s: %s\n", static_cast<int>(what.size()), what.data(),
          status.ToString().c_str());
  exit(1);
}

struct Case {
  int id = 0;
  int steps = 0;
  BenchQuery query;
};

std::vector<Case> Cases(const std::vector<int>& steps,
                        absl::string_view match) {
  std::vector<Case> out;
  int id = 0;
  for (const BenchQuery& q : RangeQueryCases()) {
    for (int s : steps) {
      ++id;
      if (!match.empty() && !absl::StrContains(q.prometheus_expr, match)) {
        continue;
      }
      out.push_back(Case{id, s, q});
    }
  }
  return out;
}

// ---- Loading -------------------------------------------------------------

// Appends the workload as bench_test.go does: one commit per interval with
// every series' sample, reusing series refs.
void Load(const PromqlWorkload& w, storage::Appendable& store) {
  std::vector<storage::SeriesRef> refs(w.series().size(), 0);
  for (int s = 0; s < PromqlWorkload::kNumIntervals; ++s) {
    std::unique_ptr<storage::Appender> app = store.NewAppender();
    const Timestamp t = w.TimeAt(s);
    for (size_t i = 0; i < w.series().size(); ++i) {
      absl::StatusOr<storage::SeriesRef> ref =
          app->Append(refs[i], w.series()[i], t, w.ValueAt(i, s));
      if (!ref.ok()) Die("append", ref.status());
      refs[i] = *ref;
    }
    absl::Status st = app->Commit();
    if (!st.ok()) Die("commit", st);
  }
}

// ---- Timing our engine ---------------------------------------------------

ResultChecksum Checksum(const promql::Matrix& m, Timestamp start,
                        int64_t step_ms) {
  ChecksumBuilder b(start, step_ms);
  for (const promql::RangeSeries& s : m) {
    b.AddSeries(s.metric);
    for (const promql::FPoint& p : s.floats) b.AddPoint(p.t, p.f);
  }
  return b.Finish();
}

double Median(std::vector<double> v) {
  std::sort(v.begin(), v.end());
  const size_t n = v.size();
  return n % 2 == 1 ? v[n / 2] : (v[n / 2 - 1] + v[n / 2]) / 2;
}

// Total runs for a case whose first run took `first_ms`.
int RunsFor(double first_ms) {
  if (first_ms >= 2000) return 1;
  if (first_ms >= 500) return 3;
  return std::clamp(static_cast<int>(300 / std::max(first_ms, 0.001)), 5, 21);
}

int RunBench(const std::vector<Case>& cases, absl::string_view storage_kind,
             const std::string& head_dir, const std::string& out_path,
             int forced_runs) {
  const PromqlWorkload w;
  FakeClock clock(absl::FromUnixMillis(w.QueryEnd()));
  std::unique_ptr<storage::Storage> store;
  std::string dir;
  if (storage_kind == "memory") {
    store = std::make_unique<storage::MemoryStorage>(
        storage::MemoryStorageOptions{.allow_out_of_order = false});
  } else {
    dir = head_dir;
    if (dir.empty()) {
      char tmpl[] = "/tmp/promql_engine_bench.XXXXXX";
      if (mkdtemp(tmpl) == nullptr) {
        Die("mkdtemp", absl::InternalError("cannot create a directory"));
      }
      dir = tmpl;
    }
    tsdb::HeadOptions options;
    options.dir = dir;
    options.clock = &clock;
    options.fsync_policy = tsdb::FsyncPolicy::kInterval;
    options.retention = absl::Hours(24 * 30);
    absl::StatusOr<std::unique_ptr<tsdb::Head>> head =
        tsdb::Head::Open(options);
    if (!head.ok()) Die("open head", head.status());
    store = std::move(*head);
  }
  const absl::Time load_start = absl::Now();
  Load(w, *store);
  const absl::Duration load_time = absl::Now() - load_start;
  const int64_t samples =
      static_cast<int64_t>(w.series().size()) * PromqlWorkload::kNumIntervals;
  printf("# storage=%.*s series=%zu samples=%lld load=%.2fs (%.1f M/s)\n",
         static_cast<int>(storage_kind.size()), storage_kind.data(),
         w.series().size(), static_cast<long long>(samples),
         absl::ToDoubleSeconds(load_time),
         static_cast<double>(samples) / absl::ToDoubleSeconds(load_time) / 1e6);
  fflush(stdout);

  promql::EngineOptions eopts;
  eopts.clock = RealClock::Get();
  eopts.timeout = absl::Minutes(10);
  const promql::Engine engine(eopts);
  promql::ParseOptions popts;
  popts.enable_experimental_functions = true;  // double_exponential_smoothing

  std::unique_ptr<FILE, int (*)(FILE*)> out(nullptr, fclose);
  if (!out_path.empty()) {
    out.reset(fopen(out_path.c_str(), "w"));
    if (out == nullptr) Die("open", absl::InternalError(out_path));
  }
  printf("%4s %6s %10s %4s %9s %10s  %s\n", "id", "steps", "median_ms", "runs",
         "series", "points", "expr");
  for (const Case& c : cases) {
    absl::StatusOr<promql::ExprPtr> expr =
        promql::ParseExpr(c.query.expr, popts);
    if (!expr.ok()) Die(c.query.expr, expr.status());
    const auto [start, end] = QueryRange(w, c.steps);
    std::vector<double> times;
    ResultChecksum sum;
    int runs = 1;
    for (int r = 0; r < runs; ++r) {
      const absl::Time t0 = absl::Now();
      absl::StatusOr<promql::QueryResult> res = engine.RangeQuery(
          *store, **expr, start, end, PromqlWorkload::kIntervalMs);
      const absl::Time t1 = absl::Now();
      if (!res.ok()) Die(c.query.expr, res.status());
      times.push_back(absl::ToDoubleMilliseconds(t1 - t0));
      if (r == 0) {
        sum = Checksum(std::get<promql::Matrix>(res->value), start,
                       PromqlWorkload::kIntervalMs);
        runs = forced_runs > 0 ? forced_runs : RunsFor(times[0]);
      }
    }
    // Hands freed memory back now rather than inside the next case's timing
    // (after a case that freed millions of objects, glibc otherwise
    // consolidates them during the next large allocation: seconds).
    malloc_trim(0);
    const double median = Median(times);
    printf("%4d %6d %10.3f %4d %9lld %10lld  %s\n", c.id, c.steps, median, runs,
           static_cast<long long>(sum.series),
           static_cast<long long>(sum.points), c.query.expr.c_str());
    fflush(stdout);
    if (out != nullptr) {
      absl::FPrintF(out.get(), "%d\t%d\t%.4f\t%d\t%s\t%s\n", c.id, c.steps,
                    median, runs, FormatChecksum(sum), c.query.expr);
      fflush(out.get());
    }
  }
  store.reset();
  if (head_dir.empty() && !dir.empty()) {
    std::error_code ec;
    std::filesystem::remove_all(dir, ec);
  }
  return 0;
}

// ---- OpenMetrics ---------------------------------------------------------

int WriteBlocks(const std::string& dir) {
  const PromqlWorkload w;
  std::filesystem::create_directories(dir);
  constexpr int64_t kBlockMs = int64_t{2} * 3600 * 1000;
  const Timestamp last = w.TimeAt(PromqlWorkload::kNumIntervals - 1);
  int files = 0;
  for (Timestamp mint = PromqlWorkload::kBaseMs; mint <= last;
       mint += kBlockMs) {
    const std::string path = absl::StrCat(dir, "/", mint, ".om");
    absl::Status st = WriteOpenMetrics(w, mint, mint + kBlockMs, path);
    if (!st.ok()) Die("write", st);
    ++files;
  }
  printf("wrote %d files to %s\n", files, dir.c_str());
  return 0;
}

// ---- Prometheus's JSON ---------------------------------------------------

// A minimal reader for the query_range response: {"status", "data":
// {"resultType", "result": [{"metric": {...}, "values": [[t, "v"], ...]}],
// "stats": {"timings": {...}, ...}}}. Other members are skipped.
class ResponseReader {
 public:
  ResponseReader(absl::string_view text, ChecksumBuilder* sum)
      : p_(text.data()), end_(text.data() + text.size()), sum_(sum) {}

  absl::Status Read() {
    if (!Object([this](absl::string_view key) {
          if (key == "data") return Data();
          if (key == "status") {
            std::string s;
            if (!String(&s)) return false;
            status_ = s;
            return true;
          }
          return Skip();
        })) {
      return absl::InvalidArgumentError(
          absl::StrCat("bad JSON near offset ", size_ - (end_ - p_)));
    }
    if (status_ != "success") {
      return absl::FailedPreconditionError(
          absl::StrCat("query status ", status_));
    }
    return absl::OkStatus();
  }

  const absl::flat_hash_map<std::string, double>& timings() const {
    return timings_;
  }

 private:
  void Ws() {
    while (p_ < end_ &&
           (*p_ == ' ' || *p_ == '\n' || *p_ == '\t' || *p_ == '\r')) {
      ++p_;
    }
  }
  bool Eat(char c) {
    Ws();
    if (p_ < end_ && *p_ == c) {
      ++p_;
      return true;
    }
    return false;
  }
  bool Peek(char c) {
    Ws();
    return p_ < end_ && *p_ == c;
  }

  template <typename F>
  bool Object(F member) {
    if (!Eat('{')) return false;
    if (Eat('}')) return true;
    do {
      std::string key;
      if (!String(&key) || !Eat(':') || !member(key)) return false;
    } while (Eat(','));
    return Eat('}');
  }
  template <typename F>
  bool Array(F element) {
    if (!Eat('[')) return false;
    if (Eat(']')) return true;
    do {
      if (!element()) return false;
    } while (Eat(','));
    return Eat(']');
  }

  bool String(std::string* out) {
    out->clear();
    if (!Eat('"')) return false;
    while (p_ < end_ && *p_ != '"') {
      if (*p_ != '\\') {
        out->push_back(*p_++);
        continue;
      }
      if (++p_ >= end_) return false;
      const char e = *p_++;
      switch (e) {
        case 'n':
          out->push_back('\n');
          break;
        case 't':
          out->push_back('\t');
          break;
        case 'r':
          out->push_back('\r');
          break;
        case 'b':
          out->push_back('\b');
          break;
        case 'f':
          out->push_back('\f');
          break;
        case 'u': {
          // The workload's labels are ASCII; decode the BMP as UTF-8.
          if (end_ - p_ < 4) return false;
          unsigned cp = 0;
          if (std::from_chars(p_, p_ + 4, cp, 16).ptr != p_ + 4) return false;
          p_ += 4;
          if (cp < 0x80) {
            out->push_back(static_cast<char>(cp));
          } else if (cp < 0x800) {
            out->push_back(static_cast<char>(0xC0 | (cp >> 6)));
            out->push_back(static_cast<char>(0x80 | (cp & 0x3F)));
          } else {
            out->push_back(static_cast<char>(0xE0 | (cp >> 12)));
            out->push_back(static_cast<char>(0x80 | ((cp >> 6) & 0x3F)));
            out->push_back(static_cast<char>(0x80 | (cp & 0x3F)));
          }
          break;
        }
        default:
          out->push_back(e);
      }
    }
    return Eat('"');
  }

  bool Number(double* out) {
    Ws();
    const std::from_chars_result r = std::from_chars(p_, end_, *out);
    if (r.ec != std::errc()) return false;
    p_ = r.ptr;
    return true;
  }

  bool Skip() {
    Ws();
    if (p_ >= end_) return false;
    std::string s;
    double d;
    switch (*p_) {
      case '{':
        return Object([this](absl::string_view) { return Skip(); });
      case '[':
        return Array([this] { return Skip(); });
      case '"':
        return String(&s);
      case 't':
      case 'n':
        if (end_ - p_ < 4) return false;
        p_ += 4;
        return true;
      case 'f':
        if (end_ - p_ < 5) return false;
        p_ += 5;
        return true;
      default:
        return Number(&d);
    }
  }

  bool Data() {
    return Object([this](absl::string_view key) {
      if (key == "stats") return Stats();
      if (key != "result") return Skip();
      return Array([this] { return SeriesEntry(); });
    });
  }

  bool SeriesEntry() {
    return Object([this](absl::string_view key) {
      if (key == "metric") {
        std::vector<std::pair<std::string, std::string>> labels;
        if (!Object([&](absl::string_view name) {
              std::string value;
              if (!String(&value)) return false;
              labels.emplace_back(std::string(name), std::move(value));
              return true;
            })) {
          return false;
        }
        sum_->AddSeries(std::move(labels));
        return true;
      }
      if (key == "values") {
        return Array([this] {
          double t;
          std::string v;
          if (!Eat('[') || !Number(&t) || !Eat(',') || !String(&v) ||
              !Eat(']')) {
            return false;
          }
          double f;
          if (v == "NaN") {
            f = std::nan("");
          } else if (v == "+Inf") {
            f = INFINITY;
          } else if (v == "-Inf") {
            f = -INFINITY;
          } else if (std::from_chars(v.data(), v.data() + v.size(), f).ec !=
                     std::errc()) {
            return false;
          }
          sum_->AddPoint(std::llround(t * 1000), f);
          return true;
        });
      }
      return Skip();
    });
  }

  bool Stats() {
    return Object([this](absl::string_view key) {
      if (key != "timings") return Skip();
      return Object([this](absl::string_view name) {
        double v;
        if (!Number(&v)) return false;
        timings_[name] = v;
        return true;
      });
    });
  }

  const char* p_;
  const char* const end_;
  const ptrdiff_t size_ = end_ - p_;
  ChecksumBuilder* sum_;
  std::string status_;
  absl::flat_hash_map<std::string, double> timings_;
};

int ReadPrometheusJson(const std::string& path, Timestamp start,
                       int64_t step_ms) {
  const int fd = open(path.c_str(), O_RDONLY);
  if (fd < 0) Die("open", absl::NotFoundError(path));
  struct stat st;
  if (fstat(fd, &st) != 0) Die("stat", absl::InternalError(path));
  const size_t size = static_cast<size_t>(st.st_size);
  void* data =
      size == 0 ? nullptr : mmap(nullptr, size, PROT_READ, MAP_PRIVATE, fd, 0);
  if (data == MAP_FAILED) Die("mmap", absl::InternalError(path));
  ChecksumBuilder sum(start, step_ms);
  ResponseReader reader(absl::string_view(static_cast<const char*>(data), size),
                        &sum);
  absl::Status status = reader.Read();
  if (!status.ok()) Die(path, status);
  auto timing = [&](absl::string_view name) {
    auto it = reader.timings().find(name);
    return it == reader.timings().end() ? -1.0 : it->second;
  };
  printf("%.9f\t%.9f\t%.9f\t%s\n", timing("evalTotalTime"),
         timing("innerEvalTime"), timing("execTotalTime"),
         FormatChecksum(sum.Finish()).c_str());
  if (data != nullptr) munmap(data, size);
  close(fd);
  return 0;
}

int Main(int argc, char** argv) {
  std::string match, storage_kind = "head", head_dir, out, om_dir, json;
  std::vector<int> steps(std::begin(kStepCounts), std::end(kStepCounts));
  int64_t start_ms = 0, step_ms = PromqlWorkload::kIntervalMs;
  bool list = false;
  int forced_runs = 0;
  for (int i = 1; i < argc; ++i) {
    absl::string_view arg = argv[i];
    bool ok = true;
    if (absl::ConsumePrefix(&arg, "--match=")) {
      match = std::string(arg);
    } else if (absl::ConsumePrefix(&arg, "--storage=")) {
      storage_kind = std::string(arg);
      ok = storage_kind == "head" || storage_kind == "memory";
    } else if (absl::ConsumePrefix(&arg, "--head_dir=")) {
      head_dir = std::string(arg);
    } else if (absl::ConsumePrefix(&arg, "--out=")) {
      out = std::string(arg);
    } else if (absl::ConsumePrefix(&arg, "--steps=")) {
      steps.clear();
      for (absl::string_view s : absl::StrSplit(arg, ',')) {
        int n = 0;
        ok = ok && absl::SimpleAtoi(s, &n) && n > 0;
        steps.push_back(n);
      }
    } else if (absl::ConsumePrefix(&arg, "--runs=")) {
      ok = absl::SimpleAtoi(arg, &forced_runs) && forced_runs > 0;
    } else if (arg == "--list") {
      list = true;
    } else if (absl::ConsumePrefix(&arg, "--write_openmetrics=")) {
      om_dir = std::string(arg);
    } else if (absl::ConsumePrefix(&arg, "--prometheus_json=")) {
      json = std::string(arg);
    } else if (absl::ConsumePrefix(&arg, "--start_ms=")) {
      ok = absl::SimpleAtoi(arg, &start_ms);
    } else if (absl::ConsumePrefix(&arg, "--step_ms=")) {
      ok = absl::SimpleAtoi(arg, &step_ms) && step_ms > 0;
    } else {
      ok = false;
    }
    if (!ok) {
      fprintf(stderr, "bad argument %s (see the comment atop %s)\n", argv[i],
              __FILE__);
      return 2;
    }
  }
  if (!om_dir.empty()) return WriteBlocks(om_dir);
  if (!json.empty()) return ReadPrometheusJson(json, start_ms, step_ms);
  const std::vector<Case> cases = Cases(steps, match);
  if (list) {
    const PromqlWorkload w;
    for (const Case& c : cases) {
      const auto [start, end] = QueryRange(w, c.steps);
      printf("%d\t%d\t%lld\t%lld\t%s\t%s\n", c.id, c.steps,
             static_cast<long long>(start), static_cast<long long>(end),
             c.query.expr.c_str(), c.query.prometheus_expr.c_str());
    }
    return 0;
  }
  return RunBench(cases, storage_kind, head_dir, out, forced_runs);
}

}  // namespace
}  // namespace fraisier::bench

int main(int argc, char** argv) { return fraisier::bench::Main(argc, argv); }
