// Binds rule evaluation to the PromQL engine and a store: Prometheus's
// EngineQueryFunc. A scalar result becomes one unlabelled sample; a string
// result is an error.
#ifndef RULES_RULE_QUERY_H_
#define RULES_RULE_QUERY_H_

#include "engine/storage/storage.h"
#include "promql/engine.h"
#include "rules/alerting_rule.h"

namespace fraisier::rules {

// `engine` and `store` must outlive the returned function.
QueryFunc EngineQueryFunc(const promql::Engine& engine,
                          storage::Queryable& store);

}  // namespace fraisier::rules

#endif  // RULES_RULE_QUERY_H_
