#include "rules/lint/template_refs.h"

#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace fraisier::rules::lint {
namespace {

using ::testing::ElementsAre;
using ::testing::IsEmpty;

TEST(TemplateLabelRefsTest, FindsEveryWayToReadALabel) {
  EXPECT_THAT(TemplateLabelRefs("{{ $labels.instance }} is down"),
              ElementsAre("instance"));
  EXPECT_THAT(TemplateLabelRefs("{{ .Labels.job }}/{{ $labels.job }}"),
              ElementsAre("job"));
  EXPECT_THAT(TemplateLabelRefs("{{ index $labels \"pod\" }}"),
              ElementsAre("pod"));
  EXPECT_THAT(TemplateLabelRefs("{{ index .Labels \"pod\" }}"),
              ElementsAre("pod"));
  EXPECT_THAT(
      TemplateLabelRefs("{{ if eq $labels.env \"prod\" }}{{ $labels.team }}"
                        "{{ else }}{{ $labels.owner | toUpper }}{{ end }}"),
      ElementsAre("env", "team", "owner"));
  EXPECT_THAT(TemplateLabelRefs("{{ printf \"%s\" ($labels.a) }}"),
              ElementsAre("a"));
}

TEST(TemplateLabelRefsTest, IgnoresWhatIsNotTheAlertsLabels) {
  EXPECT_THAT(TemplateLabelRefs("no actions, $labels.instance"), IsEmpty());
  EXPECT_THAT(TemplateLabelRefs("{{ $value }} {{ $externalLabels.x }}"),
              IsEmpty());
  // Inside range/with the dot is something else.
  EXPECT_THAT(TemplateLabelRefs(
                  "{{ range query \"up\" }}{{ .Labels.instance }}{{ end }}"),
              IsEmpty());
  EXPECT_THAT(TemplateLabelRefs("{{ with $labels.a }}{{ .Labels.b }}{{ end }}"),
              ElementsAre("a"));
  // $labels rebound: no longer the alert's labels.
  EXPECT_THAT(
      TemplateLabelRefs("{{ $labels := .ExternalLabels }}{{ $labels.x }}"),
      IsEmpty());
  EXPECT_THAT(TemplateLabelRefs("{{ $labels.instance "), IsEmpty());
}

}  // namespace
}  // namespace fraisier::rules::lint
