// One Alertmanager's share of the notifier: a bounded queue of encoded
// alerts, the loop that posts them in batches, and the counters.
//
// Delivery rules (Prometheus's notifier, plus retries):
//   - the queue holds at most `queue_capacity` alerts; when more arrive the
//     oldest are dropped and counted, since newer alerts supersede them;
//   - a batch is up to `max_batch_size` alerts from the queue's head, sent
//     as one POST;
//   - 2xx is success; 5xx, 429 and transport failures (refused, reset,
//     timeout) are retried with exponential backoff from `min_backoff`,
//     doubling up to `max_backoff`, for at most `max_retry_duration` after
//     the first attempt; other codes (4xx) mean the body itself is refused,
//     so the batch is dropped at once and the response body logged.
//     Prometheus retries nothing (the next resend, a minute later, is its
//     retry); retrying here carries firing and resolved notifications
//     across a short Alertmanager restart.
//   - on stop, the queue is drained until a deadline, then what is left is
//     dropped and counted.
#ifndef RULES_NOTIFIER_SENDER_H_
#define RULES_NOTIFIER_SENDER_H_

#include <atomic>
#include <condition_variable>
#include <cstdint>
#include <deque>
#include <memory>
#include <mutex>
#include <optional>
#include <string>

#include "absl/time/time.h"
#include "absl/types/span.h"
#include "engine/base/clock.h"
#include "rules/notifier/alert.h"
#include "rules/notifier/endpoint.h"
#include "rules/notifier/sleeper.h"
#include "rules/notifier/transport.h"

namespace fraisier::notifier {

struct SenderOptions {
  size_t queue_capacity = 10'000;
  size_t max_batch_size = 256;
  absl::Duration min_backoff = absl::Milliseconds(100);
  absl::Duration max_backoff = absl::Seconds(10);
  // Longer than an Alertmanager restart, and no longer than the resend
  // delay (1m) plus a margin: by then the rules have queued fresher copies
  // of the same alerts behind this batch.
  absl::Duration max_retry_duration = absl::Minutes(1);
  std::string user_agent = "fraisier-ruler";
};

// A snapshot of one Alertmanager's counters (all monotonic except the
// queue length), for the server's /metrics.
struct AlertmanagerStats {
  std::string url;           // the POST URL, the `alertmanager` label
  int64_t sent = 0;          // alerts delivered (2xx)
  int64_t errors = 0;        // alerts in POSTs that failed, per attempt
  int64_t retries = 0;       // POSTs that repeated a failed POST
  int64_t dropped = 0;       // alerts given up on, for any reason
  int64_t queue_length = 0;  // alerts waiting (not the batch in flight)
  int64_t queue_capacity = 0;
  double latency_seconds_sum = 0;  // over every POST attempt
  int64_t latency_count = 0;
};

// Thread-safety: Enqueue, RequestStop and Stats may be called from any
// thread. SendOneBatch and Run must be called by one thread at a time (the
// sender's own thread; unit tests call SendOneBatch directly): they own the
// transport.
// Invariants: queue_.size() <= queue_capacity; an alert is counted in
// exactly one of sent and dropped once it has left the queue and its batch
// has finished; after Run returns the queue stays empty and Enqueue drops.
class AlertmanagerSender {
 public:
  // `clock` and `sleeper` must outlive the sender.
  AlertmanagerSender(AlertmanagerEndpoint endpoint, SenderOptions options,
                     std::unique_ptr<HttpTransport> transport,
                     const Clock* clock, Sleeper* sleeper);
  AlertmanagerSender(const AlertmanagerSender&) = delete;
  AlertmanagerSender& operator=(const AlertmanagerSender&) = delete;

  const std::string& url() const { return url_; }

  // Appends to the queue, dropping the oldest alerts beyond capacity.
  void Enqueue(absl::Span<const EncodedAlert> alerts);

  // Takes up to max_batch_size alerts and delivers them, retrying as above.
  // Returns false when the queue was empty.
  bool SendOneBatch();

  // Sends batches as they arrive until RequestStop, then drains the queue
  // until the drain deadline and returns.
  void Run();

  // Makes Run return once the queue is empty or `drain_deadline` (on the
  // sender's clock) has passed; a retry in progress is cut short at the
  // deadline too. Repeated calls keep the earliest deadline.
  void RequestStop(absl::Time drain_deadline);

  AlertmanagerStats Stats() const;

 private:
  enum class Outcome { kSuccess, kRetryable, kPermanent };

  // One POST of `body`; updates the latency and error counters.
  Outcome PostOnce(absl::string_view body, size_t count,
                   absl::Duration timeout);
  // The drain deadline once RequestStop was called.
  std::optional<absl::Time> DrainDeadline() const;
  void Drop(size_t count, absl::string_view why);

  const AlertmanagerEndpoint endpoint_;
  const SenderOptions options_;
  const std::string url_;
  const std::unique_ptr<HttpTransport> transport_;
  const Clock* const clock_;
  Sleeper* const sleeper_;

  mutable std::mutex mu_;
  std::condition_variable cv_;      // queue non-empty or stop requested
  std::deque<EncodedAlert> queue_;  // guarded by mu_
  bool stopping_ = false;           // guarded by mu_
  bool stopped_ = false;            // guarded by mu_; Run returned
  absl::Time drain_deadline_ = absl::InfiniteFuture();  // guarded by mu_

  // Set by RequestStop so a backoff sleep ends early; the retry loop clears
  // it before it re-reads stopping_, so a stop is never missed and never
  // turns later sleeps into busy retries.
  std::atomic<bool> stop_unseen_{false};

  std::atomic<int64_t> sent_{0};
  std::atomic<int64_t> errors_{0};
  std::atomic<int64_t> retries_{0};
  std::atomic<int64_t> dropped_{0};
  std::atomic<int64_t> latency_nanos_{0};
  std::atomic<int64_t> latency_count_{0};
};

}  // namespace fraisier::notifier

#endif  // RULES_NOTIFIER_SENDER_H_
