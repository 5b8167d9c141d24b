// Go's regexp package over RE2 (same syntax, same leftmost-first
// semantics): compile errors in Go's words and ReplaceAllString with Go's
// $name / ${name} expansion, for match and reReplaceAll.
#ifndef RULES_TEMPLATE_GO_REGEXP_H_
#define RULES_TEMPLATE_GO_REGEXP_H_

#include <memory>
#include <string>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "re2/re2.h"

namespace fraisier::rules::templates {

// regexp.Compile. Error text as Go's: "error parsing regexp: missing
// closing ): `(`".
absl::StatusOr<std::unique_ptr<RE2>> CompileGoRegexp(absl::string_view pattern);

// Go's quote in MustCompile's panic: backquoted when possible.
std::string GoRegexpQuote(absl::string_view pattern);

// Regexp.MatchString: an unanchored search.
bool GoMatchString(const RE2& re, absl::string_view s);

// Regexp.ReplaceAllString: successive non-overlapping matches replaced by
// `repl` with $1, ${1}, $name, ${name} and $$ expanded; an empty match right
// after a previous match is not replaced. Fails only if the result would
// exceed `max_bytes`.
absl::StatusOr<std::string> GoReplaceAllString(const RE2& re,
                                               absl::string_view src,
                                               absl::string_view repl,
                                               size_t max_bytes);

}  // namespace fraisier::rules::templates

#endif  // RULES_TEMPLATE_GO_REGEXP_H_
