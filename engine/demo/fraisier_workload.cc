#include "engine/demo/fraisier_workload.h"

#include <algorithm>
#include <cmath>
#include <numbers>

namespace fraisier::demo {
namespace {

// The seed guide's scrape targets (monitoring/prometheus.yml).
const LabelPairs kFraisier = {{"instance", "localhost:9090"},
                              {"job", "fraisier"}};
const LabelPairs kNats = {{"instance", "localhost:8222"}, {"job", "nats"}};
const LabelPairs kPostgres = {{"instance", "localhost:9187"},
                              {"job", "postgres"}};

LabelPairs With(LabelPairs base, const LabelPairs& extra) {
  base.insert(base.end(), extra.begin(), extra.end());
  return base;
}

// Failure shares. Calm values stay well under the alert thresholds
// (deployments 10%, API errors 1%, health checks 5 an hour); incident
// values are well over them.
constexpr double kDeployFailShare = 0.03;
constexpr double kBurstDeployFailShare = 0.6;
constexpr double kHealthFailShare = 0.0002;
constexpr double kIncidentHealthFailShare = 0.9;
constexpr double kServerErrorShare = 0.001;
constexpr double kIncidentServerErrorShare = 0.05;
constexpr double kClientErrorShare = 0.01;

constexpr double kHealthChecksPerSecond = 0.2;  // every 5 s per check
constexpr double kDatabasePoolSize = 100;
constexpr int kNatsClients = 14;

}  // namespace

FraisierWorkload::FraisierWorkload(uint64_t seed) : rng_(seed) {
  struct EnvSpec {
    const char* name;
    double per_minute;
    double median_s;
  };
  for (const EnvSpec& spec :
       {EnvSpec{"production", 2, 150}, EnvSpec{"staging", 4, 90},
        EnvSpec{"development", 6, 45}}) {
    const LabelPairs env = With(kFraisier, {{"environment", spec.name}});
    Environment e{spec.name,
                  spec.per_minute / 60,
                  spec.median_s,
                  {Uniform(0, 1), 0},
                  table_.Add("fraisier_deployments_total",
                             With(env, {{"status", "success"}})),
                  table_.Add("fraisier_deployments_total",
                             With(env, {{"status", "failed"}})),
                  table_.Add("fraisier_deployment_failures_total", env),
                  Histogram(&table_, "fraisier_deployment_duration_seconds",
                            env, {10, 30, 60, 120, 300, 600, 1200})};
    environments_.push_back(std::move(e));
  }
  for (const Environment& e : environments_) {
    for (const char* check : {"http", "tcp", "exec"}) {
      const LabelPairs labels =
          With(kFraisier, {{"check", check}, {"environment", e.name}});
      // Calm failures are rare; starting the diffusion low keeps the first
      // hours free of them.
      health_checks_.push_back(
          {{Uniform(0, 1), Uniform(0, 0.5)},
           e.name == "production",
           table_.Add("fraisier_health_checks_passed", labels),
           table_.Add("fraisier_health_checks_failed", labels)});
    }
  }
  struct EndpointSpec {
    const char* method;
    const char* path;
    double per_second;
    double median_s;
  };
  for (const EndpointSpec& spec :
       {EndpointSpec{"GET", "/api/deployments", 8, 0.045},
        EndpointSpec{"POST", "/api/deployments", 0.5, 0.12},
        EndpointSpec{"GET", "/api/services", 5, 0.03},
        EndpointSpec{"GET", "/api/health", 2, 0.004}}) {
    // The API serves the production control plane; the label lets the
    // rules' `sum by (environment)` name it.
    const LabelPairs labels = With(kFraisier, {{"endpoint", spec.path},
                                               {"environment", "production"},
                                               {"method", spec.method}});
    endpoints_.push_back(
        {spec.per_second,
         spec.median_s,
         {Uniform(0, 1), 0},
         table_.Add("fraisier_requests_total",
                    With(labels, {{"status", "200"}})),
         table_.Add("fraisier_requests_total",
                    With(labels, {{"status", "404"}})),
         table_.Add("fraisier_requests_total",
                    With(labels, {{"status", "500"}})),
         table_.Add("fraisier_errors_total", labels),
         Histogram(&table_, "fraisier_request_duration_seconds", labels,
                   DefaultLatencyBuckets())});
  }
  db_connections_ = table_.Add("fraisier_database_connections", kFraisier);
  db_connections_max_ =
      table_.Add("fraisier_database_connections_max", kFraisier);
  table_.Set(db_connections_max_, kDatabasePoolSize);
  query_duration_ = Histogram(
      &table_, "fraisier_database_query_duration_seconds", kFraisier,
      {0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5});
  nats_events_published_ =
      table_.Add("fraisier_nats_events_published", kFraisier);

  nats_state_ = table_.Add("nats_server_state", kNats);
  nats_uptime_ = table_.Add("nats_server_uptime_seconds", kNats);
  nats_connections_ = table_.Add("nats_server_connections", kNats);
  nats_total_connections_ = table_.Add("nats_server_total_connections", kNats);
  nats_in_msgs_ = table_.Add("nats_server_in_msgs", kNats);
  nats_out_msgs_ = table_.Add("nats_server_out_msgs", kNats);
  js_accounts_ = table_.Add("nats_jetstream_accounts", kNats);
  js_streams_ = table_.Add("nats_jetstream_streams", kNats);
  js_messages_ = table_.Add("nats_jetstream_messages", kNats);
  js_delivered_ =
      table_.Add("nats_jetstream_consumers_message_delivered", kNats);
  js_pending_ = table_.Add("nats_jetstream_consumers_messages_pending", kNats);
  table_.Set(nats_state_, 1);
  table_.Set(nats_connections_, kNatsClients);
  table_.Set(nats_total_connections_, kNatsClients);
  table_.Set(js_accounts_, 1);
  table_.Set(js_streams_, 3);

  pg_blocks_hit_ = table_.Add("pg_stat_database_blks_hit",
                              With(kPostgres, {{"datname", "fraisier"}}));
  pg_blocks_read_ = table_.Add("pg_stat_database_blks_read",
                               With(kPostgres, {{"datname", "fraisier"}}));
  pg_replication_lag_ = table_.Add("pg_replication_lag_seconds", kPostgres);

  AddUp("fraisier", "localhost:9090");
  AddUp("nats", "localhost:8222");
  AddUp("postgres", "localhost:9187");
  AdvanceDatabase(0, 1, false);
}

void FraisierWorkload::AddUp(const std::string& job,
                             const std::string& instance) {
  table_.Set(table_.Add("up", {{"instance", instance}, {"job", job}}), 1);
}

void FraisierWorkload::Advance(absl::Duration dt, const Conditions& active) {
  const double seconds = absl::ToDoubleSeconds(dt);
  if (seconds <= 0) return;
  elapsed_s_ += seconds;
  // Traffic swells and ebbs over ten minutes, so graphs are not flat.
  const double load =
      1 + 0.15 * std::sin(2 * std::numbers::pi * elapsed_s_ / 600);
  AdvanceDeployments(seconds, load,
                     active.Has(IncidentKind::kDeploymentFailures));
  AdvanceHealthChecks(seconds, active.Has(IncidentKind::kHealthCheckFailures));
  AdvanceApi(seconds, load, active.Has(IncidentKind::kSlowApi),
             active.Has(IncidentKind::kApiErrors));
  AdvanceDatabase(seconds, load, active.Has(IncidentKind::kPoolExhausted));
  AdvanceNats(seconds, active.Has(IncidentKind::kNatsDown));
}

void FraisierWorkload::AdvanceDeployments(double dt, double load, bool burst) {
  const double fail_share = burst ? kBurstDeployFailShare : kDeployFailShare;
  for (Environment& e : environments_) {
    const int n = Events(&e.deploys, e.deploys_per_second * load, dt);
    for (int i = 0; i < n; ++i) {
      if (Fails(&e.deploys, fail_share)) {
        table_.Inc(e.failed, 1);
        table_.Inc(e.failures, 1);
        // A broken release fails early, at build or first health check.
        e.duration.Observe(LogNormal(40, 0.5));
      } else {
        table_.Inc(e.succeeded, 1);
        e.duration.Observe(LogNormal(e.median_duration_s, 0.35));
      }
    }
  }
}

void FraisierWorkload::AdvanceHealthChecks(double dt, bool failing) {
  for (HealthCheck& h : health_checks_) {
    const double fail_share =
        failing && h.production ? kIncidentHealthFailShare : kHealthFailShare;
    const int n = Events(&h.checks, kHealthChecksPerSecond, dt);
    for (int i = 0; i < n; ++i) {
      table_.Inc(Fails(&h.checks, fail_share) ? h.failed : h.passed, 1);
    }
  }
}

void FraisierWorkload::AdvanceApi(double dt, double load, bool slow,
                                  bool errors) {
  const double error_share =
      errors ? kIncidentServerErrorShare : kServerErrorShare;
  for (Endpoint& ep : endpoints_) {
    const int n = Events(&ep.requests, ep.requests_per_second * load, dt);
    for (int i = 0; i < n; ++i) {
      if (Fails(&ep.requests, error_share)) {
        table_.Inc(ep.server_error, 1);
        table_.Inc(ep.errors, 1);
      } else if (Uniform(0, 1) < kClientErrorShare) {
        table_.Inc(ep.client_error, 1);
      } else {
        table_.Inc(ep.ok, 1);
      }
      ep.latency.Observe(slow ? LogNormal(1.6, 0.45)
                              : LogNormal(ep.median_latency_s, 0.6));
    }
  }
}

void FraisierWorkload::AdvanceDatabase(double dt, double load, bool exhausted) {
  // Connections in use follow the traffic; in the incident a leak holds
  // nearly all of them.
  const double in_use = exhausted
                            ? std::round(Uniform(96, kDatabasePoolSize))
                            : std::round(25 + 60 * (load - 1) + Uniform(-3, 3));
  table_.Set(db_connections_, std::clamp(in_use, 0.0, kDatabasePoolSize));
  const int queries = Events(&queries_, 40 * load, dt);
  for (int i = 0; i < queries; ++i) {
    // Waiting for a free connection dominates while the pool is full.
    query_duration_.Observe(exhausted ? LogNormal(0.35, 0.7)
                                      : LogNormal(0.004, 0.7));
  }
  const int blocks = Events(&pg_blocks_, 2000 * load, dt);
  table_.Inc(pg_blocks_hit_, blocks);
  table_.Inc(pg_blocks_read_, std::round(blocks * Uniform(0.005, 0.015)));
  table_.Set(pg_replication_lag_, std::round(Uniform(0.05, 0.4) * 1000) / 1000);
}

void FraisierWorkload::AdvanceNats(double dt, bool down) {
  table_.Inc(nats_uptime_, dt);
  if (down) {
    // The server stops serving: clients drop, nothing flows. Counters
    // freeze rather than reset (the process stays alive).
    table_.Set(nats_state_, 0);
    table_.Set(nats_connections_, 0);
    nats_was_down_ = true;
    return;
  }
  table_.Set(nats_state_, 1);
  if (nats_was_down_) {
    table_.Inc(nats_total_connections_, kNatsClients);  // everyone reconnects
    nats_was_down_ = false;
  }
  table_.Inc(nats_total_connections_, Events(&nats_churn_, 1.0 / 120, dt));
  table_.Set(nats_connections_, kNatsClients + std::round(Uniform(-1, 1)));
  const int published = Events(&nats_messages_, 12, dt);
  table_.Inc(nats_events_published_, published);
  table_.Inc(nats_in_msgs_, published);
  table_.Inc(nats_out_msgs_, 3 * published);  // three subscribers each
  table_.Inc(js_messages_, published);
  table_.Inc(js_delivered_, published);
  table_.Set(js_pending_, std::round(Uniform(0, 4)));
}

int FraisierWorkload::Events(EventStream* stream, double rate, double dt) {
  stream->carry += rate * dt * Uniform(0.7, 1.3);
  const double n = std::floor(stream->carry);
  stream->carry -= n;
  return static_cast<int>(n);
}

bool FraisierWorkload::Fails(EventStream* stream, double p) {
  stream->fail_carry += p * Uniform(0.5, 1.5);
  if (stream->fail_carry < 1) return false;
  stream->fail_carry -= 1;
  return true;
}

double FraisierWorkload::Uniform(double lo, double hi) {
  return std::uniform_real_distribution<double>(lo, hi)(rng_);
}

double FraisierWorkload::LogNormal(double median, double sigma) {
  return std::lognormal_distribution<double>(std::log(median), sigma)(rng_);
}

}  // namespace fraisier::demo
