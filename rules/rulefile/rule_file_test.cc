#include "rules/rulefile/rule_file.h"

#include "engine/base/status_matchers.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace fraisier::rules {
namespace {

using ::testing::ElementsAre;
using ::testing::HasSubstr;
using ::testing::Pair;

constexpr absl::string_view kGood = R"(groups:
  - name: fraisier
    interval: 30s
    limit: 10
    labels:
      team: platform
    rules:
      - record: fraisier:deployments:rate5m
        expr: sum by (status) (rate(fraisier_deployments_total[5m]))
      - alert: HighDeploymentFailureRate
        expr: |
          sum(rate(fraisier_deployments_total{status="failed"}[5m]))
            / sum(rate(fraisier_deployments_total[5m])) > 0.1
        for: 5m
        keep_firing_for: 1m
        labels:
          severity: warning
        annotations:
          summary: "High deployment failure rate"
          description: "{{ $value | humanizePercentage }} of deployments fail"
  - name: nats
    rules:
      - alert: NatsConnectionLost
        expr: nats_varz_connections == 0
)";

TEST(RuleFileTest, ParsesGroupsAndRules) {
  absl::StatusOr<RuleFileSpec> file = ParseRuleFile(kGood, "rules.yml");
  ASSERT_TRUE(file.ok()) << file.status();
  ASSERT_EQ(file->groups.size(), 2u);
  EXPECT_EQ(file->num_rules(), 3);
  const RuleGroupSpec& g = file->groups[0];
  EXPECT_EQ(g.name, "fraisier");
  EXPECT_EQ(g.interval, absl::Seconds(30));
  EXPECT_EQ(g.limit, 10);
  EXPECT_THAT(g.labels, ElementsAre(Pair("team", "platform")));
  ASSERT_EQ(g.rules.size(), 2u);
  EXPECT_EQ(g.rules[0].record, "fraisier:deployments:rate5m");
  EXPECT_FALSE(g.rules[0].is_alert());
  ASSERT_NE(g.rules[0].parsed, nullptr);
  const RuleSpec& alert = g.rules[1];
  EXPECT_TRUE(alert.is_alert());
  EXPECT_EQ(alert.name(), "HighDeploymentFailureRate");
  EXPECT_EQ(alert.for_duration, absl::Minutes(5));
  EXPECT_EQ(alert.keep_firing_for, absl::Minutes(1));
  EXPECT_THAT(alert.labels, ElementsAre(Pair("severity", "warning")));
  EXPECT_THAT(alert.annotations,
              ElementsAre(Pair("summary", "High deployment failure rate"),
                          Pair("description",
                               "{{ $value | humanizePercentage }} of "
                               "deployments fail")));
  EXPECT_EQ(alert.line, 10);
  EXPECT_EQ(file->groups[1].interval, absl::ZeroDuration());
}

TEST(RuleFileTest, ReportsEveryErrorWithPositionAndContext) {
  constexpr absl::string_view kBad = R"(groups:
  - name: g
    rules:
      - record: bad-name
        expr: up
        for: 5m
        annotations: {a: b}
      - alert: X
        expr: sum(rate(x[5m]) by (job)
      - alert: Y
      - expr: up
      - record: r
        alert: A
        expr: up
      - alert: Z
        expr: up
        labels:
          __name__: x
          0bad: y
        forr: 1m
  - name: g
  - interval: 1m
)";
  absl::StatusOr<RuleFileSpec> file = ParseRuleFile(kBad, "bad.yml");
  ASSERT_FALSE(file.ok());
  EXPECT_EQ(file.status().code(), absl::StatusCode::kInvalidArgument);
  std::string msg(file.status().message());
  for (absl::string_view want : {
           "bad.yml:7:22: group \"g\", rule 1, \"bad-name\": invalid field "
           "'annotations' in recording rule",
           "bad.yml:6:14: group \"g\", rule 1, \"bad-name\": invalid field "
           "'for' in recording rule",
           "bad.yml:4:17: group \"g\", rule 1, \"bad-name\": invalid recording "
           "rule name: bad-name",
           "bad.yml:9:15: group \"g\", rule 2, \"X\": could not parse "
           "expression: 1:17: parse error: unexpected <by> in aggregation",
           "group \"g\", rule 3, \"Y\": field 'expr' must be set in rule",
           "bad.yml:11:9: group \"g\", rule 4, \"\": one of 'record' or "
           "'alert' must be set",
           "bad.yml:12:17: group \"g\", rule 5, \"A\": only one of 'record' "
           "and 'alert' must be set",
           "bad.yml:18:11: group \"g\", rule 6, \"Z\": invalid label name: "
           "__name__",
           "bad.yml:19:11: group \"g\", rule 6, \"Z\": invalid label name: "
           "0bad",
           "bad.yml:20:9: unknown field \"forr\" in rule",
           "bad.yml:21:11: groupname: \"g\" is repeated in the same file",
           "bad.yml:22:5: Groupname must not be empty",
       }) {
    EXPECT_THAT(msg, HasSubstr(want));
  }
}

TEST(RuleFileTest, TemplatesAreCheckedWhenAskedTo) {
  RuleFileOptions options;
  options.check_template = [](absl::string_view, absl::string_view text) {
    return text.find("{{ bad") != absl::string_view::npos
               ? absl::InvalidArgumentError("template: broken")
               : absl::OkStatus();
  };
  constexpr absl::string_view kText = R"(groups:
  - name: g
    rules:
      - alert: A
        expr: up == 0
        annotations:
          ok: "{{ $value }}"
          broken: "{{ bad"
)";
  EXPECT_THAT(ParseRuleFile(kText, "t.yml", options),
              fraisier::testing::StatusIs(
                  absl::StatusCode::kInvalidArgument,
                  "t.yml:8:19: group \"g\", rule 1, \"A\": template: broken"));
}

TEST(RuleFileTest, EmptyAndMalformedFiles) {
  absl::StatusOr<RuleFileSpec> empty = ParseRuleFile("", "e.yml");
  ASSERT_TRUE(empty.ok());
  EXPECT_EQ(empty->num_rules(), 0);
  EXPECT_THAT(ParseRuleFile("groups: {a: 1}\n", "m.yml").status().message(),
              HasSubstr("m.yml:1:9: groups must be a list"));
  EXPECT_THAT(
      ParseRuleFile("groups:\n  - name: [\n", "s.yml").status().message(),
      HasSubstr("s.yml:"));
  EXPECT_THAT(LoadRuleFile("/nonexistent/rules.yml").status().message(),
              HasSubstr("cannot read rule file"));
}

}  // namespace
}  // namespace fraisier::rules
