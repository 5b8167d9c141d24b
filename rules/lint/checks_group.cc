// Checks on groups and across rules: evaluation intervals longer than the
// lookback, and rules defined twice.
#include <algorithm>
#include <string>
#include <vector>

#include "absl/container/flat_hash_map.h"
#include "absl/strings/str_cat.h"
#include "absl/time/time.h"
#include "promql/literals.h"
#include "promql/printer.h"
#include "rules/lint/check.h"

namespace fraisier::rules::lint {
namespace {

// Prometheus's default lookback delta: a series without a sample in the
// last 5m counts as gone.
constexpr absl::Duration kLookback = absl::Minutes(5);

void CheckGroupInterval(const RuleGroupSpec& group, const LintContext&,
                        std::vector<std::string>* messages) {
  if (group.interval <= kLookback) return;
  messages->push_back(absl::StrCat(
      "the group is evaluated every ",
      promql::FormatDurationMs(absl::ToInt64Milliseconds(group.interval)),
      ", longer than the 5m lookback, so its recorded series vanish between "
      "evaluations and its alerts flap; use an interval of at most 5m"));
}

// Two rules are the same when they have the same kind, name, expression
// (as Prometheus prints it) and labels: they write the same series.
std::string RuleKey(const RuleSpec& rule) {
  std::string key = absl::StrCat(
      rule.is_alert() ? "alert\n" : "record\n", rule.name(), "\n",
      rule.parsed != nullptr ? promql::Format(*rule.parsed) : rule.expr);
  LabelList labels = rule.labels;
  std::sort(labels.begin(), labels.end());
  for (const auto& [name, value] : labels) {
    absl::StrAppend(&key, "\n", name, "=", value);
  }
  return key;
}

void CheckDuplicates(const std::vector<const RuleFileSpec*>& files,
                     const LintContext&, std::vector<SiteMessage>* messages) {
  absl::flat_hash_map<std::string, Site> first;
  for (const RuleFileSpec* file : files) {
    for (size_t g = 0; g < file->groups.size(); ++g) {
      const RuleGroupSpec& group = file->groups[g];
      for (size_t r = 0; r < group.rules.size(); ++r) {
        Site site{file, static_cast<int>(g), static_cast<int>(r)};
        auto [it, inserted] = first.emplace(RuleKey(group.rules[r]), site);
        if (inserted) continue;
        const Site& orig = it->second;
        messages->push_back(
            {site,
             absl::StrCat(
                 "duplicate of the rule at ", orig.file->path, ":",
                 orig.rule_spec().line, " (group \"", orig.group_spec().name,
                 "\"): same name, expression and labels, so both write "
                 "the same series (or the same alerts); remove one")});
      }
    }
  }
}

}  // namespace

std::vector<CheckDef> GroupChecks() {
  CheckDef interval{"group-interval-long", Severity::kWarning,
                    "a group evaluated less often than every 5m"};
  interval.group = CheckGroupInterval;
  // A warning, as promtool's duplicate-rules lint does not fail a file
  // unless --lint-fatal.
  CheckDef duplicate{"duplicate-rule", Severity::kWarning,
                     "the same rule (name, expression, labels) twice"};
  duplicate.run = CheckDuplicates;
  return {duplicate, interval};
}

}  // namespace fraisier::rules::lint
