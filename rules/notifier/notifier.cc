#include "rules/notifier/notifier.h"

#include <utility>

#include "absl/strings/str_cat.h"
#include "engine/base/logging.h"
#include "engine/base/status_macros.h"
#include "engine/base/version.h"
#include "rules/notifier/curl_transport.h"

namespace fraisier::notifier {

Notifier::Notifier(NotifierOptions options, const Clock* clock,
                   std::unique_ptr<Sleeper> own_sleeper)
    : options_(std::move(options)),
      clock_(clock),
      own_sleeper_(std::move(own_sleeper)) {}

absl::StatusOr<std::unique_ptr<Notifier>> Notifier::Create(
    std::vector<AlertmanagerEndpoint> endpoints, NotifierOptions options,
    const Clock* clock, TransportFactory transport_factory, Sleeper* sleeper) {
  if (clock == nullptr) return absl::InvalidArgumentError("clock is null");
  SenderOptions& s = options.sender;
  if (s.queue_capacity == 0 || s.max_batch_size == 0) {
    return absl::InvalidArgumentError(
        "notifier queue capacity and batch size must be positive");
  }
  if (s.min_backoff <= absl::ZeroDuration() || s.max_backoff < s.min_backoff ||
      s.max_retry_duration < absl::ZeroDuration()) {
    return absl::InvalidArgumentError(
        "notifier backoff needs 0 < min_backoff <= max_backoff and a "
        "non-negative max_retry_duration");
  }
  if (s.user_agent == SenderOptions().user_agent) {
    s.user_agent = absl::StrCat("fraisier-ruler/", kBuildVersion);
  }
  for (const AlertmanagerEndpoint& e : endpoints) {
    FR_RETURN_IF_ERROR(ValidateEndpoint(e));
  }
  if (!transport_factory) transport_factory = CurlTransportFactory();
  std::unique_ptr<Sleeper> own_sleeper;
  if (sleeper == nullptr) {
    own_sleeper = std::make_unique<RealSleeper>();
    sleeper = own_sleeper.get();
  }
  std::unique_ptr<Notifier> n(
      new Notifier(std::move(options), clock, std::move(own_sleeper)));
  for (AlertmanagerEndpoint& e : endpoints) {
    FR_ASSIGN_OR_RETURN(std::unique_ptr<HttpTransport> transport,
                        transport_factory(e));
    n->senders_.push_back(std::make_unique<AlertmanagerSender>(
        std::move(e), n->options_.sender, std::move(transport), clock,
        sleeper));
  }
  // Threads start only once every transport exists, so an error above
  // leaves nothing running.
  for (const auto& sender : n->senders_) {
    AlertmanagerSender* raw = sender.get();
    n->threads_.emplace_back([raw] { raw->Run(); });
  }
  return n;
}

Notifier::~Notifier() { Stop(absl::ZeroDuration()); }

void Notifier::Send(const std::vector<Alert>& alerts) {
  if (alerts.empty() || senders_.empty()) return;
  std::vector<EncodedAlert> encoded;
  encoded.reserve(alerts.size());
  const Labels& external = options_.external_labels;
  for (const Alert& alert : alerts) {
    if (external.empty()) {
      encoded.push_back(EncodeAlert(alert));
      continue;
    }
    LabelsBuilder builder(alert.labels);
    for (const Label& l : external) {
      if (!alert.labels.Has(l.name)) builder.Set(l.name, l.value);
    }
    Alert with_external = alert;
    with_external.labels = builder.Build();
    encoded.push_back(EncodeAlert(with_external));
  }
  for (const auto& sender : senders_) sender->Enqueue(encoded);
}

void Notifier::Stop(absl::Duration drain_timeout) {
  std::lock_guard<std::mutex> lock(stop_mu_);
  if (stopped_) return;
  stopped_ = true;
  const absl::Time deadline = clock_->Now() + drain_timeout;
  for (const auto& sender : senders_) sender->RequestStop(deadline);
  for (std::thread& t : threads_) t.join();
  FR_LOG(INFO) << "Notifier stopped";
}

std::vector<AlertmanagerStats> Notifier::Stats() const {
  std::vector<AlertmanagerStats> out;
  out.reserve(senders_.size());
  for (const auto& sender : senders_) out.push_back(sender->Stats());
  return out;
}

std::vector<std::string> Notifier::AlertmanagerUrls() const {
  std::vector<std::string> out;
  out.reserve(senders_.size());
  for (const auto& sender : senders_) out.push_back(sender->url());
  return out;
}

}  // namespace fraisier::notifier
