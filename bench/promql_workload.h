// The workload of Prometheus's promql/bench_test.go (BenchmarkRangeQuery):
// its data (setupRangeQueryTestData) and its queries (rangeQueryCases),
// shared by both sides of bench/promql_vs_prometheus so that our engine and
// Prometheus 2.42 read the same samples and run the same expressions.
//
// Data: 1,443 series (a_one, b_one, h_one{le=0..9,+Inf}; a_ten, b_ten,
// h_ten with l=0..9; a_hundred, b_hundred, h_hundred with l=0..99), one
// sample every 10 s for 8,640 + 10,000 intervals (a day plus 10,000
// steps). Sample s of series i has the value s + i / 1443, as in
// bench_test.go. Timestamps start at kBaseMs instead of 0 (a constant shift
// changes no result of these queries) so that Prometheus's TSDB treats the
// blocks as ordinary recent-ish data.
//
// Results are compared through a ResultChecksum: series count, point
// count, an order-independent hash of the label sets and sums of the
// values, computed the same way from our Matrix and from Prometheus's JSON.
#ifndef BENCH_PROMQL_WORKLOAD_H_
#define BENCH_PROMQL_WORKLOAD_H_

#include <cstdint>
#include <string>
#include <utility>
#include <vector>

#include "absl/status/status.h"
#include "absl/strings/string_view.h"
#include "engine/model/labels.h"
#include "engine/model/timestamp.h"

namespace fraisier::bench {

class PromqlWorkload {
 public:
  static constexpr int64_t kIntervalMs = 10'000;
  static constexpr int kNumIntervals = 8640 + 10000;
  // 2024-01-01T12:00:00Z, a multiple of 54 h (Prometheus's third block
  // range) so the data falls into few, well-aligned blocks.
  static constexpr int64_t kBaseMs = 1'704'110'400'000;

  PromqlWorkload();

  // In bench_test.go's order; the index is `i` of the value formula.
  const std::vector<Labels>& series() const { return series_; }

  Timestamp TimeAt(int s) const { return kBaseMs + s * kIntervalMs; }
  double ValueAt(size_t i, int s) const {
    return static_cast<double>(s) +
           static_cast<double>(i) / static_cast<double>(series_.size());
  }
  // bench_test.go's query end: one interval after the last sample.
  Timestamp QueryEnd() const { return TimeAt(kNumIntervals); }

 private:
  std::vector<Labels> series_;
};

// Writes the samples with timestamps in [mint, maxt) as OpenMetrics text
// for `promtool tsdb create-blocks-from openmetrics`: series after series,
// each in time order, values in shortest round-trip form, then `# EOF`.
absl::Status WriteOpenMetrics(const PromqlWorkload& workload, Timestamp mint,
                              Timestamp maxt, const std::string& path);

struct BenchQuery {
  std::string expr;             // for our engine (Prometheus 3 grammar)
  std::string prometheus_expr;  // for Prometheus 2.42
};

// rangeQueryCases' expressions with X replaced by one, ten and hundred, in
// bench_test.go's order. holt_winters (removed in Prometheus 3) runs here
// as double_exponential_smoothing, the same function renamed.
std::vector<BenchQuery> RangeQueryCases();

// Step counts of a case (step 10 s); 1 is an instant evaluation.
inline constexpr int kStepCounts[] = {1, 1000, 10000};

// Query range of `steps` evaluations ending at the workload's QueryEnd().
inline std::pair<Timestamp, Timestamp> QueryRange(
    const PromqlWorkload& workload, int steps) {
  const Timestamp end = workload.QueryEnd();
  return {end - (steps - 1) * PromqlWorkload::kIntervalMs, end};
}

struct ResultChecksum {
  int64_t series = 0;
  int64_t points = 0;
  int64_t nan_points = 0;
  int64_t inf_points = 0;
  uint64_t label_hash = 0;  // sum over series of FNV-1a of the label set
  double value_sum = 0;     // finite values
  double weighted_sum = 0;  // finite values times (step index + 1)
};

// Accumulates a ResultChecksum. Series may come in any order; points of a
// series in any order.
class ChecksumBuilder {
 public:
  ChecksumBuilder(Timestamp start, int64_t step_ms)
      : start_(start), step_ms_(step_ms) {}

  // `labels`: name/value pairs in any order.
  void AddSeries(std::vector<std::pair<std::string, std::string>> labels);
  void AddSeries(const Labels& labels);
  void AddPoint(Timestamp t, double v);

  ResultChecksum Finish() const;

 private:
  Timestamp start_;
  int64_t step_ms_;
  ResultChecksum sum_;
  long double value_sum_ = 0;
  long double weighted_sum_ = 0;
};

// Tab-separated fields: series points nan inf label_hash value_sum
// weighted_sum (sums with 17 significant digits).
std::string FormatChecksum(const ResultChecksum& c);

}  // namespace fraisier::bench

#endif  // BENCH_PROMQL_WORKLOAD_H_
