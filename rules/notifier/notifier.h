// Sends alerts to every configured Alertmanager (API v2), each with its own
// queue and sender thread, so a slow or down Alertmanager delays only its
// own deliveries.
//
//   NotifierOptions options;
//   options.external_labels = config.external_labels;
//   FR_ASSIGN_OR_RETURN(std::unique_ptr<Notifier> notifier,
//                       Notifier::Create(endpoints, options, clock));
//   notifier->Send(alerts);          // from the rule groups, any thread
//   notifier->Stats();               // from /metrics
//   notifier->Stop(absl::Seconds(5));  // at shutdown: drain, then drop
#ifndef RULES_NOTIFIER_NOTIFIER_H_
#define RULES_NOTIFIER_NOTIFIER_H_

#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "engine/base/clock.h"
#include "engine/model/labels.h"
#include "rules/notifier/alert.h"
#include "rules/notifier/endpoint.h"
#include "rules/notifier/sender.h"
#include "rules/notifier/sleeper.h"
#include "rules/notifier/transport.h"

namespace fraisier::notifier {

struct NotifierOptions {
  // Added to every alert that lacks the label (the alert's value wins, as
  // in Prometheus).
  Labels external_labels;
  // Queue, batch, backoff and retry settings, the same for every
  // Alertmanager; user_agent defaults to "fraisier-ruler/<version>".
  SenderOptions sender;
};

// Thread-safety: every method may be called from any thread.
// Invariants: one sender and one thread per endpoint, in endpoint order;
// after Stop returns every thread has joined and Send drops (counted).
class Notifier {
 public:
  // Validates every endpoint, makes its transport (libcurl unless
  // `transport_factory` is given) and starts its sender thread. `clock`
  // (and `sleeper`, when given; a real one otherwise) must outlive the
  // notifier. Zero endpoints is valid: Send then does nothing.
  static absl::StatusOr<std::unique_ptr<Notifier>> Create(
      std::vector<AlertmanagerEndpoint> endpoints, NotifierOptions options,
      const Clock* clock, TransportFactory transport_factory = nullptr,
      Sleeper* sleeper = nullptr);

  // Stops without draining if Stop was not called.
  ~Notifier();
  Notifier(const Notifier&) = delete;
  Notifier& operator=(const Notifier&) = delete;

  // Adds the external labels, encodes each alert once and queues it for
  // every Alertmanager. Never blocks on the network.
  void Send(const std::vector<Alert>& alerts);

  // Delivers what is queued for up to `drain_timeout` (a request in flight
  // is cut short at the deadline, within about a second), drops and counts the
  // rest, joins the sender threads. Later calls return at once.
  void Stop(absl::Duration drain_timeout);

  // One entry per Alertmanager, in endpoint order.
  std::vector<AlertmanagerStats> Stats() const;
  // The POST URLs, in endpoint order (for /api/v1/alertmanagers).
  std::vector<std::string> AlertmanagerUrls() const;

 private:
  Notifier(NotifierOptions options, const Clock* clock,
           std::unique_ptr<Sleeper> own_sleeper);

  const NotifierOptions options_;
  const Clock* const clock_;
  const std::unique_ptr<Sleeper> own_sleeper_;  // null when one was given
  std::vector<std::unique_ptr<AlertmanagerSender>> senders_;  // fixed
  std::vector<std::thread> threads_;  // one per sender; joined by Stop

  std::mutex stop_mu_;    // serializes Stop calls
  bool stopped_ = false;  // guarded by stop_mu_
};

}  // namespace fraisier::notifier

#endif  // RULES_NOTIFIER_NOTIFIER_H_
