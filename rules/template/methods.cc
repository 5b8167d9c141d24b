// Methods of the values templates can hold (time.Time from toTime,
// time.Duration from toDuration, time.Month and time.Weekday), callable as
// {{ (toTime $value).Format "15:04" }}; and the function lookup.
#include <cstdint>
#include <string>
#include <vector>

#include "absl/container/flat_hash_map.h"
#include "absl/strings/str_cat.h"
#include "rules/template/functions.h"
#include "rules/template/go_time.h"

namespace fraisier::rules::templates {
namespace {

using Args = std::vector<Value>;

constexpr int64_t kSecond = 1000000000;

absl::StatusOr<Value> TimeFormat(CallEnv& env, Args& a) {
  std::string s = FormatGoTimeLayout(a[0].time_value(), a[1].string_value());
  if (s.size() > env.max_string_bytes) {
    return absl::ResourceExhaustedError(
        absl::StrCat("a function result exceeds the limit of ",
                     env.max_string_bytes, " bytes"));
  }
  return Value::String(std::move(s));
}

absl::StatusOr<Value> TimeString(CallEnv&, Args& a) {
  return Value::String(FormatGoTime(a[0].time_value()));
}

absl::StatusOr<Value> TimeUnix(CallEnv&, Args& a) {
  return Value::Int(a[0].time_value().sec, TypeTag::kInt64);
}

absl::StatusOr<Value> TimeUnixMilli(CallEnv&, Args& a) {
  const GoTime t = a[0].time_value();
  return Value::Int(t.sec * 1000 + t.nsec / 1000000, TypeTag::kInt64);
}

absl::StatusOr<Value> TimeUnixNano(CallEnv&, Args& a) {
  const GoTime t = a[0].time_value();
  return Value::Int(t.sec * kSecond + t.nsec, TypeTag::kInt64);
}

template <int Civil::*Field>
absl::StatusOr<Value> TimeField(CallEnv&, Args& a) {
  return Value::Int(ToCivil(a[0].time_value()).*Field);
}

absl::StatusOr<Value> TimeYear(CallEnv&, Args& a) {
  return Value::Int(ToCivil(a[0].time_value()).year);
}

absl::StatusOr<Value> TimeMonth(CallEnv&, Args& a) {
  return Value::Int(ToCivil(a[0].time_value()).month, TypeTag::kMonth);
}

absl::StatusOr<Value> TimeWeekday(CallEnv&, Args& a) {
  return Value::Int(ToCivil(a[0].time_value()).weekday, TypeTag::kWeekday);
}

absl::StatusOr<Value> TimeNanosecond(CallEnv&, Args& a) {
  return Value::Int(a[0].time_value().nsec);
}

absl::StatusOr<Value> TimeUtc(CallEnv&, Args& a) {
  return Value::Time(a[0].time_value(), TypeTag::kValue);
}

absl::StatusOr<Value> TimeIsZero(CallEnv&, Args& a) {
  const GoTime t = a[0].time_value();
  return Value::Bool(t.sec == -62135596800 && t.nsec == 0);
}

absl::StatusOr<Value> TimeAdd(CallEnv&, Args& a) {
  const GoTime t = a[0].time_value();
  const int64_t d = a[1].duration_nanos();
  return Value::Time(GoTimeFromUnix(t.sec + d / kSecond, t.nsec + d % kSecond),
                     TypeTag::kValue);
}

absl::StatusOr<Value> DurationString(CallEnv&, Args& a) {
  return Value::String(FormatGoDuration(a[0].duration_nanos()));
}

absl::StatusOr<Value> DurationSeconds(CallEnv&, Args& a) {
  const int64_t d = a[0].duration_nanos();
  return Value::Float(static_cast<double>(d / kSecond) +
                      static_cast<double>(d % kSecond) / 1e9);
}

absl::StatusOr<Value> DurationMinutes(CallEnv&, Args& a) {
  const int64_t d = a[0].duration_nanos();
  const int64_t minute = 60 * kSecond;
  return Value::Float(static_cast<double>(d / minute) +
                      static_cast<double>(d % minute) / (60 * 1e9));
}

absl::StatusOr<Value> DurationHours(CallEnv&, Args& a) {
  const int64_t d = a[0].duration_nanos();
  const int64_t hour = 3600 * kSecond;
  return Value::Float(static_cast<double>(d / hour) +
                      static_cast<double>(d % hour) / (60 * 60 * 1e9));
}

absl::StatusOr<Value> DurationMilliseconds(CallEnv&, Args& a) {
  return Value::Int(a[0].duration_nanos() / 1000000, TypeTag::kInt64);
}

absl::StatusOr<Value> DurationMicroseconds(CallEnv&, Args& a) {
  return Value::Int(a[0].duration_nanos() / 1000, TypeTag::kInt64);
}

absl::StatusOr<Value> DurationNanoseconds(CallEnv&, Args& a) {
  return Value::Int(a[0].duration_nanos(), TypeTag::kInt64);
}

absl::StatusOr<Value> MonthString(CallEnv&, Args& a) {
  return Value::String(GoMonthName(a[0].int_value()));
}

absl::StatusOr<Value> WeekdayString(CallEnv&, Args& a) {
  return Value::String(GoWeekdayName(a[0].int_value()));
}

const std::vector<FuncDef>& EnumMethods(TypeTag tag) {
  static const std::vector<FuncDef>* const kMonth =
      new std::vector<FuncDef>{{"String", {}, false, false, MonthString}};
  static const std::vector<FuncDef>* const kWeekday =
      new std::vector<FuncDef>{{"String", {}, false, false, WeekdayString}};
  return tag == TypeTag::kMonth ? *kMonth : *kWeekday;
}

const FuncDef* FindIn(const std::vector<FuncDef>& table,
                      absl::string_view name) {
  for (const FuncDef& f : table) {
    if (f.name == name) return &f;
  }
  return nullptr;
}

}  // namespace

const std::vector<FuncDef>& TimeMethods() {
  using P = ParamType;
  static const std::vector<FuncDef>* const kMethods = new std::vector<FuncDef>{
      {"Add", {P::kDuration}, false, false, TimeAdd},
      {"Day", {}, false, false, TimeField<&Civil::day>},
      {"Format", {P::kString}, false, false, TimeFormat},
      {"Hour", {}, false, false, TimeField<&Civil::hour>},
      {"IsZero", {}, false, false, TimeIsZero},
      {"Minute", {}, false, false, TimeField<&Civil::minute>},
      {"Month", {}, false, false, TimeMonth},
      {"Nanosecond", {}, false, false, TimeNanosecond},
      {"Second", {}, false, false, TimeField<&Civil::second>},
      {"String", {}, false, false, TimeString},
      {"UTC", {}, false, false, TimeUtc},
      {"Unix", {}, false, false, TimeUnix},
      {"UnixMilli", {}, false, false, TimeUnixMilli},
      {"UnixNano", {}, false, false, TimeUnixNano},
      {"Weekday", {}, false, false, TimeWeekday},
      {"Year", {}, false, false, TimeYear},
      {"YearDay", {}, false, false, TimeField<&Civil::yearday>},
  };
  return *kMethods;
}

const std::vector<FuncDef>& DurationMethods() {
  static const std::vector<FuncDef>* const kMethods = new std::vector<FuncDef>{
      {"Hours", {}, false, false, DurationHours},
      {"Microseconds", {}, false, false, DurationMicroseconds},
      {"Milliseconds", {}, false, false, DurationMilliseconds},
      {"Minutes", {}, false, false, DurationMinutes},
      {"Nanoseconds", {}, false, false, DurationNanoseconds},
      {"Seconds", {}, false, false, DurationSeconds},
      {"String", {}, false, false, DurationString},
  };
  return *kMethods;
}

absl::string_view ParamTypeName(ParamType type) {
  switch (type) {
    case ParamType::kAny:
      return "interface {}";
    case ParamType::kReflect:
      return "reflect.Value";
    case ParamType::kString:
      return "string";
    case ParamType::kFloat:
      return "float64";
    case ParamType::kInt:
      return "int";
    case ParamType::kInt64:
      return "int64";
    case ParamType::kBool:
      return "bool";
    case ParamType::kSamples:
      return "template.queryResult";
    case ParamType::kSample:
      return "*template.sample";
    case ParamType::kDuration:
      return "time.Duration";
  }
  return "";
}

const FuncDef* FindFunction(absl::string_view name) {
  // Prometheus's functions are added with Funcs and win over builtins of
  // the same name (there are none today).
  static const auto* const kIndex = [] {
    auto* index = new absl::flat_hash_map<absl::string_view, const FuncDef*>();
    for (const FuncDef& f : BuiltinFunctions()) (*index)[f.name] = &f;
    for (const FuncDef& f : PrometheusFunctions()) (*index)[f.name] = &f;
    return index;
  }();
  auto it = kIndex->find(name);
  return it == kIndex->end() ? nullptr : it->second;
}

bool HasFunction(absl::string_view name) {
  return FindFunction(name) != nullptr;
}

const FuncDef* FindMethod(const Value& receiver, absl::string_view name) {
  switch (receiver.kind()) {
    case Value::Kind::kTime:
      return FindIn(TimeMethods(), name);
    case Value::Kind::kDuration:
      return FindIn(DurationMethods(), name);
    case Value::Kind::kInt:
      if (receiver.tag() == TypeTag::kMonth ||
          receiver.tag() == TypeTag::kWeekday) {
        return FindIn(EnumMethods(receiver.tag()), name);
      }
      return nullptr;
    default:
      return nullptr;
  }
}

}  // namespace fraisier::rules::templates
