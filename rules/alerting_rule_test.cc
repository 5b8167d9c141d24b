#include "rules/alerting_rule.h"

#include "absl/strings/str_format.h"
#include "engine/base/status_matchers.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "promql/parser.h"

namespace fraisier::rules {
namespace {

using ::fraisier::testing::StatusIs;
using ::testing::ElementsAre;
using ::testing::IsEmpty;
using ::testing::Pair;

const absl::Time kT0 = absl::FromUnixSeconds(1'700'000'000);

RuleSpec Spec(absl::Duration for_duration,
              absl::Duration keep_firing_for = absl::ZeroDuration()) {
  RuleSpec spec;
  spec.alert = "HighErrorRate";
  spec.expr = "errors > 1";
  spec.parsed = promql::ParseExpr(spec.expr).value();
  spec.for_duration = for_duration;
  spec.keep_firing_for = keep_firing_for;
  spec.labels = {{"severity", "page"}};
  spec.annotations = {{"summary", "value is {{ $value }}"}};
  return spec;
}

// The query result the test controls.
struct FakeQuery {
  promql::Vector result;
  QueryFunc Func() {
    return [this](const promql::Expr&, absl::Time) {
      return absl::StatusOr<promql::Vector>(result);
    };
  }
  void Set(std::vector<std::pair<std::string, double>> series) {
    result.clear();
    for (const auto& [instance, v] : series) {
      result.push_back(
          {Labels::FromPairs({{"__name__", "errors"}, {"instance", instance}}),
           0, v, false});
    }
  }
};

std::string Describe(const promql::Vector& v) {
  std::string out;
  for (const auto& s : v) {
    absl::StrAppend(&out, s.metric.ToString(), "=",
                    absl::StrFormat("%.17g", s.f), ";");
  }
  return out;
}

TEST(AlertingRuleTest, PendingThenFiringThenResolvedAndForgotten) {
  AlertingRule rule(Spec(absl::Minutes(5)), {});
  FakeQuery q;
  q.Set({{"a", 3}});
  absl::StatusOr<promql::Vector> out = rule.Eval(kT0, q.Func(), nullptr, 0);
  ASSERT_TRUE(out.ok());
  EXPECT_EQ(Describe(*out),
            "{__name__=\"ALERTS\", alertname=\"HighErrorRate\", "
            "alertstate=\"pending\", instance=\"a\", severity=\"page\"}=1;"
            "{__name__=\"ALERTS_FOR_STATE\", alertname=\"HighErrorRate\", "
            "instance=\"a\", severity=\"page\"}=1700000000;");
  EXPECT_EQ(rule.State(), AlertState::kPending);

  for (int m = 1; m <= 4; ++m) {
    ASSERT_TRUE(rule.Eval(kT0 + absl::Minutes(m), q.Func(), nullptr, 0).ok());
    EXPECT_EQ(rule.State(), AlertState::kPending) << m;
  }
  out = rule.Eval(kT0 + absl::Minutes(5), q.Func(), nullptr, 0);
  EXPECT_EQ(rule.State(), AlertState::kFiring);
  EXPECT_THAT(Describe(*out), ::testing::HasSubstr("alertstate=\"firing\""));
  std::vector<Alert> alerts = rule.ActiveAlerts();
  ASSERT_EQ(alerts.size(), 1u);
  EXPECT_EQ(alerts[0].active_at, kT0);
  EXPECT_EQ(alerts[0].fired_at, kT0 + absl::Minutes(5));

  // The series goes away: resolved, nothing written, kept 15 minutes.
  q.Set({});
  const absl::Time resolved = kT0 + absl::Minutes(7);
  out = rule.Eval(resolved, q.Func(), nullptr, 0);
  EXPECT_THAT(*out, IsEmpty());
  alerts = rule.ActiveAlerts();
  ASSERT_EQ(alerts.size(), 1u);
  EXPECT_EQ(alerts[0].state, AlertState::kInactive);
  EXPECT_EQ(alerts[0].resolved_at, resolved);
  ASSERT_TRUE(
      rule.Eval(resolved + absl::Minutes(15), q.Func(), nullptr, 0).ok());
  EXPECT_EQ(rule.ActiveAlerts().size(), 1u);
  ASSERT_TRUE(
      rule.Eval(resolved + absl::Minutes(16), q.Func(), nullptr, 0).ok());
  EXPECT_THAT(rule.ActiveAlerts(), IsEmpty());
}

TEST(AlertingRuleTest, PendingAlertThatClearsIsDropped) {
  AlertingRule rule(Spec(absl::Minutes(5)), {});
  FakeQuery q;
  q.Set({{"a", 3}});
  ASSERT_TRUE(rule.Eval(kT0, q.Func(), nullptr, 0).ok());
  q.Set({});
  ASSERT_TRUE(rule.Eval(kT0 + absl::Minutes(1), q.Func(), nullptr, 0).ok());
  EXPECT_THAT(rule.ActiveAlerts(), IsEmpty());
  // It starts over when the series comes back.
  q.Set({{"a", 3}});
  ASSERT_TRUE(rule.Eval(kT0 + absl::Minutes(2), q.Func(), nullptr, 0).ok());
  EXPECT_EQ(rule.ActiveAlerts()[0].active_at, kT0 + absl::Minutes(2));
}

TEST(AlertingRuleTest, ZeroForFiresOnFirstEvaluation) {
  AlertingRule rule(Spec(absl::ZeroDuration()), {});
  FakeQuery q;
  q.Set({{"a", 3}, {"b", 4}});
  ASSERT_TRUE(rule.Eval(kT0, q.Func(), nullptr, 0).ok());
  EXPECT_EQ(rule.State(), AlertState::kFiring);
  EXPECT_EQ(rule.ActiveAlerts().size(), 2u);
}

TEST(AlertingRuleTest, KeepFiringFor) {
  AlertingRule rule(Spec(absl::ZeroDuration(), absl::Minutes(2)), {});
  FakeQuery q;
  q.Set({{"a", 3}});
  ASSERT_TRUE(rule.Eval(kT0, q.Func(), nullptr, 0).ok());
  q.Set({});
  absl::StatusOr<promql::Vector> out =
      rule.Eval(kT0 + absl::Minutes(1), q.Func(), nullptr, 0);
  EXPECT_EQ(rule.State(), AlertState::kFiring);
  EXPECT_EQ(out->size(), 2u);  // still written as firing
  ASSERT_TRUE(rule.Eval(kT0 + absl::Minutes(2), q.Func(), nullptr, 0).ok());
  EXPECT_EQ(rule.State(), AlertState::kFiring);  // 1m since it cleared
  ASSERT_TRUE(rule.Eval(kT0 + absl::Minutes(3), q.Func(), nullptr, 0).ok());
  EXPECT_EQ(rule.State(), AlertState::kInactive);
  EXPECT_EQ(rule.ActiveAlerts()[0].resolved_at, kT0 + absl::Minutes(3));
}

TEST(AlertingRuleTest, KeepFiringSinceResetsWhenTheSeriesReturns) {
  AlertingRule rule(Spec(absl::ZeroDuration(), absl::Minutes(2)), {});
  FakeQuery q;
  q.Set({{"a", 3}});
  ASSERT_TRUE(rule.Eval(kT0, q.Func(), nullptr, 0).ok());
  q.Set({});
  ASSERT_TRUE(rule.Eval(kT0 + absl::Minutes(1), q.Func(), nullptr, 0).ok());
  q.Set({{"a", 3}});
  ASSERT_TRUE(rule.Eval(kT0 + absl::Minutes(2), q.Func(), nullptr, 0).ok());
  q.Set({});
  ASSERT_TRUE(rule.Eval(kT0 + absl::Minutes(3), q.Func(), nullptr, 0).ok());
  ASSERT_TRUE(rule.Eval(kT0 + absl::Minutes(4), q.Func(), nullptr, 0).ok());
  EXPECT_EQ(rule.State(), AlertState::kFiring);
}

TEST(AlertingRuleTest, SendingFollowsResendDelayAndResolution) {
  AlertingRule rule(Spec(absl::Minutes(1)), {});
  FakeQuery q;
  q.Set({{"a", 3}});
  const absl::Duration interval = absl::Minutes(1);
  const absl::Duration resend = absl::Minutes(1);
  ASSERT_TRUE(rule.Eval(kT0, q.Func(), nullptr, 0).ok());
  EXPECT_THAT(rule.TakeAlertsToSend(kT0, resend, interval), IsEmpty());

  const absl::Time fired = kT0 + absl::Minutes(1);
  ASSERT_TRUE(rule.Eval(fired, q.Func(), nullptr, 0).ok());
  std::vector<Alert> sent = rule.TakeAlertsToSend(fired, resend, interval);
  ASSERT_EQ(sent.size(), 1u);
  EXPECT_EQ(sent[0].valid_until, fired + absl::Minutes(4));
  EXPECT_EQ(sent[0].fired_at, fired);

  // Exactly one resend delay later is not "after" it yet (Prometheus uses a
  // strict comparison), so resends come every other minute here.
  ASSERT_TRUE(rule.Eval(fired + absl::Minutes(1), q.Func(), nullptr, 0).ok());
  EXPECT_THAT(rule.TakeAlertsToSend(fired + absl::Minutes(1), resend, interval),
              IsEmpty());
  ASSERT_TRUE(rule.Eval(fired + absl::Minutes(2), q.Func(), nullptr, 0).ok());
  sent = rule.TakeAlertsToSend(fired + absl::Minutes(2), resend, interval);
  ASSERT_EQ(sent.size(), 1u);
  EXPECT_EQ(sent[0].valid_until, fired + absl::Minutes(6));

  // A longer group interval stretches validity.
  q.Set({});
  const absl::Time resolved = fired + absl::Minutes(2) + absl::Seconds(30);
  ASSERT_TRUE(rule.Eval(resolved, q.Func(), nullptr, 0).ok());
  sent = rule.TakeAlertsToSend(resolved, resend, absl::Minutes(5));
  ASSERT_EQ(sent.size(), 1u);
  EXPECT_EQ(sent[0].state, AlertState::kInactive);
  EXPECT_EQ(sent[0].resolved_at, resolved);
  EXPECT_EQ(sent[0].valid_until, resolved + absl::Minutes(20));
  // Resolved alerts keep being re-sent every resend delay while retained.
  EXPECT_THAT(
      rule.TakeAlertsToSend(resolved + absl::Seconds(30), resend, interval),
      IsEmpty());
  EXPECT_EQ(rule.TakeAlertsToSend(resolved + absl::Minutes(2), resend, interval)
                .size(),
            1u);
}

TEST(AlertingRuleTest, TemplatesAndAnnotationsUpdate) {
  RuleSpec spec = Spec(absl::Minutes(5));
  spec.labels = {{"severity", "{{ if gt $value 5.0 }}page{{ end }}"}};
  AlertingRule rule(spec, {{"team", "infra"}, {"severity", "low"}});
  ExpandFunc expand = [](absl::string_view text, const TemplateContext& ctx) {
    if (text == "value is {{ $value }}") {
      return absl::StrCat("value is ", ctx.value);
    }
    if (text == "{{ if gt $value 5.0 }}page{{ end }}") {
      return std::string(ctx.value > 5 ? "page" : "ticket");
    }
    return std::string(text);
  };
  FakeQuery q;
  q.Set({{"a", 3}});
  ASSERT_TRUE(rule.Eval(kT0, q.Func(), expand, 0).ok());
  std::vector<Alert> alerts = rule.ActiveAlerts();
  ASSERT_EQ(alerts.size(), 1u);
  EXPECT_EQ(alerts[0].labels.ToString(),
            "{alertname=\"HighErrorRate\", instance=\"a\", "
            "severity=\"ticket\", team=\"infra\"}");
  EXPECT_THAT(alerts[0].annotations,
              ElementsAre(Pair("summary", "value is 3")));
  q.Set({{"a", 4}});
  ASSERT_TRUE(rule.Eval(kT0 + absl::Minutes(1), q.Func(), expand, 0).ok());
  EXPECT_THAT(rule.ActiveAlerts()[0].annotations,
              ElementsAre(Pair("summary", "value is 4")));
  EXPECT_EQ(rule.ActiveAlerts()[0].value, 4);
}

TEST(AlertingRuleTest, DuplicateLabelSetsAreAnError) {
  AlertingRule rule(Spec(absl::ZeroDuration()), {});
  FakeQuery q;
  q.result.push_back(
      {Labels::FromPairs({{"__name__", "a"}, {"job", "x"}}), 0, 1, false});
  q.result.push_back(
      {Labels::FromPairs({{"__name__", "b"}, {"job", "x"}}), 0, 1, false});
  EXPECT_THAT(rule.Eval(kT0, q.Func(), nullptr, 0),
              StatusIs(absl::StatusCode::kInvalidArgument,
                       "vector contains metrics with the same labelset after "
                       "applying alert labels"));
}

TEST(AlertingRuleTest, LimitDropsEveryAlert) {
  AlertingRule rule(Spec(absl::ZeroDuration()), {});
  FakeQuery q;
  q.Set({{"a", 3}, {"b", 3}, {"c", 3}});
  EXPECT_THAT(rule.Eval(kT0, q.Func(), nullptr, 2),
              StatusIs(absl::StatusCode::kResourceExhausted,
                       "exceeded limit of 2 with 3 alerts"));
  EXPECT_THAT(rule.ActiveAlerts(), IsEmpty());
  EXPECT_TRUE(rule.Eval(kT0, q.Func(), nullptr, 3).ok());
}

TEST(AlertingRuleTest, QueryErrorsPropagate) {
  AlertingRule rule(Spec(absl::ZeroDuration()), {});
  QueryFunc failing = [](const promql::Expr&, absl::Time) {
    return absl::StatusOr<promql::Vector>(
        absl::DeadlineExceededError("query timed out"));
  };
  EXPECT_THAT(rule.Eval(kT0, failing, nullptr, 0),
              StatusIs(absl::StatusCode::kDeadlineExceeded));
}

}  // namespace
}  // namespace fraisier::rules
