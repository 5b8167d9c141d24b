// Character-level pieces of the YAML fast path (fast_yaml.h): which texts
// it takes at all, and quoted scalars on one line.
#ifndef ENGINE_YAML_FAST_YAML_SCALARS_H_
#define ENGINE_YAML_FAST_YAML_SCALARS_H_

#include <cstddef>
#include <string>

#include "absl/strings/string_view.h"

namespace fraisier::yaml {

// Whether every character is one YAML (and so yaml-cpp) reads as plain
// printable text: no tabs, CR, other control characters, DEL, C1 controls
// (but NEL), BOMs or invalid UTF-8.
bool AllPrintable(absl::string_view text);

// The single- or double-quoted scalar starting at t[col], unescaped into
// *out; *end is the index past the closing quote. False when it does not
// close on this line or uses an escape the fast path leaves to yaml-cpp.
bool UnquoteOneLine(absl::string_view t, size_t col, std::string* out,
                    size_t* end);

}  // namespace fraisier::yaml

#endif  // ENGINE_YAML_FAST_YAML_SCALARS_H_
