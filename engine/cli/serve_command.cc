#include "engine/cli/serve_command.h"

#include <signal.h>

#include <optional>

#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "engine/base/logging.h"
#include "engine/cli/check_rules_command.h"
#include "engine/cli/cli.h"
#include "engine/cli/flags.h"
#include "engine/server/config.h"
#include "engine/server/server.h"
#include "promql/literals.h"

namespace fraisier::cli {
namespace {

constexpr absl::string_view kServeUsage =
    "usage: ruler serve [<flags>]\n\n"
    "Receive remote-write, store samples, serve the Prometheus HTTP API and\n"
    "evaluate rules.\n\nFlags:\n";

// Converts the string flags that were given into overrides; errors name
// the flag.
absl::Status ApplyOverrides(const std::string& retention, bool retention_set,
                            const std::string& size, bool size_set,
                            const std::string& max_series, bool max_series_set,
                            const std::string& fsync, bool fsync_set,
                            server::ServerOptions* options) {
  if (retention_set) {
    absl::StatusOr<int64_t> ms = promql::ParseDurationMs(retention);
    if (!ms.ok() || *ms <= 0) {
      return absl::InvalidArgumentError(absl::StrCat(
          "--storage.retention.time: invalid duration \"", retention, "\""));
    }
    options->retention_time = absl::Milliseconds(*ms);
  }
  if (size_set) {
    absl::StatusOr<int64_t> bytes = server::ParseByteSize(size);
    if (!bytes.ok()) {
      return absl::InvalidArgumentError(
          absl::StrCat("--storage.retention.size: ", bytes.status().message()));
    }
    options->retention_size_bytes = *bytes;
  }
  if (max_series_set) {
    int64_t n = 0;
    if (!absl::SimpleAtoi(max_series, &n) || n < 0) {
      return absl::InvalidArgumentError(absl::StrCat(
          "--storage.max-active-series: invalid number \"", max_series, "\""));
    }
    options->max_active_series = n;
  }
  if (fsync_set) {
    if (fsync == "commit") {
      options->fsync = server::FsyncMode::kEveryCommit;
    } else if (fsync == "interval") {
      options->fsync = server::FsyncMode::kInterval;
    } else {
      return absl::InvalidArgumentError(absl::StrCat(
          "--storage.wal.fsync: expected commit or interval, got \"", fsync,
          "\""));
    }
  }
  return absl::OkStatus();
}

}  // namespace

int RunServe(const std::vector<std::string>& args, std::ostream& out,
             std::ostream& err) {
  server::ServerOptions options;
  std::string storage_path = "data/", retention = "15d", size = "0",
              max_series = "0", fsync = "commit", threads = "16";
  bool path_set = false, retention_set = false, size_set = false,
       max_series_set = false, fsync_set = false, help = false;
  FlagSet flags;
  flags.AddString("config.file",
                  "Configuration file (Prometheus format, plus storage and "
                  "remote_write_receiver sections).",
                  &options.config_file);
  flags.AddString("web.listen-address",
                  "Address for the HTTP API, remote-write and /metrics.",
                  &options.web_listen_address);
  flags.AddString("grpc.listen-address",
                  "Address for gRPC RemoteWrite.Write (empty: disabled).",
                  &options.grpc_listen_address);
  flags.AddString("web.threads", "HTTP worker threads.", &threads);
  flags.AddString("web.external-url",
                  "The URL the ruler is reachable at (alerts' generatorURL); "
                  "default http://<hostname>:<port>.",
                  &options.external_url);
  flags.AddString("storage.path", "Directory of the store.", &storage_path,
                  &path_set);
  flags.AddString("storage.retention.time", "How long to keep samples.",
                  &retention, &retention_set);
  flags.AddString("storage.retention.size",
                  "Most bytes of chunk files to keep (0: no limit).", &size,
                  &size_set);
  flags.AddString("storage.max-active-series",
                  "Refuse new series beyond this many (0: no limit).",
                  &max_series, &max_series_set);
  flags.AddString("storage.wal.fsync",
                  "When the WAL is fsynced: commit (every request) or "
                  "interval.",
                  &fsync, &fsync_set);
  flags.AddBool("help", "Show this help.", &help);
  std::vector<std::string> positional;
  if (absl::Status s = flags.Parse(args, &positional); !s.ok()) {
    err << "ruler serve: " << s.message() << "\n"
        << kServeUsage << flags.Usage();
    return kExitUsage;
  }
  if (help) {
    out << kServeUsage << flags.Usage();
    return kExitOk;
  }
  if (!positional.empty()) {
    err << "ruler serve: unexpected argument \"" << positional[0] << "\"\n";
    return kExitUsage;
  }
  if (path_set) options.storage_path = storage_path;
  if (!absl::SimpleAtoi(threads, &options.http_threads) ||
      options.http_threads < 1) {
    err << "ruler serve: --web.threads: invalid number \"" << threads << "\"\n";
    return kExitUsage;
  }
  if (absl::Status s =
          ApplyOverrides(retention, retention_set, size, size_set, max_series,
                         max_series_set, fsync, fsync_set, &options);
      !s.ok()) {
    err << "ruler serve: " << s.message() << "\n";
    return kExitUsage;
  }
  options.flags = flags.Values();

  // Signals are taken synchronously by this thread; block them before any
  // other thread starts so every thread inherits the mask.
  sigset_t signals;
  sigemptyset(&signals);
  sigaddset(&signals, SIGHUP);
  sigaddset(&signals, SIGTERM);
  sigaddset(&signals, SIGINT);
  pthread_sigmask(SIG_BLOCK, &signals, nullptr);

  absl::StatusOr<std::unique_ptr<server::Server>> srv =
      server::Server::Start(options);
  if (!srv.ok()) {
    err << "ruler serve: " << srv.status().message() << "\n";
    return kExitFailure;
  }
  for (;;) {
    int sig = 0;
    if (sigwait(&signals, &sig) != 0) continue;
    if (sig == SIGHUP) {
      if (absl::Status s = (*srv)->Reload(); !s.ok()) {
        FR_LOG(ERROR) << "Error reloading config: " << s.message();
      }
      continue;
    }
    FR_LOG(WARNING) << "Received " << (sig == SIGTERM ? "SIGTERM" : "SIGINT")
                    << ", exiting gracefully...";
    break;
  }
  absl::Status s = (*srv)->Shutdown();
  if (!s.ok()) {
    err << "ruler serve: " << s.message() << "\n";
    return kExitFailure;
  }
  return kExitOk;
}

int RunCheckConfig(const std::vector<std::string>& args, std::ostream& out,
                   std::ostream& err) {
  if (args.empty() || args[0] == "--help") {
    (args.empty() ? err : out) << "usage: ruler check config FILE...\n";
    return args.empty() ? kExitUsage : kExitOk;
  }
  int passed = 0, failed = 0;
  for (const std::string& file : args) {
    out << "Checking " << file << "\n";
    absl::StatusOr<server::Config> config = server::LoadConfigFile(file);
    if (!config.ok()) {
      out << "  FAILED:\n" << config.status().message() << "\n\n";
      ++failed;
      continue;
    }
    for (const std::string& w : config->warnings) {
      out << "  WARNING: " << w << "\n";
    }
    absl::StatusOr<std::vector<std::string>> rule_files =
        server::ResolveRuleFiles(*config);
    if (!rule_files.ok()) {
      out << "  FAILED: " << rule_files.status().message() << "\n\n";
      ++failed;
      continue;
    }
    out << "  SUCCESS: " << rule_files->size() << " rule files found\n\n";
    bool rules_ok = true;
    for (const std::string& rule_file : *rule_files) {
      rules_ok = CheckRuleFile(rule_file, out) && rules_ok;
    }
    if (rules_ok) {
      ++passed;
    } else {
      ++failed;
    }
  }
  out << passed << " passed, " << failed << " failed\n";
  return failed > 0 ? kExitFailure : kExitOk;
}

}  // namespace fraisier::cli
