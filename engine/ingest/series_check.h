// Per-series work of the remote-write receiver before anything is appended:
// validation and limits, printing a series for error messages, and the
// allocation-free label hash that finds existing series in the store.
#ifndef ENGINE_INGEST_SERIES_CHECK_H_
#define ENGINE_INGEST_SERIES_CHECK_H_

#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/types/span.h"
#include "engine/ingest/limits.h"
#include "engine/model/labels.h"

namespace fraisier::ingest {

// Why a series was refused before any append.
enum class SeriesProblem {
  kNone,
  kInvalidLabels,  // no labels, unsorted, duplicate, bad names, bad UTF-8
  kLimit,          // over a ReceiverLimits per-series limit
};

// Checks one series' labels as the request carries them and, when they
// pass, writes the labels to store into `*out` (cleared first): the same
// labels minus those with an empty value, which Prometheus treats as
// absent. Senders sort labels, so unsorted or duplicate names are errors,
// not something to repair. On failure returns InvalidArgument saying what
// is wrong (without the series, which the caller prints) and sets
// `*problem`.
absl::Status CheckSeriesLabels(absl::Span<const Label> labels,
                               const ReceiverLimits& limits,
                               std::vector<Label>* out, SeriesProblem* problem);

// Appends the series as Prometheus prints label sets,
// {__name__="up", job="x"}, cut to about `max_bytes` with "...}" so one
// hostile series cannot blow up an error message or a log line.
void AppendSeriesString(absl::Span<const Label> labels, size_t max_bytes,
                        std::string* out);

// Labels::Hash() of the label set `labels` (sorted, unique, non-empty
// values) computed from views: XXH64 over name 0xFF value 0xFF ..., built
// in `*scratch` so a warm caller allocates nothing.
uint64_t HashLabelViews(absl::Span<const Label> labels, std::string* scratch);

}  // namespace fraisier::ingest

#endif  // ENGINE_INGEST_SERIES_CHECK_H_
