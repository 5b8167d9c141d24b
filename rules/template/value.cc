#include "rules/template/value.h"

#include <algorithm>
#include <utility>

#include "absl/strings/str_cat.h"

namespace fraisier::rules::templates {

Value Value::Bool(bool b) {
  Value v(Kind::kBool);
  v.num_.b = b;
  return v;
}

Value Value::Int(int64_t i, TypeTag tag) {
  Value v(Kind::kInt);
  v.num_.i = i;
  v.tag_ = tag;
  return v;
}

Value Value::Uint8(uint8_t u) {
  Value v(Kind::kUint);
  v.num_.u = u;
  v.tag_ = TypeTag::kUint8;
  return v;
}

Value Value::Uint64(uint64_t u) {
  Value v(Kind::kUint);
  v.num_.u = u;
  v.tag_ = TypeTag::kUint64;
  return v;
}

Value Value::Float(double f) {
  Value v(Kind::kFloat);
  v.num_.f = f;
  return v;
}

Value Value::Complex(double re, double im) {
  Value v(Kind::kComplex);
  v.num_.f = re;
  v.imag_ = im;
  return v;
}

Value Value::String(std::string s, TypeTag tag) {
  Value v(Kind::kString);
  v.str_ = std::move(s);
  v.tag_ = tag;
  return v;
}

Value Value::Map(std::shared_ptr<const StringMap> m) {
  Value v(Kind::kStringMap);
  v.map_ = std::move(m);
  return v;
}

Value Value::Any(std::shared_ptr<const AnyMap> m) {
  Value v(Kind::kAnyMap);
  v.any_ = std::move(m);
  return v;
}

Value Value::Samples(std::shared_ptr<SampleList> list) {
  Value v(Kind::kSamples);
  v.samples_ =
      list != nullptr ? std::move(list) : std::make_shared<SampleList>();
  return v;
}

Value Value::Sample(SamplePtr sample) {
  Value v(Kind::kSample);
  v.sample_ = std::move(sample);
  return v;
}

Value Value::Time(GoTime t, TypeTag tag) {
  Value v(Kind::kTime);
  v.time_ = t;
  v.tag_ = tag;
  return v;
}

Value Value::Duration(int64_t nanos, TypeTag tag) {
  Value v(Kind::kDuration);
  v.num_.i = nanos;
  v.tag_ = tag;
  return v;
}

Value Value::Data(std::shared_ptr<const DataRec> data) {
  Value v(Kind::kData);
  v.data_ = std::move(data);
  return v;
}

std::string TypeName(const Value& v) {
  switch (v.kind()) {
    case Value::Kind::kInvalid:
      return "<nil>";
    case Value::Kind::kNilIface:
      return "interface {}";
    case Value::Kind::kBool:
      return "bool";
    case Value::Kind::kInt:
      switch (v.tag()) {
        case TypeTag::kInt64:
          return "int64";
        case TypeTag::kMonth:
          return "time.Month";
        case TypeTag::kWeekday:
          return "time.Weekday";
        default:
          return "int";
      }
    case Value::Kind::kUint:
      return v.tag() == TypeTag::kUint64 ? "uint64" : "uint8";
    case Value::Kind::kFloat:
      return "float64";
    case Value::Kind::kComplex:
      return "complex128";
    case Value::Kind::kString:
      return v.tag() == TypeTag::kHtml ? "template.HTML" : "string";
    case Value::Kind::kStringMap:
      return "map[string]string";
    case Value::Kind::kAnyMap:
      return "map[string]interface {}";
    case Value::Kind::kSamples:
      return "template.queryResult";
    case Value::Kind::kSample:
      return "*template.sample";
    case Value::Kind::kTime:
      return v.tag() == TypeTag::kValue ? "time.Time" : "*time.Time";
    case Value::Kind::kDuration:
      return v.tag() == TypeTag::kValue ? "time.Duration" : "*time.Duration";
    case Value::Kind::kData: {
      const Value& value = v.data().value;
      // Prometheus 2 declares Value float64; anything else stands for the
      // interface{} field of later versions.
      return absl::StrCat(
          "struct { Labels map[string]string; ExternalLabels "
          "map[string]string; ExternalURL string; Value ",
          value.kind() == Value::Kind::kFloat ? "float64" : "interface {}",
          " }");
    }
  }
  return "<nil>";
}

BasicKind BasicKindOf(const Value& v) {
  switch (v.kind()) {
    case Value::Kind::kBool:
      return BasicKind::kBool;
    case Value::Kind::kInt:
      return BasicKind::kInt;
    case Value::Kind::kUint:
      return BasicKind::kUint;
    case Value::Kind::kFloat:
      return BasicKind::kFloat;
    case Value::Kind::kComplex:
      return BasicKind::kComplex;
    case Value::Kind::kString:
      return BasicKind::kString;
    case Value::Kind::kDuration:
      // time.Duration is an int64; *time.Duration is a pointer.
      return v.tag() == TypeTag::kValue ? BasicKind::kInt : BasicKind::kInvalid;
    default:
      return BasicKind::kInvalid;
  }
}

bool IsTrue(const Value& v) {
  switch (v.kind()) {
    case Value::Kind::kInvalid:
    case Value::Kind::kNilIface:
      return false;
    case Value::Kind::kBool:
      return v.bool_value();
    case Value::Kind::kInt:
      return v.int_value() != 0;
    case Value::Kind::kUint:
      return v.uint_value() != 0;
    case Value::Kind::kFloat:
      return v.float_value() != 0;
    case Value::Kind::kComplex:
      return v.float_value() != 0 || v.imag_value() != 0;
    case Value::Kind::kString:
      return !v.string_value().empty();
    case Value::Kind::kStringMap:
      return !v.string_map().empty();
    case Value::Kind::kAnyMap:
      return !v.any_map().empty();
    case Value::Kind::kSamples:
      return !v.samples()->empty();
    case Value::Kind::kSample:
      return v.sample() != nullptr;
    case Value::Kind::kTime:
      // A pointer is true when non-nil; a time.Time struct always is.
      return true;
    case Value::Kind::kDuration:
      return v.tag() != TypeTag::kValue || v.duration_nanos() != 0;
    case Value::Kind::kData:
      return true;
  }
  return false;
}

const std::string* FindKey(const StringMap& m, absl::string_view key) {
  auto it = std::lower_bound(
      m.begin(), m.end(), key,
      [](const auto& entry, absl::string_view k) { return entry.first < k; });
  if (it == m.end() || it->first != key) return nullptr;
  return &it->second;
}

std::shared_ptr<const StringMap> MakeStringMap(StringMap pairs) {
  std::stable_sort(
      pairs.begin(), pairs.end(),
      [](const auto& a, const auto& b) { return a.first < b.first; });
  // Later pairs win, as assigning into a Go map does.
  StringMap out;
  out.reserve(pairs.size());
  for (auto& p : pairs) {
    if (!out.empty() && out.back().first == p.first) {
      out.back().second = std::move(p.second);
    } else {
      out.push_back(std::move(p));
    }
  }
  return std::make_shared<const StringMap>(std::move(out));
}

}  // namespace fraisier::rules::templates
