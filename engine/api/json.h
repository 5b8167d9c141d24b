// JSON output as Prometheus's HTTP API writes it: Go's encoding/json string
// escaping and the number formats of its sample encoder. Grafana and other
// clients compare strings, not numbers, so these must match byte for byte
// (checked against Prometheus 2.42, see json_test.cc).
//
// The writer appends to a std::string and never allocates per value; the
// query encoders use the Append* functions directly for speed.
#ifndef ENGINE_API_JSON_H_
#define ENGINE_API_JSON_H_

#include <cstdint>
#include <string>
#include <vector>

#include "absl/strings/string_view.h"
#include "engine/model/labels.h"
#include "engine/model/timestamp.h"

namespace fraisier::api {

// `s` as a quoted JSON string, escaped as Go's encoding/json does (with
// HTML escaping, which Prometheus keeps on): \" \\ \n \r \t, \u00XX for
// other control bytes, \u003c \u003e \u0026 for < > &, \u2028 and \u2029,
// and \ufffd for each byte that is not part of valid UTF-8. DEL and other
// printable runes are copied as they are.
void AppendJsonString(absl::string_view s, std::string* out);

// A sample value of a vector or matrix, quoted: Go's strconv.FormatFloat
// with 'f' when 1e-6 <= |v| < 1e21 or v is zero, 'e' otherwise, shortest
// digits ("1", "0.30000000000000004", "1e+21", "1e-07", "-0", "NaN",
// "+Inf", "-Inf").
void AppendSampleValue(double v, std::string* out);

// The value of a scalar result, quoted: Prometheus formats it with
// strconv.FormatFloat(v, 'f', -1, 64), never with an exponent ("1e21" is
// "1000000000000000000000", 1e-7 is "0.0000001").
void AppendScalarValue(double v, std::string* out);

// A sample timestamp of a vector or matrix: seconds, and when the
// milliseconds are not zero, '.' and exactly three digits
// (1700000000, 1700000030.100, -1.500).
void AppendSampleTimestamp(Timestamp t, std::string* out);

// A float64 as Go's encoding/json writes numbers: shortest digits, 'f'
// unless |v| < 1e-6 or |v| >= 1e21, exponents without a leading zero
// ("1e-7", "1e+21"). Used for scalar and string result timestamps (t/1000,
// so 1.5 not 1.500) and for stats timings. NaN and infinities, which Go
// refuses to encode, are written as null.
void AppendJsonFloat(double v, std::string* out);

// {"name":"value",...} in label order (Prometheus sorts map keys, and
// Labels are already sorted by name).
void AppendLabelsJson(const Labels& labels, std::string* out);

// A small streaming writer for objects and arrays that inserts the commas.
// Not thread-safe; one per output string.
class JsonWriter {
 public:
  explicit JsonWriter(std::string* out) : out_(out) {}

  void BeginObject();
  void EndObject();
  void BeginArray();
  void EndArray();
  // An object key; the next call writes its value.
  void Key(absl::string_view key);
  void String(absl::string_view s);
  void Int(int64_t v);
  void Uint(uint64_t v);
  void Float(double v);  // as AppendJsonFloat
  void Bool(bool v);
  void Null();
  // A value that is already JSON.
  void Raw(absl::string_view json);

  std::string* out() { return out_; }

 private:
  // Writes the comma before a value or key when one is due.
  void BeforeValue();

  std::string* out_;
  // One entry per open object or array: whether it has an element yet.
  std::vector<bool> has_element_;
  bool after_key_ = false;
};

}  // namespace fraisier::api

#endif  // ENGINE_API_JSON_H_
