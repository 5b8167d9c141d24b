// The dynamic values a Prometheus template computes with.
//
// Go's text/template works on reflect.Values of arbitrary Go types; the
// templates Prometheus runs only ever see a small, closed set of them, so this
// models exactly that set, each with the Go type name that error messages
// print ("wrong type for value; expected string; got float64").
#ifndef RULES_TEMPLATE_VALUE_H_
#define RULES_TEMPLATE_VALUE_H_

#include <cstdint>
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "absl/strings/string_view.h"

namespace fraisier::rules::templates {

class Value;

// map[string]string, sorted by key (byte order, as Go's range and fmt use).
using StringMap = std::vector<std::pair<std::string, std::string>>;
// map[string]interface{}, sorted by key (what Prometheus's `args` returns).
using AnyMap = std::vector<std::pair<std::string, Value>>;

// Prometheus's template `sample` struct: {Labels map[string]string; Value
// float64}. `id` stands in for the pointer value Go would print for a
// *sample nested in a slice (those addresses are not reproducible anyway).
struct SampleRec {
  std::shared_ptr<const StringMap> labels;
  double value = 0;
  uint64_t id = 0;
};
using SamplePtr = std::shared_ptr<const SampleRec>;
// template.queryResult ([]*sample). Mutable because Prometheus's
// sortByLabel sorts the slice it was given in place.
using SampleList = std::vector<SamplePtr>;

// A time.Time in UTC (the only location Prometheus's templates produce).
struct GoTime {
  int64_t sec = 0;   // seconds since the Unix epoch
  int32_t nsec = 0;  // [0, 1e9)
};

// The alert data struct Prometheus passes as dot (AlertTemplateData).
struct DataRec;

// Which Go type a Value of a given Kind has, where a kind covers several.
enum class TypeTag : uint8_t {
  kDefault,  // int, string, *time.Time, *time.Duration, ...
  kUint8,    // kUint: an element of a string (index "abc" 0)
  kUint64,   // kUint: the wall field of a time.Time printed by fmt
  kInt64,    // kInt: time.Time.Unix and friends
  kMonth,    // kInt: time.Month, prints as "January"
  kWeekday,  // kInt: time.Weekday, prints as "Sunday"
  kHtml,     // kString: html/template.HTML (safeHtml)
  kValue,    // kTime / kDuration: time.Time / time.Duration, not pointers
};

class Value {
 public:
  enum class Kind : uint8_t {
    kInvalid,    // Go's zero reflect.Value: "no value", nil
    kNilIface,   // a nil interface{} (a missing key of map[string]interface{})
    kBool,       // bool
    kInt,        // int (constants, len) and other signed integers
    kUint,       // uint8
    kFloat,      // float64
    kComplex,    // complex128 (constants such as 2i)
    kString,     // string, template.HTML
    kStringMap,  // map[string]string
    kAnyMap,     // map[string]interface {}
    kSamples,    // template.queryResult
    kSample,     // *template.sample, possibly nil
    kTime,       // *time.Time
    kDuration,   // *time.Duration
    kData,       // the data struct
  };

  Value() = default;

  static Value NilIface() { return Value(Kind::kNilIface); }
  static Value Bool(bool b);
  static Value Int(int64_t i, TypeTag tag = TypeTag::kDefault);
  static Value Uint8(uint8_t u);
  static Value Uint64(uint64_t u);
  static Value Float(double f);
  static Value Complex(double re, double im);
  static Value String(std::string s, TypeTag tag = TypeTag::kDefault);
  static Value Map(std::shared_ptr<const StringMap> m);
  static Value Any(std::shared_ptr<const AnyMap> m);
  static Value Samples(std::shared_ptr<SampleList> list);
  static Value Sample(SamplePtr sample);
  static Value Time(GoTime t, TypeTag tag = TypeTag::kDefault);
  static Value Duration(int64_t nanos, TypeTag tag = TypeTag::kDefault);
  static Value Data(std::shared_ptr<const DataRec> data);

  Kind kind() const { return kind_; }
  TypeTag tag() const { return tag_; }
  bool valid() const { return kind_ != Kind::kInvalid; }

  bool bool_value() const { return num_.b; }
  int64_t int_value() const { return num_.i; }
  uint64_t uint_value() const { return num_.u; }
  double float_value() const { return num_.f; }
  double imag_value() const { return imag_; }
  const std::string& string_value() const { return str_; }
  const StringMap& string_map() const { return *map_; }
  const std::shared_ptr<const StringMap>& string_map_ptr() const {
    return map_;
  }
  const AnyMap& any_map() const { return *any_; }
  // Never null for kSamples (a nil queryResult is an empty list).
  const std::shared_ptr<SampleList>& samples() const { return samples_; }
  // Null for a nil *sample.
  const SamplePtr& sample() const { return sample_; }
  GoTime time_value() const { return time_; }
  int64_t duration_nanos() const { return num_.i; }
  const DataRec& data() const { return *data_; }

  // Whether Go would treat the value as a pointer or interface that is nil.
  bool IsNilPointer() const {
    return kind_ == Kind::kNilIface ||
           (kind_ == Kind::kSample && sample_ == nullptr);
  }

 private:
  explicit Value(Kind kind) : kind_(kind) {}

  Kind kind_ = Kind::kInvalid;
  TypeTag tag_ = TypeTag::kDefault;
  union {
    bool b;
    int64_t i;
    uint64_t u;
    double f;
  } num_{};
  double imag_ = 0;
  GoTime time_;
  std::string str_;
  std::shared_ptr<const StringMap> map_;
  std::shared_ptr<const AnyMap> any_;
  std::shared_ptr<SampleList> samples_;
  SamplePtr sample_;
  std::shared_ptr<const DataRec> data_;
};

struct DataRec {
  Value labels;           // kStringMap
  Value external_labels;  // kStringMap
  Value external_url;     // kString
  Value value;            // kFloat (Prometheus 2) or anything else
};

// Go's reflect.Type.String() for the value's type: "float64",
// "map[string]string", "*template.sample", "struct { Labels ... }".
std::string TypeName(const Value& v);

// Go's basic kinds for the comparison builtins.
enum class BasicKind {
  kInvalid,
  kBool,
  kComplex,
  kInt,
  kFloat,
  kString,
  kUint
};
BasicKind BasicKindOf(const Value& v);

// text/template's isTrue: the truth of if/with/and/or/not. Every kind this
// model has a truth value.
bool IsTrue(const Value& v);

// Looks `key` up in a sorted StringMap; nullptr when absent.
const std::string* FindKey(const StringMap& m, absl::string_view key);

// The value of a map[string]string with `pairs` (sorted here).
std::shared_ptr<const StringMap> MakeStringMap(StringMap pairs);

}  // namespace fraisier::rules::templates

#endif  // RULES_TEMPLATE_VALUE_H_
