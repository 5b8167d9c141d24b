// A blocking HTTP GET over libcurl for the command-line clients (`ruler
// query`): the whole body, the status code, and transport failures as
// absl::Status.
#ifndef ENGINE_CLI_HTTP_GET_H_
#define ENGINE_CLI_HTTP_GET_H_

#include <string>
#include <utility>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "absl/time/time.h"

namespace fraisier::cli {

struct HttpReply {
  long status = 0;
  std::string body;
};

// `url` + "?" + the form-encoded `params`. Bodies above `max_body` bytes
// are refused (ResourceExhausted) rather than held in memory. Errors:
// Unavailable (cannot connect), DeadlineExceeded, InvalidArgument (bad URL).
absl::StatusOr<HttpReply> HttpGet(
    absl::string_view url,
    const std::vector<std::pair<std::string, std::string>>& params,
    absl::Duration timeout, size_t max_body = size_t{1} << 30);

}  // namespace fraisier::cli

#endif  // ENGINE_CLI_HTTP_GET_H_
