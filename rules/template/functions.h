// The functions a Prometheus template can call: Go's text/template builtins
// (and, or, not, len, index, slice, print, printf, println, html, js,
// urlquery, call, eq, ne, lt, le, gt, ge), Prometheus's template functions
// (query, humanize, reReplaceAll, ...) and the methods of the values they
// return (time.Time.Format, time.Duration.Seconds, ...).
//
// Each function has a Go signature, because text/template checks arguments
// against parameter types before calling ("wrong type for value; expected
// string; got float64", "wrong number of args for humanize: want 1 got 2").
#ifndef RULES_TEMPLATE_FUNCTIONS_H_
#define RULES_TEMPLATE_FUNCTIONS_H_

#include <cstddef>
#include <cstdint>
#include <functional>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "engine/model/labels.h"
#include "rules/template/value.h"

namespace fraisier::rules::templates {

// One sample of an instant-vector query result.
struct QuerySample {
  Labels labels;
  double value = 0;
};

// Runs a PromQL instant query at the evaluation time. Errors are reported as
// "error calling query: <message>", so the message should be the one
// Prometheus's engine gives (e.g. a parse error "1:4: parse error: ...").
using QueryFunc = std::function<absl::StatusOr<std::vector<QuerySample>>(
    absl::string_view query)>;

// Go parameter types of the functions.
enum class ParamType : uint8_t {
  kAny,      // interface {}
  kReflect,  // reflect.Value (builtins that take any value, nil included)
  kString,
  kFloat,
  kInt,
  kInt64,
  kBool,
  kSamples,   // template.queryResult
  kSample,    // *template.sample
  kDuration,  // time.Duration
};

// Go's name of the type: "interface {}", "string", "*template.sample".
absl::string_view ParamTypeName(ParamType type);

// What one expansion's functions see. Owned by the executor.
struct CallEnv {
  int64_t eval_time_ms = 0;
  const QueryFunc* query = nullptr;  // null: queries fail
  bool has_external_url = false;     // false: externalURL/pathPrefix fail
  absl::string_view external_url;    // for externalURL and pathPrefix
  size_t max_string_bytes = 0;       // no function result may be longer
  uint64_t next_sample_id = 0;       // for the fake addresses of samples
};

using FuncImpl = absl::StatusOr<Value> (*)(CallEnv& env,
                                           std::vector<Value>& args);

struct FuncDef {
  absl::string_view name;
  std::vector<ParamType> params;  // for variadic functions the last is the
                                  // element type of the ... parameter
  bool variadic = false;
  bool builtin = false;  // Go's builtins; `and` and `or` short-circuit
  FuncImpl impl = nullptr;
};

// A function by name, or null.
const FuncDef* FindFunction(absl::string_view name);
bool HasFunction(absl::string_view name);

// A method of the receiver's type, or null. The receiver is passed to the
// implementation as args[0], ahead of the declared parameters.
const FuncDef* FindMethod(const Value& receiver, absl::string_view name);

// The function tables, defined in builtins.cc, prometheus_functions.cc and
// methods.cc.
const std::vector<FuncDef>& BuiltinFunctions();
const std::vector<FuncDef>& PrometheusFunctions();
const std::vector<FuncDef>& TimeMethods();
const std::vector<FuncDef>& DurationMethods();

// The truth of a value as and/or/not/if see it.
bool Truth(const Value& v);

}  // namespace fraisier::rules::templates

#endif  // RULES_TEMPLATE_FUNCTIONS_H_
