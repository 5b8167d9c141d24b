#include "rules/lint/disable_comments.h"

#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace fraisier::rules::lint {
namespace {

constexpr char kFile[] = R"(# Fraisier rules.
# ruler disable file-wide-check
groups:
  # ruler disable group-check
  - name: g
    interval: 10m  # ruler disable interval-check
    rules:
      # Keep: the exporter names it so.
      # ruler disable above-a, other
      - alert: A
        expr: up == 0
        annotations:
          summary: "a # ruler disable quoted-check"
      - alert: B
        # ruler disable inside-b
        expr: up == 0   # ruler disable trailing-b

      - record: c
        expr: up
  - name: h
    rules:
      - record: d
        expr: up
)";

RuleFileSpec Spec() {
  // Positions as the loader reports them (line of the first key).
  RuleFileSpec spec;
  spec.path = "t.yml";
  RuleGroupSpec g;
  g.name = "g";
  g.line = 5;
  for (int line : {10, 14, 18}) {
    RuleSpec r;
    r.line = line;
    g.rules.push_back(r);
  }
  RuleGroupSpec h;
  h.name = "h";
  h.line = 20;
  RuleSpec d;
  d.line = 22;
  h.rules.push_back(d);
  spec.groups = {g, h};
  return spec;
}

TEST(DisableCommentsTest, AttachesCommentsByPosition) {
  RuleFileSpec spec = Spec();
  DisableComments d = DisableComments::Scan(kFile, spec);
  // The header applies everywhere.
  EXPECT_TRUE(d.Disabled("file-wide-check", 1, 0));
  EXPECT_TRUE(d.Disabled("file-wide-check", 0, -1));
  // Above a group, and on its own keys: the whole group.
  EXPECT_TRUE(d.Disabled("group-check", 0, -1));
  EXPECT_TRUE(d.Disabled("group-check", 0, 2));
  EXPECT_FALSE(d.Disabled("group-check", 1, 0));
  EXPECT_TRUE(d.Disabled("interval-check", 0, -1));
  EXPECT_TRUE(d.Disabled("interval-check", 0, 1));
  // The comment block directly above a rule, several ids.
  EXPECT_TRUE(d.Disabled("above-a", 0, 0));
  EXPECT_TRUE(d.Disabled("other", 0, 0));
  EXPECT_FALSE(d.Disabled("above-a", 0, 1));
  // Inside a rule, whole-line and trailing.
  EXPECT_TRUE(d.Disabled("inside-b", 0, 1));
  EXPECT_TRUE(d.Disabled("trailing-b", 0, 1));
  EXPECT_FALSE(d.Disabled("inside-b", 0, 2));
  // Inside a quoted string it is text, not a comment.
  EXPECT_FALSE(d.Disabled("quoted-check", 0, 0));

  std::vector<std::string> ids;
  for (const DisableId& id : d.ids()) ids.push_back(id.id);
  EXPECT_THAT(ids, ::testing::ElementsAre("file-wide-check", "group-check",
                                          "interval-check", "above-a", "other",
                                          "inside-b", "trailing-b"));
  EXPECT_EQ(d.ids()[3].line, 9);
}

TEST(DisableCommentsTest, OtherCommentsDoNothing) {
  RuleFileSpec spec = Spec();
  DisableComments d = DisableComments::Scan(
      "# ruler disabled x\n# ruler disablex y\ngroups: []\n", spec);
  EXPECT_FALSE(d.Disabled("x", 0, 0));
  EXPECT_TRUE(d.ids().empty());
}

}  // namespace
}  // namespace fraisier::rules::lint
