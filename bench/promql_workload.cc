#include "bench/promql_workload.h"

#include <algorithm>
#include <charconv>
#include <cmath>
#include <cstdio>
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/strings/str_replace.h"

namespace fraisier::bench {
namespace {

// setupRangeQueryTestData's label sets for one size ("one", "ten",
// "hundred"): a_X and b_X with l=0..n-1 (no l for one), and h_X with
// le=0..9,+Inf for each l, interleaved as bench_test.go appends them.
void AddSize(absl::string_view size, int n, std::vector<Labels>* out) {
  const std::string a = absl::StrCat("a_", size);
  const std::string b = absl::StrCat("b_", size);
  const std::string h = absl::StrCat("h_", size);
  if (n == 1) {
    out->push_back(Labels::FromPairs({{"__name__", a}}));
    out->push_back(Labels::FromPairs({{"__name__", b}}));
    for (int j = 0; j < 10; ++j) {
      const std::string le = absl::StrCat(j);
      out->push_back(Labels::FromPairs({{"__name__", h}, {"le", le}}));
    }
    out->push_back(Labels::FromPairs({{"__name__", h}, {"le", "+Inf"}}));
    return;
  }
  for (int i = 0; i < n; ++i) {
    const std::string l = absl::StrCat(i);
    out->push_back(Labels::FromPairs({{"__name__", a}, {"l", l}}));
    out->push_back(Labels::FromPairs({{"__name__", b}, {"l", l}}));
    for (int j = 0; j < 10; ++j) {
      const std::string le = absl::StrCat(j);
      out->push_back(
          Labels::FromPairs({{"__name__", h}, {"l", l}, {"le", le}}));
    }
    out->push_back(
        Labels::FromPairs({{"__name__", h}, {"l", l}, {"le", "+Inf"}}));
  }
}

// FNV-1a over name 0 value 0 ..., names sorted.
uint64_t LabelSetHash(std::vector<std::pair<std::string, std::string>> pairs) {
  std::sort(pairs.begin(), pairs.end());
  uint64_t h = 14695981039346656037ULL;
  auto mix = [&h](absl::string_view s) {
    for (char c : s) {
      h ^= static_cast<unsigned char>(c);
      h *= 1099511628211ULL;
    }
    h ^= 0;
    h *= 1099511628211ULL;
  };
  for (const auto& [name, value] : pairs) {
    mix(name);
    mix(value);
  }
  return h;
}

}  // namespace

PromqlWorkload::PromqlWorkload() {
  AddSize("one", 1, &series_);
  AddSize("ten", 10, &series_);
  AddSize("hundred", 100, &series_);
}

absl::Status WriteOpenMetrics(const PromqlWorkload& workload, Timestamp mint,
                              Timestamp maxt, const std::string& path) {
  std::unique_ptr<FILE, int (*)(FILE*)> f(fopen(path.c_str(), "w"), fclose);
  if (f == nullptr) {
    return absl::InternalError(absl::StrCat("cannot create ", path));
  }
  const int first = static_cast<int>(std::max<int64_t>(
      0, (mint - PromqlWorkload::kBaseMs + PromqlWorkload::kIntervalMs - 1) /
             PromqlWorkload::kIntervalMs));
  std::string buf;
  for (size_t i = 0; i < workload.series().size(); ++i) {
    const Labels& labels = workload.series()[i];
    std::string prefix(labels.MetricName());
    if (labels.size() > 1) {
      prefix += '{';
      bool comma = false;
      for (const Label& l : labels) {
        if (l.name == kMetricNameLabel) continue;
        absl::StrAppend(&prefix, comma ? "," : "", l.name, "=\"", l.value,
                        "\"");
        comma = true;
      }
      prefix += '}';
    }
    buf.clear();
    for (int s = first; s < PromqlWorkload::kNumIntervals; ++s) {
      const Timestamp t = workload.TimeAt(s);
      if (t >= maxt) break;
      char num[64];
      const std::to_chars_result r =
          std::to_chars(num, num + sizeof(num), workload.ValueAt(i, s));
      // Timestamps are whole seconds (the interval is 10 s).
      absl::StrAppend(&buf, prefix, " ", absl::string_view(num, r.ptr - num),
                      " ", t / 1000, "\n");
    }
    if (fwrite(buf.data(), 1, buf.size(), f.get()) != buf.size()) {
      return absl::InternalError(absl::StrCat("cannot write ", path));
    }
  }
  if (fputs("# EOF\n", f.get()) < 0 || fflush(f.get()) != 0) {
    return absl::InternalError(absl::StrCat("cannot write ", path));
  }
  return absl::OkStatus();
}

std::vector<BenchQuery> RangeQueryCases() {
  // rangeQueryCases in promql/bench_test.go (Prometheus 2.4x), in order.
  static constexpr absl::string_view kExprs[] = {
      // Plain retrieval.
      "a_X",
      // Simple rate.
      "rate(a_X[1m])",
      // Holt-Winters and long ranges.
      "holt_winters(a_X[1d], 0.3, 0.3)",
      "changes(a_X[1d])",
      "rate(a_X[1d])",
      "absent_over_time(a_X[1d])",
      // Unary operators.
      "-a_X",
      // Binary operators.
      "a_X - b_X",
      "a_X and b_X{l=~'.*[0-4]$'}",
      "a_X or b_X{l=~'.*[0-4]$'}",
      "a_X unless b_X{l=~'.*[0-4]$'}",
      "a_X and b_X{l='notfound'}",
      // Simple functions.
      "abs(a_X)",
      "label_replace(a_X, 'l2', '$1', 'l', '(.*)')",
      "label_join(a_X, 'l2', '-', 'l', 'l')",
      // Simple aggregations.
      "sum(a_X)",
      "sum without (l)(h_X)",
      "sum without (le)(h_X)",
      "sum by (l)(h_X)",
      "sum by (le)(h_X)",
      "count_values('value', h_X)",
      "topk(1, a_X)",
      // Combinations.
      "rate(a_X[1m]) + rate(b_X[1m])",
      "sum without (l)(rate(a_X[1m]))",
      "sum without (l)(rate(a_X[1m])) / sum without (l)(rate(b_X[1m]))",
      "histogram_quantile(0.9, rate(h_X[5m]))",
      // Many-to-one join.
      "a_X + on(l) group_right a_one",
  };
  std::vector<BenchQuery> out;
  for (absl::string_view expr : kExprs) {
    for (absl::string_view size : {"one", "ten", "hundred"}) {
      BenchQuery q;
      q.prometheus_expr = absl::StrReplaceAll(expr, {{"X", size}});
      q.expr = absl::StrReplaceAll(
          q.prometheus_expr,
          {{"holt_winters(", "double_exponential_smoothing("}});
      out.push_back(std::move(q));
    }
  }
  return out;
}

void ChecksumBuilder::AddSeries(
    std::vector<std::pair<std::string, std::string>> labels) {
  ++sum_.series;
  sum_.label_hash += LabelSetHash(std::move(labels));
}

void ChecksumBuilder::AddSeries(const Labels& labels) {
  std::vector<std::pair<std::string, std::string>> pairs;
  pairs.reserve(labels.size());
  for (const Label& l : labels) {
    pairs.emplace_back(std::string(l.name), std::string(l.value));
  }
  AddSeries(std::move(pairs));
}

void ChecksumBuilder::AddPoint(Timestamp t, double v) {
  ++sum_.points;
  if (std::isnan(v)) {
    ++sum_.nan_points;
    return;
  }
  if (std::isinf(v)) {
    ++sum_.inf_points;
    return;
  }
  value_sum_ += v;
  weighted_sum_ += static_cast<long double>(v) *
                   static_cast<long double>((t - start_) / step_ms_ + 1);
}

ResultChecksum ChecksumBuilder::Finish() const {
  ResultChecksum c = sum_;
  c.value_sum = static_cast<double>(value_sum_);
  c.weighted_sum = static_cast<double>(weighted_sum_);
  return c;
}

std::string FormatChecksum(const ResultChecksum& c) {
  return absl::StrFormat("%d\t%d\t%d\t%d\t%016x\t%.17g\t%.17g", c.series,
                         c.points, c.nan_points, c.inf_points, c.label_hash,
                         c.value_sum, c.weighted_sum);
}

}  // namespace fraisier::bench
