#include "rules/template_expander.h"

#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace fraisier::rules {
namespace {

using ::testing::HasSubstr;

const absl::Time kT0 = absl::FromUnixSeconds(1'700'000'000);

TEST(TemplateExpanderTest, ExpandsWithLabelsValueExternalsAndQueries) {
  QueryFunc query = [](const promql::Expr&, absl::Time ts) {
    EXPECT_EQ(ts, kT0);
    return absl::StatusOr<promql::Vector>(promql::Vector{
        {Labels::FromPairs({{"instance", "db1"}}), 0, 42, false}});
  };
  ExpandFunc expand = MakeTemplateExpander(
      [] {
        return ExpanderSettings{Labels::FromPairs({{"cluster", "eu"}}),
                                "http://ruler:9099"};
      },
      query);
  const Labels labels = Labels::FromPairs({{"instance", "api-1"}});
  TemplateContext ctx{"HighLatency", &labels, 1234567.0, kT0};
  EXPECT_EQ(expand("{{ $labels.instance }} at {{ $value | humanize }} in "
                   "{{ $externalLabels.cluster }} ({{ $externalURL }})",
                   ctx),
            "api-1 at 1.235M in eu (http://ruler:9099)");
  EXPECT_EQ(expand("{{ $value }}", ctx), "1.234567e+06");
  EXPECT_EQ(
      expand("{{ with query \"up\" }}{{ . | first | value }}{{ end }}", ctx),
      "42");
  EXPECT_EQ(expand("plain text", ctx), "plain text");
  // A failing template stores Prometheus's error text instead.
  EXPECT_THAT(expand("{{ humanize \"x\" }}", ctx),
              HasSubstr("error executing template __alert_HighLatency"));
}

TEST(TemplateExpanderTest, CheckReportsParseErrors) {
  EXPECT_TRUE(CheckTemplate("A", "{{ $value }}").ok());
  absl::Status s = CheckTemplate("A", "{{ nope }}");
  EXPECT_FALSE(s.ok());
  EXPECT_THAT(s.message(), HasSubstr("template: __alert_A:1: function "
                                     "\"nope\" not defined"));
}

}  // namespace
}  // namespace fraisier::rules
