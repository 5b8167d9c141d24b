// The HTTP client the notifier posts with, as an interface: production
// uses libcurl (curl_transport.h), unit tests a scripted fake, so retry and
// batching logic is tested without sockets or wall-clock waits.
#ifndef RULES_NOTIFIER_TRANSPORT_H_
#define RULES_NOTIFIER_TRANSPORT_H_

#include <functional>
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "absl/time/time.h"
#include "rules/notifier/endpoint.h"

namespace fraisier::notifier {

struct HttpRequest {
  std::string url;
  // Header lines "Name: value" (the caller sets Content-Type and the rest).
  std::vector<std::string> headers;
  absl::string_view body;  // valid for the duration of Post()
  absl::Duration timeout;  // whole request, connect included
  // Polled while the request runs (about once a second, or more often);
  // true aborts it with kCancelled. May be empty.
  std::function<bool()> abort;
};

struct HttpResponse {
  // The status code, or 0 when no response arrived (then `error` says why:
  // kDeadlineExceeded for a timeout, kUnavailable for connection failures,
  // kCancelled when `abort` said so, kInternal for anything else).
  int status = 0;
  absl::Status error;
  std::string body;  // at most the first few KiB, for error messages
};

// Thread-compatible: one sender thread owns each transport, so an
// implementation can keep one connection alive across requests.
class HttpTransport {
 public:
  virtual ~HttpTransport() = default;
  virtual HttpResponse Post(const HttpRequest& request) = 0;
};

// Makes the transport for one Alertmanager (TLS and redirect settings come
// from the endpoint; authentication headers are the caller's job).
using TransportFactory =
    std::function<absl::StatusOr<std::unique_ptr<HttpTransport>>(
        const AlertmanagerEndpoint& endpoint)>;

}  // namespace fraisier::notifier

#endif  // RULES_NOTIFIER_TRANSPORT_H_
