#include "engine/api/rules_api.h"

#include <algorithm>
#include <cmath>
#include <cstdlib>

#include "absl/container/flat_hash_set.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "engine/api/json.h"
#include "engine/api/params.h"
#include "engine/api/response.h"
#include "promql/printer.h"

namespace fraisier::api {
namespace {

using rules::Alert;
using rules::AlertingRule;
using rules::AlertState;
using rules::Group;
using rules::LabelList;
using rules::RecordingRule;

void WriteLabelList(const LabelList& list, JsonWriter& w) {
  LabelList sorted = list;
  std::sort(sorted.begin(), sorted.end());
  w.BeginObject();
  for (const auto& [name, value] : sorted) {
    w.Key(name);
    w.String(value);
  }
  w.EndObject();
}

void WriteAlert(const Alert& a, JsonWriter& w) {
  w.BeginObject();
  w.Key("labels");
  std::string labels;
  AppendLabelsJson(a.labels, &labels);
  w.Raw(labels);
  w.Key("annotations");
  WriteLabelList(a.annotations, w);
  w.Key("state");
  w.String(rules::AlertStateName(a.state));
  w.Key("activeAt");
  w.String(GoTimeJson(a.active_at));
  if (a.keep_firing_since != absl::Time()) {
    w.Key("keepFiringSince");
    w.String(GoTimeJson(a.keep_firing_since));
  }
  w.Key("value");
  w.String(GoExponentFloat(a.value));
  w.EndObject();
}

// Pending and firing alerts: what Prometheus calls ActiveAlerts (resolved
// ones are kept only for notification).
std::vector<Alert> Active(const AlertingRule& rule) {
  std::vector<Alert> out;
  for (Alert& a : rule.ActiveAlerts()) {
    if (a.state != AlertState::kInactive) out.push_back(std::move(a));
  }
  return out;
}

struct Filters {
  bool alerts = true;
  bool records = true;
  absl::flat_hash_set<std::string> names, groups, files;
};

bool Wanted(const absl::flat_hash_set<std::string>& set, const std::string& v) {
  return set.empty() || set.contains(v);
}

void WriteRule(const Group& group, size_t i, JsonWriter& w) {
  const rules::RuleHealth health = group.health(i);
  const Group::Rule& rule = group.rules()[i];
  w.BeginObject();
  if (auto* a = std::get_if<std::unique_ptr<AlertingRule>>(&rule)) {
    const AlertingRule& r = **a;
    std::vector<Alert> alerts = Active(r);
    AlertState state = AlertState::kInactive;
    for (const Alert& x : alerts) {
      if (static_cast<int>(x.state) > static_cast<int>(state)) state = x.state;
    }
    w.Key("state");
    w.String(rules::AlertStateName(state));
    w.Key("name");
    w.String(r.name());
    w.Key("query");
    w.String(promql::Format(r.expr()));
    w.Key("duration");
    w.Float(absl::ToDoubleSeconds(r.hold_duration()));
    w.Key("keepFiringFor");
    w.Float(absl::ToDoubleSeconds(r.keep_firing_for()));
    w.Key("labels");
    WriteLabelList(r.labels(), w);
    w.Key("annotations");
    WriteLabelList(r.annotations(), w);
    w.Key("alerts");
    w.BeginArray();
    for (const Alert& x : alerts) WriteAlert(x, w);
    w.EndArray();
  } else {
    const RecordingRule& r = *std::get<std::unique_ptr<RecordingRule>>(rule);
    w.Key("name");
    w.String(r.name());
    w.Key("query");
    w.String(promql::Format(r.expr()));
    if (!r.labels().empty()) {
      w.Key("labels");
      WriteLabelList(r.labels(), w);
    }
  }
  w.Key("health");
  w.String(health.health);
  if (!health.last_error.empty()) {
    w.Key("lastError");
    w.String(health.last_error);
  }
  w.Key("evaluationTime");
  w.Float(absl::ToDoubleSeconds(health.evaluation_time));
  w.Key("lastEvaluation");
  w.String(GoTimeJson(health.last_evaluation));
  w.Key("type");
  w.String(std::get_if<std::unique_ptr<AlertingRule>>(&rule) != nullptr
               ? "alerting"
               : "recording");
  w.EndObject();
}

Response RulesEndpoint(const rules::Manager* manager, const Request& req) {
  Filters f;
  const absl::string_view type = FormValue(req.params, "type");
  if (type == "alert") {
    f.records = false;
  } else if (type == "record") {
    f.alerts = false;
  } else if (!type.empty()) {
    return ErrorResponse(
        {ErrorType::kBadData,
         absl::StrCat("invalid query parameter type='", type, "'")});
  }
  for (absl::string_view v : FormValues(req.params, "rule_name[]")) {
    f.names.insert(std::string(v));
  }
  for (absl::string_view v : FormValues(req.params, "rule_group[]")) {
    f.groups.insert(std::string(v));
  }
  for (absl::string_view v : FormValues(req.params, "file[]")) {
    f.files.insert(std::string(v));
  }
  std::string data;
  JsonWriter w(&data);
  w.BeginObject();
  w.Key("groups");
  w.BeginArray();
  for (const auto& group : manager->groups()) {
    if (!Wanted(f.groups, group->name()) || !Wanted(f.files, group->file())) {
      continue;
    }
    std::vector<size_t> selected;
    for (size_t i = 0; i < group->rules().size(); ++i) {
      const bool is_alert =
          std::holds_alternative<std::unique_ptr<AlertingRule>>(
              group->rules()[i]);
      const std::string& name =
          is_alert ? std::get<std::unique_ptr<AlertingRule>>(group->rules()[i])
                         ->name()
                   : std::get<std::unique_ptr<RecordingRule>>(group->rules()[i])
                         ->name();
      if ((is_alert ? f.alerts : f.records) && Wanted(f.names, name)) {
        selected.push_back(i);
      }
    }
    const bool filtered = !f.alerts || !f.records || !f.names.empty();
    if (filtered && selected.empty()) continue;
    w.BeginObject();
    w.Key("name");
    w.String(group->name());
    w.Key("file");
    w.String(group->file());
    w.Key("rules");
    w.BeginArray();
    for (size_t i : selected) WriteRule(*group, i, w);
    w.EndArray();
    w.Key("interval");
    w.Float(absl::ToDoubleSeconds(group->interval()));
    w.Key("limit");
    w.Int(group->limit());
    w.Key("evaluationTime");
    w.Float(absl::ToDoubleSeconds(group->last_duration()));
    w.Key("lastEvaluation");
    w.String(GoTimeJson(group->last_evaluation()));
    w.EndObject();
  }
  w.EndArray();
  w.EndObject();
  return SuccessResponse(data);
}

Response AlertsEndpoint(const rules::Manager* manager, const Request&) {
  std::string data;
  JsonWriter w(&data);
  w.BeginObject();
  w.Key("alerts");
  w.BeginArray();
  for (const auto& group : manager->groups()) {
    for (const Group::Rule& rule : group->rules()) {
      auto* a = std::get_if<std::unique_ptr<AlertingRule>>(&rule);
      if (a == nullptr) continue;
      for (const Alert& x : Active(**a)) WriteAlert(x, w);
    }
  }
  w.EndArray();
  w.EndObject();
  return SuccessResponse(data);
}

}  // namespace

std::string GoTimeJson(absl::Time t) {
  if (t == absl::Time()) return "0001-01-01T00:00:00Z";
  return absl::FormatTime("%Y-%m-%dT%H:%M:%E*SZ", t, absl::UTCTimeZone());
}

std::string GoExponentFloat(double v) {
  if (std::isnan(v)) return "NaN";
  if (std::isinf(v)) return v > 0 ? "+Inf" : "-Inf";
  // The fewest digits that read back as the same double, as Go's -1
  // precision does.
  for (int precision = 0; precision <= 17; ++precision) {
    std::string s = absl::StrFormat("%.*e", precision, v);
    if (std::strtod(s.c_str(), nullptr) == v) return s;
  }
  return absl::StrFormat("%.17e", v);
}

std::vector<ExtraHandler> RulesHandlers(const rules::Manager* manager) {
  return {
      {"/api/v1/rules",
       {"GET", "POST"},
       [manager](const Request& r) { return RulesEndpoint(manager, r); }},
      {"/api/v1/alerts",
       {"GET", "POST"},
       [manager](const Request& r) { return AlertsEndpoint(manager, r); }},
  };
}

}  // namespace fraisier::api
