// /api/v1/rules and /api/v1/alerts over the rules manager, with the JSON of
// Prometheus's API (and the Alert Generator Compliance Specification).
#ifndef ENGINE_API_RULES_API_H_
#define ENGINE_API_RULES_API_H_

#include <string>
#include <vector>

#include "absl/time/time.h"
#include "engine/api/api.h"
#include "rules/manager.h"

namespace fraisier::api {

// Handlers for ApiOptions::extra_handlers. `manager` must outlive them.
std::vector<ExtraHandler> RulesHandlers(const rules::Manager* manager);

// Go's time.Time JSON (RFC 3339 with the fraction's trailing zeros
// trimmed), in UTC: "2026-11-24T05:00:00.123Z". Zero time is Go's zero,
// "0001-01-01T00:00:00Z".
std::string GoTimeJson(absl::Time t);
// strconv.FormatFloat(v, 'e', -1, 64): "1e+00", "1.23456e+02", "NaN".
std::string GoExponentFloat(double v);

}  // namespace fraisier::api

#endif  // ENGINE_API_RULES_API_H_
