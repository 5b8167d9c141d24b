// Validation of metric names, label names and label values under the two
// Prometheus name validation schemes.
#ifndef ENGINE_MODEL_VALIDATION_H_
#define ENGINE_MODEL_VALIDATION_H_

#include "absl/status/status.h"
#include "absl/strings/string_view.h"
#include "absl/types/span.h"
#include "engine/model/labels.h"
#include "engine/model/utf8.h"  // IsValidUtf8 is part of this API.

namespace fraisier {

enum class NameValidation {
  // Prometheus 2: [a-zA-Z_][a-zA-Z0-9_]* for labels, [a-zA-Z_:][a-zA-Z0-9_:]*
  // for metric names.
  kLegacy,
  // Prometheus 3 default: any non-empty valid UTF-8.
  kUtf8,
};

// Names starting with "__" are reserved for internal use but valid: rules
// and relabelling legitimately produce __name__ and friends.
bool IsValidLabelName(absl::string_view name, NameValidation scheme);
bool IsValidMetricName(absl::string_view name, NameValidation scheme);

// Checks a constructed label set: every name, the metric name (the value of
// __name__, when present) and every value (UTF-8). The first problem is
// returned as InvalidArgument, e.g. `invalid label name "0abc"`,
// `invalid metric name "1up"`, `label value for "job" is not valid UTF-8`.
absl::Status ValidateLabels(const Labels& labels, NameValidation scheme);

// Checks raw pairs as a remote-write request carries them, before they are
// turned into Labels (which would silently sort and deduplicate): names must
// be non-empty, strictly increasing in byte order (`labels are not sorted:
// "b" before "a"`, `duplicate label name "job"`), and valid as in
// ValidateLabels. Empty values are accepted: they mean "no such label".
absl::Status ValidateLabelPairs(absl::Span<const LabelPair> pairs,
                                NameValidation scheme);
// The same for label views (remote-write decoding yields Label, not
// LabelPair, so it can hand them to the store without copying).
absl::Status ValidateLabelPairs(absl::Span<const Label> labels,
                                NameValidation scheme);

}  // namespace fraisier

#endif  // ENGINE_MODEL_VALIDATION_H_
