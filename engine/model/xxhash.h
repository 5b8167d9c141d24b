// XXH64, the hash Prometheus uses for label sets (cespare/xxhash). Using the
// same function over the same bytes makes Labels::Hash() equal to
// Prometheus's labels.Hash(), so hashes that leak into observable behaviour
// (hashmod relabelling, sharding) agree with Prometheus.
#ifndef ENGINE_MODEL_XXHASH_H_
#define ENGINE_MODEL_XXHASH_H_

#include <cstdint>

#include "absl/strings/string_view.h"

namespace fraisier {

uint64_t XxHash64(absl::string_view data, uint64_t seed = 0);

}  // namespace fraisier

#endif  // ENGINE_MODEL_XXHASH_H_
