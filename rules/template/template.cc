#include "rules/template/template.h"

#include <memory>
#include <string>
#include <utility>

#include "absl/status/status.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "engine/base/status_macros.h"
#include "rules/template/ast.h"
#include "rules/template/exec.h"
#include "rules/template/parser.h"

namespace fraisier::rules::templates {
namespace {

std::shared_ptr<const StringMap> ToStringMap(const Labels& labels) {
  StringMap m;
  m.reserve(labels.size());
  for (const Label& l : labels) {
    m.emplace_back(std::string(l.name), std::string(l.value));
  }
  return std::make_shared<const StringMap>(std::move(m));
}

Value MakeData(const Labels& labels, const Labels& external_labels,
               absl::string_view external_url, Value value) {
  auto rec = std::make_shared<DataRec>();
  rec->labels = Value::Map(ToStringMap(labels));
  rec->external_labels = Value::Map(ToStringMap(external_labels));
  rec->external_url = Value::String(std::string(external_url));
  rec->value = std::move(value);
  return Value::Data(std::move(rec));
}

}  // namespace

Data::Data(const Labels& labels, const Labels& external_labels,
           absl::string_view external_url, double value)
    : value_(MakeData(labels, external_labels, external_url,
                      Value::Float(value))) {}

Data::Data(const Labels& labels, const Labels& external_labels,
           absl::string_view external_url, absl::string_view value)
    : value_(MakeData(labels, external_labels, external_url,
                      Value::String(std::string(value)))) {}

absl::StatusOr<Template> Template::Parse(absl::string_view name,
                                         absl::string_view text,
                                         const Limits& limits) {
  if (text.size() > limits.max_text_bytes) {
    return absl::InvalidArgumentError(absl::StrCat(
        "template: ", name, ": template text of ", text.size(),
        " bytes exceeds the limit of ", limits.max_text_bytes, " bytes"));
  }
  ParseOptions options;
  options.has_function = &HasFunction;
  options.max_depth = limits.max_nesting_depth;
  FR_ASSIGN_OR_RETURN(std::unique_ptr<TemplateSet> set,
                      ParseTemplate(name, text, options));
  Template t;
  t.set_ = std::move(set);
  t.name_ = std::string(name);
  t.limits_ = limits;
  return t;
}

absl::StatusOr<std::string> Template::Execute(const Value& dot,
                                              const Env& env) const {
  const Tree* tree = set_->Find(name_);
  if (tree == nullptr) {
    return absl::InvalidArgumentError(
        absl::StrCat("template: ", name_, ": \"", name_,
                     "\" is an incomplete or empty template"));
  }
  CallEnv call_env;
  call_env.eval_time_ms = env.eval_time_ms;
  call_env.query = env.query ? &env.query : nullptr;
  call_env.has_external_url = env.external_url.has_value();
  if (env.external_url.has_value()) call_env.external_url = *env.external_url;
  call_env.max_string_bytes = limits_.max_output_bytes;
  ExecLimits exec_limits;
  exec_limits.max_output_bytes = limits_.max_output_bytes;
  exec_limits.max_steps = limits_.max_steps;
  exec_limits.max_call_depth = limits_.max_call_depth;
  std::string out;
  FR_RETURN_IF_ERROR(
      ExecuteTree(*set_, *tree, dot, call_env, exec_limits, &out));
  return out;
}

absl::StatusOr<std::string> Template::Execute(const Data& data,
                                              const Env& env) const {
  return Execute(data.value(), env);
}

absl::StatusOr<std::string> Template::Expand(const Data& data,
                                             const Env& env) const {
  absl::StatusOr<std::string> out = Execute(data, env);
  if (!out.ok()) {
    return absl::Status(out.status().code(),
                        absl::StrCat("error executing template ", name_, ": ",
                                     out.status().message()));
  }
  return out;
}

std::string AlertTemplateName(absl::string_view alert_name) {
  return absl::StrCat("__alert_", alert_name);
}

AlertTemplate::AlertTemplate(absl::string_view alert_name,
                             absl::string_view text, const Limits& limits)
    : name_(AlertTemplateName(alert_name)) {
  absl::StatusOr<Template> t =
      Template::Parse(name_, absl::StrCat(kAlertTemplateHeader, text), limits);
  if (!t.ok()) {
    parse_status_ = t.status();
    return;
  }
  // Text without actions expands to itself: skip the executor.
  if (text.find("{{") == absl::string_view::npos) {
    plain_ = true;
    plain_text_ = std::string(text);
  }
  template_ = std::make_shared<const Template>(*std::move(t));
}

absl::StatusOr<std::string> AlertTemplate::Expand(const Data& data,
                                                  const Env& env) const {
  if (!parse_status_.ok()) {
    return absl::Status(parse_status_.code(),
                        absl::StrCat("error parsing template ", name_, ": ",
                                     parse_status_.message()));
  }
  if (plain_) return plain_text_;
  return template_->Expand(data, env);
}

std::string AlertTemplate::ExpandOrError(const Data& data,
                                         const Env& env) const {
  absl::StatusOr<std::string> out = Expand(data, env);
  if (!out.ok()) return ExpansionErrorText(out.status());
  return *std::move(out);
}

absl::Status CheckAlertTemplate(absl::string_view alert_name,
                                absl::string_view text) {
  // The header is one line of four declarations, so parsing the text with
  // its variables predeclared reports exactly what parsing header + text
  // does (same messages, same line numbers; prometheus_cases_test and
  // template_test compare the two), in about a third of the time: `ruler
  // check rules` checks every template of every rule.
  // Except with {{define}} or {{block}}: redefining the alert's own
  // template is an error only because the header makes it non-empty.
  if (absl::StrContains(text, "define") || absl::StrContains(text, "block")) {
    return AlertTemplate(alert_name, text).parse_status();
  }
  const Limits limits;
  const std::string name = AlertTemplateName(alert_name);
  const size_t size = kAlertTemplateHeader.size() + text.size();
  if (size > limits.max_text_bytes) {
    return absl::InvalidArgumentError(absl::StrCat(
        "template: ", name, ": template text of ", size,
        " bytes exceeds the limit of ", limits.max_text_bytes, " bytes"));
  }
  ParseOptions options;
  options.has_function = &HasFunction;
  options.max_depth = limits.max_nesting_depth;
  options.predeclared_vars = {"$labels", "$externalLabels", "$externalURL",
                              "$value"};
  return ParseTemplate(name, text, options).status();
}

std::string ExpansionErrorText(const absl::Status& error) {
  return absl::StrCat("<error expanding template: ", error.message(), ">");
}

}  // namespace fraisier::rules::templates
