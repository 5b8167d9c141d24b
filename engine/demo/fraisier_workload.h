// A simulated Fraisier installation: the metrics its Prometheus would
// scrape (the seed guide's names: deployments, health checks, API, database
// pool, NATS) evolving step by step under the incidents in progress.
//
// Rates are per second of simulated time; counters only grow. Discrete
// events (deployments, checks, requests) are counted with carried
// fractions, and failures among them with error diffusion rather than coin
// flips, so a short incident always produces its share of failures and a
// calm period never produces a streak that trips an alert by chance.
// Latencies and durations are drawn from log-normal distributions.
#ifndef ENGINE_DEMO_FRAISIER_WORKLOAD_H_
#define ENGINE_DEMO_FRAISIER_WORKLOAD_H_

#include <cstdint>
#include <random>
#include <string>
#include <vector>

#include "absl/time/time.h"
#include "engine/demo/scenario.h"
#include "engine/demo/series_table.h"
#include "engine/ingest/remote_write_encoder.h"

namespace fraisier::demo {

// Not thread-safe.
class FraisierWorkload {
 public:
  explicit FraisierWorkload(uint64_t seed);

  // Moves the simulated system forward by `dt` under `active`.
  void Advance(absl::Duration dt, const Conditions& active);

  // One sample per series at t_ms, as a scrape would produce.
  std::vector<ingest::RemoteWriteSeries> Snapshot(int64_t t_ms) const {
    return table_.Snapshot(t_ms);
  }
  const SeriesTable& table() const { return table_; }

 private:
  // A stream of discrete events: `carry` accumulates expected events,
  // `fail_carry` the expected failures among them.
  struct EventStream {
    double carry = 0;
    double fail_carry = 0;
  };
  struct Environment {
    std::string name;
    double deploys_per_second;
    double median_duration_s;
    EventStream deploys;
    int succeeded, failed, failures;
    Histogram duration;
  };
  struct HealthCheck {
    EventStream checks;
    bool production;
    int passed, failed;
  };
  struct Endpoint {
    double requests_per_second;
    double median_latency_s;
    EventStream requests;
    int ok, client_error, server_error, errors;
    Histogram latency;
  };

  void AddUp(const std::string& job, const std::string& instance);
  void AdvanceDeployments(double dt, double load, bool burst);
  void AdvanceHealthChecks(double dt, bool failing);
  void AdvanceApi(double dt, double load, bool slow, bool errors);
  void AdvanceDatabase(double dt, double load, bool exhausted);
  void AdvanceNats(double dt, bool down);

  // How many events of `rate` per second happen in `dt` seconds.
  int Events(EventStream* stream, double rate, double dt);
  // Whether the next event fails, at long-run failure share `p`.
  bool Fails(EventStream* stream, double p);
  double Uniform(double lo, double hi);
  double LogNormal(double median, double sigma);

  std::mt19937_64 rng_;
  SeriesTable table_;
  double elapsed_s_ = 0;

  std::vector<Environment> environments_;
  std::vector<HealthCheck> health_checks_;
  std::vector<Endpoint> endpoints_;
  int db_connections_, db_connections_max_;
  EventStream queries_, nats_messages_, nats_churn_, pg_blocks_;
  Histogram query_duration_;
  int nats_state_, nats_uptime_, nats_connections_, nats_total_connections_,
      nats_in_msgs_, nats_out_msgs_, nats_events_published_;
  int js_accounts_, js_streams_, js_messages_, js_delivered_, js_pending_;
  bool nats_was_down_ = false;
  int pg_blocks_hit_, pg_blocks_read_, pg_replication_lag_;
};

}  // namespace fraisier::demo

#endif  // ENGINE_DEMO_FRAISIER_WORKLOAD_H_
