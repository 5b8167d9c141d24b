#include "rules/notifier/endpoint.h"

#include <fstream>
#include <sstream>
#include <vector>

#include "absl/strings/ascii.h"
#include "absl/strings/escaping.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/strings/str_split.h"

namespace fraisier::notifier {
namespace {

absl::StatusOr<std::string> ReadTrimmedFile(const std::string& path,
                                            absl::string_view what) {
  std::ifstream in(path, std::ios::binary);
  if (!in) {
    return absl::UnavailableError(
        absl::StrCat("cannot read ", what, " file ", path));
  }
  std::ostringstream text;
  text << in.rdbuf();
  if (in.bad()) {
    return absl::UnavailableError(
        absl::StrCat("error reading ", what, " file ", path));
  }
  return std::string(absl::StripAsciiWhitespace(text.str()));
}

}  // namespace

absl::Status ValidateEndpoint(const AlertmanagerEndpoint& e) {
  if (e.scheme != "http" && e.scheme != "https") {
    return absl::InvalidArgumentError(absl::StrCat(
        "alertmanager scheme must be http or https, got \"", e.scheme, "\""));
  }
  if (e.target.empty() || absl::StrContains(e.target, "/") ||
      absl::StrContains(e.target, "@") || absl::StrContains(e.target, " ")) {
    return absl::InvalidArgumentError(absl::StrCat(
        "alertmanager target must be host:port, got \"", e.target, "\""));
  }
  if (e.api_version != "v2") {
    return absl::InvalidArgumentError(
        absl::StrCat("alertmanager api_version \"", e.api_version,
                     "\" is not supported; only v2 is"));
  }
  if (e.timeout <= absl::ZeroDuration()) {
    return absl::InvalidArgumentError("alertmanager timeout must be positive");
  }
  const HttpClientOptions& h = e.http;
  const bool basic = !h.basic_auth_username.empty() ||
                     !h.basic_auth_password.empty() ||
                     !h.basic_auth_password_file.empty();
  const bool authorization = !h.authorization_type.empty() ||
                             !h.authorization_credentials.empty() ||
                             !h.authorization_credentials_file.empty();
  if (basic && authorization) {
    return absl::InvalidArgumentError(
        "at most one of basic_auth and authorization may be configured");
  }
  if (!h.basic_auth_password.empty() && !h.basic_auth_password_file.empty()) {
    return absl::InvalidArgumentError(
        "at most one of basic_auth password and password_file may be set");
  }
  if (!h.authorization_credentials.empty() &&
      !h.authorization_credentials_file.empty()) {
    return absl::InvalidArgumentError(
        "at most one of authorization credentials and credentials_file may "
        "be set");
  }
  if (absl::EqualsIgnoreCase(h.authorization_type, "basic")) {
    // Prometheus refuses this too: basic_auth is the way to say it.
    return absl::InvalidArgumentError(
        "authorization type cannot be Basic; use basic_auth instead");
  }
  const bool tls = h.tls_insecure_skip_verify || !h.tls_ca_file.empty() ||
                   !h.tls_cert_file.empty() || !h.tls_key_file.empty() ||
                   !h.tls_server_name.empty();
  if (tls && e.scheme != "https") {
    return absl::InvalidArgumentError(
        "tls settings need scheme https for alertmanager " + e.target);
  }
  if (h.tls_cert_file.empty() != h.tls_key_file.empty()) {
    return absl::InvalidArgumentError(
        "tls cert_file and key_file must be set together");
  }
  return absl::OkStatus();
}

std::string AlertsUrl(const AlertmanagerEndpoint& e) {
  // Go's path.Join("/", prefix, "/api/v2/alerts"): empty and "." segments
  // vanish, ".." removes the previous one, never above the root.
  std::vector<absl::string_view> segments;
  const std::string joined =
      absl::StrCat(e.path_prefix, "/api/", e.api_version, "/alerts");
  for (absl::string_view s : absl::StrSplit(joined, '/')) {
    if (s.empty() || s == ".") continue;
    if (s == "..") {
      if (!segments.empty()) segments.pop_back();
      continue;
    }
    segments.push_back(s);
  }
  return absl::StrCat(e.scheme, "://", e.target, "/",
                      absl::StrJoin(segments, "/"));
}

absl::StatusOr<std::optional<std::string>> AuthorizationHeader(
    const HttpClientOptions& h) {
  if (!h.basic_auth_username.empty() || !h.basic_auth_password.empty() ||
      !h.basic_auth_password_file.empty()) {
    std::string password = h.basic_auth_password;
    if (!h.basic_auth_password_file.empty()) {
      absl::StatusOr<std::string> read =
          ReadTrimmedFile(h.basic_auth_password_file, "basic_auth password");
      if (!read.ok()) return read.status();
      password = *std::move(read);
    }
    return absl::StrCat("Basic ", absl::Base64Escape(absl::StrCat(
                                      h.basic_auth_username, ":", password)));
  }
  if (!h.authorization_credentials.empty() ||
      !h.authorization_credentials_file.empty()) {
    std::string credentials = h.authorization_credentials;
    if (!h.authorization_credentials_file.empty()) {
      absl::StatusOr<std::string> read = ReadTrimmedFile(
          h.authorization_credentials_file, "authorization credentials");
      if (!read.ok()) return read.status();
      credentials = *std::move(read);
    }
    const std::string type =
        h.authorization_type.empty() ? "Bearer" : h.authorization_type;
    return absl::StrCat(type, " ", credentials);
  }
  return std::optional<std::string>();
}

}  // namespace fraisier::notifier
