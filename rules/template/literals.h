// Literal constants of text/template: numbers (Go's NumberNode rules:
// every exact int/uint/float/complex reading of the text), character
// constants and quoted strings, with Go's error texts.
#ifndef RULES_TEMPLATE_LITERALS_H_
#define RULES_TEMPLATE_LITERALS_H_

#include <cstdint>
#include <optional>
#include <string>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "promql/literals.h"
#include "rules/template/ast.h"
#include "rules/template/lexer.h"

namespace fraisier::rules::templates {

// Go's parse.Tree.newNumber for an itemNumber, itemCharConstant or
// itemComplex. Errors: "integer overflow: \"...\"", "illegal number syntax:
// \"...\"", "malformed character constant: '...'", "invalid syntax".
absl::StatusOr<NumberInfo> ParseNumberLiteral(absl::string_view text,
                                              ItemType type);

// strconv.Unquote for "..." and `...` (raw strings lose their '\r's).
// Error: "invalid syntax".
absl::StatusOr<std::string> GoUnquote(absl::string_view quoted);

// strconv.ParseInt(s, 0, 64) / ParseUint(s, 0, 64), shared with PromQL.
using promql::GoParseInt;
using promql::GoParseUint;

}  // namespace fraisier::rules::templates

#endif  // RULES_TEMPLATE_LITERALS_H_
