// Prometheus alert templates: Go's text/template with Prometheus's
// functions, producing byte for byte what Prometheus 2.42 puts in an alert's
// labels and annotations.
//
// The rules engine compiles each label and annotation once when it loads a
// rule and expands it at every evaluation, for every alert:
//
//   AlertTemplate summary(rule.name(), rule.annotation("summary"));
//   if (!summary.parse_status().ok()) ...  // `ruler check rules` reports it
//   Data data(alert_labels, external_labels, external_url, sample_value);
//   Env env;
//   env.eval_time_ms = eval_time;           // `now`, never the system clock
//   env.query = [&](absl::string_view q) { return RunInstantQuery(q,
//   eval_time); }; env.external_url = external_url;        // externalURL,
//   pathPrefix std::string value = summary.ExpandOrError(data, env);
//
// ExpandOrError returns the expansion or, as Prometheus does,
// "<error expanding template: error executing template __alert_X: ...>".
#ifndef RULES_TEMPLATE_TEMPLATE_H_
#define RULES_TEMPLATE_TEMPLATE_H_

#include <cstddef>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "engine/model/labels.h"
#include "rules/template/functions.h"
#include "rules/template/value.h"

namespace fraisier::rules::templates {

struct TemplateSet;

// What one template may cost; user input beyond them fails with an error
// instead of exhausting the process.
struct Limits {
  size_t max_text_bytes = 256 << 10;  // template text (with the header)
  size_t max_output_bytes = 1 << 20;  // expansion, and any one string
  int64_t max_steps = 1000000;        // nodes walked + commands run
  int max_nesting_depth = 100;        // if/range/with/block and ( )
  int max_call_depth = 100;           // nested {{template}} calls
};

// The data (dot) of an alert template, Prometheus's AlertTemplateData:
// {Labels, ExternalLabels map[string]string; ExternalURL string; Value}.
//
// Thread-safety: immutable; build it once per alert and share it between
// that alert's labels and annotations.
class Data {
 public:
  Data(const Labels& labels, const Labels& external_labels,
       absl::string_view external_url, double value);
  // Value of another type (a string, for callers that format it first).
  Data(const Labels& labels, const Labels& external_labels,
       absl::string_view external_url, absl::string_view value);

  const Value& value() const { return value_; }

 private:
  Value value_;  // Kind::kData
};

// The environment of one expansion.
struct Env {
  // The evaluation time: what `now` returns (seconds) and the time the
  // rules engine should run `query` at.
  int64_t eval_time_ms = 0;
  // Runs `query "..."`; empty makes every query an error.
  QueryFunc query;
  // Prometheus's external URL (--web.external-url, without a trailing
  // slash): `externalURL` returns it and `pathPrefix` its path. Unset, as
  // in `promtool test rules`, both fail the way Prometheus's do there (a nil
  // *url.URL).
  std::optional<std::string> external_url;
};

// A parsed template: the main text and the templates it defines.
//
// Thread-safety: immutable after Parse; Execute and Expand may run
// concurrently on one Template.
class Template {
 public:
  // Parses `text` as Go's text/template `name` with Prometheus's functions.
  // Errors are Go's: "template: NAME:LINE: MESSAGE".
  static absl::StatusOr<Template> Parse(absl::string_view name,
                                        absl::string_view text,
                                        const Limits& limits = Limits());

  // Runs the template over `data`. Errors are Go's execution errors:
  // "template: NAME:LINE:COL: executing \"NAME\" at <NODE>: MESSAGE".
  absl::StatusOr<std::string> Execute(const Data& data, const Env& env) const;
  absl::StatusOr<std::string> Execute(const Value& dot, const Env& env) const;

  // Execute with Prometheus's Expander.Expand wrapping:
  // "error executing template NAME: " + the execution error.
  absl::StatusOr<std::string> Expand(const Data& data, const Env& env) const;

  const std::string& name() const { return name_; }

 private:
  Template() = default;

  std::shared_ptr<const TemplateSet> set_;
  std::string name_;
  Limits limits_;
};

// What Prometheus puts before every alert label and annotation template, on
// the same line (so line numbers in errors are the user's).
inline constexpr absl::string_view kAlertTemplateHeader =
    "{{$labels := .Labels}}{{$externalLabels := .ExternalLabels}}"
    "{{$externalURL := .ExternalURL}}{{$value := .Value}}";

// "__alert_" + the alert's name: the template name in error messages.
std::string AlertTemplateName(absl::string_view alert_name);

// One alert label or annotation template, compiled once.
//
// Thread-safety: immutable; Expand and ExpandOrError may run concurrently.
class AlertTemplate {
 public:
  AlertTemplate(absl::string_view alert_name, absl::string_view text,
                const Limits& limits = Limits());

  // Go's parse error, as Prometheus reports it when loading rules
  // ("template: __alert_X:1: function \"nope\" not defined"), or OK.
  const absl::Status& parse_status() const { return parse_status_; }

  // Prometheus's Expander.Expand: the expansion, or "error parsing template
  // NAME: ..." / "error executing template NAME: ...".
  absl::StatusOr<std::string> Expand(const Data& data, const Env& env) const;

  // What Prometheus stores: the expansion or ExpansionErrorText(error).
  std::string ExpandOrError(const Data& data, const Env& env) const;

 private:
  std::string name_;
  std::string plain_text_;  // the text itself when it has no actions
  bool plain_ = false;
  absl::Status parse_status_;
  std::shared_ptr<const Template> template_;
};

// `ruler check rules`: parses `text` the way Prometheus checks alert
// templates at load time (with the header, as __alert_<name>).
absl::Status CheckAlertTemplate(absl::string_view alert_name,
                                absl::string_view text);

// "<error expanding template: " + message + ">".
std::string ExpansionErrorText(const absl::Status& error);

}  // namespace fraisier::rules::templates

#endif  // RULES_TEMPLATE_TEMPLATE_H_
