#include "engine/server/wiring.h"

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/time/clock.h"
#include "engine/api/api.h"
#include "engine/api/rules_api.h"
#include "engine/base/logging.h"
#include "engine/base/status_macros.h"
#include "engine/base/version.h"
#include "engine/ingest/grpc_service.h"
#include "engine/ingest/receiver.h"
#include "engine/tsdb/head.h"
#include "promql/engine.h"
#include "promql/printer.h"
#include "rules/manager.h"
#include "rules/notifier/from_rules.h"
#include "rules/notifier/notifier.h"
#include "rules/rule_query.h"
#include "rules/template_expander.h"

namespace fraisier::server {

struct Services::State {
  ServicesDeps deps;
  std::unique_ptr<promql::Engine> engine;
  std::unique_ptr<api::Api> api;
  std::unique_ptr<ingest::Receiver> receiver;
  std::unique_ptr<ingest::RemoteWriteGrpcServer> grpc;
  std::unique_ptr<rules::Manager> rules;

  std::mutex notifier_mu;
  std::shared_ptr<notifier::Notifier> notifier;  // guarded by notifier_mu
  std::string notifier_key;  // the config it was built from; notifier_mu

  std::shared_ptr<notifier::Notifier> CurrentNotifier() {
    std::lock_guard<std::mutex> lock(notifier_mu);
    return notifier;
  }
};

namespace {

ingest::ReceiverLimits LimitsFrom(const ReceiverConfig& c) {
  ingest::ReceiverLimits limits;
  limits.max_body_bytes = c.max_body_bytes;
  limits.max_decoded_bytes = c.max_decoded_bytes;
  limits.max_series_per_request = c.max_series_per_request;
  limits.max_samples_per_request = c.max_samples_per_request;
  limits.max_labels_per_series = c.max_labels_per_series;
  limits.max_label_name_length = c.max_label_name_length;
  limits.max_label_value_length = c.max_label_value_length;
  return limits;
}

HttpResponse FromApi(api::Response r) {
  HttpResponse out(r.status, std::move(r.content_type), std::move(r.body));
  out.headers = std::move(r.headers);
  return out;
}

notifier::HttpClientOptions ClientOptions(const HttpClientConfig& c) {
  notifier::HttpClientOptions o;
  o.basic_auth_username = c.basic_auth.username;
  o.basic_auth_password = c.basic_auth.password;
  o.basic_auth_password_file = c.basic_auth.password_file;
  if (!c.authorization_credentials.empty() ||
      !c.authorization_credentials_file.empty()) {
    o.authorization_type = c.authorization_type;
    o.authorization_credentials = c.authorization_credentials;
    o.authorization_credentials_file = c.authorization_credentials_file;
  }
  o.tls_insecure_skip_verify = c.tls_insecure_skip_verify;
  o.tls_ca_file = c.tls_ca_file;
  o.tls_cert_file = c.tls_cert_file;
  o.tls_key_file = c.tls_key_file;
  o.tls_server_name = c.tls_server_name;
  o.follow_redirects = c.follow_redirects;
  return o;
}

// One endpoint per static target, and a key that changes when anything the
// notifier was built from changes.
std::vector<notifier::AlertmanagerEndpoint> Endpoints(const Config& config,
                                                      std::string* key) {
  std::vector<notifier::AlertmanagerEndpoint> out;
  *key = config.external_labels.ToString();
  for (const AlertmanagerConfig& am : config.alertmanagers) {
    for (const std::string& target : am.targets) {
      notifier::AlertmanagerEndpoint e;
      e.scheme = am.scheme;
      e.target = target;
      e.path_prefix = am.path_prefix;
      e.api_version = am.api_version;
      e.timeout = am.timeout;
      e.http = ClientOptions(am.http);
      absl::StrAppend(
          key, "|", e.scheme, "://", target, e.path_prefix, "|",
          absl::FormatDuration(e.timeout), "|", am.http.basic_auth.username,
          ":", am.http.basic_auth.password, am.http.basic_auth.password_file,
          "|", am.http.authorization_credentials,
          am.http.authorization_credentials_file, "|", am.http.tls_ca_file,
          am.http.tls_server_name, am.http.tls_insecure_skip_verify);
      out.push_back(std::move(e));
    }
  }
  return out;
}

}  // namespace

Services::Services(std::unique_ptr<State> state) : state_(std::move(state)) {}

Services::~Services() { StopGrpc(); }

absl::StatusOr<std::unique_ptr<Services>> Services::Create(
    const ServicesDeps& deps, const Config& config) {
  auto state = std::make_unique<State>();
  state->deps = deps;
  promql::EngineOptions engine_options;
  engine_options.clock = deps.clock;
  state->engine = std::make_unique<promql::Engine>(engine_options);

  api::ApiOptions api_options;
  api_options.storage = deps.head;
  api_options.engine = state->engine.get();
  api_options.clock = deps.clock;
  auto current = deps.config;
  api_options.config_yaml = [current] { return current()->yaml; };
  auto flags = deps.flags;
  api_options.flags = [flags] { return flags; };
  api_options.build_info.version = std::string(kBuildVersion);
  api_options.build_info.branch = "main";
  api_options.build_info.go_version = absl::StrCat("g++ ", __VERSION__);
  tsdb::Head* head = deps.head;
  api_options.tsdb_status = [head]() -> absl::StatusOr<api::TsdbStatus> {
    absl::StatusOr<api::TsdbStatus> status = api::ComputeTsdbStatus(*head);
    if (status.ok()) {
      // Chunks written to chunk files (retention may since have dropped
      // some) plus one open chunk per series.
      const tsdb::HeadStats stats = head->stats();
      status->head_stats.chunk_count = stats.chunks_persisted + stats.series;
    }
    return status;
  };
  rules::ManagerOptions rules_options;
  rules_options.clock = deps.clock;
  rules_options.context.store = deps.head;
  rules_options.context.queryable = deps.head;
  rules_options.context.query =
      rules::EngineQueryFunc(*state->engine, *deps.head);
  State* raw = state.get();
  rules_options.context.expand = rules::MakeTemplateExpander(
      [raw] {
        return rules::ExpanderSettings{raw->deps.config()->external_labels,
                                       raw->deps.external_url};
      },
      rules_options.context.query);
  rules_options.check_template = rules::CheckTemplate;
  rules_options.context.notify = [raw](const rules::AlertingRule& rule,
                                       std::vector<rules::Alert> alerts) {
    std::shared_ptr<notifier::Notifier> n = raw->CurrentNotifier();
    if (n == nullptr) return;
    n->Send(notifier::FromRuleAlerts(alerts, promql::Format(rule.expr()),
                                     raw->deps.external_url));
  };
  state->rules = std::make_unique<rules::Manager>(rules_options);
  for (api::ExtraHandler& h : api::RulesHandlers(state->rules.get())) {
    api_options.extra_handlers.push_back(std::move(h));
  }
  state->api = std::make_unique<api::Api>(std::move(api_options));

  state->receiver = std::make_unique<ingest::Receiver>(
      *deps.head, LimitsFrom(config.receiver), deps.clock);
  auto services = std::unique_ptr<Services>(new Services(std::move(state)));
  FR_RETURN_IF_ERROR(services->ApplyConfig(config));
  services->state_->rules->Start();
  return services;
}

HttpResponse Services::Write(const HttpRequest& request) {
  if (!request.content_encoding.empty() &&
      request.content_encoding != "snappy") {
    return HttpResponse(415, "text/plain; charset=utf-8",
                        absl::StrCat("unsupported Content-Encoding \"",
                                     request.content_encoding,
                                     "\": remote-write bodies are snappy\n"));
  }
  if (absl::StrContains(request.content_type, "io.prometheus.write.v2")) {
    return HttpResponse(415, "text/plain; charset=utf-8",
                        "remote-write 2.0 is not supported; send protocol "
                        "1.0 (prometheus.WriteRequest)\n");
  }
  ingest::WriteResult result = state_->receiver->WriteSnappy(request.body);
  const int status = ingest::HttpStatus(result.code);
  if (result.ok()) return HttpResponse(status, "", "");
  if (result.code != ingest::WriteCode::kBadRequest) {
    FR_LOG(WARNING) << "remote write from " << request.remote_addr
                    << " refused with " << status << ": " << result.message;
  }
  return HttpResponse(status, "text/plain; charset=utf-8",
                      absl::StrCat(result.message, "\n"));
}

HttpResponse Services::Api(const HttpRequest& request) {
  api::Request req;
  req.method = request.method;
  req.path = request.raw_path.empty() ? request.path : request.raw_path;
  req.origin = request.origin;
  // Go's r.Form order: the form body first, then the URL query.
  if (request.method == "POST" &&
      absl::StartsWith(request.content_type,
                       "application/x-www-form-urlencoded")) {
    api::AppendUrlEncoded(request.body, &req.params);
  }
  api::AppendUrlEncoded(request.raw_query, &req.params);
  const bool instant = req.path == "/api/v1/query";
  const bool range = req.path == "/api/v1/query_range";
  const absl::Time start = absl::Now();
  HttpResponse response = FromApi(state_->api->Handle(req));
  if (instant || range) {
    // Wall time on purpose: this is a latency metric, not program logic.
    state_->deps.metrics->ObserveQuery(
        instant ? "instant" : "range",
        absl::ToDoubleSeconds(absl::Now() - start));
  }
  return response;
}

absl::StatusOr<int> Services::StartGrpc(const std::string& address) {
  ingest::GrpcServerOptions options;
  options.listen_address = address;
  absl::StatusOr<std::unique_ptr<ingest::RemoteWriteGrpcServer>> server =
      ingest::RemoteWriteGrpcServer::Start(*state_->receiver, options);
  if (!server.ok()) return server.status();
  state_->grpc = *std::move(server);
  return state_->grpc->port();
}

void Services::StopGrpc() {
  if (state_ != nullptr && state_->grpc != nullptr) {
    state_->grpc->Shutdown();
  }
}

absl::Status Services::ApplyConfig(const Config& config) {
  const ingest::ReceiverLimits next = LimitsFrom(config.receiver);
  const ingest::ReceiverLimits& now = state_->receiver->limits();
  if (next.max_body_bytes != now.max_body_bytes ||
      next.max_series_per_request != now.max_series_per_request ||
      next.max_samples_per_request != now.max_samples_per_request ||
      next.max_labels_per_series != now.max_labels_per_series) {
    FR_LOG(WARNING) << "remote_write_receiver limits changed; they take "
                       "effect after a restart";
  }
  if (!config.remote_write.empty()) {
    FR_LOG(WARNING) << "remote_write is configured but not implemented yet: "
                       "recording-rule results stay in the local store";
  }
  FR_ASSIGN_OR_RETURN(std::vector<std::string> files, ResolveRuleFiles(config));
  std::string key;
  std::vector<notifier::AlertmanagerEndpoint> endpoints =
      Endpoints(config, &key);
  std::shared_ptr<notifier::Notifier> fresh;
  bool rebuild = false;
  {
    std::lock_guard<std::mutex> lock(state_->notifier_mu);
    rebuild = state_->notifier == nullptr || state_->notifier_key != key;
  }
  if (rebuild) {
    notifier::NotifierOptions options;
    options.external_labels = config.external_labels;
    FR_ASSIGN_OR_RETURN(std::unique_ptr<notifier::Notifier> made,
                        notifier::Notifier::Create(
                            std::move(endpoints), options, state_->deps.clock));
    fresh = std::move(made);
  }
  FR_RETURN_IF_ERROR(state_->rules->Update(config.evaluation_interval, files));
  if (rebuild) {
    std::shared_ptr<notifier::Notifier> old;
    {
      std::lock_guard<std::mutex> lock(state_->notifier_mu);
      old = std::move(state_->notifier);
      state_->notifier = std::move(fresh);
      state_->notifier_key = key;
    }
    // What the old one still holds is delivered before it goes.
    if (old != nullptr) old->Stop(absl::Seconds(5));
  }
  return absl::OkStatus();
}

void Services::StopRules() {
  if (state_ == nullptr) return;
  if (state_->rules != nullptr) state_->rules->Stop();
  // Alerts already queued (e.g. resolutions) get a few seconds to leave.
  if (std::shared_ptr<notifier::Notifier> n = state_->CurrentNotifier()) {
    n->Stop(absl::Seconds(5));
  }
}

void Services::RegisterMetrics(CallbackCollector& cb) {
  const rules::Manager* manager = state_->rules.get();
  auto per_group = [manager](auto value) {
    return [manager, value] {
      std::vector<std::pair<std::string, double>> out;
      for (const auto& g : manager->groups()) {
        out.emplace_back(g->file() + ";" + g->name(), value(*g));
      }
      return out;
    };
  };
  cb.AddCounterFamily("ruler_rule_group_evaluations_total",
                      "Evaluations of each rule group (label: file;group).",
                      "rule_group", per_group([](const rules::Group& g) {
                        return static_cast<double>(g.evaluations());
                      }));
  cb.AddCounterFamily("ruler_rule_group_evaluation_failures_total",
                      "Evaluations in which at least one rule failed.",
                      "rule_group", per_group([](const rules::Group& g) {
                        return static_cast<double>(g.failures());
                      }));
  cb.AddCounterFamily(
      "ruler_rule_group_iterations_missed_total",
      "Evaluation slots skipped because the previous one ran late.",
      "rule_group", per_group([](const rules::Group& g) {
        return static_cast<double>(g.missed_iterations.load());
      }));
  cb.AddGaugeFamily("ruler_rule_group_last_duration_seconds",
                    "Duration of the last evaluation of each group.",
                    "rule_group", per_group([](const rules::Group& g) {
                      return absl::ToDoubleSeconds(g.last_duration());
                    }));
  State* st = state_.get();
  auto per_am = [st](auto value) {
    return [st, value] {
      std::vector<std::pair<std::string, double>> out;
      if (std::shared_ptr<notifier::Notifier> n = st->CurrentNotifier()) {
        for (const notifier::AlertmanagerStats& s : n->Stats()) {
          out.emplace_back(s.url, value(s));
        }
      }
      return out;
    };
  };
  cb.AddCounterFamily("ruler_notifications_sent_total",
                      "Alerts delivered to each Alertmanager.", "alertmanager",
                      per_am([](const notifier::AlertmanagerStats& s) {
                        return static_cast<double>(s.sent);
                      }));
  cb.AddCounterFamily("ruler_notifications_errors_total",
                      "Alerts in failed delivery attempts.", "alertmanager",
                      per_am([](const notifier::AlertmanagerStats& s) {
                        return static_cast<double>(s.errors);
                      }));
  cb.AddCounterFamily("ruler_notifications_retries_total",
                      "Delivery attempts retried after a 5xx, 429 or "
                      "transport error.",
                      "alertmanager",
                      per_am([](const notifier::AlertmanagerStats& s) {
                        return static_cast<double>(s.retries);
                      }));
  cb.AddCounterFamily("ruler_notifications_dropped_total",
                      "Alerts dropped (queue overflow, refused, retries "
                      "exhausted).",
                      "alertmanager",
                      per_am([](const notifier::AlertmanagerStats& s) {
                        return static_cast<double>(s.dropped);
                      }));
  cb.AddGaugeFamily("ruler_notifications_queue_length",
                    "Alerts waiting to be sent.", "alertmanager",
                    per_am([](const notifier::AlertmanagerStats& s) {
                      return static_cast<double>(s.queue_length);
                    }));
  cb.AddGauge("ruler_rule_groups", "Loaded rule groups.", [manager] {
    return static_cast<double>(manager->groups().size());
  });
  const ingest::ReceiverMetrics* m = &state_->receiver->metrics();
  cb.AddCounterFamily(
      "ruler_remote_write_requests_total",
      "Remote-write requests (HTTP and gRPC) by outcome.", "code", [m] {
        std::vector<std::pair<std::string, double>> out;
        for (int i = 0; i < ingest::kNumWriteCodes; ++i) {
          auto code = static_cast<ingest::WriteCode>(i);
          out.emplace_back(std::string(ingest::WriteCodeName(code)),
                           static_cast<double>(m->requests_with(code)));
        }
        return out;
      });
  cb.AddCounter("ruler_remote_write_samples_received_total",
                "Samples received by remote-write.", [m] {
                  return static_cast<double>(m->samples_received.load());
                });
  cb.AddCounter("ruler_remote_write_samples_stored_total",
                "Samples remote-write stored.",
                [m] { return static_cast<double>(m->samples_stored.load()); });
  cb.AddCounterFamily(
      "ruler_remote_write_samples_rejected_total",
      "Samples remote-write refused, by reason.", "reason", [m] {
        std::vector<std::pair<std::string, double>> out;
        for (int i = 0; i < ingest::kNumRejectReasons; ++i) {
          auto reason = static_cast<ingest::RejectReason>(i);
          out.emplace_back(std::string(ingest::RejectReasonName(reason)),
                           static_cast<double>(m->rejected(reason)));
        }
        return out;
      });
  cb.AddCounter("ruler_remote_write_series_rejected_total",
                "Series refused whole (invalid labels, per-series limits).",
                [m] { return static_cast<double>(m->series_rejected.load()); });
  cb.AddCounter("ruler_remote_write_exemplars_ignored_total",
                "Exemplars received and not stored.", [m] {
                  return static_cast<double>(m->exemplars_ignored.load());
                });
  cb.AddCounter(
      "ruler_remote_write_histograms_ignored_total",
      "Native histogram samples received and not stored (not supported yet).",
      [m] { return static_cast<double>(m->histograms_ignored.load()); });
}

}  // namespace fraisier::server
