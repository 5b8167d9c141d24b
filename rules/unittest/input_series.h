// The input series of a test group, expanded from the series notation
// (promql/promqltest's parser, the `load` command's syntax) into samples
// and fed to a store in time order, as promtool's lazy loader does: the
// samples at or before an evaluation time are appended just before the
// rules evaluate at that time, so nothing after the last evaluation is
// ever visible.
//
// promtool joins every entry into one `load` block (`series values` per
// line) and parses that; so do we, which keeps its quirks: a value list
// that spans lines or a line that starts with `#` ends the block, and a
// series listed twice keeps only its last values. Native histograms
// (`{{...}}`) are rejected, as promtool 2.42 does.
#ifndef RULES_UNITTEST_INPUT_SERIES_H_
#define RULES_UNITTEST_INPUT_SERIES_H_

#include <cstddef>
#include <cstdint>
#include <vector>

#include "absl/status/statusor.h"
#include "engine/model/labels.h"
#include "engine/model/value.h"
#include "engine/storage/storage.h"
#include "rules/unittest/test_file.h"

namespace fraisier::rules::unittest {

// Not thread-safe. Invariant: each series' samples are sorted by time with
// unique timestamps; next_ indexes the first one not appended yet.
class InputLoader {
 public:
  struct Series {
    Labels labels;
    std::vector<Sample> samples;
  };

  // Sample i of an entry is at start_ms + i * interval_ms. Errors name the
  // test file position of the entry (`path:line:col: ...`).
  static absl::StatusOr<InputLoader> Create(
      const std::vector<InputSeries>& input, int64_t interval_ms,
      int64_t start_ms, absl::string_view path);

  // Appends every sample at or before t_ms that was not appended yet.
  absl::Status AppendUntil(storage::Appendable& store, int64_t t_ms);

  const std::vector<Series>& series() const { return series_; }

 private:
  std::vector<Series> series_;
  std::vector<size_t> next_;
};

}  // namespace fraisier::rules::unittest

#endif  // RULES_UNITTEST_INPUT_SERIES_H_
