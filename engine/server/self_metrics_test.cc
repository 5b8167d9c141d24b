#include "engine/server/self_metrics.h"

#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace fraisier::server {
namespace {

using ::testing::HasSubstr;

TEST(SelfMetricsTest, CallbacksAreReadAtScrapeTime) {
  SelfMetrics metrics;
  double series = 3;
  metrics.callbacks().AddGauge("ruler_tsdb_head_series", "Active series.",
                               [&series] { return series; });
  metrics.callbacks().AddCounterFamily(
      "ruler_remote_write_samples_rejected_total", "Rejected samples.",
      "reason", [] {
        return std::vector<std::pair<std::string, double>>{
            {"out_of_order", 2}, {"invalid_labels", 0}};
      });
  metrics.callbacks().AddSummary(
      "ruler_tsdb_wal_fsync_duration_seconds", "WAL fsync latency.",
      [] { return std::make_pair(uint64_t{4}, 0.5); });
  series = 7;
  std::string text = metrics.Render();
  EXPECT_THAT(text, HasSubstr("# TYPE ruler_tsdb_head_series gauge\n"
                              "ruler_tsdb_head_series 7\n"));
  EXPECT_THAT(text,
              HasSubstr("# TYPE ruler_remote_write_samples_rejected_total "
                        "counter\n"));
  EXPECT_THAT(text, HasSubstr("ruler_remote_write_samples_rejected_total{"
                              "reason=\"out_of_order\"} 2\n"));
}

TEST(SelfMetricsTest, HistogramsCountObservations) {
  SelfMetrics metrics;
  metrics.ObserveHttpRequest("/api/v1/write", 204, 0.002);
  metrics.ObserveHttpRequest("/api/v1/write", 204, 0.2);
  metrics.ObserveQuery("instant", 0.01);
  std::string text = metrics.Render();
  EXPECT_THAT(text, HasSubstr("ruler_http_requests_total{code=\"204\","
                              "handler=\"/api/v1/write\"} 2\n"));
  EXPECT_THAT(text, HasSubstr("ruler_http_request_duration_seconds_count{"
                              "handler=\"/api/v1/write\"} 2\n"));
  EXPECT_THAT(text, HasSubstr("ruler_http_request_duration_seconds_bucket{"
                              "handler=\"/api/v1/write\",le=\"0.0025\"} 1\n"));
  EXPECT_THAT(text, HasSubstr("ruler_query_duration_seconds_count{kind="
                              "\"instant\"} 1\n"));
}

TEST(ProcessStatsTest, ReadsThisProcess) {
  ProcessStats stats = ReadProcessStats();
  EXPECT_GT(stats.resident_memory_bytes, 1e5);
  EXPECT_GT(stats.virtual_memory_bytes, stats.resident_memory_bytes);
  EXPECT_GE(stats.open_fds, 3);
  EXPECT_GT(stats.max_fds, 0);
  EXPECT_GT(stats.start_time_seconds, 1.6e9);
  EXPECT_GE(stats.threads, 1);
}

}  // namespace
}  // namespace fraisier::server
