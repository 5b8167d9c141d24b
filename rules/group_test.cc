#include "rules/group.h"

#include "absl/strings/str_format.h"
#include "engine/model/value.h"
#include "engine/storage/memory_storage.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "promql/engine.h"
#include "promql/parser.h"
#include "rules/rule_query.h"
#include "rules/rulefile/rule_file.h"

namespace fraisier::rules {
namespace {

using ::testing::ElementsAre;
using ::testing::HasSubstr;
using ::testing::IsEmpty;

const absl::Time kT0 = absl::FromUnixSeconds(1'700'000'000);

class GroupTest : public ::testing::Test {
 protected:
  void Load(absl::string_view yaml) {
    absl::StatusOr<RuleFileSpec> file = ParseRuleFile(yaml, "rules.yml");
    ASSERT_TRUE(file.ok()) << file.status();
    group_ =
        std::make_unique<Group>(file->groups[0], "rules.yml", absl::Minutes(1));
    ctx_.store = &store_;
    ctx_.query = EngineQueryFunc(engine_, store_);
    ctx_.notify = [this](const AlertingRule&, std::vector<Alert> alerts) {
      for (Alert& a : alerts) sent_.push_back(std::move(a));
    };
  }

  void Write(absl::string_view metric, absl::string_view job, absl::Time t,
             double v) {
    auto app = store_.NewAppender();
    ASSERT_TRUE(
        app->Append(0, Labels::FromPairs({{"__name__", metric}, {"job", job}}),
                    absl::ToUnixMillis(t), v)
            .ok());
    ASSERT_TRUE(app->Commit().ok());
  }

  // The value of `query` at `t`, or "none".
  std::string Value(absl::string_view query, absl::Time t) {
    absl::StatusOr<promql::ExprPtr> expr = promql::ParseExpr(query);
    if (!expr.ok()) return "parse error";
    absl::StatusOr<promql::QueryResult> r =
        engine_.InstantQuery(store_, **expr, absl::ToUnixMillis(t));
    if (!r.ok()) return std::string(r.status().message());
    auto* v = std::get_if<promql::Vector>(&r->value);
    if (v == nullptr || v->empty()) return "none";
    std::string out;
    for (const auto& s : *v) {
      absl::StrAppend(&out, out.empty() ? "" : " ", s.metric.ToString(), "=",
                      absl::StrFormat("%.17g", s.f));
    }
    return out;
  }

  storage::MemoryStorage store_;
  promql::Engine engine_{promql::EngineOptions{}};
  std::unique_ptr<Group> group_;
  GroupContext ctx_;
  std::vector<Alert> sent_;
};

TEST_F(GroupTest, LaterRulesSeeEarlierResultsOfTheSameCycle) {
  Load(R"(groups:
  - name: g
    rules:
      - record: job:errors:sum
        expr: sum by (job) (errors)
      - alert: ManyErrors
        expr: job:errors:sum > 5
        labels: {severity: page}
)");
  Write("errors", "api", kT0 - absl::Seconds(10), 4);
  Write("errors", "db", kT0 - absl::Seconds(10), 9);
  group_->Eval(kT0, ctx_);
  EXPECT_EQ(Value("job:errors:sum", kT0),
            "{__name__=\"job:errors:sum\", job=\"api\"}=4 "
            "{__name__=\"job:errors:sum\", job=\"db\"}=9");
  EXPECT_EQ(Value("ALERTS", kT0),
            "{__name__=\"ALERTS\", alertname=\"ManyErrors\", "
            "alertstate=\"firing\", job=\"db\", severity=\"page\"}=1");
  ASSERT_EQ(sent_.size(), 1u);
  EXPECT_EQ(sent_[0].labels.ToString(),
            "{alertname=\"ManyErrors\", job=\"db\", severity=\"page\"}");
  EXPECT_EQ(group_->health(0).health, "ok");
  EXPECT_EQ(group_->health(1).health, "ok");
  EXPECT_EQ(group_->evaluations(), 1);
}

TEST_F(GroupTest, SeriesThatDisappearGetStaleMarkers) {
  Load(R"(groups:
  - name: g
    rules:
      - record: up:copy
        expr: up
)");
  Write("up", "a", kT0 - absl::Seconds(5), 1);
  Write("up", "b", kT0 - absl::Seconds(5), 1);
  group_->Eval(kT0, ctx_);
  // Target b goes away (its scrape writes a stale marker); a keeps going.
  Write("up", "a", kT0 + absl::Seconds(55), 1);
  Write("up", "b", kT0 + absl::Seconds(30), StaleNaN());
  const absl::Time t1 = kT0 + absl::Minutes(1);
  group_->Eval(t1, ctx_);
  EXPECT_EQ(Value("up:copy", kT0),
            "{__name__=\"up:copy\", job=\"a\"}=1 "
            "{__name__=\"up:copy\", job=\"b\"}=1");
  // Without the rule's stale marker, b would linger for 5 minutes.
  EXPECT_EQ(Value("up:copy", t1 + absl::Seconds(1)),
            "{__name__=\"up:copy\", job=\"a\"}=1");
}

TEST_F(GroupTest, ErrorsAreRecordedPerRule) {
  Load(R"(groups:
  - name: g
    rules:
      - record: dup
        expr: label_replace(up, "job", "x", "", "")
      - record: fine
        expr: vector(1)
)");
  Write("up", "a", kT0 - absl::Seconds(5), 1);
  Write("up", "b", kT0 - absl::Seconds(5), 1);
  group_->Eval(kT0, ctx_);
  EXPECT_EQ(group_->health(0).health, "err");
  EXPECT_THAT(
      group_->health(0).last_error,
      HasSubstr("vector cannot contain metrics with the same labelset"));
  EXPECT_EQ(group_->health(1).health, "ok");
  EXPECT_EQ(Value("fine", kT0), "{__name__=\"fine\"}=1");
  EXPECT_EQ(group_->failures(), 1);
}

TEST_F(GroupTest, QueryOffsetShiftsQueryAndWriteTime) {
  Load(R"(groups:
  - name: g
    query_offset: 1m
    rules:
      - record: copy
        expr: up
)");
  Write("up", "a", kT0 - absl::Minutes(1) - absl::Seconds(1), 7);
  group_->Eval(kT0, ctx_);
  EXPECT_EQ(Value("timestamp(copy)", kT0),
            absl::StrCat("{job=\"a\"}=", absl::ToUnixSeconds(kT0) - 60));
}

TEST_F(GroupTest, HotReloadKeepsAlertState) {
  constexpr absl::string_view kRules = R"(groups:
  - name: g
    rules:
      - alert: Down
        expr: up == 0
        for: 5m
)";
  Load(kRules);
  Write("up", "a", kT0 - absl::Seconds(5), 0);
  group_->Eval(kT0, ctx_);
  ASSERT_EQ(std::get<0>(group_->rules()[0])->State(), AlertState::kPending);
  std::unique_ptr<Group> old = std::move(group_);
  Load(kRules);
  group_->CopyStateFrom(*old);
  auto& rule = std::get<0>(group_->rules()[0]);
  ASSERT_EQ(rule->ActiveAlerts().size(), 1u);
  EXPECT_EQ(rule->ActiveAlerts()[0].active_at, kT0);
}

// ALERTS_FOR_STATE as a previous run wrote it.
void WriteForState(storage::MemoryStorage& store, absl::string_view job,
                   absl::Time sample_time, absl::Time active_at) {
  auto app = store.NewAppender();
  ASSERT_TRUE(app->Append(0,
                          Labels::FromPairs({{"__name__", "ALERTS_FOR_STATE"},
                                             {"alertname", "Down"},
                                             {"job", job}}),
                          absl::ToUnixMillis(sample_time),
                          static_cast<double>(absl::ToUnixSeconds(active_at)))
                  .ok());
  ASSERT_TRUE(app->Commit().ok());
}

TEST_F(GroupTest, RestoresForStateAfterARestart) {
  Load(R"(groups:
  - name: g
    rules:
      - alert: Down
        expr: up == 0
        for: 30m
)");
  ctx_.queryable = &store_;
  // a: was pending 38 of 30 minutes when the process went down.
  WriteForState(store_, "a", kT0 - absl::Minutes(2), kT0 - absl::Minutes(40));
  // b: 5 minutes pending, down 5 minutes: the downtime does not count.
  WriteForState(store_, "b", kT0 - absl::Minutes(5), kT0 - absl::Minutes(10));
  // c: 24 of 30 minutes: waits the 10-minute grace period.
  WriteForState(store_, "c", kT0 - absl::Minutes(1), kT0 - absl::Minutes(25));
  for (absl::string_view job : {"a", "b", "c", "d"}) {
    Write("up", job, kT0 - absl::Seconds(5), 0);
  }
  group_->RequestRestore();
  group_->Eval(kT0, ctx_);
  auto& rule = std::get<0>(group_->rules()[0]);
  std::vector<Alert> alerts = rule->ActiveAlerts();
  ASSERT_EQ(alerts.size(), 4u);
  // Sorted by labels: a, b, c, d.
  EXPECT_EQ(alerts[0].state, AlertState::kFiring);  // no pending blip
  EXPECT_EQ(alerts[0].active_at, kT0 - absl::Minutes(40));
  EXPECT_EQ(alerts[1].state, AlertState::kPending);
  EXPECT_EQ(alerts[1].active_at, kT0 - absl::Minutes(5));
  EXPECT_EQ(alerts[2].state, AlertState::kPending);
  EXPECT_EQ(alerts[2].active_at, kT0 - absl::Minutes(20));
  EXPECT_EQ(alerts[3].active_at, kT0);  // nothing to restore
  EXPECT_EQ(Value("ALERTS{job=\"a\"}", kT0),
            "{__name__=\"ALERTS\", alertname=\"Down\", "
            "alertstate=\"firing\", job=\"a\"}=1");

  // Restoring happens once: the next evaluation keeps the times.
  for (absl::string_view job : {"a", "b", "c", "d"}) {
    Write("up", job, kT0 + absl::Minutes(10) - absl::Seconds(5), 0);
  }
  group_->Eval(kT0 + absl::Minutes(10), ctx_);
  alerts = rule->ActiveAlerts();
  ASSERT_EQ(alerts.size(), 4u);
  EXPECT_EQ(alerts[2].state, AlertState::kFiring);  // grace period over
  EXPECT_EQ(alerts[3].active_at, kT0);
}

TEST(NextEvaluationTimeTest, SpreadsGroupsAndStaysOnTheirGrid) {
  const absl::Time now = kT0 + absl::Seconds(7);
  absl::Time a = NextEvaluationTime(now, absl::Minutes(1), "a", "f.yml");
  absl::Time b = NextEvaluationTime(now, absl::Minutes(1), "b", "f.yml");
  EXPECT_GE(a, now);
  EXPECT_LT(a, now + absl::Minutes(1));
  EXPECT_NE(a, b);
  // The same group's later times are whole intervals apart.
  absl::Time a2 =
      NextEvaluationTime(a + absl::Seconds(1), absl::Minutes(1), "a", "f.yml");
  EXPECT_EQ(a2 - a, absl::Minutes(1));
  EXPECT_EQ(NextEvaluationTime(a, absl::Minutes(1), "a", "f.yml"), a);
}

}  // namespace
}  // namespace fraisier::rules
