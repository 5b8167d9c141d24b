// A scripted Alertmanager for unit tests: records every request and
// answers from a queue of responses (200 once the queue is empty), or from
// a handler when one is set.
#ifndef RULES_NOTIFIER_FAKE_TRANSPORT_H_
#define RULES_NOTIFIER_FAKE_TRANSPORT_H_

#include <condition_variable>
#include <deque>
#include <functional>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include "absl/time/time.h"
#include "rules/notifier/endpoint.h"
#include "rules/notifier/transport.h"

namespace fraisier::notifier {

struct RecordedRequest {
  std::string url;
  std::vector<std::string> headers;
  std::string body;
  absl::Duration timeout;

  // The value of header `name` ("" when absent).
  std::string Header(const std::string& name) const;
  // How many alerts the JSON array body holds.
  size_t AlertCount() const;
};

// Thread-safe.
class FakeAlertmanager {
 public:
  // Answers the next request (in push order).
  void PushResponse(int status, std::string body = "");
  void PushError(absl::Status error);
  // Answers every request when set (the queue is then ignored).
  void SetHandler(std::function<HttpResponse(const HttpRequest&)> handler);

  std::vector<RecordedRequest> requests() const;
  size_t request_count() const;
  // Blocks until `n` requests arrived; false after `timeout` of real time
  // (a failsafe against hangs, not a timing assumption).
  bool WaitForRequests(size_t n, absl::Duration timeout = absl::Seconds(30));

  // A transport posting to this fake.
  std::unique_ptr<HttpTransport> NewTransport();
  // A factory whose transports all post to this fake.
  TransportFactory Factory();

  HttpResponse Handle(const HttpRequest& request);

 private:
  mutable std::mutex mu_;
  std::condition_variable cv_;
  std::deque<HttpResponse> script_;                          // guarded by mu_
  std::function<HttpResponse(const HttpRequest&)> handler_;  // guarded by mu_
  std::vector<RecordedRequest> requests_;                    // guarded by mu_
};

}  // namespace fraisier::notifier

#endif  // RULES_NOTIFIER_FAKE_TRANSPORT_H_
