#include "promql/eval_functions.h"
namespace fraisier::promql {
const RangeFunctionInfo* FindRangeFunction(absl::string_view) { return nullptr; }
VectorFunction FindVectorFunction(absl::string_view) { return nullptr; }
}  // namespace fraisier::promql
