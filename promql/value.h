// Values a PromQL query produces: scalars, strings, instant vectors and
// range vectors (matrices), as in Prometheus's promql package.
#ifndef PROMQL_VALUE_H_
#define PROMQL_VALUE_H_

#include <cstdint>
#include <string>
#include <variant>
#include <vector>

#include "engine/model/labels.h"
#include "engine/model/timestamp.h"

namespace fraisier::promql {

// One float sample in time.
struct FPoint {
  Timestamp t = 0;
  double f = 0;
};

// An element of an instant vector.
struct VectorSample {
  Labels metric;
  Timestamp t = 0;
  double f = 0;
  // Prometheus 3 removes __name__ lazily: functions and operators that
  // would drop it only mark the sample, and the name goes when the value
  // leaves the engine (or a later step needs unique label sets).
  bool drop_name = false;
};
using Vector = std::vector<VectorSample>;

// A series of a range vector, points sorted by time.
struct RangeSeries {
  Labels metric;
  std::vector<FPoint> floats;
  bool drop_name = false;
};
using Matrix = std::vector<RangeSeries>;

struct Scalar {
  Timestamp t = 0;
  double v = 0;
};

struct String {
  Timestamp t = 0;
  std::string v;
};

using Value = std::variant<Scalar, String, Vector, Matrix>;

}  // namespace fraisier::promql

#endif  // PROMQL_VALUE_H_
