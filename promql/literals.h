// Literal values of PromQL: numbers, durations and quoted strings, with the
// rules and error texts of Prometheus (Go's strconv and common/model).
#ifndef PROMQL_LITERALS_H_
#define PROMQL_LITERALS_H_

#include <cstdint>
#include <optional>
#include <string>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"

namespace fraisier::promql {

// A NUMBER token's value as Prometheus computes it: Go's
// strconv.ParseInt(text, 0, 64) first (so 0x1f, 0o17, 0b101, 017 and 1_000
// follow Go's base-prefix and underscore rules), else strconv.ParseFloat
// (1e3, .5, 0x1p-2, Inf, NaN, case-insensitive). Error:
// `error parsing number: strconv.ParseFloat: parsing "...": invalid syntax`.
absl::StatusOr<double> ParseNumber(absl::string_view text);

// Go's strconv.ParseInt(s, 0, 64) and ParseUint(s, 0, 64): base prefixes
// 0b 0o 0x and a bare leading 0 (octal), underscores between digits only
// with a prefix; nullopt on any error (callers fall back to ParseFloat or
// report their own message).
std::optional<int64_t> GoParseInt(absl::string_view s);
std::optional<uint64_t> GoParseUint(absl::string_view s);

// Go's strconv.ParseFloat(text, 64) alone, without ParseNumber's integer
// prefixes: decimal or hex-with-exponent mantissas, `_` between digits, Inf,
// Infinity and NaN in any case. The API parses `time` and `step` this way.
// Errors are InvalidArgument `invalid syntax` or `value out of range`.
absl::StatusOr<double> ParseGoFloat(absl::string_view text);

// A DURATION token in milliseconds, as common/model.ParseDuration:
// units y w d h m s ms, each at most once, in that order ("1h30m", "1y",
// "500ms"); 1y = 365d, 1w = 7d. Errors: `empty duration string`,
// `not a valid duration string: "..."`, `duration out of range`.
absl::StatusOr<int64_t> ParseDurationMs(absl::string_view text);

// common/model.Duration.String(): "0s", "1h30m", "1w", "1y", "1s500ms"; years
// and weeks are used only when they divide the value exactly ("90d", not
// "12w6d"); negative values with a leading "-".
std::string FormatDurationMs(int64_t ms);

// Go's strconv.Unquote for "...", '...' (any length, unlike Go's rune
// literal) and `...`: \a \b \f \n \r \t \v \\ \' \" \NNN \xNN \uNNNN
// \UNNNNNNNN. Error text as Prometheus reports it after "error unquoting
// string": `invalid syntax`.
absl::StatusOr<std::string> UnquoteString(absl::string_view quoted);

}  // namespace fraisier::promql

#endif  // PROMQL_LITERALS_H_
