// Request parameters as Prometheus's API reads them: Go's form decoding and
// Prometheus's parsers for timestamps and durations, with their error
// texts (which clients show verbatim).
#ifndef ENGINE_API_PARAMS_H_
#define ENGINE_API_PARAMS_H_

#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "absl/time/time.h"
#include "engine/model/timestamp.h"

namespace fraisier::api {

// Decoded name/value pairs in Go's r.Form order: the form-encoded POST body
// first, then the URL query. Repeated names are kept (match[]).
using Params = std::vector<std::pair<std::string, std::string>>;

// Go's r.FormValue: the first value of `name`, "" when absent.
absl::string_view FormValue(const Params& params, absl::string_view name);
// Go's r.Form[name]: every value of `name`, in order.
std::vector<absl::string_view> FormValues(const Params& params,
                                          absl::string_view name);

// Appends the pairs of an application/x-www-form-urlencoded string (a URL
// query without '?', or a POST body) as Go's url.ParseQuery does: pairs split
// on '&', '+' means a space, %XX escapes; a pair with a bad escape or a ';'
// is skipped, as Go drops it from the form.
void AppendUrlEncoded(absl::string_view encoded, Params* out);

// Percent-decodes a URL path segment ('+' stays '+'); nullopt on a bad
// escape.
std::optional<std::string> PathUnescape(absl::string_view segment);

// Prometheus's parseTime: Go float seconds ("1700000000", "1.5e9",
// "-1.5"; the fraction is rounded to the millisecond) or RFC 3339 with
// optional fractional seconds and a zone ("2023-11-14T22:13:50.123Z",
// "...+01:00"), plus the two strings Prometheus prints for its minimum and
// maximum time. Error: InvalidArgument `cannot parse "x" to a valid
// timestamp`. Unlike Prometheus, NaN, infinities and seconds beyond the
// millisecond range are refused rather than wrapped around.
absl::StatusOr<absl::Time> ParseTime(absl::string_view s);

// Prometheus's parseDuration: Go float seconds ("15", "0.5") or a Prometheus
// duration ("15s", "1m30s", "1d"). Errors: `cannot parse "x" to a valid
// duration`, and `... It overflows int64` past Go's time.Duration. "NaN"
// gives the most negative duration, as Go's conversion does on amd64.
absl::StatusOr<absl::Duration> ParseDuration(absl::string_view s);

// The defaults of optional start/end parameters (Prometheus's minTime and
// maxTime: the extremes Go's time formatting can print).
absl::Time MinApiTime();
absl::Time MaxApiTime();

// Prometheus's parseTimeParam: `default_value` when the parameter is
// absent or empty; otherwise ParseTime, with errors reading `Invalid time
// value for 'start': cannot parse ...`.
absl::StatusOr<absl::Time> ParseTimeParam(const Params& params,
                                          absl::string_view name,
                                          absl::Time default_value);

// Converts an API time to a storage timestamp the way Prometheus's
// timestamp.FromTime does (whole milliseconds, rounded down).
Timestamp ApiTimestamp(absl::Time t);

}  // namespace fraisier::api

#endif  // ENGINE_API_PARAMS_H_
