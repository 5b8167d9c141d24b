#include "rules/unittest/group_run.h"

#include <algorithm>
#include <map>
#include <memory>
#include <optional>
#include <utility>
#include <variant>

#include "absl/container/flat_hash_map.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/strip.h"
#include "engine/model/go_quote.h"
#include "engine/model/value.h"
#include "engine/storage/memory_storage.h"
#include "promql/engine.h"
#include "promql/literals.h"
#include "promql/parser.h"
#include "promql/promqltest/compare.h"
#include "promql/promqltest/series_desc.h"
#include "rules/group.h"
#include "rules/rule_query.h"
#include "rules/template_expander.h"
#include "rules/unittest/compare.h"
#include "rules/unittest/input_series.h"

namespace fraisier::rules::unittest {
namespace {

constexpr absl::string_view kIndent = "    ";

std::string Time(int64_t ms) { return promql::FormatDurationMs(ms); }

// As promtool's lazy loader engine: 5m lookback, subqueries without a step
// at the evaluation interval. promtool also caps a query at 10,000 samples
// in memory, counted series by series; our engine counts a range
// function's input at once, so that cap would fail queries promtool runs
// (tests/rules/unittest_parity/ok_many_samples.yml): the engine's default
// cap applies instead.
promql::EngineOptions TestEngineOptions(int64_t evaluation_interval_ms) {
  promql::EngineOptions options;
  options.default_subquery_step = absl::Milliseconds(evaluation_interval_ms);
  return options;
}

std::vector<AlertInstance> Expected(const std::vector<ExpectedAlert>& alerts,
                                    const std::string& alertname) {
  std::vector<AlertInstance> out;
  for (const ExpectedAlert& a : alerts) {
    LabelList labels = a.labels;
    labels.emplace_back("alertname", alertname);  // promtool adds it
    out.push_back({SortedLabelList(labels), SortedLabelList(a.annotations)});
  }
  return out;
}

// Parses an exp_samples label set as promtool's parser.ParseMetric: a
// series without values; empty text is the empty set.
absl::StatusOr<Labels> ParseExpectedLabels(absl::string_view text) {
  if (absl::StripAsciiWhitespace(text).empty()) return Labels();
  size_t consumed = 0;
  absl::StatusOr<Labels> labels =
      promql::promqltest::ParseLabelSet(text, &consumed);
  if (!labels.ok()) return labels.status();
  if (!absl::StripAsciiWhitespace(text.substr(consumed)).empty()) {
    return absl::InvalidArgumentError(absl::StrCat(
        "unexpected \"", text.substr(consumed), "\" after the label set"));
  }
  return labels;
}

class GroupRun {
 public:
  GroupRun(const TestFile& file, const TestGroup& group,
           const std::vector<LoadedRuleFile>& rule_files, Coverage* coverage)
      : file_(file),
        group_(group),
        coverage_(coverage),
        store_(storage::MemoryStorageOptions{.allow_out_of_order = false}),
        engine_(TestEngineOptions(file.evaluation_interval_ms)) {
    BuildGroups(rule_files);
  }

  std::vector<std::string> Run();

 private:
  void BuildGroups(const std::vector<LoadedRuleFile>& rule_files);
  GroupContext MakeContext();
  // Evaluates every group at ts; false after a rule error.
  bool EvalAt(int64_t ts, const GroupContext& ctx);
  std::vector<AlertInstance> AlertsInState(const std::string& alertname,
                                           AlertState state,
                                           bool resolved) const;
  void CheckAlerts(const AlertTestCase& test);
  void CheckExpression(const PromqlTestCase& test);
  void MarkTested();

  const TestFile& file_;
  const TestGroup& group_;
  Coverage* coverage_;
  storage::MemoryStorage store_;
  promql::Engine engine_;
  std::vector<std::unique_ptr<Group>> groups_;
  std::vector<std::vector<size_t>> coverage_index_;  // per group, per rule
  absl::flat_hash_map<const promql::Expr*, size_t> recording_exprs_;
  std::vector<std::string> failures_;
};

void GroupRun::BuildGroups(const std::vector<LoadedRuleFile>& rule_files) {
  std::map<std::string, size_t> order;
  for (size_t i = 0; i < file_.group_eval_order.size(); ++i) {
    order.emplace(file_.group_eval_order[i], i);
  }
  struct Built {
    size_t order;
    std::unique_ptr<Group> group;
    std::vector<size_t> coverage;
  };
  std::vector<Built> built;
  for (const LoadedRuleFile& rf : rule_files) {
    size_t index = rf.first_coverage_index;
    for (const RuleGroupSpec& spec : rf.spec.groups) {
      Built b;
      auto it = order.find(spec.name);
      b.order = it == order.end() ? 0 : it->second;  // unlisted: as promtool
      b.group = std::make_unique<Group>(spec, rf.spec.path,
                                        absl::Milliseconds(group_.interval_ms));
      for (size_t r = 0; r < spec.rules.size(); ++r) {
        b.coverage.push_back(index++);
        if (!spec.rules[r].is_alert() && spec.rules[r].parsed != nullptr) {
          recording_exprs_[spec.rules[r].parsed.get()] = b.coverage.back();
        }
      }
      built.push_back(std::move(b));
    }
  }
  std::stable_sort(
      built.begin(), built.end(),
      [](const Built& a, const Built& b) { return a.order < b.order; });
  for (Built& b : built) {
    groups_.push_back(std::move(b.group));
    coverage_index_.push_back(std::move(b.coverage));
  }
}

GroupContext GroupRun::MakeContext() {
  QueryFunc plain = EngineQueryFunc(engine_, store_);
  GroupContext ctx;
  ctx.store = &store_;
  ctx.query = [this, plain](const promql::Expr& expr,
                            absl::Time ts) -> absl::StatusOr<promql::Vector> {
    absl::StatusOr<promql::Vector> v = plain(expr, ts);
    if (v.ok() && !v->empty()) {
      auto it = recording_exprs_.find(&expr);
      if (it != recording_exprs_.end()) coverage_->MarkProduced(it->second);
    }
    return v;
  };
  ExpanderSettings settings{Labels::FromPairs(group_.external_labels),
                            group_.external_url};
  ctx.expand = MakeTemplateExpander([settings] { return settings; }, plain);
  return ctx;
}

bool GroupRun::EvalAt(int64_t ts, const GroupContext& ctx) {
  bool ok = true;
  for (size_t g = 0; g < groups_.size(); ++g) {
    Group& group = *groups_[g];
    group.Eval(absl::FromUnixMillis(ts), ctx);
    for (size_t r = 0; r < group.rules().size(); ++r) {
      const RuleHealth health = group.health(r);
      if (health.health == "err") {
        const std::string& name = std::visit(
            [](const auto& rule) -> const std::string& { return rule->name(); },
            group.rules()[r]);
        failures_.push_back(absl::StrCat("rule: ", name,
                                         ", time: ", Time(ts - group_.start_ms),
                                         ", err: ", health.last_error));
        ok = false;
      }
      const auto* alerting =
          std::get_if<std::unique_ptr<AlertingRule>>(&group.rules()[r]);
      if (alerting != nullptr && (*alerting)->State() == AlertState::kFiring) {
        coverage_->MarkProduced(coverage_index_[g][r]);
      }
    }
  }
  return ok;
}

std::vector<AlertInstance> GroupRun::AlertsInState(const std::string& alertname,
                                                   AlertState state,
                                                   bool resolved) const {
  std::vector<AlertInstance> out;
  for (const auto& group : groups_) {
    for (const Group::Rule& rule : group->rules()) {
      const auto* alerting = std::get_if<std::unique_ptr<AlertingRule>>(&rule);
      if (alerting == nullptr || (*alerting)->name() != alertname) continue;
      for (const Alert& a : (*alerting)->ActiveAlerts()) {
        if (a.state != state) continue;
        if (resolved != (a.resolved_at != absl::Time())) continue;
        out.push_back({ToLabelList(a.labels), SortedLabelList(a.annotations)});
      }
    }
  }
  return out;
}

void GroupRun::CheckAlerts(const AlertTestCase& test) {
  auto check = [&](absl::string_view what,
                   const std::vector<ExpectedAlert>& expected, AlertState state,
                   bool resolved) {
    std::optional<std::string> diff =
        DiffAlerts(Expected(expected, test.alertname),
                   AlertsInState(test.alertname, state, resolved), kIndent);
    if (!diff) return;
    failures_.push_back(absl::StrCat(
        "alertname: ", test.alertname, ", time: ", Time(test.eval_time_ms),
        what, "\n", absl::StripTrailingAsciiWhitespace(*diff)));
  };
  check("", test.exp_alerts, AlertState::kFiring, false);
  if (test.exp_pending_alerts) {
    check(", pending alerts", *test.exp_pending_alerts, AlertState::kPending,
          false);
  }
  if (test.exp_resolved_alerts) {
    check(", resolved alerts", *test.exp_resolved_alerts, AlertState::kInactive,
          true);
  }
}

void GroupRun::CheckExpression(const PromqlTestCase& test) {
  const std::string where = absl::StrCat("expr: ", GoQuote(test.expr),
                                         ", time: ", Time(test.eval_time_ms));
  auto fail = [&](absl::string_view error) {
    failures_.push_back(absl::StrCat(where, ", err: ", error));
  };
  absl::StatusOr<promql::ExprPtr> expr = promql::ParseExpr(test.expr);
  if (!expr.ok()) return fail(expr.status().message());
  const int64_t t = group_.start_ms + test.eval_time_ms;
  absl::StatusOr<promql::QueryResult> result =
      engine_.InstantQuery(store_, **expr, t);
  if (!result.ok()) return fail(result.status().message());
  promql::promqltest::DropMarkedNames(result->value);
  std::vector<SampleInstance> got;
  if (const auto* v = std::get_if<promql::Vector>(&result->value)) {
    for (const promql::VectorSample& s : *v) got.push_back({s.metric, s.f});
  } else if (const auto* s = std::get_if<promql::Scalar>(&result->value)) {
    got.push_back({Labels(), s->v});
  } else {
    return fail("rule result is not a vector or scalar");
  }
  std::vector<SampleInstance> expected;
  for (const ExpectedSample& s : test.exp_samples) {
    absl::StatusOr<Labels> labels = ParseExpectedLabels(s.labels);
    if (!labels.ok()) {
      return fail(absl::StrCat("labels ", GoQuote(s.labels), ": ",
                               labels.status().message()));
    }
    expected.push_back({*std::move(labels), s.value});
  }
  std::optional<std::string> diff = DiffSamples(
      std::move(expected), std::move(got), file_.fuzzy_compare, kIndent);
  if (diff) {
    failures_.push_back(
        absl::StrCat(where, "\n", absl::StripTrailingAsciiWhitespace(*diff)));
  }
}

void GroupRun::MarkTested() {
  absl::flat_hash_set<std::string> alertnames;
  for (const AlertTestCase& t : group_.alert_rule_tests) {
    alertnames.insert(t.alertname);
  }
  absl::flat_hash_set<std::string> queried;
  for (const PromqlTestCase& t : group_.promql_expr_tests) {
    absl::StatusOr<promql::ExprPtr> expr = promql::ParseExpr(t.expr);
    if (!expr.ok()) continue;
    absl::flat_hash_set<std::string> names = SelectedNames(**expr);
    queried.insert(names.begin(), names.end());
  }
  std::vector<size_t> loaded;
  for (const auto& indexes : coverage_index_) {
    loaded.insert(loaded.end(), indexes.begin(), indexes.end());
  }
  coverage_->MarkTested(loaded, alertnames, queried);
}

std::vector<std::string> GroupRun::Run() {
  for (const AlertTestCase& t : group_.alert_rule_tests) {
    if (t.alertname.empty()) {
      return {absl::StrCat(file_.path, ":", t.line, ":", t.column,
                           ": an item under alert_rule_test misses required "
                           "attribute alertname at eval_time ",
                           Time(t.eval_time_ms))};
    }
  }
  absl::StatusOr<InputLoader> loader = InputLoader::Create(
      group_.input_series, group_.interval_ms, group_.start_ms, file_.path);
  if (!loader.ok()) return {std::string(loader.status().message())};
  MarkTested();

  int64_t max_eval = 0;
  std::vector<const AlertTestCase*> alert_tests;
  for (const AlertTestCase& t : group_.alert_rule_tests) {
    max_eval = std::max(max_eval, t.eval_time_ms);
    alert_tests.push_back(&t);
  }
  for (const PromqlTestCase& t : group_.promql_expr_tests) {
    max_eval = std::max(max_eval, t.eval_time_ms);
  }
  std::stable_sort(alert_tests.begin(), alert_tests.end(),
                   [](const AlertTestCase* a, const AlertTestCase* b) {
                     return a->eval_time_ms < b->eval_time_ms;
                   });
  const GroupContext ctx = MakeContext();
  const int64_t interval = file_.evaluation_interval_ms;
  size_t next_alert_test = 0;
  for (int64_t offset = 0; offset <= max_eval; offset += interval) {
    const int64_t ts = group_.start_ms + offset;
    // As promtool: samples that fail to load skip this evaluation only.
    if (absl::Status s = loader->AppendUntil(store_, ts); !s.ok()) {
      failures_.push_back(std::string(s.message()));
    } else if (!EvalAt(ts, ctx)) {
      return std::move(failures_);
    }
    // An alert test at eval_time sees the evaluation at or just before it.
    while (next_alert_test < alert_tests.size() &&
           alert_tests[next_alert_test]->eval_time_ms < offset + interval) {
      CheckAlerts(*alert_tests[next_alert_test++]);
    }
  }
  for (const PromqlTestCase& t : group_.promql_expr_tests) CheckExpression(t);
  return std::move(failures_);
}

}  // namespace

std::vector<std::string> RunTestGroup(
    const TestFile& file, const TestGroup& group,
    const std::vector<LoadedRuleFile>& rule_files, Coverage* coverage) {
  return GroupRun(file, group, rule_files, coverage).Run();
}

}  // namespace fraisier::rules::unittest
