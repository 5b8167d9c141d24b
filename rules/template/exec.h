// The executor of Go's text/template (text/template/exec.go): walks a parse
// tree over a data value, with Go's semantics for pipelines, variables,
// if/with/range, template calls, function and method calls, and Go's error
// messages ("template: NAME:LINE:COL: executing \"NAME\" at <NODE>: ...").
//
// Prometheus executes with missingkey=zero, so a missing map key yields the
// element type's zero value ("" for map[string]string).
#ifndef RULES_TEMPLATE_EXEC_H_
#define RULES_TEMPLATE_EXEC_H_

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "absl/types/span.h"
#include "rules/template/ast.h"
#include "rules/template/functions.h"
#include "rules/template/value.h"

namespace fraisier::rules::templates {

struct ExecLimits {
  size_t max_output_bytes = 1 << 20;
  int64_t max_steps = 1000000;
  int max_call_depth = 100;  // nested {{template}} calls
};

// Executes `tree` of `set` with `dot` as data into `out`. Errors carry Go's
// execution error text.
absl::Status ExecuteTree(const TemplateSet& set, const Tree& tree,
                         const Value& dot, CallEnv& env,
                         const ExecLimits& limits, std::string* out);

// Internal: one execution (Go's exec state).
//
// Thread-safety: not thread-safe; one Executor per expansion. Reads the
// TemplateSet, which any number of executors may share.
//
// Recursion follows the tree, whose depth the parser bounds, and template
// calls, which max_call_depth bounds; steps bound the total work.
class Executor {
 public:
  Executor(const TemplateSet& set, CallEnv& env, const ExecLimits& limits,
           std::string* out)
      : set_(set), env_(env), limits_(limits), out_(out) {}

  absl::Status Run(const Tree& tree, const Value& dot);

 private:
  enum class Control { kNone, kBreak, kContinue };
  using Args = std::vector<Node*>;

  // Walking (exec.cc).
  absl::Status Walk(const Value& dot, const Node* node);
  absl::Status WalkIfOrWith(bool is_with, const Value& dot, const Node* node);
  absl::Status WalkRange(const Value& dot, const Node* r);
  absl::Status WalkTemplate(const Value& dot, const Node* t);
  absl::Status PrintValue(const Node* node, const Value& v);

  // Evaluation (exec.cc).
  absl::StatusOr<Value> EvalPipeline(const Value& dot, const Node* pipe);
  absl::StatusOr<Value> EvalCommand(const Value& dot, const Node* cmd,
                                    const Value* final);
  absl::Status NotAFunction(const Args* args, const Value* final);
  absl::StatusOr<Value> IdealConstant(const Node* constant);
  absl::StatusOr<Value> EvalFieldNode(const Value& dot, const Node* field,
                                      const Args* args, const Value* final);
  absl::StatusOr<Value> EvalChainNode(const Value& dot, const Node* chain,
                                      const Args* args, const Value* final);
  absl::StatusOr<Value> EvalVariableNode(const Value& dot, const Node* var,
                                         const Args* args, const Value* final);
  absl::StatusOr<Value> EvalFieldChain(const Value& dot, Value receiver,
                                       const Node* node,
                                       absl::Span<const std::string> ident,
                                       const Args* args, const Value* final);
  absl::StatusOr<Value> EvalField(const Value& dot,
                                  absl::string_view field_name,
                                  const Node* node, const Args* args,
                                  const Value* final, const Value& receiver);

  // Calls and arguments (exec_call.cc).
  absl::StatusOr<Value> EvalFunction(const Value& dot, const Node* ident,
                                     const Node* cmd, const Args* args,
                                     const Value* final);
  absl::StatusOr<Value> EvalCall(const Value& dot, const FuncDef& fn,
                                 const Value* receiver, const Node* node,
                                 absl::string_view name, const Args* args,
                                 const Value* final);
  absl::StatusOr<Value> ValidateType(const Value& value,
                                     std::optional<ParamType> type);
  absl::StatusOr<Value> EvalArg(const Value& dot, std::optional<ParamType> type,
                                const Node* n);
  absl::StatusOr<Value> EvalEmptyInterface(const Value& dot, const Node* n);

  // State.
  void At(const Node* node) { node_ = node; }
  // Go's state.errorf: the message with the location and context of the
  // current node.
  absl::Status Errorf(absl::string_view message) const;
  absl::Status Step();
  size_t Mark() const { return vars_.size(); }
  void Pop(size_t mark) { vars_.resize(mark); }
  void Push(const std::string& name, Value v) {
    vars_.emplace_back(name, std::move(v));
  }
  absl::Status SetVar(const std::string& name, Value v);
  void SetTopVar(size_t n, Value v) { vars_[vars_.size() - n].second = v; }
  absl::StatusOr<Value> VarValue(const std::string& name);

  const TemplateSet& set_;
  CallEnv& env_;
  const ExecLimits& limits_;
  std::string* out_;
  const Tree* tmpl_ = nullptr;  // the template being executed
  const Node* node_ = nullptr;  // current node, for errors
  std::vector<std::pair<std::string, Value>> vars_;
  int depth_ = 0;  // template calls
  int64_t steps_ = 0;
  Control control_ = Control::kNone;
};

}  // namespace fraisier::rules::templates

#endif  // RULES_TEMPLATE_EXEC_H_
