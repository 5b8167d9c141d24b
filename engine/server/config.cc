#include "engine/server/config.h"

#include <glob.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <fstream>
#include <sstream>

#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "engine/base/status_macros.h"
#include "engine/model/validation.h"
#include "engine/yaml/decode.h"
#include "engine/yaml/yaml.h"
#include "promql/literals.h"

namespace fraisier::server {
namespace {

using yaml::Diagnostics;
using yaml::MapDecoder;
using yaml::YamlNode;

// Decoding context: the diagnostics plus the warnings list of the config.
struct Ctx {
  Diagnostics* diag;
  std::vector<std::string>* warnings;

  void Warn(const YamlNode& at, absl::string_view what) {
    warnings->push_back(absl::StrCat(diag->filename(), ":", at.line, ":",
                                     at.column, ": ", what));
  }
};

bool DecodeDuration(const YamlNode& node, Diagnostics* diag,
                    absl::Duration* out) {
  std::string text;
  if (!yaml::DecodeString(node, diag, &text)) return false;
  absl::StatusOr<int64_t> ms = promql::ParseDurationMs(text);
  if (!ms.ok()) {
    diag->Error(node, ms.status().message());
    return false;
  }
  *out = absl::Milliseconds(*ms);
  return true;
}

bool DecodeByteSize(const YamlNode& node, Diagnostics* diag, int64_t* out) {
  std::string text;
  if (!yaml::DecodeString(node, diag, &text)) return false;
  absl::StatusOr<int64_t> bytes = ParseByteSize(text);
  if (!bytes.ok()) {
    diag->Error(node, bytes.status().message());
    return false;
  }
  *out = *bytes;
  return true;
}

bool DecodePositive(const YamlNode& node, Diagnostics* diag, int64_t* out) {
  if (!yaml::DecodeInt64(node, diag, out)) return false;
  if (*out < 0) {
    diag->Error(node, absl::StrCat("must not be negative, got ", *out));
    return false;
  }
  return true;
}

// Keys whose presence means a feature we do not have and would otherwise get
// silently wrong.
void RejectUnsupported(MapDecoder& map, absl::string_view key,
                       absl::string_view why, Diagnostics* diag) {
  if (const YamlNode* n = map.Take(key); n != nullptr && !n->IsNull()) {
    diag->Error(*n, absl::StrCat(key, " is not supported: ", why));
  }
}

void IgnoreWithWarning(MapDecoder& map, absl::string_view key,
                       absl::string_view section, Ctx& ctx) {
  if (const YamlNode* n = map.Take(key); n != nullptr) {
    ctx.Warn(*n, absl::StrCat(section, key, " is ignored by ruler"));
  }
}

void DecodeExternalLabels(const YamlNode& node, Ctx& ctx, Labels* out) {
  std::vector<std::pair<std::string, std::string>> pairs;
  if (!yaml::DecodeStringMap(node, ctx.diag, &pairs)) return;
  LabelsBuilder builder;
  for (size_t i = 0; i < pairs.size(); ++i) {
    const auto& [name, value] = pairs[i];
    const YamlNode& at = node.entries[i].first;
    if (!IsValidLabelName(name, NameValidation::kLegacy)) {
      ctx.diag->Error(at,
                      absl::StrCat("\"", name, "\" is not a valid label name"));
      continue;
    }
    if (!IsValidUtf8(value)) {
      ctx.diag->Error(
          node.entries[i].second,
          absl::StrCat("\"", value, "\" is not a valid label value"));
      continue;
    }
    if (name == kMetricNameLabel) {
      ctx.diag->Error(at, "external label \"__name__\" is not allowed");
      continue;
    }
    builder.Set(name, value);
  }
  *out = builder.Build();
}

void DecodeGlobal(const YamlNode& node, Ctx& ctx, Config* config) {
  MapDecoder map(node, "global", ctx.diag);
  if (const YamlNode* n = map.Take("evaluation_interval")) {
    if (DecodeDuration(*n, ctx.diag, &config->evaluation_interval) &&
        config->evaluation_interval <= absl::ZeroDuration()) {
      ctx.diag->Error(*n, "evaluation_interval must be positive");
    }
  }
  if (const YamlNode* n = map.Take("external_labels")) {
    DecodeExternalLabels(*n, ctx, &config->external_labels);
  }
  for (absl::string_view key :
       {"scrape_interval", "scrape_timeout", "query_log_file",
        "body_size_limit", "sample_limit", "target_limit", "label_limit",
        "label_name_length_limit", "label_value_length_limit"}) {
    IgnoreWithWarning(map, key, "global.", ctx);
  }
}

void DecodeAuthorization(const YamlNode& node, Ctx& ctx, HttpClientConfig* h) {
  MapDecoder map(node, "authorization", ctx.diag);
  if (const YamlNode* n = map.Take("type")) {
    yaml::DecodeString(*n, ctx.diag, &h->authorization_type);
    if (absl::EqualsIgnoreCase(h->authorization_type, "basic")) {
      ctx.diag->Error(*n,
                      "authorization type cannot be set to \"basic\", use "
                      "\"basic_auth\" instead");
    }
  }
  if (const YamlNode* n = map.Take("credentials")) {
    yaml::DecodeString(*n, ctx.diag, &h->authorization_credentials);
  }
  if (const YamlNode* n = map.Take("credentials_file")) {
    yaml::DecodeString(*n, ctx.diag, &h->authorization_credentials_file);
  }
  if (!h->authorization_credentials.empty() &&
      !h->authorization_credentials_file.empty()) {
    ctx.diag->Error(node,
                    "at most one of authorization credentials & "
                    "credentials_file must be configured");
  }
  if (h->authorization_type.empty()) h->authorization_type = "Bearer";
}

void DecodeTls(const YamlNode& node, Ctx& ctx, HttpClientConfig* h) {
  MapDecoder map(node, "tls_config", ctx.diag);
  if (const YamlNode* n = map.Take("insecure_skip_verify")) {
    yaml::DecodeBool(*n, ctx.diag, &h->tls_insecure_skip_verify);
  }
  if (const YamlNode* n = map.Take("ca_file")) {
    yaml::DecodeString(*n, ctx.diag, &h->tls_ca_file);
  }
  if (const YamlNode* n = map.Take("cert_file")) {
    yaml::DecodeString(*n, ctx.diag, &h->tls_cert_file);
  }
  if (const YamlNode* n = map.Take("key_file")) {
    yaml::DecodeString(*n, ctx.diag, &h->tls_key_file);
  }
  if (const YamlNode* n = map.Take("server_name")) {
    yaml::DecodeString(*n, ctx.diag, &h->tls_server_name);
  }
}

// The HTTP client keys common to alertmanager and remote_write entries.
void DecodeHttpClient(const YamlNode& parent, MapDecoder& map, Ctx& ctx,
                      HttpClientConfig* h) {
  if (const YamlNode* n = map.Take("basic_auth")) {
    MapDecoder auth(*n, "basic_auth", ctx.diag);
    if (const YamlNode* v = auth.Take("username")) {
      yaml::DecodeString(*v, ctx.diag, &h->basic_auth.username);
    }
    if (const YamlNode* v = auth.Take("password")) {
      yaml::DecodeString(*v, ctx.diag, &h->basic_auth.password);
    }
    if (const YamlNode* v = auth.Take("password_file")) {
      yaml::DecodeString(*v, ctx.diag, &h->basic_auth.password_file);
    }
    if (!h->basic_auth.password.empty() &&
        !h->basic_auth.password_file.empty()) {
      ctx.diag->Error(*n,
                      "at most one of basic_auth password & password_file "
                      "must be configured");
    }
  }
  const YamlNode* authz = map.Take("authorization");
  if (authz != nullptr) DecodeAuthorization(*authz, ctx, h);
  if (const YamlNode* n = map.Take("bearer_token")) {
    yaml::DecodeString(*n, ctx.diag, &h->authorization_credentials);
    h->authorization_type = "Bearer";
  }
  if (const YamlNode* n = map.Take("bearer_token_file")) {
    yaml::DecodeString(*n, ctx.diag, &h->authorization_credentials_file);
    h->authorization_type = "Bearer";
  }
  if ((authz != nullptr || !h->authorization_credentials.empty() ||
       !h->authorization_credentials_file.empty()) &&
      (!h->basic_auth.username.empty() || !h->basic_auth.password.empty())) {
    ctx.diag->Error(authz != nullptr ? *authz : parent,
                    "at most one of basic_auth, oauth2 & authorization must "
                    "be configured");
  }
  if (const YamlNode* n = map.Take("tls_config")) DecodeTls(*n, ctx, h);
  if (const YamlNode* n = map.Take("follow_redirects")) {
    yaml::DecodeBool(*n, ctx.diag, &h->follow_redirects);
  }
  if (const YamlNode* n = map.Take("enable_http2")) {
    bool ignored = false;
    yaml::DecodeBool(*n, ctx.diag, &ignored);
  }
  RejectUnsupported(map, "oauth2", "use authorization or basic_auth", ctx.diag);
  RejectUnsupported(map, "proxy_url", "set HTTP_PROXY in the environment",
                    ctx.diag);
}

void DecodeAlertmanager(const YamlNode& node, Ctx& ctx,
                        AlertmanagerConfig* am) {
  MapDecoder map(node, "alertmanager config", ctx.diag);
  if (const YamlNode* n = map.Take("static_configs")) {
    if (n->kind != YamlNode::Kind::kSequence && !n->IsNull()) {
      ctx.diag->Error(*n, "static_configs must be a list");
    } else {
      for (const YamlNode& sc : n->items) {
        MapDecoder scmap(sc, "static_config", ctx.diag);
        if (const YamlNode* t = scmap.Take("targets")) {
          std::vector<std::string> targets;
          yaml::DecodeStringList(*t, ctx.diag, &targets);
          for (size_t i = 0; i < targets.size(); ++i) {
            if (targets[i].empty() || absl::StrContains(targets[i], "/")) {
              ctx.diag->Error(t->items[i],
                              absl::StrCat("\"", targets[i],
                                           "\" is not a valid host:port "
                                           "target"));
              continue;
            }
            am->targets.push_back(targets[i]);
          }
        }
        if (const YamlNode* l = scmap.Take("labels")) {
          ctx.Warn(*l, "static_configs labels are ignored by ruler");
        }
      }
    }
  }
  if (const YamlNode* n = map.Take("scheme")) {
    yaml::DecodeString(*n, ctx.diag, &am->scheme);
    if (am->scheme != "http" && am->scheme != "https") {
      ctx.diag->Error(*n, absl::StrCat("scheme must be http or https, got \"",
                                       am->scheme, "\""));
    }
  }
  if (const YamlNode* n = map.Take("path_prefix")) {
    yaml::DecodeString(*n, ctx.diag, &am->path_prefix);
  }
  if (const YamlNode* n = map.Take("timeout")) {
    DecodeDuration(*n, ctx.diag, &am->timeout);
  }
  if (const YamlNode* n = map.Take("api_version")) {
    yaml::DecodeString(*n, ctx.diag, &am->api_version);
    if (am->api_version != "v2") {
      ctx.diag->Error(*n, absl::StrCat("expected Alertmanager api version to "
                                       "be one of [v2] but got ",
                                       am->api_version));
    }
  }
  DecodeHttpClient(node, map, ctx, &am->http);
  RejectUnsupported(map, "relabel_configs", "not implemented yet", ctx.diag);
  RejectUnsupported(map, "alert_relabel_configs", "not implemented yet",
                    ctx.diag);
  for (const YamlNode* key : map.Keys()) {
    if (absl::EndsWith(key->scalar, "_sd_configs")) {
      RejectUnsupported(map, key->scalar,
                        "service discovery is not implemented; list the "
                        "Alertmanagers in static_configs",
                        ctx.diag);
    }
  }
}

void DecodeAlerting(const YamlNode& node, Ctx& ctx, Config* config) {
  MapDecoder map(node, "alerting", ctx.diag);
  if (const YamlNode* n = map.Take("alertmanagers")) {
    if (n->kind != YamlNode::Kind::kSequence && !n->IsNull()) {
      ctx.diag->Error(*n, "alertmanagers must be a list");
    } else {
      for (const YamlNode& am : n->items) {
        config->alertmanagers.emplace_back();
        DecodeAlertmanager(am, ctx, &config->alertmanagers.back());
      }
    }
  }
  RejectUnsupported(map, "alert_relabel_configs", "not implemented yet",
                    ctx.diag);
}

void DecodeRemoteWrite(const YamlNode& node, Ctx& ctx, RemoteWriteConfig* rw) {
  MapDecoder map(node, "remote_write config", ctx.diag);
  if (const YamlNode* n = map.Take("url")) {
    yaml::DecodeString(*n, ctx.diag, &rw->url);
    if (!absl::StartsWith(rw->url, "http://") &&
        !absl::StartsWith(rw->url, "https://")) {
      ctx.diag->Error(*n, absl::StrCat("url \"", rw->url,
                                       "\" must start with http:// or "
                                       "https://"));
    }
  } else {
    ctx.diag->Error(node, "url for remote_write is empty");
  }
  if (const YamlNode* n = map.Take("name")) {
    yaml::DecodeString(*n, ctx.diag, &rw->name);
  }
  if (const YamlNode* n = map.Take("remote_timeout")) {
    DecodeDuration(*n, ctx.diag, &rw->remote_timeout);
  }
  if (const YamlNode* n = map.Take("headers")) {
    yaml::DecodeStringMap(*n, ctx.diag, &rw->headers);
  }
  DecodeHttpClient(node, map, ctx, &rw->http);
  IgnoreWithWarning(map, "queue_config", "remote_write.", ctx);
  IgnoreWithWarning(map, "metadata_config", "remote_write.", ctx);
  IgnoreWithWarning(map, "send_exemplars", "remote_write.", ctx);
  IgnoreWithWarning(map, "send_native_histograms", "remote_write.", ctx);
  RejectUnsupported(map, "write_relabel_configs", "not implemented yet",
                    ctx.diag);
  RejectUnsupported(map, "sigv4", "not implemented", ctx.diag);
  RejectUnsupported(map, "azuread", "not implemented", ctx.diag);
}

void DecodeStorage(const YamlNode& node, Ctx& ctx, Config* config) {
  StorageConfig& s = config->storage;
  MapDecoder map(node, "storage", ctx.diag);
  if (const YamlNode* n = map.Take("path")) {
    if (yaml::DecodeString(*n, ctx.diag, &s.path)) {
      config->storage_path_set = true;
      if (s.path.empty()) ctx.diag->Error(*n, "storage path is empty");
    }
  }
  if (const YamlNode* n = map.Take("retention")) {
    MapDecoder r(*n, "storage.retention", ctx.diag);
    if (const YamlNode* t = r.Take("time")) {
      if (DecodeDuration(*t, ctx.diag, &s.retention_time)) {
        config->retention_time_set = true;
        if (s.retention_time <= absl::ZeroDuration()) {
          ctx.diag->Error(*t, "retention time must be positive");
        }
      }
    }
    if (const YamlNode* b = r.Take("size")) {
      DecodeByteSize(*b, ctx.diag, &s.retention_size_bytes);
    }
  }
  if (const YamlNode* n = map.Take("wal")) {
    MapDecoder w(*n, "storage.wal", ctx.diag);
    if (const YamlNode* f = w.Take("fsync")) {
      std::string mode;
      if (yaml::DecodeString(*f, ctx.diag, &mode)) {
        if (mode == "commit") {
          s.fsync = FsyncMode::kEveryCommit;
        } else if (mode == "interval") {
          s.fsync = FsyncMode::kInterval;
        } else {
          ctx.diag->Error(*f, absl::StrCat("fsync must be \"commit\" or "
                                           "\"interval\", got \"",
                                           mode, "\""));
        }
      }
    }
    if (const YamlNode* f = w.Take("fsync_interval")) {
      if (DecodeDuration(*f, ctx.diag, &s.fsync_interval) &&
          s.fsync_interval <= absl::ZeroDuration()) {
        ctx.diag->Error(*f, "fsync_interval must be positive");
      }
    }
    if (const YamlNode* f = w.Take("checkpoint_interval")) {
      if (DecodeDuration(*f, ctx.diag, &s.checkpoint_interval) &&
          s.checkpoint_interval < absl::Minutes(1)) {
        ctx.diag->Error(*f, "checkpoint_interval must be at least 1m");
      }
    }
  }
  if (const YamlNode* n = map.Take("max_active_series")) {
    DecodePositive(*n, ctx.diag, &s.max_active_series);
  }
  // Prometheus's own storage section (tsdb, exemplars) shares the key.
  IgnoreWithWarning(map, "tsdb", "storage.", ctx);
  IgnoreWithWarning(map, "exemplars", "storage.", ctx);
}

void DecodeReceiver(const YamlNode& node, Ctx& ctx, ReceiverConfig* r) {
  MapDecoder map(node, "remote_write_receiver", ctx.diag);
  if (const YamlNode* n = map.Take("max_body_size")) {
    DecodeByteSize(*n, ctx.diag, &r->max_body_bytes);
  }
  if (const YamlNode* n = map.Take("max_decoded_size")) {
    DecodeByteSize(*n, ctx.diag, &r->max_decoded_bytes);
  }
  struct IntField {
    absl::string_view key;
    int64_t* field;
  };
  for (const IntField& f : {
           IntField{"max_series_per_request", &r->max_series_per_request},
           IntField{"max_samples_per_request", &r->max_samples_per_request},
           IntField{"max_labels_per_series", &r->max_labels_per_series},
           IntField{"max_label_name_length", &r->max_label_name_length},
           IntField{"max_label_value_length", &r->max_label_value_length},
       }) {
    if (const YamlNode* n = map.Take(f.key)) {
      if (DecodePositive(*n, ctx.diag, f.field) && *f.field == 0) {
        ctx.diag->Error(*n, absl::StrCat(f.key, " must be positive"));
      }
    }
  }
}

}  // namespace

absl::StatusOr<int64_t> ParseByteSize(absl::string_view text) {
  absl::string_view t = absl::StripAsciiWhitespace(text);
  size_t digits = 0;
  while (digits < t.size() && absl::ascii_isdigit(t[digits])) ++digits;
  int64_t number = 0;
  if (digits == 0 || !absl::SimpleAtoi(t.substr(0, digits), &number)) {
    return absl::InvalidArgumentError(
        absl::StrCat("invalid size \"", text, "\": expected e.g. 512MB"));
  }
  std::string unit = absl::AsciiStrToUpper(t.substr(digits));
  static constexpr std::pair<absl::string_view, int> kUnits[] = {
      {"", 0},     {"B", 0},    {"KB", 10},  {"KIB", 10}, {"MB", 20},
      {"MIB", 20}, {"GB", 30},  {"GIB", 30}, {"TB", 40},  {"TIB", 40},
      {"PB", 50},  {"PIB", 50}, {"EB", 60},  {"EIB", 60}};
  for (const auto& [name, shift] : kUnits) {
    if (unit != name) continue;
    if (shift > 0 && number > (INT64_MAX >> shift)) {
      return absl::InvalidArgumentError(
          absl::StrCat("size \"", text, "\" is too large"));
    }
    return number << shift;
  }
  return absl::InvalidArgumentError(absl::StrCat(
      "invalid size \"", text, "\": unknown unit (use B, KB, MB, GB, TB)"));
}

absl::StatusOr<Config> ParseConfig(absl::string_view text,
                                   absl::string_view filename) {
  Config config;
  config.filename = std::string(filename);
  config.yaml = std::string(text);
  absl::StatusOr<YamlNode> root = yaml::ParseYaml(text, filename);
  if (!root.ok()) return root.status();
  Diagnostics diag{std::string(filename)};
  Ctx ctx{&diag, &config.warnings};
  {
    MapDecoder map(*root, "config", &diag);
    if (const YamlNode* n = map.Take("global")) DecodeGlobal(*n, ctx, &config);
    if (const YamlNode* n = map.Take("rule_files")) {
      yaml::DecodeStringList(*n, &diag, &config.rule_files);
      for (size_t i = 0; i < config.rule_files.size(); ++i) {
        if (config.rule_files[i].empty()) {
          diag.Error(n->items[i], "rule file path is empty");
        }
      }
    }
    if (const YamlNode* n = map.Take("alerting")) {
      DecodeAlerting(*n, ctx, &config);
    }
    if (const YamlNode* n = map.Take("remote_write")) {
      if (n->kind != YamlNode::Kind::kSequence && !n->IsNull()) {
        diag.Error(*n, "remote_write must be a list");
      } else {
        for (const YamlNode& rw : n->items) {
          config.remote_write.emplace_back();
          DecodeRemoteWrite(rw, ctx, &config.remote_write.back());
        }
      }
    }
    if (const YamlNode* n = map.Take("storage")) {
      DecodeStorage(*n, ctx, &config);
    }
    if (const YamlNode* n = map.Take("remote_write_receiver")) {
      DecodeReceiver(*n, ctx, &config.receiver);
    }
    for (absl::string_view key :
         {"scrape_configs", "scrape_config_files", "remote_read", "tracing"}) {
      IgnoreWithWarning(map, key, "", ctx);
    }
  }
  FR_RETURN_IF_ERROR(diag.ToStatus());
  return config;
}

absl::StatusOr<Config> LoadConfigFile(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) {
    return absl::NotFoundError(
        absl::StrCat("cannot read config file ", path, ": ", strerror(errno)));
  }
  std::stringstream text;
  text << in.rdbuf();
  return ParseConfig(text.str(), path);
}

absl::StatusOr<std::vector<std::string>> ResolveRuleFiles(
    const Config& config) {
  std::string dir;
  if (size_t slash = config.filename.rfind('/'); slash != std::string::npos) {
    dir = config.filename.substr(0, slash + 1);
  }
  std::vector<std::string> files;
  for (const std::string& pattern : config.rule_files) {
    std::string full = pattern[0] == '/' ? pattern : dir + pattern;
    glob_t g{};
    int rc = glob(full.c_str(), 0, nullptr, &g);
    if (rc == 0) {
      for (size_t i = 0; i < g.gl_pathc; ++i) files.push_back(g.gl_pathv[i]);
    }
    globfree(&g);
    if (rc != 0 && rc != GLOB_NOMATCH) {
      return absl::InvalidArgumentError(
          absl::StrCat("rule_files pattern \"", pattern, "\" cannot be read"));
    }
  }
  std::sort(files.begin(), files.end());
  files.erase(std::unique(files.begin(), files.end()), files.end());
  return files;
}

}  // namespace fraisier::server
