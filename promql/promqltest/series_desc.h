// Series descriptions of PromQL test scripts (and promtool rule tests):
// a label set followed by values in the expanding syntax, e.g.
//
//   http_requests{job="api"} 0+10x5 _ stale 1x3 _x2 -1-1x2
//
// expands to 0 10 20 30 40 50, a gap, a stale marker, 1 1 1 1, two gaps,
// -1 -2 -3. `a+bxN` is N+1 values starting at a (each the previous plus b,
// added repeatedly as Prometheus does); `axN` is N+1 copies of a; `_xN` is N
// gaps. Native histograms (`{{schema:0 sum:1 ...}}`, with the same `xN` and
// `{{a}}+{{b}}xN` forms) are recognised and counted but not modelled: their
// positions are marked `histogram`.
//
// The grammar and the lexing of values follow Prometheus's parser in
// series-description mode (no hex numbers; `Inf`/`NaN` are numbers; `stale`
// is the staleness marker).
#ifndef PROMQL_PROMQLTEST_SERIES_DESC_H_
#define PROMQL_PROMQLTEST_SERIES_DESC_H_

#include <cstddef>
#include <cstdint>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "engine/model/labels.h"

namespace fraisier::promql::promqltest {

// One position of an expanded value sequence.
struct SequenceValue {
  double value = 0;
  bool omitted = false;    // `_`: no sample at this position
  bool histogram = false;  // a native histogram (value is meaningless)
};

struct SeriesDescription {
  Labels labels;
  std::vector<SequenceValue> values;

  bool HasHistogram() const;
};

// Most values one description may expand to; more is an error rather than
// an allocation a hostile script could make arbitrarily large.
inline constexpr size_t kMaxSequenceValues = 10'000'000;

// Parses a label set at the start of `text`: `name`, `name{...}` or `{...}`
// where the braces hold `label="value"` pairs (names bare or quoted, values
// quoted with ", ' or `), separated by commas, a trailing comma allowed; a
// lone quoted string inside the braces is the metric name. `{}` is the empty
// set. Sets *consumed to the bytes read. Errors are InvalidArgument with the
// byte column (1-based) in the message.
absl::StatusOr<Labels> ParseLabelSet(absl::string_view text, size_t* consumed);

// Parses the value part of a description (after the label set).
absl::StatusOr<std::vector<SequenceValue>> ParseSequence(
    absl::string_view text);

// Parses a whole description line: a label set, then (after whitespace)
// the values. No values is an empty sequence.
absl::StatusOr<SeriesDescription> ParseSeriesDescription(
    absl::string_view line);

// Counts the positions of a start-timestamp sequence (the part after
// `metric@st`): items `_`, `_xN`, `*`, `*xN`, `<dur>`, `<dur>xN`,
// `<dur>+<dur>xN`, `<dur>-<dur>xN`, durations optionally signed. The
// offsets themselves are not modelled (evals over such series are skipped).
absl::StatusOr<size_t> CountStartTimestampSequence(absl::string_view text);

}  // namespace fraisier::promql::promqltest

#endif  // PROMQL_PROMQLTEST_SERIES_DESC_H_
