#include "rules/lint/check.h"

namespace fraisier::rules::lint {

const std::vector<CheckDef>& AllChecks() {
  static const std::vector<CheckDef>* const checks = [] {
    auto* all = new std::vector<CheckDef>;
    for (auto part : {AlertChecks, CounterChecks, HistogramChecks,
                      SelectorChecks, AggregationChecks, GroupChecks}) {
      for (const CheckDef& def : part()) all->push_back(def);
    }
    return all;
  }();
  return *checks;
}

const CheckDef* FindCheck(absl::string_view id) {
  for (const CheckDef& def : AllChecks()) {
    if (def.id == id) return &def;
  }
  return nullptr;
}

}  // namespace fraisier::rules::lint
