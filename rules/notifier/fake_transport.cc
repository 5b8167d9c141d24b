#include "rules/notifier/fake_transport.h"

#include <utility>

#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"

namespace fraisier::notifier {

std::string RecordedRequest::Header(const std::string& name) const {
  const std::string prefix = absl::StrCat(name, ":");
  for (const std::string& h : headers) {
    if (absl::StartsWithIgnoreCase(h, prefix)) {
      return std::string(absl::StripAsciiWhitespace(
          absl::string_view(h).substr(prefix.size())));
    }
  }
  return "";
}

size_t RecordedRequest::AlertCount() const {
  // Each alert object has exactly one "labels" key, and label names and
  // values are escaped strings, so the key text cannot occur elsewhere
  // unquoted.
  size_t n = 0;
  for (size_t pos = body.find("\"labels\":{"); pos != std::string::npos;
       pos = body.find("\"labels\":{", pos + 1)) {
    ++n;
  }
  return n;
}

void FakeAlertmanager::PushResponse(int status, std::string body) {
  HttpResponse r;
  r.status = status;
  r.body = std::move(body);
  std::lock_guard<std::mutex> lock(mu_);
  script_.push_back(std::move(r));
}

void FakeAlertmanager::PushError(absl::Status error) {
  HttpResponse r;
  r.error = std::move(error);
  std::lock_guard<std::mutex> lock(mu_);
  script_.push_back(std::move(r));
}

void FakeAlertmanager::SetHandler(
    std::function<HttpResponse(const HttpRequest&)> handler) {
  std::lock_guard<std::mutex> lock(mu_);
  handler_ = std::move(handler);
}

std::vector<RecordedRequest> FakeAlertmanager::requests() const {
  std::lock_guard<std::mutex> lock(mu_);
  return requests_;
}

size_t FakeAlertmanager::request_count() const {
  std::lock_guard<std::mutex> lock(mu_);
  return requests_.size();
}

bool FakeAlertmanager::WaitForRequests(size_t n, absl::Duration timeout) {
  std::unique_lock<std::mutex> lock(mu_);
  return cv_.wait_for(lock, absl::ToChronoNanoseconds(timeout),
                      [&] { return requests_.size() >= n; });
}

HttpResponse FakeAlertmanager::Handle(const HttpRequest& request) {
  std::function<HttpResponse(const HttpRequest&)> handler;
  HttpResponse response;
  response.status = 200;
  {
    std::lock_guard<std::mutex> lock(mu_);
    requests_.push_back(RecordedRequest{request.url, request.headers,
                                        std::string(request.body),
                                        request.timeout});
    handler = handler_;
    if (!handler && !script_.empty()) {
      response = std::move(script_.front());
      script_.pop_front();
    }
  }
  cv_.notify_all();
  // Outside the lock: a handler may block (to hold a request in flight).
  if (handler) return handler(request);
  return response;
}

namespace {

class FakeTransport final : public HttpTransport {
 public:
  explicit FakeTransport(FakeAlertmanager* am) : am_(am) {}
  HttpResponse Post(const HttpRequest& request) override {
    return am_->Handle(request);
  }

 private:
  FakeAlertmanager* const am_;
};

}  // namespace

std::unique_ptr<HttpTransport> FakeAlertmanager::NewTransport() {
  return std::make_unique<FakeTransport>(this);
}

TransportFactory FakeAlertmanager::Factory() {
  return [this](const AlertmanagerEndpoint&)
             -> absl::StatusOr<std::unique_ptr<HttpTransport>> {
    return NewTransport();
  };
}

}  // namespace fraisier::notifier
