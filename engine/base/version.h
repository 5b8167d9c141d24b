// The release version, shared by `ruler --version`, /api/v1/status/buildinfo
// and the ruler_build_info metric.
#ifndef ENGINE_BASE_VERSION_H_
#define ENGINE_BASE_VERSION_H_

#include "absl/strings/string_view.h"

namespace fraisier {

inline constexpr absl::string_view kBuildVersion = "0.1.0";

}  // namespace fraisier

#endif  // ENGINE_BASE_VERSION_H_
