// HttpTransport over libcurl: one easy handle per Alertmanager, reused for
// every request so the connection stays alive between batches.
#ifndef RULES_NOTIFIER_CURL_TRANSPORT_H_
#define RULES_NOTIFIER_CURL_TRANSPORT_H_

#include <memory>

#include "absl/status/statusor.h"
#include "rules/notifier/endpoint.h"
#include "rules/notifier/transport.h"

namespace fraisier::notifier {

// Thread-compatible (see HttpTransport). Proxies from the environment are
// ignored, as Prometheus ignores them unless configured: an http_proxy set
// for something else must not capture alert traffic.
absl::StatusOr<std::unique_ptr<HttpTransport>> NewCurlTransport(
    const AlertmanagerEndpoint& endpoint);

// NewCurlTransport as a TransportFactory.
TransportFactory CurlTransportFactory();

}  // namespace fraisier::notifier

#endif  // RULES_NOTIFIER_CURL_TRANSPORT_H_
