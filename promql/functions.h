// The PromQL function table: every function of the Prometheus 3 docs with
// its argument types, as the parser's type checker and the evaluator see it.
#ifndef PROMQL_FUNCTIONS_H_
#define PROMQL_FUNCTIONS_H_

#include <vector>

#include "absl/strings/string_view.h"
#include "promql/ast.h"

namespace fraisier::promql {

struct FunctionInfo {
  absl::string_view name;
  std::vector<ValueType> arg_types;
  // 0: exactly arg_types.size() arguments. N > 0: the last argument type may
  // be omitted or repeated up to N times in all (so between size()-1 and
  // size()-1+N arguments). -1: the last type repeats without limit (at least
  // size()-1 arguments).
  int variadic = 0;
  ValueType return_type = ValueType::kVector;
  // Behind --enable-feature=promql-experimental-functions in Prometheus.
  bool experimental = false;
};

// nullptr when `name` is not a function.
const FunctionInfo* LookupFunction(absl::string_view name);

// All functions, sorted by name.
const std::vector<const FunctionInfo*>& AllFunctions();

}  // namespace fraisier::promql

#endif  // PROMQL_FUNCTIONS_H_
