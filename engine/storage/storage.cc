#include "engine/storage/storage.h"

#include <vector>

#include "absl/strings/cord.h"

namespace fraisier::storage {
namespace {

constexpr absl::string_view kAppendErrorPayload =
    "type.fraisier.dev/storage.AppendError";

}  // namespace

absl::Status AppendErrorStatus(AppendError kind, absl::string_view message) {
  absl::StatusCode code = absl::StatusCode::kInvalidArgument;
  if (kind == AppendError::kSeriesLimit) {
    code = absl::StatusCode::kResourceExhausted;
  }
  absl::Status status(code, message);
  status.SetPayload(kAppendErrorPayload, absl::Cord(AppendErrorName(kind)));
  return status;
}

AppendError GetAppendError(const absl::Status& status) {
  if (status.ok()) return AppendError::kNone;
  absl::optional<absl::Cord> payload = status.GetPayload(kAppendErrorPayload);
  if (!payload.has_value()) return AppendError::kNone;
  for (AppendError kind :
       {AppendError::kOutOfOrder, AppendError::kDuplicateTimestamp,
        AppendError::kOutOfBounds, AppendError::kSeriesLimit,
        AppendError::kInvalidLabels}) {
    if (*payload == AppendErrorName(kind)) return kind;
  }
  return AppendError::kNone;
}

absl::StatusOr<SeriesRef> Appender::AppendLabelViews(
    SeriesRef ref, absl::Span<const Label> labels, uint64_t /*hash*/,
    Timestamp t, double v) {
  std::vector<LabelPair> pairs;
  pairs.reserve(labels.size());
  for (const Label& l : labels) pairs.emplace_back(l.name, l.value);
  return Append(ref, Labels::FromPairs(pairs), t, v);
}

absl::string_view AppendErrorName(AppendError kind) {
  switch (kind) {
    case AppendError::kNone:
      return "none";
    case AppendError::kOutOfOrder:
      return "out_of_order";
    case AppendError::kDuplicateTimestamp:
      return "duplicate_timestamp";
    case AppendError::kOutOfBounds:
      return "out_of_bounds";
    case AppendError::kSeriesLimit:
      return "series_limit";
    case AppendError::kInvalidLabels:
      return "invalid_labels";
  }
  return "none";
}

}  // namespace fraisier::storage
