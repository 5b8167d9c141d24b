#include "rules/lint/output_labels.h"

#include <string>

#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "promql/parser.h"

namespace fraisier::rules::lint {
namespace {

OutputLabels Of(const std::string& text) {
  absl::StatusOr<promql::ExprPtr> e = promql::ParseExpr(text);
  EXPECT_TRUE(e.ok()) << text << ": " << e.status();
  if (!e.ok()) return OutputLabels::Any();
  return OutputLabelsOf(**e);
}

struct Case {
  std::string expr;
  std::string label;
  bool may_have;
};

TEST(OutputLabelsTest, WhatEachOperatorKeeps) {
  const Case cases[] = {
      {"up", "instance", true},
      {"rate(x_total[5m])", "instance", true},
      {"sum(up)", "job", false},
      {"sum by (job) (up)", "job", true},
      {"sum by (job) (up)", "instance", false},
      {"sum without (instance) (up)", "instance", false},
      {"sum without (instance) (up)", "job", true},
      {"max by (job, env) (sum by (job) (up))", "env", false},
      {"max by (job, env) (sum by (job) (up))", "job", true},
      {"topk(3, sum by (job) (up))", "instance", false},
      {"topk by (job) (3, up)", "instance", true},
      {"count_values(\"version\", build_info)", "version", true},
      {"count_values(\"version\", build_info)", "job", false},
      {"label_replace(sum(up), \"dst\", \"$1\", \"src\", \"(.*)\")", "dst",
       true},
      {"label_replace(sum(up), \"dst\", \"$1\", \"src\", \"(.*)\")", "job",
       false},
      {"absent(up{job=\"a\", env=~\"p.*\"})", "job", true},
      {"absent(up{job=\"a\", env=~\"p.*\"})", "env", false},
      {"absent_over_time(up{job=\"a\"}[5m])", "job", true},
      {"vector(1)", "job", false},
      {"histogram_quantile(0.9, rate(x_bucket[5m]))", "le", false},
      {"histogram_quantile(0.9, rate(x_bucket[5m]))", "job", true},
      {"sum by (job) (up) > 0", "instance", false},
      {"sum by (job) (up) > bool 0", "instance", false},
      {"2 * sum by (job) (up)", "instance", false},
      {"up / on (job) sum by (job) (up)", "instance", false},
      {"up / on (job) sum by (job) (up)", "job", true},
      {"up / ignoring (instance) up", "instance", false},
      {"up * on (job) group_left (team) team_info", "instance", true},
      {"sum by (job) (up) * on (job) group_left (team) team_info", "team",
       true},
      {"sum by (job) (up) * on (job) group_left (team) team_info", "instance",
       false},
      {"team_info * on (job) group_right (x) sum by (job) (up)", "instance",
       false},
      {"sum by (job) (up) and on (job) up", "instance", false},
      {"sum by (job) (up) unless up", "instance", false},
      {"sum by (job) (up) or sum by (env) (up)", "env", true},
      {"sum by (job) (up) or sum by (env) (up)", "instance", false},
      {"sum by (job) (up) or up", "instance", true},
      {"sum without (a) (up) or sum without (a, b) (up)", "a", false},
      {"sum without (a) (up) or sum without (a, b) (up)", "b", true},
      {"(sum by (job) (up))", "instance", false},
      {"-sum by (job) (up)", "instance", false},
      {"max_over_time(sum by (job) (up)[5m:1m])", "instance", false},
      {"abs(sum by (job) (up))", "instance", false},
  };
  for (const Case& c : cases) {
    EXPECT_EQ(Of(c.expr).MayHave(c.label), c.may_have)
        << c.expr << " / " << c.label;
  }
}

TEST(OutputLabelsTest, ExplainsWhyALabelIsMissing) {
  EXPECT_EQ(Of("sum by (job, env) (up)").WhyNot("instance"),
            "the result can only have the labels env, job (after `sum by "
            "(job, env)`)");
  EXPECT_EQ(Of("sum(up)").WhyNot("job"),
            "the result has no labels (after `sum()`)");
  EXPECT_EQ(Of("sum without (instance) (up)").WhyNot("instance"),
            "`sum without (instance)` removes it");
  EXPECT_EQ(Of("up / on (job) up").WhyNot("instance"),
            "the result can only have the labels job (after `on (job)`)");
  EXPECT_EQ(Of("vector(1)").WhyNot("job"),
            "the result has no labels (after `vector()`)");
}

}  // namespace
}  // namespace fraisier::rules::lint
