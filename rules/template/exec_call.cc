// Function and method calls of the executor: argument counting, evaluation
// against parameter types, and Go's type checks (exec.go's evalCall,
// evalArg, validateType).
#include <string>
#include <utility>
#include <vector>

#include "absl/status/status.h"
#include "absl/strings/str_cat.h"
#include "engine/base/status_macros.h"
#include "engine/model/go_quote.h"
#include "rules/template/exec.h"

namespace fraisier::rules::templates {
namespace {

bool CanBeNil(ParamType type) {
  switch (type) {
    case ParamType::kAny:
    case ParamType::kReflect:
    case ParamType::kSamples:
    case ParamType::kSample:
      return true;
    default:
      return false;
  }
}

// The zero value of a nillable parameter type.
Value Zero(ParamType type) {
  switch (type) {
    case ParamType::kSamples:
      return Value::Samples(nullptr);
    case ParamType::kSample:
      return Value::Sample(nullptr);
    default:
      return Value();
  }
}

bool AssignableTo(const Value& v, ParamType type) {
  switch (type) {
    case ParamType::kAny:
    case ParamType::kReflect:
      return true;
    case ParamType::kString:
      return v.kind() == Value::Kind::kString && v.tag() == TypeTag::kDefault;
    case ParamType::kFloat:
      return v.kind() == Value::Kind::kFloat;
    case ParamType::kInt:
      return v.kind() == Value::Kind::kInt && v.tag() == TypeTag::kDefault;
    case ParamType::kInt64:
      return v.kind() == Value::Kind::kInt && v.tag() == TypeTag::kInt64;
    case ParamType::kBool:
      return v.kind() == Value::Kind::kBool;
    case ParamType::kSamples:
      return v.kind() == Value::Kind::kSamples;
    case ParamType::kSample:
      return v.kind() == Value::Kind::kSample;
    case ParamType::kDuration:
      return v.kind() == Value::Kind::kDuration && v.tag() == TypeTag::kValue;
  }
  return false;
}

}  // namespace

absl::StatusOr<Value> Executor::EvalFunction(const Value& dot,
                                             const Node* ident, const Node* cmd,
                                             const Args* args,
                                             const Value* final) {
  At(ident);
  const FuncDef* fn = FindFunction(ident->text);
  if (fn == nullptr) {
    return Errorf(
        absl::StrCat(GoQuote(ident->text), " is not a defined function"));
  }
  return EvalCall(dot, *fn, nullptr, cmd, ident->text, args, final);
}

absl::StatusOr<Value> Executor::EvalCall(const Value& dot, const FuncDef& fn,
                                         const Value* receiver,
                                         const Node* node,
                                         absl::string_view name,
                                         const Args* args, const Value* final) {
  // args[0] is the function's own node; the rest are its arguments.
  std::vector<const Node*> arg_nodes;
  if (args != nullptr) arg_nodes.assign(args->begin() + 1, args->end());
  const size_t num_params = fn.params.size();
  const size_t num_in = arg_nodes.size() + (final != nullptr ? 1 : 0);
  size_t num_fixed = arg_nodes.size();
  if (fn.variadic) {
    num_fixed = num_params - 1;
    if (num_in < num_fixed) {
      return Errorf(absl::StrCat("wrong number of args for ", name,
                                 ": want at least ", num_params - 1, " got ",
                                 arg_nodes.size()));
    }
  } else if (num_in != num_params) {
    return Errorf(absl::StrCat("wrong number of args for ", name, ": want ",
                               num_params, " got ", num_in));
  }

  // The builtins and/or evaluate only as many arguments as they need.
  if (fn.builtin && (name == "and" || name == "or")) {
    const bool is_or = name == "or";
    Value v;
    for (const Node* arg : arg_nodes) {
      FR_ASSIGN_OR_RETURN(v, EvalArg(dot, ParamType::kReflect, arg));
      if (Truth(v) == is_or) return v;
    }
    if (final != nullptr) {
      FR_ASSIGN_OR_RETURN(v, ValidateType(*final, ParamType::kReflect));
    }
    return v;
  }

  std::vector<Value> argv;
  argv.reserve(num_in + 1);
  if (receiver != nullptr) argv.push_back(*receiver);
  size_t i = 0;
  for (; i < num_fixed && i < arg_nodes.size(); ++i) {
    FR_ASSIGN_OR_RETURN(Value v, EvalArg(dot, fn.params[i], arg_nodes[i]));
    argv.push_back(std::move(v));
  }
  if (fn.variadic) {
    for (; i < arg_nodes.size(); ++i) {
      FR_ASSIGN_OR_RETURN(Value v,
                          EvalArg(dot, fn.params.back(), arg_nodes[i]));
      argv.push_back(std::move(v));
    }
  }
  if (final != nullptr) {
    ParamType type = fn.params.back();
    if (fn.variadic && num_in - 1 < num_fixed) {
      // The final argument fills a fixed parameter.
      type = fn.params[num_in - 1];
    }
    FR_ASSIGN_OR_RETURN(Value v, ValidateType(*final, type));
    argv.push_back(std::move(v));
  }
  absl::StatusOr<Value> result = fn.impl(env_, argv);
  if (!result.ok()) {
    At(node);
    if (result.status().code() == absl::StatusCode::kResourceExhausted) {
      return Errorf(result.status().message());
    }
    return Errorf(
        absl::StrCat("error calling ", name, ": ", result.status().message()));
  }
  return result;
}

absl::StatusOr<Value> Executor::ValidateType(const Value& value,
                                             std::optional<ParamType> type) {
  if (!value.valid()) {
    if (!type.has_value()) return value;  // an untyped nil
    if (CanBeNil(*type)) return Zero(*type);
    return Errorf(
        absl::StrCat("invalid value; expected ", ParamTypeName(*type)));
  }
  if (!type.has_value()) return value;
  // A nil interface{} passed as interface{} is plain nil to the function.
  if (value.kind() == Value::Kind::kNilIface && *type == ParamType::kAny) {
    return Value();
  }
  if (AssignableTo(value, *type)) return value;
  // One dereference may do: *time.Duration where a time.Duration is wanted.
  if (value.kind() == Value::Kind::kDuration &&
      value.tag() == TypeTag::kDefault && *type == ParamType::kDuration) {
    return Value::Duration(value.duration_nanos(), TypeTag::kValue);
  }
  return Errorf(absl::StrCat("wrong type for value; expected ",
                             ParamTypeName(*type), "; got ", TypeName(value)));
}

absl::StatusOr<Value> Executor::EvalArg(const Value& dot,
                                        std::optional<ParamType> type,
                                        const Node* n) {
  At(n);
  switch (n->type) {
    case NodeType::kDot:
      return ValidateType(dot, type);
    case NodeType::kNil:
      if (type.has_value() && CanBeNil(*type)) return Zero(*type);
      return Errorf(
          absl::StrCat("cannot assign nil to ",
                       type.has_value() ? ParamTypeName(*type) : "<nil>"));
    case NodeType::kField: {
      const Args self = {const_cast<Node*>(n)};
      FR_ASSIGN_OR_RETURN(Value v, EvalFieldNode(dot, n, &self, nullptr));
      return ValidateType(v, type);
    }
    case NodeType::kVariable: {
      FR_ASSIGN_OR_RETURN(Value v, EvalVariableNode(dot, n, nullptr, nullptr));
      return ValidateType(v, type);
    }
    case NodeType::kPipe: {
      FR_ASSIGN_OR_RETURN(Value v, EvalPipeline(dot, n));
      return ValidateType(v, type);
    }
    case NodeType::kIdentifier: {
      FR_ASSIGN_OR_RETURN(Value v, EvalFunction(dot, n, n, nullptr, nullptr));
      return ValidateType(v, type);
    }
    case NodeType::kChain: {
      FR_ASSIGN_OR_RETURN(Value v, EvalChainNode(dot, n, nullptr, nullptr));
      return ValidateType(v, type);
    }
    default:
      break;
  }
  // A literal: its parameter type decides how it reads.
  const ParamType t = type.value_or(ParamType::kAny);
  switch (t) {
    case ParamType::kBool:
      if (n->type == NodeType::kBool) return Value::Bool(n->bool_value);
      return Errorf(absl::StrCat("expected bool; found ", NodeString(*n)));
    case ParamType::kFloat:
      if (n->type == NodeType::kNumber && n->number.is_float) {
        return Value::Float(n->number.float64);
      }
      return Errorf(absl::StrCat("expected float; found ", NodeString(*n)));
    case ParamType::kInt:
    case ParamType::kInt64:
    case ParamType::kDuration:
      if (n->type == NodeType::kNumber && n->number.is_int) {
        if (t == ParamType::kDuration) {
          return Value::Duration(n->number.int64, TypeTag::kValue);
        }
        return Value::Int(n->number.int64, t == ParamType::kInt64
                                               ? TypeTag::kInt64
                                               : TypeTag::kDefault);
      }
      return Errorf(absl::StrCat("expected integer; found ", NodeString(*n)));
    case ParamType::kAny:
    case ParamType::kReflect:
      return EvalEmptyInterface(dot, n);
    case ParamType::kString:
      if (n->type == NodeType::kString) return Value::String(n->str);
      return Errorf(absl::StrCat("expected string; found ", NodeString(*n)));
    default:
      return Errorf(absl::StrCat("can't handle ", NodeString(*n),
                                 " for arg of type ", ParamTypeName(t)));
  }
}

absl::StatusOr<Value> Executor::EvalEmptyInterface(const Value& dot,
                                                   const Node* n) {
  At(n);
  switch (n->type) {
    case NodeType::kBool:
      return Value::Bool(n->bool_value);
    case NodeType::kDot:
      return dot;
    case NodeType::kField:
      return EvalFieldNode(dot, n, nullptr, nullptr);
    case NodeType::kIdentifier:
      return EvalFunction(dot, n, n, nullptr, nullptr);
    case NodeType::kNil:
      return Errorf("evalEmptyInterface: nil (can't happen)");
    case NodeType::kNumber:
      return IdealConstant(n);
    case NodeType::kString:
      return Value::String(n->str);
    case NodeType::kVariable:
      return EvalVariableNode(dot, n, nullptr, nullptr);
    case NodeType::kPipe:
      return EvalPipeline(dot, n);
    default:
      return Errorf(absl::StrCat("can't handle assignment of ", NodeString(*n),
                                 " to empty interface argument"));
  }
}

}  // namespace fraisier::rules::templates
