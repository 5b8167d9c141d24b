#include "rules/unittest/coverage.h"

#include <optional>
#include <utility>

#include "absl/strings/str_cat.h"
#include "engine/model/labels.h"
#include "engine/model/matcher.h"
#include "promql/promqltest/ast_walk.h"

namespace fraisier::rules::unittest {
namespace {

std::string Where(const Coverage::Rule& r) {
  return absl::StrCat(r.file, ":", r.line, ":", r.column, ": ",
                      r.alert ? "alert " : "record ", r.name, " (group \"",
                      r.group, "\")");
}

}  // namespace

absl::flat_hash_set<std::string> SelectedNames(const promql::Expr& expr) {
  absl::flat_hash_set<std::string> names;
  for (const promql::VectorSelector* vs :
       promql::promqltest::CollectSelectors(expr)) {
    for (const Matcher& m : vs->matchers) {
      if (m.name() != kMetricNameLabel) continue;
      if (m.type() == MatchType::kEqual) {
        names.insert(std::string(m.value()));
      } else if (m.type() == MatchType::kRegexMatch) {
        if (std::optional<std::vector<std::string>> set = m.SetMatches()) {
          names.insert(set->begin(), set->end());
        }
      }
    }
  }
  return names;
}

size_t Coverage::AddRuleFile(const RuleFileSpec& file) {
  auto [it, inserted] = first_rule_of_file_.emplace(file.path, rules_.size());
  if (!inserted) return it->second;
  for (const RuleGroupSpec& group : file.groups) {
    for (const RuleSpec& spec : group.rules) {
      Rule rule;
      rule.file = file.path;
      rule.group = group.name;
      rule.line = spec.line;
      rule.column = spec.column;
      rule.alert = spec.is_alert();
      rule.name = spec.name();
      if (spec.parsed != nullptr) rule.reads = SelectedNames(*spec.parsed);
      rules_.push_back(std::move(rule));
    }
  }
  return it->second;
}

void Coverage::MarkTested(
    const std::vector<size_t>& loaded,
    const absl::flat_hash_set<std::string>& alertnames,
    const absl::flat_hash_set<std::string>& queried_names) {
  // Names whose series some assertion depends on; grows as tested rules
  // add what they read, until nothing changes.
  absl::flat_hash_set<std::string> needed = queried_names;
  std::vector<bool> tested(loaded.size(), false);
  bool changed = true;
  while (changed) {
    changed = false;
    for (size_t i = 0; i < loaded.size(); ++i) {
      if (tested[i]) continue;
      const Rule& rule = rules_[loaded[i]];
      const bool hit = rule.alert ? alertnames.contains(rule.name)
                                  : needed.contains(rule.name);
      if (!hit) continue;
      tested[i] = changed = true;
      needed.insert(rule.reads.begin(), rule.reads.end());
    }
  }
  for (size_t i = 0; i < loaded.size(); ++i) {
    if (tested[i]) rules_[loaded[i]].tested = true;
  }
}

std::string Coverage::Report() const {
  size_t tested = 0, alerts = 0, fired = 0;
  std::vector<const Rule*> untested, never_fired, never_produced;
  for (const Rule& r : rules_) {
    if (r.tested) {
      ++tested;
    } else {
      untested.push_back(&r);
    }
    if (r.alert) {
      ++alerts;
      if (r.produced) {
        ++fired;
      } else {
        never_fired.push_back(&r);
      }
    } else if (!r.produced) {
      never_produced.push_back(&r);
    }
  }
  std::string out = absl::StrCat(
      "Coverage: ", rules_.size(), " rules in ", first_rule_of_file_.size(),
      first_rule_of_file_.size() == 1 ? " file, " : " files, ", tested,
      " tested, ", untested.size(), " not tested; ", fired, " of ", alerts,
      " alerts fired\n");
  auto list = [&out](absl::string_view title,
                     const std::vector<const Rule*>& rules) {
    if (rules.empty()) return;
    absl::StrAppend(&out, "  ", title, ":\n");
    for (const Rule* r : rules) absl::StrAppend(&out, "    ", Where(*r), "\n");
  };
  list("not tested by any test", untested);
  list("alerts that never fired in any test", never_fired);
  list("recording rules that never produced a sample", never_produced);
  return out;
}

}  // namespace fraisier::rules::unittest
