#include "rules/notifier/from_rules.h"

#include <vector>

#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace fraisier::notifier {
namespace {

TEST(FromRuleAlertsTest, FiringAndResolved) {
  const absl::Time t = absl::FromUnixSeconds(1795496400);
  rules::Alert firing;
  firing.state = rules::AlertState::kFiring;
  firing.labels = Labels::FromPairs({{"alertname", "A"}, {"job", "x"}});
  firing.annotations = {{"summary", "s"}};
  firing.active_at = t - absl::Minutes(5);
  firing.fired_at = t - absl::Minutes(2);
  firing.valid_until = t + absl::Minutes(4);
  rules::Alert resolved = firing;
  resolved.state = rules::AlertState::kInactive;
  resolved.resolved_at = t - absl::Seconds(10);

  const std::vector<Alert> out =
      FromRuleAlerts({firing, resolved}, "up == 0", "http://ruler:9099/");
  ASSERT_EQ(out.size(), 2u);
  EXPECT_EQ(out[0].labels, firing.labels);
  EXPECT_EQ(out[0].annotations, firing.annotations);
  EXPECT_EQ(out[0].starts_at, t - absl::Minutes(2));
  EXPECT_EQ(out[0].ends_at, t + absl::Minutes(4));
  EXPECT_EQ(out[0].generator_url,
            "http://ruler:9099/graph?g0.expr=up+%3D%3D+0&g0.tab=1");
  EXPECT_EQ(out[1].starts_at, t - absl::Minutes(2));
  EXPECT_EQ(out[1].ends_at, t - absl::Seconds(10));
}

}  // namespace
}  // namespace fraisier::notifier
