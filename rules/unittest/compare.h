// Expected-versus-got comparison of a rule unit test, with promtool's
// verdicts: alerts match when the sorted lists of (labels, annotations)
// are identical; samples when the sorted lists of (labels, value) are, the
// values compared exactly (NaN never equals, as promtool 2.42) or, with
// fuzzy_compare, up to one unit in the last place.
//
// On a mismatch the report lists both sides, then a diff: `-` for what was
// expected and not got, `+` for what was got and not expected, `~` for an
// entry whose labels match but whose value or annotations differ.
#ifndef RULES_UNITTEST_COMPARE_H_
#define RULES_UNITTEST_COMPARE_H_

#include <optional>
#include <string>
#include <vector>

#include "engine/model/labels.h"
#include "rules/rulefile/rule_file.h"

namespace fraisier::rules::unittest {

// Labels and annotations sorted by name (empty values kept).
struct AlertInstance {
  LabelList labels;
  LabelList annotations;
};

struct SampleInstance {
  Labels labels;
  double value = 0;
};

// Sorts by name; for a name given twice the last value wins.
LabelList SortedLabelList(const LabelList& list);
LabelList ToLabelList(const Labels& labels);

// `{name="value", ...}` with Go-quoted values, as promtool prints labels.
std::string FormatLabelList(const LabelList& list);

bool ValuesEqual(double expected, double got, bool fuzzy);

// nullopt when they match; otherwise the report, every line indented by
// `indent`.
std::optional<std::string> DiffAlerts(std::vector<AlertInstance> expected,
                                      std::vector<AlertInstance> got,
                                      absl::string_view indent);
std::optional<std::string> DiffSamples(std::vector<SampleInstance> expected,
                                       std::vector<SampleInstance> got,
                                       bool fuzzy, absl::string_view indent);

}  // namespace fraisier::rules::unittest

#endif  // RULES_UNITTEST_COMPARE_H_
