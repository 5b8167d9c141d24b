// URL pieces as the HTTP frontend decodes them: percent-decoding and
// "a=1&b=2" query strings, in Go's net/url manner.
#ifndef ENGINE_SERVER_HTTP_URL_H_
#define ENGINE_SERVER_HTTP_URL_H_

#include <string>
#include <utility>
#include <vector>

#include "absl/strings/string_view.h"

namespace fraisier::server::internal {

// %XX decoding; a '%' not followed by two hex digits stays as it is.
std::string PercentDecode(absl::string_view in, bool plus_as_space);

// Appends the decoded pairs of "a=1&b=2" in order ("a" alone: value "").
void AppendQuery(absl::string_view query,
                 std::vector<std::pair<std::string, std::string>>* out);

}  // namespace fraisier::server::internal

#endif  // ENGINE_SERVER_HTTP_URL_H_
