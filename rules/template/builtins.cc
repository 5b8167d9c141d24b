// Go's text/template builtins (text/template/funcs.go as of Go 1.19).
#include <cstdint>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/strings/str_cat.h"
#include "engine/base/status_macros.h"
#include "rules/template/functions.h"
#include "rules/template/go_format.h"
#include "rules/template/go_strings.h"

namespace fraisier::rules::templates {
namespace {

using Args = std::vector<Value>;

absl::Status Error(absl::string_view message) {
  return absl::InvalidArgumentError(message);
}

// indirectInterface: a nil interface{} is no value.
Value Concrete(const Value& v) {
  return v.kind() == Value::Kind::kNilIface ? Value() : v;
}

// fmt's %s and %v of one value, for error messages.
std::string Format(absl::string_view verb, const Value& v) {
  absl::StatusOr<std::string> s =
      GoSprintf(verb, absl::MakeConstSpan(&v, 1), 1 << 20);
  return s.ok() ? *s : std::string();
}

// The reflect kind Go would see after following pointers (indirect), for
// the builtins that dereference.
enum class Shape {
  kInvalid,
  kNilPointer,
  kString,
  kSlice,
  kMap,
  kStruct,
  kOther
};

Shape ShapeOf(const Value& v) {
  switch (v.kind()) {
    case Value::Kind::kInvalid:
      return Shape::kInvalid;
    case Value::Kind::kNilIface:
      return Shape::kNilPointer;
    case Value::Kind::kString:
      return Shape::kString;
    case Value::Kind::kSamples:
      return Shape::kSlice;
    case Value::Kind::kStringMap:
    case Value::Kind::kAnyMap:
      return Shape::kMap;
    case Value::Kind::kSample:
      return v.sample() == nullptr ? Shape::kNilPointer : Shape::kStruct;
    case Value::Kind::kTime:
    case Value::Kind::kData:
      return Shape::kStruct;
    default:
      return Shape::kOther;
  }
}

// reflect's Type().String() after one indirection.
std::string ElemTypeName(const Value& v) {
  switch (v.kind()) {
    case Value::Kind::kSample:
      return "template.sample";
    case Value::Kind::kTime:
      return "time.Time";
    case Value::Kind::kDuration:
      return "time.Duration";
    default:
      return TypeName(v);
  }
}

// Go's indexArg.
absl::StatusOr<int64_t> IndexArg(const Value& index, int64_t cap) {
  int64_t x;
  switch (index.kind()) {
    case Value::Kind::kInt:
      x = index.int_value();
      break;
    case Value::Kind::kUint:
      x = static_cast<int64_t>(index.uint_value());
      break;
    case Value::Kind::kDuration:
      if (index.tag() == TypeTag::kValue) {
        x = index.duration_nanos();
        break;
      }
      [[fallthrough]];
    case Value::Kind::kInvalid:
    case Value::Kind::kNilIface:
      if (!index.valid() || index.kind() == Value::Kind::kNilIface) {
        return Error("cannot index slice/array with nil");
      }
      [[fallthrough]];
    default:
      return Error(
          absl::StrCat("cannot index slice/array with type ", TypeName(index)));
  }
  if (x < 0 || x > cap) return Error(absl::StrCat("index out of range: ", x));
  return x;
}

absl::StatusOr<Value> Not(CallEnv&, Args& a) {
  return Value::Bool(!Truth(a[0]));
}

absl::StatusOr<Value> Unreachable(CallEnv&, Args&) {
  return Error("unreachable");  // and/or are evaluated by the executor
}

absl::StatusOr<Value> Len(CallEnv&, Args& a) {
  const Value& item = a[0];
  switch (ShapeOf(item)) {
    case Shape::kInvalid:
      return Error("reflect: call of reflect.Value.Type on zero Value");
    case Shape::kNilPointer:
      return Error("len of nil pointer");
    case Shape::kString:
      return Value::Int(static_cast<int64_t>(item.string_value().size()));
    case Shape::kSlice:
      return Value::Int(static_cast<int64_t>(item.samples()->size()));
    case Shape::kMap:
      return Value::Int(static_cast<int64_t>(
          item.kind() == Value::Kind::kStringMap ? item.string_map().size()
                                                 : item.any_map().size()));
    default:
      return Error(absl::StrCat("len of type ", ElemTypeName(item)));
  }
}

absl::StatusOr<Value> Index(CallEnv&, Args& a) {
  Value item = Concrete(a[0]);
  if (!item.valid()) return Error("index of untyped nil");
  for (size_t i = 1; i < a.size(); ++i) {
    const Value index = Concrete(a[i]);
    switch (ShapeOf(item)) {
      case Shape::kNilPointer:
        return Error("index of nil pointer");
      case Shape::kString: {
        const std::string& s = item.string_value();
        FR_ASSIGN_OR_RETURN(int64_t x,
                            IndexArg(index, static_cast<int64_t>(s.size())));
        if (x == static_cast<int64_t>(s.size())) {
          return Error("reflect: string index out of range");
        }
        item = Value::Uint8(static_cast<uint8_t>(s[x]));
        break;
      }
      case Shape::kSlice: {
        const SampleList& list = *item.samples();
        FR_ASSIGN_OR_RETURN(int64_t x,
                            IndexArg(index, static_cast<int64_t>(list.size())));
        if (x == static_cast<int64_t>(list.size())) {
          return Error("reflect: slice index out of range");
        }
        item = Value::Sample(list[x]);
        break;
      }
      case Shape::kMap: {
        if (!index.valid())
          return Error("value is nil; should be of type string");
        if (index.kind() != Value::Kind::kString ||
            index.tag() != TypeTag::kDefault) {
          return Error(absl::StrCat("value has type ", TypeName(index),
                                    "; should be string"));
        }
        const std::string& key = index.string_value();
        if (item.kind() == Value::Kind::kStringMap) {
          const std::string* v = FindKey(item.string_map(), key);
          item = Value::String(v != nullptr ? *v : std::string());
        } else {
          Value found = Value::NilIface();
          for (const auto& [k, v] : item.any_map()) {
            if (k == key) found = v;
          }
          item = found;
        }
        break;
      }
      default:
        return Error(
            absl::StrCat("can't index item of type ", ElemTypeName(item)));
    }
  }
  return item;
}

absl::StatusOr<Value> Slice(CallEnv&, Args& a) {
  const Value item = Concrete(a[0]);
  if (!item.valid()) return Error("slice of untyped nil");
  const size_t n = a.size() - 1;
  if (n > 3) return Error(absl::StrCat("too many slice indexes: ", n));
  int64_t cap;
  if (item.kind() == Value::Kind::kString) {
    if (n == 3) return Error("cannot 3-index slice a string");
    cap = static_cast<int64_t>(item.string_value().size());
  } else if (item.kind() == Value::Kind::kSamples) {
    cap = static_cast<int64_t>(item.samples()->size());
  } else {
    return Error(absl::StrCat("can't slice item of type ", TypeName(item)));
  }
  int64_t idx[3] = {0, cap, 0};
  for (size_t i = 0; i < n; ++i) {
    FR_ASSIGN_OR_RETURN(idx[i], IndexArg(a[i + 1], cap));
  }
  if (idx[0] > idx[1]) {
    return Error(absl::StrCat("invalid slice index: ", idx[0], " > ", idx[1]));
  }
  if (n == 3 && idx[1] > idx[2]) {
    return Error(absl::StrCat("invalid slice index: ", idx[1], " > ", idx[2]));
  }
  if (item.kind() == Value::Kind::kString) {
    return Value::String(item.string_value().substr(idx[0], idx[1] - idx[0]),
                         item.tag());
  }
  auto list = std::make_shared<SampleList>(item.samples()->begin() + idx[0],
                                           item.samples()->begin() + idx[1]);
  return Value::Samples(std::move(list));
}

absl::StatusOr<Value> CheckedString(CallEnv& env, std::string s) {
  if (s.size() > env.max_string_bytes) {
    return absl::ResourceExhaustedError(
        absl::StrCat("a function result exceeds the limit of ",
                     env.max_string_bytes, " bytes"));
  }
  return Value::String(std::move(s));
}

absl::StatusOr<Value> Print(CallEnv& env, Args& a) {
  return CheckedString(env, GoSprint(a));
}

absl::StatusOr<Value> Println(CallEnv& env, Args& a) {
  return CheckedString(env, GoSprintln(a));
}

absl::StatusOr<Value> Printf(CallEnv& env, Args& a) {
  FR_ASSIGN_OR_RETURN(
      std::string s,
      GoSprintf(a[0].string_value(), absl::MakeConstSpan(a).subspan(1),
                env.max_string_bytes));
  return CheckedString(env, std::move(s));
}

absl::StatusOr<Value> Html(CallEnv& env, Args& a) {
  return CheckedString(env, GoHtmlEscape(TemplateArgsString(a)));
}

absl::StatusOr<Value> Js(CallEnv& env, Args& a) {
  return CheckedString(env, GoJsEscape(TemplateArgsString(a)));
}

absl::StatusOr<Value> UrlQuery(CallEnv& env, Args& a) {
  return CheckedString(env, GoQueryEscape(TemplateArgsString(a)));
}

absl::StatusOr<Value> Call(CallEnv&, Args& a) {
  const Value fn = Concrete(a[0]);
  if (!fn.valid()) return Error("call of nil");
  return Error(absl::StrCat("non-function of type ", TypeName(fn)));
}

bool IsNil(const Value& v) { return !v.valid() || v.IsNilPointer(); }

// reflect.Kind where the comparison builtins need it.
enum class ReflectKind { kInvalid, kMap, kSlice, kPointer, kStruct, kOther };

ReflectKind ReflectKindOf(const Value& v) {
  switch (v.kind()) {
    case Value::Kind::kInvalid:
    case Value::Kind::kNilIface:
      return ReflectKind::kInvalid;
    case Value::Kind::kStringMap:
    case Value::Kind::kAnyMap:
      return ReflectKind::kMap;
    case Value::Kind::kSamples:
      return ReflectKind::kSlice;
    case Value::Kind::kSample:
      return ReflectKind::kPointer;
    case Value::Kind::kTime:
    case Value::Kind::kDuration:
      return v.tag() == TypeTag::kValue ? ReflectKind::kStruct
                                        : ReflectKind::kPointer;
    case Value::Kind::kData:
      return ReflectKind::kStruct;
    default:
      return ReflectKind::kOther;
  }
}

absl::StatusOr<bool> Eq(const Value& raw1, absl::Span<const Value> rest) {
  const Value arg1 = Concrete(raw1);
  if (rest.empty()) return Error("missing argument for comparison");
  const BasicKind k1 = BasicKindOf(arg1);
  for (const Value& raw : rest) {
    const Value arg = Concrete(raw);
    const BasicKind k2 = BasicKindOf(arg);
    bool truth = false;
    if (k1 != k2) {
      // Integers compare regardless of signedness.
      if (k1 == BasicKind::kInt && k2 == BasicKind::kUint) {
        truth = arg1.int_value() >= 0 &&
                static_cast<uint64_t>(arg1.int_value()) == arg.uint_value();
      } else if (k1 == BasicKind::kUint && k2 == BasicKind::kInt) {
        truth = arg.int_value() >= 0 &&
                arg1.uint_value() == static_cast<uint64_t>(arg.int_value());
      } else if (arg1.valid() && arg.valid()) {
        return Error("incompatible types for comparison");
      }
    } else {
      switch (k1) {
        case BasicKind::kBool:
          truth = arg1.bool_value() == arg.bool_value();
          break;
        case BasicKind::kComplex:
          truth = arg1.float_value() == arg.float_value() &&
                  arg1.imag_value() == arg.imag_value();
          break;
        case BasicKind::kFloat:
          truth = arg1.float_value() == arg.float_value();
          break;
        case BasicKind::kInt:
          truth = (arg1.kind() == Value::Kind::kInt ? arg1.int_value()
                                                    : arg1.duration_nanos()) ==
                  (arg.kind() == Value::Kind::kInt ? arg.int_value()
                                                   : arg.duration_nanos());
          break;
        case BasicKind::kString:
          truth = arg1.string_value() == arg.string_value();
          break;
        case BasicKind::kUint:
          truth = arg1.uint_value() == arg.uint_value();
          break;
        case BasicKind::kInvalid: {
          // Maps, slices, pointers, structs, nil: Go's canCompare, then
          // nil checks, then ==.
          const ReflectKind r1 = ReflectKindOf(arg1);
          const ReflectKind r2 = ReflectKindOf(arg);
          if (r1 != r2 && r1 != ReflectKind::kInvalid &&
              r2 != ReflectKind::kInvalid) {
            return Error(absl::StrCat(
                "non-comparable types ", Format("%s", arg1), ": ",
                TypeName(arg1), ", ", TypeName(arg), ": ", Format("%v", arg)));
          }
          if (IsNil(arg1) || IsNil(arg)) {
            truth = IsNil(arg) == IsNil(arg1);
          } else if (r2 == ReflectKind::kMap || r2 == ReflectKind::kSlice ||
                     arg.kind() == Value::Kind::kData) {
            return Error(absl::StrCat("non-comparable type ", Format("%s", arg),
                                      ": ", TypeName(arg)));
          } else if (arg.kind() == Value::Kind::kSample) {
            truth = arg1.sample() == arg.sample();
          } else if (arg.kind() == Value::Kind::kTime &&
                     arg.tag() == TypeTag::kValue) {
            truth = arg1.time_value().sec == arg.time_value().sec &&
                    arg1.time_value().nsec == arg.time_value().nsec;
          } else {
            truth = false;  // distinct *time.Time / *time.Duration pointers
          }
          break;
        }
      }
    }
    if (truth) return true;
  }
  return false;
}

absl::StatusOr<bool> Lt(const Value& raw1, const Value& raw2) {
  const Value arg1 = Concrete(raw1);
  const BasicKind k1 = BasicKindOf(arg1);
  if (k1 == BasicKind::kInvalid) return Error("invalid type for comparison");
  const Value arg2 = Concrete(raw2);
  const BasicKind k2 = BasicKindOf(arg2);
  if (k2 == BasicKind::kInvalid) return Error("invalid type for comparison");
  auto int_of = [](const Value& v) {
    return v.kind() == Value::Kind::kInt ? v.int_value() : v.duration_nanos();
  };
  if (k1 != k2) {
    if (k1 == BasicKind::kInt && k2 == BasicKind::kUint) {
      return int_of(arg1) < 0 ||
             static_cast<uint64_t>(int_of(arg1)) < arg2.uint_value();
    }
    if (k1 == BasicKind::kUint && k2 == BasicKind::kInt) {
      return int_of(arg2) >= 0 &&
             arg1.uint_value() < static_cast<uint64_t>(int_of(arg2));
    }
    return Error("incompatible types for comparison");
  }
  switch (k1) {
    case BasicKind::kFloat:
      return arg1.float_value() < arg2.float_value();
    case BasicKind::kInt:
      return int_of(arg1) < int_of(arg2);
    case BasicKind::kString:
      return arg1.string_value() < arg2.string_value();
    case BasicKind::kUint:
      return arg1.uint_value() < arg2.uint_value();
    default:
      return Error("invalid type for comparison");
  }
}

absl::StatusOr<Value> EqFn(CallEnv&, Args& a) {
  FR_ASSIGN_OR_RETURN(bool b, Eq(a[0], absl::MakeConstSpan(a).subspan(1)));
  return Value::Bool(b);
}

absl::StatusOr<Value> NeFn(CallEnv&, Args& a) {
  FR_ASSIGN_OR_RETURN(bool b, Eq(a[0], absl::MakeConstSpan(a).subspan(1)));
  return Value::Bool(!b);
}

absl::StatusOr<Value> LtFn(CallEnv&, Args& a) {
  FR_ASSIGN_OR_RETURN(bool b, Lt(a[0], a[1]));
  return Value::Bool(b);
}

absl::StatusOr<bool> Le(const Value& a, const Value& b) {
  FR_ASSIGN_OR_RETURN(bool less, Lt(a, b));
  if (less) return true;
  return Eq(a, absl::MakeConstSpan(&b, 1));
}

absl::StatusOr<Value> LeFn(CallEnv&, Args& a) {
  FR_ASSIGN_OR_RETURN(bool b, Le(a[0], a[1]));
  return Value::Bool(b);
}

absl::StatusOr<Value> GtFn(CallEnv&, Args& a) {
  FR_ASSIGN_OR_RETURN(bool b, Le(a[0], a[1]));
  return Value::Bool(!b);
}

absl::StatusOr<Value> GeFn(CallEnv&, Args& a) {
  FR_ASSIGN_OR_RETURN(bool b, Lt(a[0], a[1]));
  return Value::Bool(!b);
}

}  // namespace

bool Truth(const Value& v) { return IsTrue(Concrete(v)); }

const std::vector<FuncDef>& BuiltinFunctions() {
  using P = ParamType;
  static const std::vector<FuncDef>* const kBuiltins = new std::vector<FuncDef>{
      {"and", {P::kReflect, P::kReflect}, true, true, Unreachable},
      {"call", {P::kReflect, P::kReflect}, true, true, Call},
      {"html", {P::kAny}, true, true, Html},
      {"index", {P::kReflect, P::kReflect}, true, true, Index},
      {"slice", {P::kReflect, P::kReflect}, true, true, Slice},
      {"js", {P::kAny}, true, true, Js},
      {"len", {P::kReflect}, false, true, Len},
      {"not", {P::kReflect}, false, true, Not},
      {"or", {P::kReflect, P::kReflect}, true, true, Unreachable},
      {"print", {P::kAny}, true, true, Print},
      {"printf", {P::kString, P::kAny}, true, true, Printf},
      {"println", {P::kAny}, true, true, Println},
      {"urlquery", {P::kAny}, true, true, UrlQuery},
      {"eq", {P::kReflect, P::kReflect}, true, true, EqFn},
      {"ge", {P::kReflect, P::kReflect}, false, true, GeFn},
      {"gt", {P::kReflect, P::kReflect}, false, true, GtFn},
      {"le", {P::kReflect, P::kReflect}, false, true, LeFn},
      {"lt", {P::kReflect, P::kReflect}, false, true, LtFn},
      {"ne", {P::kReflect, P::kReflect}, false, true, NeFn},
  };
  return *kBuiltins;
}

}  // namespace fraisier::rules::templates
