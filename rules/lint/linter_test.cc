// The linter: ids, severities, locations, ordering and disable comments.
#include "rules/lint/linter.h"

#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "rules/lint/lint_test_util.h"
#include "rules/rulefile/rule_file.h"

namespace fraisier::rules::lint {
namespace {

using ::testing::ElementsAre;
using ::testing::IsEmpty;

TEST(RegistryTest, IdsAreUniqueAndEachCheckHasOneFunction) {
  std::set<std::string> ids;
  for (const CheckDef& def : AllChecks()) {
    EXPECT_TRUE(ids.insert(std::string(def.id)).second) << def.id;
    int functions =
        (def.rule != nullptr) + (def.group != nullptr) + (def.run != nullptr);
    EXPECT_EQ(functions, 1) << def.id;
    EXPECT_EQ(FindCheck(def.id), &def);
  }
  EXPECT_EQ(ids.size(), 15u);
  EXPECT_EQ(FindCheck("nope"), nullptr);
}

constexpr char kRules[] = R"(# ruler disable regex-is-equality
groups:
  - name: g
    rules:
      - alert: Raw
        expr: up{job=~"a"}
      # The exporter really does count in foo_bytes.
      # ruler disable rate-on-non-counter
      - record: r1
        expr: rate(foo_bytes[5m])
      - record: r2
        expr: rate(foo_bytes[5m])  # ruler disable rate-on-non-counter, nope
      - record: r3
        expr: rate(foo_bytes[5m])
)";

TEST(LinterTest, DisableCommentsAndOrder) {
  std::vector<Finding> f = LintYaml(kRules);
  EXPECT_THAT(IdsAndRules(f),
              ElementsAre("alert-no-comparison Raw", "disable-unknown-check ",
                          "rate-on-non-counter r3"));
  EXPECT_EQ(f[0].file, "t.yml");
  EXPECT_EQ(f[0].line, 5);
  EXPECT_EQ(f[0].column, 9);
  EXPECT_EQ(f[0].group, "g");
  EXPECT_EQ(f[0].severity, Severity::kWarning);
  EXPECT_EQ(f[1].line, 12);
  EXPECT_EQ(f[1].message,
            "`# ruler disable nope` names no check, so it disables nothing; "
            "see `ruler check rules --help` for the ids");
}

TEST(LinterTest, OnlyTheChecksAskedFor) {
  absl::StatusOr<RuleFileSpec> spec = ParseRuleFile(kRules, "t.yml");
  ASSERT_TRUE(spec.ok());
  std::vector<Finding> f = LintFiles({{&*spec, kRules}}, LintOptions{},
                                     {FindCheck("alert-no-comparison")});
  EXPECT_THAT(IdsAndRules(f),
              ElementsAre("alert-no-comparison Raw", "disable-unknown-check "));
  EXPECT_THAT(
      LintFiles({{&*spec, kRules}}, LintOptions{}, {}),
      ElementsAre(::testing::Field(&Finding::check, "disable-unknown-check")));
}

TEST(LinterTest, DuplicatesAcrossFiles) {
  std::string a = RecordYaml("sum(up)");
  absl::StatusOr<RuleFileSpec> one = ParseRuleFile(a, "one.yml");
  absl::StatusOr<RuleFileSpec> two = ParseRuleFile(a, "two.yml");
  ASSERT_TRUE(one.ok() && two.ok());
  std::vector<Finding> f =
      LintFiles({{&*one, a}, {&*two, a}}, LintOptions{}, AllCheckPtrs());
  ASSERT_EQ(f.size(), 1u);
  EXPECT_EQ(f[0].file, "two.yml");
  EXPECT_EQ(f[0].severity, Severity::kWarning);
  EXPECT_EQ(f[0].message,
            "duplicate of the rule at one.yml:4 (group \"g\"): same name, "
            "expression and labels, so both write the same series (or the "
            "same alerts); remove one");
}

TEST(LinterTest, CleanRulesHaveNoFindings) {
  std::string yaml = R"(groups:
  - name: fraisier
    interval: 1m
    rules:
      - record: job:fraisier_requests:rate5m
        expr: sum by (job) (rate(fraisier_requests_total[5m]))
      - alert: HighErrorRatio
        expr: |
          sum by (job) (rate(fraisier_errors_total[5m]))
            / sum by (job) (rate(fraisier_requests_total[5m])) > 0.05
        for: 10m
        labels:
          severity: page
        annotations:
          summary: "{{ $labels.job }}: {{ $value | humanizePercentage }}"
      - alert: Latency
        expr: |
          histogram_quantile(0.95,
            sum by (le, job) (rate(fraisier_request_duration_seconds_bucket[5m]))) > 1
        for: 5m
      - alert: TargetMissing
        expr: absent(up{job="fraisier"})
        for: 5m
)";
  EXPECT_THAT(LintYaml(yaml), IsEmpty());
}

}  // namespace
}  // namespace fraisier::rules::lint
