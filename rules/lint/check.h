// The lint checks: each has an id (what `# ruler disable <id>` names), a
// severity and a function over one rule, one group, or every file of a run.
// The checks live in checks_*.cc, a few related ones per file; AllChecks()
// is the registry.
#ifndef RULES_LINT_CHECK_H_
#define RULES_LINT_CHECK_H_

#include <string>
#include <vector>

#include "absl/container/flat_hash_map.h"
#include "absl/strings/string_view.h"
#include "absl/time/time.h"
#include "rules/lint/finding.h"
#include "rules/rulefile/rule_file.h"

namespace fraisier::rules::lint {

struct LintOptions {
  // The scrape interval the rules' data arrives at: a rate() needs a range
  // of at least two of them. Prometheus's default global scrape_interval.
  absl::Duration scrape_interval = absl::Minutes(1);
};

// What every check may consult about the whole run.
struct LintContext {
  LintOptions options;
  // Base names of metrics the checked files treat as classic histograms
  // (a selector names X_bucket, or X is passed to histogram_quantile), each
  // with the reason, for messages.
  absl::flat_hash_map<std::string, std::string> histogram_evidence;
  // Metrics without a counter's name that the checked files pass to rate(),
  // irate() or increase(), with the reason: they treat them as counters.
  absl::flat_hash_map<std::string, std::string> counter_evidence;
};

// One rule (rule >= 0) or one group (rule == -1) of a file.
struct Site {
  const RuleFileSpec* file = nullptr;
  int group = 0;
  int rule = -1;

  const RuleGroupSpec& group_spec() const { return file->groups[group]; }
  const RuleSpec& rule_spec() const { return group_spec().rules[rule]; }
};

struct SiteMessage {
  Site site;
  std::string message;
};

// Checks append one message per problem; the linter adds the id, severity
// and location.
using RuleCheckFn = void (*)(const RuleSpec& rule, const LintContext& ctx,
                             std::vector<std::string>* messages);
using GroupCheckFn = void (*)(const RuleGroupSpec& group,
                              const LintContext& ctx,
                              std::vector<std::string>* messages);
using RunCheckFn = void (*)(const std::vector<const RuleFileSpec*>& files,
                            const LintContext& ctx,
                            std::vector<SiteMessage>* messages);

struct CheckDef {
  absl::string_view id;
  Severity severity = Severity::kWarning;
  absl::string_view summary;  // what it finds, one line (for --help)
  // Exactly one is set.
  RuleCheckFn rule = nullptr;
  GroupCheckFn group = nullptr;
  RunCheckFn run = nullptr;
};

// Every check, in documentation order (docs/lint.md lists the same).
const std::vector<CheckDef>& AllChecks();
// nullptr when no check has that id.
const CheckDef* FindCheck(absl::string_view id);

// The checks of each checks_*.cc file.
std::vector<CheckDef> AlertChecks();
std::vector<CheckDef> CounterChecks();
std::vector<CheckDef> HistogramChecks();
std::vector<CheckDef> SelectorChecks();
std::vector<CheckDef> AggregationChecks();
std::vector<CheckDef> GroupChecks();

}  // namespace fraisier::rules::lint

#endif  // RULES_LINT_CHECK_H_
