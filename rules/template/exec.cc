#include "rules/template/exec.h"

#include <string>
#include <utility>

#include "absl/status/status.h"
#include "absl/strings/str_cat.h"
#include "engine/base/status_macros.h"
#include "engine/model/go_quote.h"
#include "rules/template/go_format.h"

namespace fraisier::rules::templates {
namespace {

bool IsHexInt(absl::string_view s) {
  return s.size() > 2 && s[0] == '0' && (s[1] == 'x' || s[1] == 'X') &&
         s.find_first_of("pP") == absl::string_view::npos;
}

// The fields of the structs templates see, in declaration order.
const Value* StructField(const Value& v, absl::string_view name,
                         Value* scratch) {
  if (v.kind() == Value::Kind::kData) {
    const DataRec& d = v.data();
    if (name == "Labels") return &d.labels;
    if (name == "ExternalLabels") return &d.external_labels;
    if (name == "ExternalURL") return &d.external_url;
    if (name == "Value") return &d.value;
    return nullptr;
  }
  if (v.kind() == Value::Kind::kSample && v.sample() != nullptr) {
    if (name == "Labels") {
      *scratch = Value::Map(v.sample()->labels);
      return scratch;
    }
    if (name == "Value") {
      *scratch = Value::Float(v.sample()->value);
      return scratch;
    }
  }
  return nullptr;
}

}  // namespace

absl::Status ExecuteTree(const TemplateSet& set, const Tree& tree,
                         const Value& dot, CallEnv& env,
                         const ExecLimits& limits, std::string* out) {
  Executor executor(set, env, limits, out);
  return executor.Run(tree, dot);
}

absl::Status Executor::Run(const Tree& tree, const Value& dot) {
  tmpl_ = &tree;
  vars_.clear();
  Push("$", dot);
  return Walk(dot, tree.root);
}

absl::Status Executor::Errorf(absl::string_view message) const {
  if (node_ == nullptr) {
    return absl::InvalidArgumentError(
        absl::StrCat("template: ", tmpl_->name, ": ", message));
  }
  // Go's ErrorContext: line and byte column of the node in the text.
  const absl::string_view text =
      absl::string_view(set_.text).substr(0, node_->pos);
  const size_t nl = text.rfind('\n');
  const size_t col =
      nl == absl::string_view::npos ? node_->pos : node_->pos - (nl + 1);
  int line = 1;
  for (char c : text) line += c == '\n';
  return absl::InvalidArgumentError(absl::StrCat(
      "template: ", tmpl_->parse_name, ":", line, ":", col, ": executing ",
      GoQuote(tmpl_->name), " at <", NodeString(*node_), ">: ", message));
}

absl::Status Executor::Step() {
  if (++steps_ > limits_.max_steps) {
    return Errorf(absl::StrCat("template execution exceeded the limit of ",
                               limits_.max_steps, " steps"));
  }
  return absl::OkStatus();
}

absl::Status Executor::SetVar(const std::string& name, Value v) {
  for (size_t i = vars_.size(); i-- > 0;) {
    if (vars_[i].first == name) {
      vars_[i].second = std::move(v);
      return absl::OkStatus();
    }
  }
  return Errorf(absl::StrCat("undefined variable: ", name));
}

absl::StatusOr<Value> Executor::VarValue(const std::string& name) {
  for (size_t i = vars_.size(); i-- > 0;) {
    if (vars_[i].first == name) return vars_[i].second;
  }
  return Errorf(absl::StrCat("undefined variable: ", name));
}

absl::Status Executor::Walk(const Value& dot, const Node* node) {
  At(node);
  FR_RETURN_IF_ERROR(Step());
  switch (node->type) {
    case NodeType::kAction: {
      // Declared variables persist until the enclosing end; a declaration
      // prints nothing.
      FR_ASSIGN_OR_RETURN(Value val, EvalPipeline(dot, node->pipe));
      if (node->pipe->decl.empty()) return PrintValue(node, val);
      return absl::OkStatus();
    }
    case NodeType::kBreak:
      control_ = Control::kBreak;
      return absl::OkStatus();
    case NodeType::kContinue:
      control_ = Control::kContinue;
      return absl::OkStatus();
    case NodeType::kIf:
      return WalkIfOrWith(false, dot, node);
    case NodeType::kWith:
      return WalkIfOrWith(true, dot, node);
    case NodeType::kList:
      for (const Node* child : node->nodes) {
        FR_RETURN_IF_ERROR(Walk(dot, child));
        if (control_ != Control::kNone) break;
      }
      return absl::OkStatus();
    case NodeType::kRange:
      return WalkRange(dot, node);
    case NodeType::kTemplate:
      return WalkTemplate(dot, node);
    case NodeType::kText:
      if (out_->size() + node->text.size() > limits_.max_output_bytes) {
        return Errorf(absl::StrCat("template output exceeds the limit of ",
                                   limits_.max_output_bytes, " bytes"));
      }
      out_->append(node->text);
      return absl::OkStatus();
    default:
      return Errorf(absl::StrCat("unknown node: ", NodeString(*node)));
  }
}

absl::Status Executor::PrintValue(const Node* node, const Value& v) {
  At(node);
  AppendTemplateValue(v, out_);
  if (out_->size() > limits_.max_output_bytes) {
    return Errorf(absl::StrCat("template output exceeds the limit of ",
                               limits_.max_output_bytes, " bytes"));
  }
  return absl::OkStatus();
}

absl::Status Executor::WalkIfOrWith(bool is_with, const Value& dot,
                                    const Node* node) {
  const size_t mark = Mark();
  FR_ASSIGN_OR_RETURN(Value val, EvalPipeline(dot, node->pipe));
  absl::Status status;
  if (IsTrue(val)) {
    status = Walk(is_with ? val : dot, node->list);
  } else if (node->else_list != nullptr) {
    status = Walk(dot, node->else_list);
  }
  Pop(mark);
  return status;
}

absl::Status Executor::WalkRange(const Value& dot, const Node* r) {
  At(r);
  const size_t outer_mark = Mark();
  FR_ASSIGN_OR_RETURN(Value val, EvalPipeline(dot, r->pipe));
  // Top of the stack before any variables of the body are pushed.
  const size_t mark = Mark();
  const Node* pipe = r->pipe;
  bool broke = false;
  auto one_iteration = [&](Value index, Value elem) -> absl::Status {
    if (!pipe->decl.empty()) {
      if (pipe->is_assign) {
        // With two variables the index comes first; with one, the element.
        FR_RETURN_IF_ERROR(SetVar(pipe->decl[0]->ident[0],
                                  pipe->decl.size() > 1 ? index : elem));
      } else {
        SetTopVar(1, elem);  // lexically the last variable
      }
    }
    if (pipe->decl.size() > 1) {
      if (pipe->is_assign) {
        FR_RETURN_IF_ERROR(SetVar(pipe->decl[1]->ident[0], elem));
      } else {
        SetTopVar(2, index);
      }
    }
    absl::Status status = Walk(elem, r->list);
    Pop(mark);
    if (control_ == Control::kBreak) broke = true;
    control_ = Control::kNone;
    return status;
  };
  bool iterated = false;
  switch (val.kind()) {
    case Value::Kind::kSamples: {
      // Iterate over a snapshot: the body may sort the list in place.
      const SampleList list = *val.samples();
      for (size_t i = 0; i < list.size() && !broke; ++i) {
        iterated = true;
        FR_RETURN_IF_ERROR(one_iteration(Value::Int(static_cast<int64_t>(i)),
                                         Value::Sample(list[i])));
      }
      break;
    }
    case Value::Kind::kStringMap:
      for (const auto& [key, value] : val.string_map()) {
        if (broke) break;
        iterated = true;
        FR_RETURN_IF_ERROR(
            one_iteration(Value::String(key), Value::String(value)));
      }
      break;
    case Value::Kind::kAnyMap:
      for (const auto& [key, value] : val.any_map()) {
        if (broke) break;
        iterated = true;
        FR_RETURN_IF_ERROR(one_iteration(Value::String(key), value));
      }
      break;
    case Value::Kind::kInvalid:
    case Value::Kind::kNilIface:
      break;  // a nil map or the like acts like an empty one
    default: {
      // Go reports this at the node evaluated last, not at the range.
      Value v = val;
      std::string printed;
      if (v.kind() == Value::Kind::kSample && v.sample() != nullptr) {
        AppendTemplateValue(v, &printed);  // indirect: the struct
      } else {
        printed = GoSprint(absl::MakeConstSpan(&v, 1));
      }
      return Errorf(absl::StrCat("range can't iterate over ", printed));
    }
  }
  absl::Status status;
  if (!iterated && r->else_list != nullptr) status = Walk(dot, r->else_list);
  Pop(outer_mark);
  return status;
}

absl::Status Executor::WalkTemplate(const Value& dot, const Node* t) {
  At(t);
  const Tree* tmpl = set_.Find(t->str);
  if (tmpl == nullptr) {
    return Errorf(absl::StrCat("template ", GoQuote(t->str), " not defined"));
  }
  if (depth_ == limits_.max_call_depth) {
    return Errorf(absl::StrCat("exceeded maximum template depth (",
                               limits_.max_call_depth, ")"));
  }
  // Variables declared by the pipeline persist.
  FR_ASSIGN_OR_RETURN(Value new_dot, EvalPipeline(dot, t->pipe));
  // No dynamic scoping: the called template sees only $.
  std::vector<std::pair<std::string, Value>> saved_vars;
  saved_vars.swap(vars_);
  const Tree* saved_tmpl = tmpl_;
  tmpl_ = tmpl;
  ++depth_;
  Push("$", new_dot);
  absl::Status status = Walk(new_dot, tmpl->root);
  --depth_;
  tmpl_ = saved_tmpl;
  vars_.swap(saved_vars);
  return status;
}

absl::StatusOr<Value> Executor::EvalPipeline(const Value& dot,
                                             const Node* pipe) {
  if (pipe == nullptr) return Value();
  At(pipe);
  std::optional<Value> value;
  for (const Node* cmd : pipe->cmds) {
    FR_ASSIGN_OR_RETURN(Value v,
                        EvalCommand(dot, cmd, value ? &*value : nullptr));
    // A value of type interface{} is dug out: a nil one becomes no value.
    if (v.kind() == Value::Kind::kNilIface) v = Value();
    value = std::move(v);
  }
  for (const Node* variable : pipe->decl) {
    if (pipe->is_assign) {
      FR_RETURN_IF_ERROR(SetVar(variable->ident[0], *value));
    } else {
      Push(variable->ident[0], *value);
    }
  }
  return *std::move(value);
}

absl::Status Executor::NotAFunction(const Args* args, const Value* final) {
  if ((args != nullptr && args->size() > 1) || final != nullptr) {
    return Errorf(absl::StrCat("can't give argument to non-function ",
                               NodeString(*(*args)[0])));
  }
  return absl::OkStatus();
}

absl::StatusOr<Value> Executor::EvalCommand(const Value& dot, const Node* cmd,
                                            const Value* final) {
  FR_RETURN_IF_ERROR(Step());
  const Node* first = cmd->args[0];
  switch (first->type) {
    case NodeType::kField:
      return EvalFieldNode(dot, first, &cmd->args, final);
    case NodeType::kChain:
      return EvalChainNode(dot, first, &cmd->args, final);
    case NodeType::kIdentifier:
      return EvalFunction(dot, first, cmd, &cmd->args, final);
    case NodeType::kPipe:
      // A parenthesized pipeline takes no arguments.
      FR_RETURN_IF_ERROR(NotAFunction(&cmd->args, final));
      return EvalPipeline(dot, first);
    case NodeType::kVariable:
      return EvalVariableNode(dot, first, &cmd->args, final);
    default:
      break;
  }
  At(first);
  FR_RETURN_IF_ERROR(NotAFunction(&cmd->args, final));
  switch (first->type) {
    case NodeType::kBool:
      return Value::Bool(first->bool_value);
    case NodeType::kDot:
      return dot;
    case NodeType::kNil:
      return Errorf("nil is not a command");
    case NodeType::kNumber:
      return IdealConstant(first);
    case NodeType::kString:
      return Value::String(first->str);
    default:
      return Errorf(
          absl::StrCat("can't evaluate command ", GoQuote(NodeString(*first))));
  }
}

absl::StatusOr<Value> Executor::IdealConstant(const Node* constant) {
  // Without a parameter type the literal's syntax picks the type.
  At(constant);
  const NumberInfo& n = constant->number;
  const absl::string_view text = constant->text;
  if (n.is_complex) return Value::Complex(n.real, n.imag);
  if (n.is_float && !IsHexInt(text) && text.substr(0, 1) != "'" &&
      text.find_first_of(".eEpP") != absl::string_view::npos) {
    return Value::Float(n.float64);
  }
  if (n.is_int) return Value::Int(n.int64);
  if (n.is_uint) return Errorf(absl::StrCat(text, " overflows int"));
  return Value();
}

absl::StatusOr<Value> Executor::EvalFieldNode(const Value& dot,
                                              const Node* field,
                                              const Args* args,
                                              const Value* final) {
  At(field);
  return EvalFieldChain(dot, dot, field, field->ident, args, final);
}

absl::StatusOr<Value> Executor::EvalChainNode(const Value& dot,
                                              const Node* chain,
                                              const Args* args,
                                              const Value* final) {
  At(chain);
  if (chain->ident.empty()) {
    return Errorf("internal error: no fields in evalChainNode");
  }
  if (chain->child->type == NodeType::kNil) {
    return Errorf(absl::StrCat("indirection through explicit nil in ",
                               NodeString(*chain)));
  }
  // (pipe).Field1.Field2: evaluate the pipeline, then the fields.
  FR_ASSIGN_OR_RETURN(Value pipe, EvalArg(dot, std::nullopt, chain->child));
  return EvalFieldChain(dot, pipe, chain, chain->ident, args, final);
}

absl::StatusOr<Value> Executor::EvalVariableNode(const Value& dot,
                                                 const Node* var,
                                                 const Args* args,
                                                 const Value* final) {
  // $x.Field: evaluate the variable, then the fields.
  At(var);
  FR_ASSIGN_OR_RETURN(Value value, VarValue(var->ident[0]));
  if (var->ident.size() == 1) {
    FR_RETURN_IF_ERROR(NotAFunction(args, final));
    return value;
  }
  return EvalFieldChain(
      dot, value, var, absl::MakeConstSpan(var->ident).subspan(1), args, final);
}

absl::StatusOr<Value> Executor::EvalFieldChain(
    const Value& dot, Value receiver, const Node* node,
    absl::Span<const std::string> ident, const Args* args, const Value* final) {
  const size_t n = ident.size();
  for (size_t i = 0; i + 1 < n; ++i) {
    FR_ASSIGN_OR_RETURN(
        receiver, EvalField(dot, ident[i], node, nullptr, nullptr, receiver));
  }
  // Only the last element, if a method, gets the arguments.
  return EvalField(dot, ident[n - 1], node, args, final, receiver);
}

absl::StatusOr<Value> Executor::EvalField(const Value& dot,
                                          absl::string_view field_name,
                                          const Node* node, const Args* args,
                                          const Value* final,
                                          const Value& receiver) {
  if (!receiver.valid()) return Value();  // missingkey=zero: no error
  const std::string type = TypeName(receiver);
  if (receiver.kind() == Value::Kind::kNilIface) {
    return Errorf(
        absl::StrCat("nil pointer evaluating ", type, ".", field_name));
  }
  if (const FuncDef* method = FindMethod(receiver, field_name)) {
    return EvalCall(dot, *method, &receiver, node, field_name, args, final);
  }
  const bool has_args =
      (args != nullptr && args->size() > 1) || final != nullptr;
  switch (receiver.kind()) {
    case Value::Kind::kData:
    case Value::Kind::kSample: {
      if (receiver.IsNilPointer()) {
        if (field_name == "Labels" || field_name == "Value") {
          return Errorf(
              absl::StrCat("nil pointer evaluating ", type, ".", field_name));
        }
        break;
      }
      Value scratch;
      if (const Value* field = StructField(receiver, field_name, &scratch)) {
        if (has_args) {
          return Errorf(absl::StrCat(
              field_name, " has arguments but cannot be invoked as function"));
        }
        return *field;
      }
      break;
    }
    case Value::Kind::kStringMap: {
      if (has_args) {
        return Errorf(
            absl::StrCat(field_name, " is not a method but has arguments"));
      }
      const std::string* v = FindKey(receiver.string_map(), field_name);
      return Value::String(v != nullptr ? *v : std::string());
    }
    case Value::Kind::kAnyMap: {
      if (has_args) {
        return Errorf(
            absl::StrCat(field_name, " is not a method but has arguments"));
      }
      for (const auto& [key, value] : receiver.any_map()) {
        if (key == field_name) return value;
      }
      return Value::NilIface();
    }
    case Value::Kind::kTime:
      if (field_name == "wall" || field_name == "ext" || field_name == "loc") {
        return Errorf(absl::StrCat(
            field_name, " is an unexported field of struct type ", type));
      }
      break;
    default:
      break;
  }
  return Errorf(
      absl::StrCat("can't evaluate field ", field_name, " in type ", type));
}

}  // namespace fraisier::rules::templates
