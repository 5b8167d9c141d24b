#include "rules/notifier/curl_transport.h"

#include <curl/curl.h>

#include <algorithm>
#include <cstdint>
#include <mutex>
#include <string>
#include <utility>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_replace.h"

namespace fraisier::notifier {
namespace {

// Enough of an error body to explain a 4xx in a log line.
constexpr size_t kMaxResponseBody = 4096;

size_t AppendBody(char* data, size_t size, size_t n, void* out) {
  std::string* body = static_cast<std::string*>(out);
  const size_t bytes = size * n;
  if (body->size() < kMaxResponseBody) {
    body->append(data, std::min(bytes, kMaxResponseBody - body->size()));
  }
  return bytes;  // keep reading so the connection stays reusable
}

// CURLOPT_XFERINFOFUNCTION: a non-zero return aborts the transfer.
int AbortCheck(void* request, curl_off_t, curl_off_t, curl_off_t, curl_off_t) {
  const HttpRequest* r = static_cast<const HttpRequest*>(request);
  return r->abort && r->abort() ? 1 : 0;
}

// Splits "host:port" / "[v6]:port" into host (brackets kept) and port; the
// scheme's default port when none is given.
std::pair<std::string, std::string> SplitTarget(const std::string& target,
                                                const std::string& scheme) {
  const size_t colon = target.rfind(':');
  const size_t bracket = target.rfind(']');
  if (colon == std::string::npos ||
      (bracket != std::string::npos && colon < bracket)) {
    return {target, scheme == "https" ? "443" : "80"};
  }
  return {target.substr(0, colon), target.substr(colon + 1)};
}

// Thread-compatible; owns one CURL handle.
// Invariant: curl_ is a valid handle configured with the endpoint's TLS,
// redirect and proxy settings; per-request options are set in Post.
class CurlTransport final : public HttpTransport {
 public:
  CurlTransport(CURL* curl, const AlertmanagerEndpoint& endpoint)
      : curl_(curl) {
    const HttpClientOptions& h = endpoint.http;
    curl_easy_setopt(curl_, CURLOPT_NOSIGNAL, 1L);  // threads: no SIGALRM
    curl_easy_setopt(curl_, CURLOPT_PROXY, "");     // ignore *_proxy env
    curl_easy_setopt(curl_, CURLOPT_TCP_KEEPALIVE, 1L);
    curl_easy_setopt(curl_, CURLOPT_FOLLOWLOCATION,
                     h.follow_redirects ? 1L : 0L);
    curl_easy_setopt(curl_, CURLOPT_MAXREDIRS, 10L);  // Go's client limit
    curl_easy_setopt(curl_, CURLOPT_WRITEFUNCTION, AppendBody);
    curl_easy_setopt(curl_, CURLOPT_ERRORBUFFER, error_buffer_);
    if (h.tls_insecure_skip_verify) {
      curl_easy_setopt(curl_, CURLOPT_SSL_VERIFYPEER, 0L);
      curl_easy_setopt(curl_, CURLOPT_SSL_VERIFYHOST, 0L);
    }
    if (!h.tls_ca_file.empty()) {
      curl_easy_setopt(curl_, CURLOPT_CAINFO, h.tls_ca_file.c_str());
    }
    if (!h.tls_cert_file.empty()) {
      curl_easy_setopt(curl_, CURLOPT_SSLCERT, h.tls_cert_file.c_str());
      curl_easy_setopt(curl_, CURLOPT_SSLKEY, h.tls_key_file.c_str());
    }
    if (!h.tls_server_name.empty()) {
      // libcurl takes SNI and the verified name from the URL's host, so
      // the URL names tls_server_name and CONNECT_TO dials the real target;
      // the Host header keeps the target, as Go's ServerName leaves it.
      const auto [host, port] = SplitTarget(endpoint.target, endpoint.scheme);
      const std::string renamed = absl::StrCat(h.tls_server_name, ":", port);
      url_rewrite_ = {absl::StrCat("://", endpoint.target, "/"),
                      absl::StrCat("://", renamed, "/")};
      connect_to_ = curl_slist_append(
          nullptr, absl::StrCat(renamed, ":", host, ":", port).c_str());
      curl_easy_setopt(curl_, CURLOPT_CONNECT_TO, connect_to_);
      host_header_ = absl::StrCat("Host: ", endpoint.target);
    }
  }

  ~CurlTransport() override {
    curl_easy_cleanup(curl_);
    curl_slist_free_all(connect_to_);
  }

  CurlTransport(const CurlTransport&) = delete;
  CurlTransport& operator=(const CurlTransport&) = delete;

  HttpResponse Post(const HttpRequest& request) override {
    HttpResponse response;
    std::string url = request.url;
    if (!url_rewrite_.first.empty()) {
      absl::StrReplaceAll({url_rewrite_}, &url);
    }
    curl_slist* headers = nullptr;
    for (const std::string& h : request.headers) {
      headers = curl_slist_append(headers, h.c_str());
    }
    if (!host_header_.empty()) {
      headers = curl_slist_append(headers, host_header_.c_str());
    }
    // libcurl would otherwise send "Expect: 100-continue" for bodies over
    // 1 KiB and wait for an interim response Go servers do not owe it.
    headers = curl_slist_append(headers, "Expect:");

    const int64_t timeout_ms =
        std::max<int64_t>(1, absl::ToInt64Milliseconds(request.timeout));
    error_buffer_[0] = '\0';
    curl_easy_setopt(curl_, CURLOPT_URL, url.c_str());
    curl_easy_setopt(curl_, CURLOPT_HTTPHEADER, headers);
    curl_easy_setopt(curl_, CURLOPT_POST, 1L);
    curl_easy_setopt(curl_, CURLOPT_POSTFIELDS, request.body.data());
    curl_easy_setopt(curl_, CURLOPT_POSTFIELDSIZE_LARGE,
                     static_cast<curl_off_t>(request.body.size()));
    curl_easy_setopt(curl_, CURLOPT_TIMEOUT_MS, static_cast<long>(timeout_ms));
    curl_easy_setopt(curl_, CURLOPT_CONNECTTIMEOUT_MS,
                     static_cast<long>(timeout_ms));
    curl_easy_setopt(curl_, CURLOPT_WRITEDATA, &response.body);
    curl_easy_setopt(curl_, CURLOPT_NOPROGRESS, request.abort ? 0L : 1L);
    curl_easy_setopt(curl_, CURLOPT_XFERINFOFUNCTION, AbortCheck);
    curl_easy_setopt(curl_, CURLOPT_XFERINFODATA, &request);

    const CURLcode code = curl_easy_perform(curl_);
    curl_easy_setopt(curl_, CURLOPT_HTTPHEADER, nullptr);
    curl_slist_free_all(headers);
    if (code != CURLE_OK) {
      const std::string detail = absl::StrCat(
          url, ": ",
          error_buffer_[0] != '\0' ? error_buffer_ : curl_easy_strerror(code));
      switch (code) {
        case CURLE_OPERATION_TIMEDOUT:
          response.error = absl::DeadlineExceededError(detail);
          break;
        case CURLE_ABORTED_BY_CALLBACK:
          response.error = absl::CancelledError(detail);
          break;
        case CURLE_COULDNT_RESOLVE_HOST:
        case CURLE_COULDNT_CONNECT:
        case CURLE_SEND_ERROR:
        case CURLE_RECV_ERROR:
        case CURLE_GOT_NOTHING:
        case CURLE_SSL_CONNECT_ERROR:
        case CURLE_PARTIAL_FILE:
          response.error = absl::UnavailableError(detail);
          break;
        default:
          response.error = absl::InternalError(detail);
      }
      response.body.clear();
      return response;
    }
    long status = 0;
    curl_easy_getinfo(curl_, CURLINFO_RESPONSE_CODE, &status);
    response.status = static_cast<int>(status);
    return response;
  }

 private:
  CURL* const curl_;
  char error_buffer_[CURL_ERROR_SIZE];
  std::pair<std::string, std::string> url_rewrite_;  // for tls_server_name
  curl_slist* connect_to_ = nullptr;
  std::string host_header_;
};

}  // namespace

absl::StatusOr<std::unique_ptr<HttpTransport>> NewCurlTransport(
    const AlertmanagerEndpoint& endpoint) {
  // curl_global_init is not thread-safe in every libcurl; do it once here
  // rather than implicitly in the first curl_easy_init of some thread.
  static std::once_flag once;
  static CURLcode global = CURLE_OK;
  std::call_once(once, [] { global = curl_global_init(CURL_GLOBAL_DEFAULT); });
  if (global != CURLE_OK) {
    return absl::InternalError(
        absl::StrCat("curl_global_init: ", curl_easy_strerror(global)));
  }
  CURL* curl = curl_easy_init();
  if (curl == nullptr) return absl::InternalError("curl_easy_init failed");
  return std::unique_ptr<HttpTransport>(new CurlTransport(curl, endpoint));
}

TransportFactory CurlTransportFactory() {
  return [](const AlertmanagerEndpoint& endpoint) {
    return NewCurlTransport(endpoint);
  };
}

}  // namespace fraisier::notifier
