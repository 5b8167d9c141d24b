// Go's fmt and strconv number formatting over template values, because
// template output must match Prometheus byte for byte: `{{ $value }}` is
// fmt.Fprint, `printf` is fmt.Sprintf, `humanize` is Sprintf("%.4g").
//
// Pointers Go would print as addresses (a queryResult's elements, %p) print
// as made-up addresses: their real values are not reproducible.
#ifndef RULES_TEMPLATE_GO_FORMAT_H_
#define RULES_TEMPLATE_GO_FORMAT_H_

#include <cstddef>
#include <string>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "absl/types/span.h"
#include "rules/template/value.h"

namespace fraisier::rules::templates {

// strconv.FormatFloat(v, fmt, prec, 64) for fmt in 'e' 'E' 'f' 'F' 'g' 'G'
// 'b' 'x' 'X'; prec -1 means the shortest representation that round-trips.
std::string GoFormatFloat(double v, char fmt, int prec);

// fmt.Sprint(args...): values in %v form, with a space between two operands
// when neither is a string.
std::string GoSprint(absl::Span<const Value> args);
// fmt.Sprintln(args...): spaces between all operands, newline at the end.
std::string GoSprintln(absl::Span<const Value> args);
// fmt.Sprintf(format, args...), with Go's in-band error forms
// ("%!d(string=x)", "%!v(MISSING)", "%!(EXTRA int=1)"). Fails only when a
// width or precision would make the result longer than `max_bytes`.
absl::StatusOr<std::string> GoSprintf(absl::string_view format,
                                      absl::Span<const Value> args,
                                      size_t max_bytes);

// What text/template writes for an action's value: fmt.Fprint of the value
// after following one pointer (so a *sample prints as "{map[...] 1}"), and
// "<no value>" for no value.
void AppendTemplateValue(const Value& v, std::string* out);

// The string a value converts to where text/template needs one for
// html/js/urlquery (fmt.Sprint after the same pointer-following).
std::string TemplateArgsString(absl::Span<const Value> args);

}  // namespace fraisier::rules::templates

#endif  // RULES_TEMPLATE_GO_FORMAT_H_
