// The parser of Go's text/template (text/template/parse/parse.go as of Go
// 1.19, which Debian's Prometheus 2.42 is built with): text to parse trees,
// with Go's error messages, e.g.
//   template: __alert_A:1: function "nope" not defined
//   template: __alert_A:3: unexpected {{end}}
#ifndef RULES_TEMPLATE_PARSER_H_
#define RULES_TEMPLATE_PARSER_H_

#include <memory>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "rules/template/ast.h"

namespace fraisier::rules::templates {

struct ParseOptions {
  // Whether a function of that name exists (the parser rejects calls of
  // undefined functions, as Go's does).
  // Null accepts every name (Go's SkipFuncCheck).
  bool (*has_function)(absl::string_view name) = nullptr;
  // Nesting of control structures and parenthesised pipelines the parser
  // accepts; beyond it the template is rejected rather than recursed into.
  int max_depth = 100;
  // Variables the top-level template may use without declaring them, as if
  // declared before its text (e.g. "$labels" for code that parses an alert
  // template without Prometheus's header).
  std::vector<std::string> predeclared_vars;
};

// Parses `text` as the template `name` plus the templates it defines.
absl::StatusOr<std::unique_ptr<TemplateSet>> ParseTemplate(
    absl::string_view name, absl::string_view text,
    const ParseOptions& options);

}  // namespace fraisier::rules::templates

#endif  // RULES_TEMPLATE_PARSER_H_
