// The `ruler serve` configuration file: Prometheus's format where it applies
// (global, rule_files, alerting, remote_write) plus sections of ours
// (storage, remote_write_receiver). Loading reports every problem at once,
// each as `file:line:col: message`; unknown keys are errors.
//
// Keys Prometheus accepts that mean nothing to the ruler (scrape_configs,
// global.scrape_interval, ...) are accepted with a warning, so a trimmed
// prometheus.yml still loads; features we would otherwise silently get
// wrong (relabelling, service discovery) are errors.
#ifndef ENGINE_SERVER_CONFIG_H_
#define ENGINE_SERVER_CONFIG_H_

#include <cstdint>
#include <string>
#include <utility>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "absl/time/time.h"
#include "engine/model/labels.h"

namespace fraisier::server {

struct BasicAuth {
  std::string username;
  std::string password;
  std::string password_file;
};

// HTTP client settings shared by Alertmanager and remote-write targets.
struct HttpClientConfig {
  BasicAuth basic_auth;
  std::string authorization_type;  // "Bearer" by default when credentials set
  std::string authorization_credentials;
  std::string authorization_credentials_file;
  bool tls_insecure_skip_verify = false;
  std::string tls_ca_file, tls_cert_file, tls_key_file, tls_server_name;
  bool follow_redirects = true;
};

struct AlertmanagerConfig {
  std::vector<std::string> targets;  // host:port
  std::string scheme = "http";
  std::string path_prefix = "/";
  absl::Duration timeout = absl::Seconds(10);
  std::string api_version = "v2";
  HttpClientConfig http;
};

struct RemoteWriteConfig {
  std::string url;
  std::string name;
  absl::Duration remote_timeout = absl::Seconds(30);
  std::vector<std::pair<std::string, std::string>> headers;
  HttpClientConfig http;
};

enum class FsyncMode { kEveryCommit, kInterval };

struct StorageConfig {
  std::string path = "data/";
  absl::Duration retention_time = absl::Hours(24 * 15);
  int64_t retention_size_bytes = 0;  // 0: no size limit
  FsyncMode fsync = FsyncMode::kEveryCommit;
  absl::Duration fsync_interval = absl::Seconds(1);
  int64_t max_active_series = 0;  // 0: unlimited
  absl::Duration checkpoint_interval = absl::Minutes(30);
};

// Limits of the remote-write receiver (HTTP and gRPC).
struct ReceiverConfig {
  int64_t max_body_bytes = int64_t{32} << 20;
  int64_t max_decoded_bytes = int64_t{256} << 20;
  int64_t max_series_per_request = 100'000;
  int64_t max_samples_per_request = 1'000'000;
  int64_t max_labels_per_series = 64;
  int64_t max_label_name_length = 1024;
  int64_t max_label_value_length = 4096;
};

struct Config {
  absl::Duration evaluation_interval = absl::Minutes(1);
  Labels external_labels;
  std::vector<std::string> rule_files;  // globs, as written
  std::vector<AlertmanagerConfig> alertmanagers;
  std::vector<RemoteWriteConfig> remote_write;
  StorageConfig storage;
  ReceiverConfig receiver;

  std::string filename;  // empty for the built-in default
  std::string yaml;      // the file's text, for /api/v1/status/config
  // Keys accepted for Prometheus compatibility but ignored, with position.
  std::vector<std::string> warnings;
  // Which storage keys the file set, so command-line flags can tell
  // "defaulted" from "configured" (an explicit flag wins either way).
  bool storage_path_set = false;
  bool retention_time_set = false;
};

// Parses `text` read from `filename`. rule_files globs are resolved against
// the directory of `filename` by ResolveRuleFiles, not here.
absl::StatusOr<Config> ParseConfig(absl::string_view text,
                                   absl::string_view filename);
absl::StatusOr<Config> LoadConfigFile(const std::string& path);

// Expands the rule_files globs (relative ones against the config file's
// directory); sorted, without duplicates. A glob matching nothing is not an
// error (as Prometheus); a malformed pattern is.
absl::StatusOr<std::vector<std::string>> ResolveRuleFiles(const Config& config);

// Parses Prometheus's byte sizes: "512MB", "1GB", "100KiB"... (units B, KB,
// MB, GB, TB, PB, EB, powers of 1024 as Prometheus's units.Base2Bytes), or a
// bare number of bytes.
absl::StatusOr<int64_t> ParseByteSize(absl::string_view text);

}  // namespace fraisier::server

#endif  // ENGINE_SERVER_CONFIG_H_
