// One Alertmanager the notifier sends to: where it is and how to talk to
// it. The fields mirror one target of the config file's
// `alerting.alertmanagers[]` entry (server::AlertmanagerConfig and its
// HttpClientConfig); the server makes one endpoint per static target. This
// package does not depend on engine/server (dependencies point down), hence
// the copy of the field list.
#ifndef RULES_NOTIFIER_ENDPOINT_H_
#define RULES_NOTIFIER_ENDPOINT_H_

#include <optional>
#include <string>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "absl/time/time.h"

namespace fraisier::notifier {

struct HttpClientOptions {
  // Basic auth: the password or a file holding it (read at every request,
  // so a rotated secret takes effect without a restart; whitespace around
  // the file's text is trimmed, as Prometheus does).
  std::string basic_auth_username;
  std::string basic_auth_password;
  std::string basic_auth_password_file;
  // `Authorization: <type> <credentials>`; the type defaults to "Bearer".
  // The credentials file is read at every request, trimmed.
  std::string authorization_type;
  std::string authorization_credentials;
  std::string authorization_credentials_file;
  bool tls_insecure_skip_verify = false;
  std::string tls_ca_file;
  std::string tls_cert_file;
  std::string tls_key_file;
  // Name for SNI and certificate verification when it differs from the
  // target's host.
  std::string tls_server_name;
  bool follow_redirects = true;
};

struct AlertmanagerEndpoint {
  std::string scheme = "http";  // "http" or "https"
  std::string target;           // host:port
  std::string path_prefix = "/";
  std::string api_version = "v2";              // the only version supported
  absl::Duration timeout = absl::Seconds(10);  // per POST
  HttpClientOptions http;
};

// Checks what the notifier relies on: scheme http(s), a host:port target,
// api_version v2, a positive timeout, at most one of basic auth and
// authorization, at most one of password and password_file (credentials
// and credentials_file), TLS files only with https.
absl::Status ValidateEndpoint(const AlertmanagerEndpoint& endpoint);

// <scheme>://<target><path_prefix joined with /api/v2/alerts>, the path
// cleaned as Go's path.Join does: "/" + "/am/" -> "/am/api/v2/alerts".
std::string AlertsUrl(const AlertmanagerEndpoint& endpoint);

// The value of the Authorization header for the next request, or nullopt
// when no authentication is configured. Reads credential files now; an
// unreadable file is an error for this request only.
absl::StatusOr<std::optional<std::string>> AuthorizationHeader(
    const HttpClientOptions& http);

}  // namespace fraisier::notifier

#endif  // RULES_NOTIFIER_ENDPOINT_H_
