#include "rules/notifier/sender.h"

#include <algorithm>
#include <utility>
#include <vector>

#include "absl/strings/ascii.h"
#include "absl/strings/str_cat.h"
#include "engine/base/logging.h"

namespace fraisier::notifier {
namespace {

// Response bodies are logged up to this length: enough for Alertmanager's
// validation messages, bounded against a proxy's HTML error page.
constexpr size_t kMaxLoggedBody = 512;

}  // namespace

AlertmanagerSender::AlertmanagerSender(AlertmanagerEndpoint endpoint,
                                       SenderOptions options,
                                       std::unique_ptr<HttpTransport> transport,
                                       const Clock* clock, Sleeper* sleeper)
    : endpoint_(std::move(endpoint)),
      options_(std::move(options)),
      url_(AlertsUrl(endpoint_)),
      transport_(std::move(transport)),
      clock_(clock),
      sleeper_(sleeper) {}

void AlertmanagerSender::Enqueue(absl::Span<const EncodedAlert> alerts) {
  if (alerts.empty()) return;
  size_t dropped = 0;
  {
    std::lock_guard<std::mutex> lock(mu_);
    if (stopped_) {
      dropped = alerts.size();
    } else {
      // Like Prometheus: of an oversized batch keep the newest, then make
      // room by dropping the oldest queued alerts.
      if (alerts.size() > options_.queue_capacity) {
        dropped = alerts.size() - options_.queue_capacity;
        alerts.remove_prefix(dropped);
      }
      const size_t total = queue_.size() + alerts.size();
      if (total > options_.queue_capacity) {
        const size_t d = total - options_.queue_capacity;
        queue_.erase(queue_.begin(), queue_.begin() + d);
        dropped += d;
      }
      queue_.insert(queue_.end(), alerts.begin(), alerts.end());
    }
  }
  cv_.notify_one();
  if (dropped > 0) Drop(dropped, "queue full or notifier stopped");
}

void AlertmanagerSender::Drop(size_t count, absl::string_view why) {
  dropped_.fetch_add(static_cast<int64_t>(count), std::memory_order_relaxed);
  FR_LOG(WARNING) << "Dropping alerts: alertmanager=" << url_
                  << " count=" << count << " reason=\"" << why << "\"";
}

std::optional<absl::Time> AlertmanagerSender::DrainDeadline() const {
  std::lock_guard<std::mutex> lock(mu_);
  if (!stopping_) return std::nullopt;
  return drain_deadline_;
}

AlertmanagerSender::Outcome AlertmanagerSender::PostOnce(
    absl::string_view body, size_t count, absl::Duration timeout) {
  HttpRequest request;
  request.url = url_;
  request.body = body;
  request.timeout = timeout;
  request.abort = [this] {
    const std::optional<absl::Time> drain = DrainDeadline();
    return drain.has_value() && clock_->Now() >= *drain;
  };
  request.headers.push_back("Content-Type: application/json");
  request.headers.push_back("User-Agent: " + options_.user_agent);
  absl::StatusOr<std::optional<std::string>> auth =
      AuthorizationHeader(endpoint_.http);
  HttpResponse response;
  const absl::Time start = clock_->Now();
  if (!auth.ok()) {
    // A credentials file being rewritten is a transient state; the retry
    // reads it again.
    response.error = auth.status();
  } else {
    if (auth->has_value()) {
      request.headers.push_back("Authorization: " + **auth);
    }
    response = transport_->Post(request);
    latency_nanos_.fetch_add(absl::ToInt64Nanoseconds(clock_->Now() - start),
                             std::memory_order_relaxed);
    latency_count_.fetch_add(1, std::memory_order_relaxed);
  }
  if (response.status >= 200 && response.status < 300) {
    sent_.fetch_add(static_cast<int64_t>(count), std::memory_order_relaxed);
    return Outcome::kSuccess;
  }
  errors_.fetch_add(static_cast<int64_t>(count), std::memory_order_relaxed);
  if (response.status == 0) {
    FR_LOG(WARNING) << "Error sending alerts: alertmanager=" << url_
                    << " count=" << count << " err=\""
                    << response.error.message() << "\"";
    return Outcome::kRetryable;
  }
  absl::string_view text = absl::StripTrailingAsciiWhitespace(response.body);
  if (text.size() > kMaxLoggedBody) text = text.substr(0, kMaxLoggedBody);
  FR_LOG(WARNING) << "Error sending alerts: alertmanager=" << url_
                  << " count=" << count << " status=" << response.status
                  << " body=\"" << text << "\"";
  return response.status >= 500 || response.status == 429 ? Outcome::kRetryable
                                                          : Outcome::kPermanent;
}

bool AlertmanagerSender::SendOneBatch() {
  std::vector<EncodedAlert> batch;
  {
    std::lock_guard<std::mutex> lock(mu_);
    const size_t n = std::min(queue_.size(), options_.max_batch_size);
    batch.assign(std::make_move_iterator(queue_.begin()),
                 std::make_move_iterator(queue_.begin() + n));
    queue_.erase(queue_.begin(), queue_.begin() + n);
  }
  if (batch.empty()) return false;
  const std::string body = AlertsBody(batch);
  const size_t count = batch.size();
  batch.clear();  // the body holds the bytes; release the shared strings

  const absl::Time first_attempt = clock_->Now();
  absl::Duration backoff = options_.min_backoff;
  for (int attempt = 0;; ++attempt) {
    if (attempt > 0) retries_.fetch_add(1, std::memory_order_relaxed);
    absl::Duration timeout = endpoint_.timeout;
    if (const std::optional<absl::Time> drain = DrainDeadline()) {
      // No request may outlive the drain deadline.
      timeout = std::min(timeout, *drain - clock_->Now());
      if (timeout < absl::Milliseconds(1)) {
        Drop(count, "drain deadline passed");
        return true;
      }
    }
    const Outcome outcome = PostOnce(body, count, timeout);
    if (outcome == Outcome::kSuccess) return true;
    if (outcome == Outcome::kPermanent) {
      Drop(count, "alertmanager refused the alerts");
      return true;
    }
    // Cleared before DrainDeadline reads stopping_: a stop after this
    // point sets it again and ends the sleep below.
    stop_unseen_.store(false);
    absl::Time give_up = first_attempt + options_.max_retry_duration;
    absl::string_view why = "retries exhausted";
    if (const std::optional<absl::Time> drain = DrainDeadline();
        drain.has_value() && *drain < give_up) {
      give_up = *drain;
      why = "drain deadline passed";
    }
    const absl::Time now = clock_->Now();
    if (now >= give_up) {
      Drop(count, why);
      return true;
    }
    sleeper_->SleepFor(std::min(backoff, give_up - now), stop_unseen_);
    backoff = std::min(backoff * 2, options_.max_backoff);
  }
}

void AlertmanagerSender::Run() {
  for (;;) {
    {
      std::unique_lock<std::mutex> lock(mu_);
      cv_.wait(lock, [this] { return !queue_.empty() || stopping_; });
      if (stopping_ && (queue_.empty() || clock_->Now() >= drain_deadline_)) {
        const size_t left = queue_.size();
        queue_.clear();
        stopped_ = true;
        lock.unlock();
        if (left > 0) Drop(left, "not delivered before shutdown");
        return;
      }
    }
    SendOneBatch();
  }
}

void AlertmanagerSender::RequestStop(absl::Time drain_deadline) {
  {
    std::lock_guard<std::mutex> lock(mu_);
    if (!stopping_ || drain_deadline < drain_deadline_) {
      drain_deadline_ = drain_deadline;
    }
    stopping_ = true;
  }
  cv_.notify_all();
  stop_unseen_.store(true);
  sleeper_->WakeAll();
}

AlertmanagerStats AlertmanagerSender::Stats() const {
  AlertmanagerStats s;
  s.url = url_;
  s.sent = sent_.load(std::memory_order_relaxed);
  s.errors = errors_.load(std::memory_order_relaxed);
  s.retries = retries_.load(std::memory_order_relaxed);
  s.dropped = dropped_.load(std::memory_order_relaxed);
  {
    std::lock_guard<std::mutex> lock(mu_);
    s.queue_length = static_cast<int64_t>(queue_.size());
  }
  s.queue_capacity = static_cast<int64_t>(options_.queue_capacity);
  s.latency_seconds_sum =
      static_cast<double>(latency_nanos_.load(std::memory_order_relaxed)) / 1e9;
  s.latency_count = latency_count_.load(std::memory_order_relaxed);
  return s;
}

}  // namespace fraisier::notifier
