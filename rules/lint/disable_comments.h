// `# ruler disable <check-id>...` comments in a rule file.
//
// yaml-cpp drops comments, so they are found by scanning the file's lines
// and attached by position: a comment on a rule's lines, or in the comment
// block directly above the rule, applies to that rule; above or inside a
// group's own keys, to every rule of the group; before the file's first
// non-comment line, to the whole file. Several ids may follow one
// `ruler disable`, separated by spaces or commas.
#ifndef RULES_LINT_DISABLE_COMMENTS_H_
#define RULES_LINT_DISABLE_COMMENTS_H_

#include <string>
#include <utility>
#include <vector>

#include "absl/container/flat_hash_map.h"
#include "absl/container/flat_hash_set.h"
#include "absl/strings/string_view.h"
#include "rules/rulefile/rule_file.h"

namespace fraisier::rules::lint {

struct DisableId {
  int line = 0;
  std::string id;
};

class DisableComments {
 public:
  // `text` is the file `file` was parsed from.
  static DisableComments Scan(absl::string_view text, const RuleFileSpec& file);

  // Whether `check` is disabled for rule `rule` of group `group` (rule -1:
  // for the group itself).
  bool Disabled(absl::string_view check, int group, int rule) const;

  // Every id the comments name, with its line (for reporting unknown ones).
  const std::vector<DisableId>& ids() const { return ids_; }

 private:
  absl::flat_hash_set<std::string> file_wide_;
  // Keyed by (group, rule), rule -1 for a whole group.
  absl::flat_hash_map<std::pair<int, int>, absl::flat_hash_set<std::string>>
      scoped_;
  std::vector<DisableId> ids_;
};

}  // namespace fraisier::rules::lint

#endif  // RULES_LINT_DISABLE_COMMENTS_H_
