// Scalar decoders for unit-test files that read values as promtool's
// yaml.v2 does (floats, model.Duration, start timestamps), reporting
// mismatches through the shared Diagnostics with the node's position.
#ifndef RULES_UNITTEST_YAML_VALUES_H_
#define RULES_UNITTEST_YAML_VALUES_H_

#include <cstdint>

#include "engine/yaml/decode.h"
#include "engine/yaml/yaml.h"

namespace fraisier::rules::unittest {

// A float64 as yaml.v2 resolves a plain scalar: integers in Go's bases
// (0x1f, 0o17, 0b1, 017), decimal floats, `.inf`, `-.inf`, `.nan`;
// underscores are ignored. Quoted strings and words such as `NaN` are
// errors, as in promtool. Null is 0.
bool DecodeFloat(const yaml::YamlNode& node, yaml::Diagnostics* diag,
                 double* out);

// A Prometheus duration (`5m`, `1h30m`, `0`) in milliseconds; null is 0.
bool DecodeDurationMs(const yaml::YamlNode& node, yaml::Diagnostics* diag,
                      int64_t* out);

// A start timestamp: Unix seconds (an integer) or an RFC 3339 time, in
// Unix milliseconds; null is 0.
bool DecodeTimestampMs(const yaml::YamlNode& node, yaml::Diagnostics* diag,
                       int64_t* out);

}  // namespace fraisier::rules::unittest

#endif  // RULES_UNITTEST_YAML_VALUES_H_
