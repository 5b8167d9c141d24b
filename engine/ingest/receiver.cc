#include "engine/ingest/receiver.h"

#include <utility>

#include "absl/status/statusor.h"
#include "absl/strings/str_cat.h"
#include "absl/time/time.h"
#include "engine/ingest/series_check.h"
#include "engine/ingest/snappy_block.h"
#include "engine/ingest/write_request_reader.h"
#include "engine/model/timestamp.h"

namespace fraisier::ingest {
namespace {

using storage::AppendError;

// Series printed in messages are cut here: enough to recognise a series,
// bounded so a hostile one cannot inflate responses and logs.
constexpr size_t kMaxSeriesChars = 256;
// Scratch decode buffers above this are released after the request, so one
// huge request does not pin its memory in the pool for good.
constexpr size_t kMaxRetainedBuffer = size_t{16} << 20;
// Idle scratch sets kept; more concurrent requests still work, their
// scratch is just freed afterwards.
constexpr size_t kMaxPooledScratch = 64;

RejectReason ReasonFor(AppendError error) {
  switch (error) {
    case AppendError::kOutOfOrder:
      return RejectReason::kOutOfOrder;
    case AppendError::kDuplicateTimestamp:
      return RejectReason::kDuplicateTimestamp;
    case AppendError::kOutOfBounds:
      return RejectReason::kOutOfBounds;
    case AppendError::kSeriesLimit:
      return RejectReason::kSeriesLimit;
    case AppendError::kInvalidLabels:
    case AppendError::kNone:
      break;
  }
  return RejectReason::kInvalidLabels;
}

// What one request refused: counts by reason and the first problem, which
// is what the sender's operator needs to find the culprit.
struct Rejections {
  std::array<int64_t, kNumRejectReasons> by_reason{};
  int64_t total = 0;
  std::string first;  // "timeseries[3] {...}: problem"
  int64_t first_samples = 0;

  void Add(RejectReason reason, int64_t samples, const TimeSeriesView& ts,
           absl::string_view problem) {
    by_reason[static_cast<int>(reason)] += samples;
    total += samples;
    if (!first.empty()) return;
    absl::StrAppend(&first, "timeseries[", ts.index, "] ");
    AppendSeriesString(ts.labels, kMaxSeriesChars, &first);
    absl::StrAppend(&first, ": ", problem);
    first_samples = samples;
  }
};

WriteResult Failed(WriteCode code, std::string message, WriteResult r) {
  r.code = code;
  r.message = std::move(message);
  r.samples_stored = 0;
  r.samples_rejected = r.samples_received;
  return r;
}

}  // namespace

struct Receiver::Scratch {
  std::string decoded;
  WriteRequestReader reader;
  std::vector<Label> labels;  // the current series' labels to store
  std::string hash_buffer;
};

absl::string_view WriteCodeName(WriteCode code) {
  switch (code) {
    case WriteCode::kOk:
      return "ok";
    case WriteCode::kBadRequest:
      return "bad_request";
    case WriteCode::kPayloadTooLarge:
      return "payload_too_large";
    case WriteCode::kTooManyRequests:
      return "too_many_requests";
    case WriteCode::kUnavailable:
      return "unavailable";
    case WriteCode::kInternal:
      return "internal";
  }
  return "internal";
}

int HttpStatus(WriteCode code) {
  switch (code) {
    case WriteCode::kOk:
      return 204;
    case WriteCode::kBadRequest:
      return 400;
    case WriteCode::kPayloadTooLarge:
      return 413;
    case WriteCode::kTooManyRequests:
      return 429;
    case WriteCode::kUnavailable:
      return 503;
    case WriteCode::kInternal:
      return 500;
  }
  return 500;
}

absl::string_view RejectReasonName(RejectReason reason) {
  switch (reason) {
    case RejectReason::kOutOfOrder:
      return "out_of_order";
    case RejectReason::kDuplicateTimestamp:
      return "duplicate_timestamp";
    case RejectReason::kOutOfBounds:
      return "out_of_bounds";
    case RejectReason::kSeriesLimit:
      return "series_limit";
    case RejectReason::kInvalidLabels:
      return "invalid_labels";
    case RejectReason::kLimit:
      return "limit";
  }
  return "limit";
}

Receiver::Receiver(storage::Appendable& store, const ReceiverLimits& limits,
                   const Clock* clock)
    : store_(store), limits_(limits), clock_(clock) {}

Receiver::~Receiver() = default;

std::unique_ptr<Receiver::Scratch> Receiver::AcquireScratch() {
  {
    std::lock_guard<std::mutex> lock(pool_mu_);
    if (!pool_.empty()) {
      std::unique_ptr<Scratch> s = std::move(pool_.back());
      pool_.pop_back();
      return s;
    }
  }
  return std::make_unique<Scratch>();
}

void Receiver::ReleaseScratch(std::unique_ptr<Scratch> scratch) {
  if (scratch->decoded.capacity() > kMaxRetainedBuffer) {
    std::string().swap(scratch->decoded);
  }
  scratch->reader.Reset(absl::string_view());
  std::lock_guard<std::mutex> lock(pool_mu_);
  if (pool_.size() < kMaxPooledScratch) pool_.push_back(std::move(scratch));
}

WriteResult Receiver::WriteSnappy(absl::string_view compressed_body) {
  const std::array<int64_t, kNumRejectReasons> none{};
  if (static_cast<int64_t>(compressed_body.size()) > limits_.max_body_bytes) {
    return Record(
        Failed(
            WriteCode::kPayloadTooLarge,
            absl::StrCat("request body of ", compressed_body.size(),
                         " bytes exceeds the limit of ", limits_.max_body_bytes,
                         " bytes (remote_write_receiver.max_body_size)"),
            WriteResult()),
        none);
  }
  // The declared size first: over the limit is the sender's batch size
  // (413), not bad data (400).
  if (absl::StatusOr<size_t> length = SnappyDecodedLength(compressed_body);
      length.ok() && *length > static_cast<size_t>(limits_.max_decoded_bytes)) {
    return Record(
        Failed(WriteCode::kPayloadTooLarge,
               absl::StrCat("snappy: decoded size ", *length, " exceeds limit ",
                            limits_.max_decoded_bytes,
                            " (remote_write_receiver.max_decoded_size)"),
               WriteResult()),
        none);
  }
  std::unique_ptr<Scratch> scratch = AcquireScratch();
  absl::StatusOr<absl::string_view> decoded = SnappyDecode(
      compressed_body, static_cast<size_t>(limits_.max_decoded_bytes),
      &scratch->decoded);
  WriteResult result;
  if (!decoded.ok()) {
    result =
        Record(Failed(WriteCode::kBadRequest,
                      std::string(decoded.status().message()), WriteResult()),
               none);
  } else {
    result = Write(*decoded, *scratch);
  }
  ReleaseScratch(std::move(scratch));
  return result;
}

WriteResult Receiver::WriteProto(absl::string_view protobuf_bytes) {
  std::unique_ptr<Scratch> scratch = AcquireScratch();
  WriteResult result = Write(protobuf_bytes, *scratch);
  ReleaseScratch(std::move(scratch));
  return result;
}

WriteResult Receiver::Write(absl::string_view protobuf_bytes,
                            Scratch& scratch) {
  WriteResult r;
  Rejections rejected;
  if (static_cast<int64_t>(protobuf_bytes.size()) > limits_.max_decoded_bytes) {
    return Record(
        Failed(WriteCode::kPayloadTooLarge,
               absl::StrCat("decoded request of ", protobuf_bytes.size(),
                            " bytes exceeds the limit of ",
                            limits_.max_decoded_bytes,
                            " bytes (remote_write_receiver.max_decoded_size)"),
               r),
        rejected.by_reason);
  }
  const Timestamp max_t =
      clock_ == nullptr
          ? kMaxTimestamp
          : clock_->NowMillis() + absl::ToInt64Milliseconds(limits_.max_ahead);
  WriteRequestReader& reader = scratch.reader;
  reader.Reset(protobuf_bytes);
  std::unique_ptr<storage::Appender> app = store_.NewAppender();
  // Set when the store refuses a new series: the request is then refused
  // whole (429), but the walk goes on so a malformed tail still says 400.
  std::string series_limit;
  int64_t stored = 0;
  for (;;) {
    absl::StatusOr<bool> more = reader.Next();
    if (!more.ok()) {
      app->Rollback();
      return Record(Failed(WriteCode::kBadRequest,
                           std::string(more.status().message()), r),
                    {});
    }
    if (!*more) break;
    const TimeSeriesView& ts = reader.series();
    const int64_t n = static_cast<int64_t>(ts.samples.size());
    ++r.series_received;
    r.samples_received += n;
    r.exemplars_ignored += ts.exemplars;
    r.histograms_ignored += ts.histograms;
    if (r.series_received > limits_.max_series_per_request ||
        r.samples_received > limits_.max_samples_per_request) {
      app->Rollback();
      std::array<int64_t, kNumRejectReasons> limit{};
      limit[static_cast<int>(RejectReason::kLimit)] = r.samples_received;
      const bool series = r.series_received > limits_.max_series_per_request;
      return Record(
          Failed(WriteCode::kPayloadTooLarge,
                 series ? absl::StrCat("request has more than ",
                                       limits_.max_series_per_request,
                                       " series (remote_write_receiver."
                                       "max_series_per_request)")
                        : absl::StrCat("request has more than ",
                                       limits_.max_samples_per_request,
                                       " samples (remote_write_receiver."
                                       "max_samples_per_request)"),
                 r),
          limit);
    }
    if (!series_limit.empty()) continue;
    SeriesProblem problem = SeriesProblem::kNone;
    if (absl::Status s =
            CheckSeriesLabels(ts.labels, limits_, &scratch.labels, &problem);
        !s.ok()) {
      ++r.series_rejected;
      rejected.Add(problem == SeriesProblem::kLimit
                       ? RejectReason::kLimit
                       : RejectReason::kInvalidLabels,
                   n, ts, s.message());
      continue;
    }
    if (n == 0) continue;
    const uint64_t hash = HashLabelViews(scratch.labels, &scratch.hash_buffer);
    storage::SeriesRef ref = 0;
    for (int64_t i = 0; i < n; ++i) {
      const Sample& sample = ts.samples[i];
      if (sample.t > max_t) {
        rejected.Add(
            RejectReason::kOutOfBounds, 1, ts,
            absl::StrCat("sample timestamp ", sample.t, " is more than ",
                         absl::FormatDuration(limits_.max_ahead),
                         " ahead of the receiver's clock (milliseconds "
                         "expected)"));
        continue;
      }
      absl::StatusOr<storage::SeriesRef> appended =
          app->AppendLabelViews(ref, scratch.labels, hash, sample.t, sample.v);
      if (appended.ok()) {
        ref = *appended;
        ++stored;
        continue;
      }
      const AppendError error = storage::GetAppendError(appended.status());
      if (error == AppendError::kNone) {
        // Not a refusal of this sample: the store itself failed.
        app->Rollback();
        return Record(
            Failed(WriteCode::kInternal,
                   absl::StrCat("storage: ", appended.status().message()), r),
            {});
      }
      if (error == AppendError::kSeriesLimit) {
        series_limit = std::string(appended.status().message());
        break;
      }
      if (error == AppendError::kInvalidLabels) {
        // The store refused the label set: the rest of the series goes too.
        ++r.series_rejected;
        rejected.Add(RejectReason::kInvalidLabels, n - i, ts,
                     appended.status().message());
        break;
      }
      rejected.Add(ReasonFor(error), 1, ts, appended.status().message());
    }
  }
  r.metadata_ignored = reader.metadata();
  if (!series_limit.empty()) {
    app->Rollback();
    // Everything not already refused for its own reason is refused for the
    // limit: the sender retries the request as a whole.
    std::array<int64_t, kNumRejectReasons> by_reason = rejected.by_reason;
    by_reason[static_cast<int>(RejectReason::kSeriesLimit)] +=
        r.samples_received - rejected.total;
    return Record(
        Failed(WriteCode::kTooManyRequests,
               absl::StrCat(series_limit,
                            "; nothing from this request was stored. Raise "
                            "storage.max_active_series in the configuration "
                            "(or let retention drop idle series) and the "
                            "sender's retry will succeed"),
               r),
        by_reason);
  }
  if (absl::Status committed = app->Commit(); !committed.ok()) {
    return Record(Failed(WriteCode::kUnavailable,
                         absl::StrCat("storage: commit failed, nothing from "
                                      "this request was stored: ",
                                      committed.message()),
                         r),
                  {});
  }
  r.samples_stored = stored;
  r.samples_rejected = rejected.total;
  if (rejected.total > 0) {
    r.code = WriteCode::kBadRequest;
    r.message = std::move(rejected.first);
    if (rejected.first_samples > 1) {
      absl::StrAppend(&r.message, " (", rejected.first_samples, " samples)");
    }
    if (rejected.total > rejected.first_samples) {
      absl::StrAppend(&r.message, ", and ",
                      rejected.total - rejected.first_samples,
                      " more samples rejected");
    }
    absl::StrAppend(&r.message, "; ", stored, " of ", r.samples_received,
                    " samples stored");
  }
  return Record(std::move(r), rejected.by_reason);
}

WriteResult Receiver::Record(
    WriteResult result,
    const std::array<int64_t, kNumRejectReasons>& rejected) {
  constexpr auto kRelaxed = std::memory_order_relaxed;
  metrics_.requests[static_cast<int>(result.code)].fetch_add(1, kRelaxed);
  metrics_.series_received.fetch_add(result.series_received, kRelaxed);
  metrics_.samples_received.fetch_add(result.samples_received, kRelaxed);
  metrics_.samples_stored.fetch_add(result.samples_stored, kRelaxed);
  for (int i = 0; i < kNumRejectReasons; ++i) {
    if (rejected[i] != 0) {
      metrics_.samples_rejected[i].fetch_add(rejected[i], kRelaxed);
    }
  }
  metrics_.series_rejected.fetch_add(result.series_rejected, kRelaxed);
  metrics_.exemplars_ignored.fetch_add(result.exemplars_ignored, kRelaxed);
  metrics_.histograms_ignored.fetch_add(result.histograms_ignored, kRelaxed);
  metrics_.metadata_ignored.fetch_add(result.metadata_ignored, kRelaxed);
  return result;
}

}  // namespace fraisier::ingest
