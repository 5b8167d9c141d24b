// Prometheus's metric naming conventions, which is all the lint knows about
// a metric's type without a live server: counters end in `_total`
// (OpenMetrics requires it), histograms expose `_bucket`, `_sum` and
// `_count` series, recording rules are named `level:metric:operations`.
#ifndef RULES_LINT_METRIC_NAMES_H_
#define RULES_LINT_METRIC_NAMES_H_

#include <string>

#include "absl/strings/string_view.h"

namespace fraisier::rules::lint {

// A recording rule's output (`job:http_requests:rate5m`).
bool IsRecordedName(absl::string_view name);

// Why `name` is, by convention, not a counter, or "" when its name says
// nothing against it. Plain names: a base unit or gauge word at the end
// without `_total` (a counter of bytes is `x_bytes_total`, so `x_bytes` is
// a gauge), `_info`, `up`; names that look like a histogram are left alone
// (a native histogram may be rated). Recorded names: an operations part
// that is already a rate (`job:x:rate5m`). The reason reads like
// "it ends in _bytes without _total".
std::string NotCounterReason(absl::string_view name);

// A plain (not recorded) metric whose name ends in `_total`.
bool IsTotalCounter(absl::string_view name);

// A plain metric whose name ends in `_bucket`.
bool IsBucketName(absl::string_view name);

// For a plain metric ending in `_bucket`, `_sum` or `_count`: the histogram
// (or summary) it belongs to; "" otherwise.
absl::string_view HistogramBaseOf(absl::string_view name);

// Whether a plain metric is named like a latency histogram or summary
// (`..._duration_seconds`, `..._latency_seconds`) and is not one of the
// well-known gauges named that way (`scrape_duration_seconds`, the
// `..._scrape_collector_duration_seconds` and `..._last_duration_seconds`
// gauges).
bool LooksLikeHistogramName(absl::string_view name);

}  // namespace fraisier::rules::lint

#endif  // RULES_LINT_METRIC_NAMES_H_
