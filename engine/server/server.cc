#include "engine/server/server.h"

#include <unistd.h>

#include <chrono>

#include "absl/strings/str_cat.h"
#include "engine/base/allocator.h"
#include "engine/base/logging.h"
#include "engine/base/status_macros.h"
#include "engine/base/version.h"
#include "engine/server/http_frontend.h"
#include "engine/server/self_metrics.h"
#include "engine/server/wiring.h"
#include "engine/tsdb/head.h"

namespace fraisier::server {

absl::StatusOr<Config> LoadEffectiveConfig(const ServerOptions& options) {
  Config config;
  if (!options.config_file.empty()) {
    FR_ASSIGN_OR_RETURN(config, LoadConfigFile(options.config_file));
  }
  if (options.storage_path) config.storage.path = *options.storage_path;
  if (options.retention_time) {
    config.storage.retention_time = *options.retention_time;
  }
  if (options.retention_size_bytes) {
    config.storage.retention_size_bytes = *options.retention_size_bytes;
  }
  if (options.max_active_series) {
    config.storage.max_active_series = *options.max_active_series;
  }
  if (options.fsync) config.storage.fsync = *options.fsync;
  return config;
}

// Invariants: `head` outlives every component that reads or writes it
// (they are destroyed first, in reverse order of construction); `config` is
// replaced as a whole under config_mu, never mutated.
struct Server::Impl {
  ServerOptions options;
  const Clock* clock = nullptr;
  std::mutex config_mu;
  std::shared_ptr<const Config> config;  // guarded by config_mu
  std::atomic<bool> ready{false};
  std::atomic<int64_t> reloads_total{0};
  std::atomic<int64_t> reload_failures_total{0};
  std::atomic<bool> last_reload_ok{true};
  std::atomic<double> last_reload_success_time{0};
  std::atomic<double> memory_bytes{0};  // Head::MemoryBytes, per minute

  SelfMetrics metrics;
  std::unique_ptr<tsdb::Head> head;
  std::unique_ptr<Services> services;  // receiver, engine, API, gRPC
  std::unique_ptr<HttpFrontend> http;

  // Maintenance: checkpoints and retention on a schedule.
  std::mutex maintenance_mu;
  std::condition_variable maintenance_cv;
  bool stopping = false;  // guarded by maintenance_mu
  std::thread maintenance;

  std::shared_ptr<const Config> CurrentConfig() {
    std::lock_guard<std::mutex> lock(config_mu);
    return config;
  }
  void RunMaintenance();
  void RegisterMetrics();
  void Route();
  absl::Status Reload();
};

void Server::Impl::RunMaintenance() {
  absl::Time last_checkpoint = clock->Now();
  std::unique_lock<std::mutex> lock(maintenance_mu);
  while (!stopping) {
    maintenance_cv.wait_for(lock, std::chrono::seconds(60));
    if (stopping) break;
    lock.unlock();
    memory_bytes.store(static_cast<double>(head->MemoryBytes()));
    // Buffers freed by many HTTP and rule threads otherwise stay with the
    // allocator; giving them back keeps RSS tracking what the store holds.
    ReleaseFreeMemory();
    if (absl::Status s = head->ApplyRetention(); !s.ok()) {
      FR_LOG(ERROR) << "retention failed: " << s.message();
    }
    const absl::Duration interval =
        CurrentConfig()->storage.checkpoint_interval;
    if (clock->Now() - last_checkpoint >= interval) {
      last_checkpoint = clock->Now();
      if (absl::Status s = head->Checkpoint(); !s.ok()) {
        FR_LOG(ERROR) << "checkpoint failed: " << s.message();
      }
    }
    lock.lock();
  }
}

absl::Status Server::Impl::Reload() {
  reloads_total.fetch_add(1);
  absl::StatusOr<Config> next = LoadEffectiveConfig(options);
  if (!next.ok()) {
    reload_failures_total.fetch_add(1);
    last_reload_ok.store(false);
    return next.status();
  }
  for (const std::string& w : next->warnings) {
    FR_LOG(WARNING) << w;
  }
  std::shared_ptr<const Config> old = CurrentConfig();
  if (old->storage.path != next->storage.path ||
      old->storage.retention_time != next->storage.retention_time ||
      old->storage.max_active_series != next->storage.max_active_series ||
      old->storage.fsync != next->storage.fsync) {
    FR_LOG(WARNING) << "storage settings changed; they take effect after a "
                       "restart";
  }
  if (absl::Status s = services->ApplyConfig(*next); !s.ok()) {
    reload_failures_total.fetch_add(1);
    last_reload_ok.store(false);
    return s;
  }
  {
    std::lock_guard<std::mutex> lock(config_mu);
    config = std::make_shared<const Config>(*std::move(next));
  }
  last_reload_ok.store(true);
  last_reload_success_time.store(
      absl::ToDoubleSeconds(clock->Now() - absl::UnixEpoch()));
  FR_LOG(INFO) << "Completed loading of configuration file "
               << options.config_file;
  return absl::OkStatus();
}

void Server::Impl::Route() {
  http->Handle({"POST"}, "/api/v1/write",
               [this](const HttpRequest& req) { return services->Write(req); });
  http->HandlePrefix("/api/v1/", [this](const HttpRequest& req) {
    return services->Api(req);
  });
  http->Handle({"GET"}, "/-/healthy", [](const HttpRequest&) {
    return HttpResponse{200, "text/plain; charset=utf-8",
                        "fraisier-ruler is Healthy.\n"};
  });
  http->Handle({"GET"}, "/-/ready", [this](const HttpRequest&) {
    if (!ready.load()) {
      return HttpResponse{503, "text/plain; charset=utf-8",
                          "Service Unavailable\n"};
    }
    return HttpResponse{200, "text/plain; charset=utf-8",
                        "fraisier-ruler is Ready.\n"};
  });
  http->Handle({"POST", "PUT"}, "/-/reload", [this](const HttpRequest&) {
    if (absl::Status s = Reload(); !s.ok()) {
      FR_LOG(ERROR) << "Error reloading config: " << s.message();
      return HttpResponse{
          500, "text/plain; charset=utf-8",
          absl::StrCat("failed to reload config: ", s.message(), "\n")};
    }
    return HttpResponse{200, "text/plain; charset=utf-8", ""};
  });
  http->Handle({"GET"}, "/metrics", [this](const HttpRequest&) {
    return HttpResponse{200, "text/plain; version=0.0.4; charset=utf-8",
                        metrics.Render()};
  });
  http->Handle({"GET"}, "/", [](const HttpRequest&) {
    return HttpResponse{
        200, "text/plain; charset=utf-8",
        "fraisier-ruler\n\n"
        "POST /api/v1/write            remote-write 1.0 (snappy, protobuf)\n"
        "GET  /api/v1/query            PromQL instant query\n"
        "GET  /api/v1/query_range      PromQL range query\n"
        "GET  /api/v1/series, /api/v1/labels, /api/v1/label/<name>/values\n"
        "GET  /api/v1/status/{config,flags,buildinfo,tsdb}\n"
        "GET  /metrics, /-/healthy, /-/ready; POST /-/reload\n"};
  });
}

void Server::Impl::RegisterMetrics() {
  CallbackCollector& cb = metrics.callbacks();
  tsdb::Head* h = head.get();
  cb.AddGauge("ruler_tsdb_head_series", "Active series in the head.",
              [h] { return static_cast<double>(h->stats().series); });
  cb.AddCounter("ruler_tsdb_head_series_created_total",
                "Series created in the head.",
                [h] { return static_cast<double>(h->stats().series_created); });
  cb.AddCounter("ruler_tsdb_head_series_removed_total",
                "Series removed from the head by retention.",
                [h] { return static_cast<double>(h->stats().series_removed); });
  cb.AddCounter(
      "ruler_tsdb_head_samples_appended_total", "Samples appended.",
      [h] { return static_cast<double>(h->stats().samples_appended); });
  cb.AddCounterFamily(
      "ruler_tsdb_samples_rejected_total",
      "Samples the head refused, by reason.", "reason", [h] {
        tsdb::HeadStats s = h->stats();
        return std::vector<std::pair<std::string, double>>{
            {"out_of_order", static_cast<double>(s.out_of_order)},
            {"duplicate_timestamp", static_cast<double>(s.duplicates)},
            {"out_of_bounds", static_cast<double>(s.out_of_bounds)},
            {"series_limit", static_cast<double>(s.series_limit)}};
      });
  cb.AddCounter("ruler_tsdb_chunks_persisted_total",
                "Completed chunks written to chunk files.", [h] {
                  return static_cast<double>(h->stats().chunks_persisted);
                });
  cb.AddCounter("ruler_tsdb_wal_replayed_records_total",
                "WAL records replayed at start-up.", [h] {
                  return static_cast<double>(h->stats().replayed_records);
                });
  cb.AddCounter(
      "ruler_tsdb_wal_corrupted_records_total",
      "WAL records dropped at start-up because the tail was damaged.",
      [h] { return static_cast<double>(h->stats().replay_dropped_records); });
  cb.AddSummary("ruler_tsdb_wal_fsync_duration_seconds",
                "Duration of WAL fsyncs made for commits.", [h] {
                  tsdb::WalMetrics w = h->wal_metrics();
                  return std::make_pair(static_cast<uint64_t>(w.commit_syncs),
                                        w.commit_sync_seconds);
                });
  cb.AddCounter(
      "ruler_tsdb_wal_bytes_written_total", "Bytes written to the WAL.",
      [h] { return static_cast<double>(h->wal_metrics().bytes_written); });
  cb.AddCounter("ruler_tsdb_wal_commits_total", "Batches logged to the WAL.",
                [h] { return static_cast<double>(h->wal_metrics().commits); });
  cb.AddGauge("ruler_tsdb_memory_bytes",
              "Approximate heap bytes of the head (series, chunks, index, "
              "symbols), refreshed every minute.",
              [this] { return memory_bytes.load(); });
  cb.AddGauge("ruler_config_last_reload_successful",
              "Whether the last configuration reload attempt was successful.",
              [this] { return last_reload_ok.load() ? 1.0 : 0.0; });
  cb.AddGauge("ruler_config_last_reload_success_timestamp_seconds",
              "Timestamp of the last successful configuration reload.",
              [this] { return last_reload_success_time.load(); });
  cb.AddGauge("ruler_ready", "Whether the server is ready.",
              [this] { return ready.load() ? 1.0 : 0.0; });
  cb.AddGaugeFamily("ruler_build_info", "Build information (value 1).",
                    "version", [] {
                      return std::vector<std::pair<std::string, double>>{
                          {std::string(kBuildVersion), 1}};
                    });
  struct ProcessMetric {
    const char* name;
    const char* help;
    double ProcessStats::*field;
    bool counter;
  };
  for (const ProcessMetric& m : {
           ProcessMetric{"process_cpu_seconds_total",
                         "Total user and system CPU time spent in seconds.",
                         &ProcessStats::cpu_seconds, true},
           ProcessMetric{"process_resident_memory_bytes",
                         "Resident memory size in bytes.",
                         &ProcessStats::resident_memory_bytes, false},
           ProcessMetric{"process_virtual_memory_bytes",
                         "Virtual memory size in bytes.",
                         &ProcessStats::virtual_memory_bytes, false},
           ProcessMetric{"process_open_fds", "Number of open file descriptors.",
                         &ProcessStats::open_fds, false},
           ProcessMetric{"process_max_fds",
                         "Maximum number of open file descriptors.",
                         &ProcessStats::max_fds, false},
           ProcessMetric{"process_start_time_seconds",
                         "Start time of the process since unix epoch in "
                         "seconds.",
                         &ProcessStats::start_time_seconds, false},
       }) {
    auto read = [field = m.field] { return ReadProcessStats().*field; };
    if (m.counter) {
      cb.AddCounter(m.name, m.help, read);
    } else {
      cb.AddGauge(m.name, m.help, read);
    }
  }
  services->RegisterMetrics(cb);
}

Server::Server(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}

Server::~Server() { (void)Shutdown(); }

absl::StatusOr<std::unique_ptr<Server>> Server::Start(ServerOptions options) {
  // Under glibc each HTTP and gRPC thread would get its own malloc arena,
  // and freed request bodies linger in all of them (measured: 131 MB RSS
  // with the default, 80 MB with one arena, same data).
  TuneAllocatorForServer();
  auto impl = std::make_unique<Impl>();
  impl->clock = options.clock != nullptr ? options.clock : RealClock::Get();
  impl->options = std::move(options);
  FR_ASSIGN_OR_RETURN(Config config, LoadEffectiveConfig(impl->options));
  for (const std::string& w : config.warnings) {
    FR_LOG(WARNING) << w;
  }
  impl->config = std::make_shared<const Config>(config);

  tsdb::HeadOptions head_options;
  head_options.dir = config.storage.path;
  head_options.clock = impl->clock;
  head_options.fsync_policy = config.storage.fsync == FsyncMode::kEveryCommit
                                  ? tsdb::FsyncPolicy::kEveryCommit
                                  : tsdb::FsyncPolicy::kInterval;
  head_options.fsync_interval = config.storage.fsync_interval;
  head_options.retention = config.storage.retention_time;
  head_options.retention_bytes = config.storage.retention_size_bytes;
  head_options.max_series = config.storage.max_active_series;
  FR_LOG(INFO) << "Memory allocator: " << AllocatorName();
  FR_LOG(INFO) << "Opening storage in " << head_options.dir;
  FR_ASSIGN_OR_RETURN(impl->head, tsdb::Head::Open(head_options));
  const tsdb::HeadStats stats = impl->head->stats();
  FR_LOG(INFO) << "Storage opened: " << stats.series << " series, "
               << stats.replayed_records << " WAL records replayed, "
               << stats.replay_dropped_records << " damaged records dropped";

  Server::Impl* raw = impl.get();
  std::string external_url = raw->options.external_url;
  if (external_url.empty()) {
    char host[256] = "localhost";
    gethostname(host, sizeof(host) - 1);
    auto host_port = SplitHostPort(raw->options.web_listen_address);
    external_url = absl::StrCat("http://", host, ":",
                                host_port.ok() ? host_port->second : 9099);
  }
  ServicesDeps deps{raw->head.get(),    raw->clock,
                    &raw->metrics,      [raw] { return raw->CurrentConfig(); },
                    raw->options.flags, external_url};
  FR_ASSIGN_OR_RETURN(impl->services, Services::Create(deps, config));
  raw->RegisterMetrics();

  HttpFrontendOptions http_options;
  http_options.listen_address = raw->options.web_listen_address;
  http_options.threads = raw->options.http_threads;
  http_options.max_body_bytes = config.receiver.max_body_bytes;
  http_options.observe = [raw](absl::string_view route, int code,
                               double seconds) {
    raw->metrics.ObserveHttpRequest(route, code, seconds);
  };
  impl->http = std::make_unique<HttpFrontend>(http_options);
  raw->Route();

  int grpc_port = 0;
  if (!raw->options.grpc_listen_address.empty()) {
    FR_ASSIGN_OR_RETURN(
        grpc_port, raw->services->StartGrpc(raw->options.grpc_listen_address));
  }
  FR_ASSIGN_OR_RETURN(int http_port, raw->http->Start());
  raw->memory_bytes.store(static_cast<double>(raw->head->MemoryBytes()));
  raw->maintenance = std::thread([raw] { raw->RunMaintenance(); });
  raw->ready.store(true);
  FR_LOG(INFO) << "Server is ready to receive web requests on port "
               << http_port
               << (grpc_port > 0 ? absl::StrCat(", gRPC on port ", grpc_port)
                                 : std::string());
  auto server = std::unique_ptr<Server>(new Server(std::move(impl)));
  server->http_port_ = http_port;
  server->grpc_port_ = grpc_port;
  return server;
}

absl::Status Server::Reload() { return impl_->Reload(); }

absl::Status Server::Shutdown() {
  if (impl_ == nullptr) return absl::OkStatus();
  std::unique_ptr<Impl> impl = std::move(impl_);
  impl->ready.store(false);
  FR_LOG(INFO) << "Stopping server";
  impl->http->Stop();
  impl->services->StopGrpc();
  impl->services->StopRules();
  {
    std::lock_guard<std::mutex> lock(impl->maintenance_mu);
    impl->stopping = true;
  }
  impl->maintenance_cv.notify_all();
  if (impl->maintenance.joinable()) impl->maintenance.join();
  impl->services.reset();
  // Closing the head syncs and closes the WAL, so every acknowledged sample
  // is on disk before the process exits.
  impl->head.reset();
  FR_LOG(INFO) << "See you next time!";
  return absl::OkStatus();
}

}  // namespace fraisier::server
