#include "rules/manager.h"

#include <fstream>

#include "engine/base/clock.h"
#include "engine/storage/memory_storage.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "promql/engine.h"
#include "rules/rule_query.h"

namespace fraisier::rules {
namespace {

using ::testing::HasSubstr;

const absl::Time kT0 = absl::FromUnixSeconds(1'700'000'000);

std::string WriteFile(const std::string& name, const std::string& text) {
  std::string path = ::testing::TempDir() + "/" + name;
  std::ofstream(path) << text;
  return path;
}

class ManagerTest : public ::testing::Test {
 protected:
  ManagerTest() : clock_(kT0) {
    ManagerOptions options;
    options.clock = &clock_;
    options.context.store = &store_;
    options.context.query = EngineQueryFunc(engine_, store_);
    manager_ = std::make_unique<Manager>(options);
  }

  void Up(absl::Time t, double v) {
    auto app = store_.NewAppender();
    ASSERT_TRUE(app->Append(0, Labels::FromPairs({{"__name__", "up"}}),
                            absl::ToUnixMillis(t), v)
                    .ok());
    ASSERT_TRUE(app->Commit().ok());
  }

  FakeClock clock_;
  storage::MemoryStorage store_;
  promql::Engine engine_{promql::EngineOptions{}};
  std::unique_ptr<Manager> manager_;
};

constexpr char kDown[] = R"(groups:
  - name: availability
    interval: 10s
    rules:
      - alert: Down
        expr: up == 0
        for: 30s
)";

TEST_F(ManagerTest, EvaluatesOnScheduleAndCountsMissedIterations) {
  std::string path = WriteFile("down.yml", kDown);
  ASSERT_TRUE(manager_->Update(absl::Minutes(1), {path}).ok());
  ASSERT_EQ(manager_->groups().size(), 1u);
  Group& g = *manager_->groups()[0];
  Up(kT0, 0);
  manager_->EvaluateDue(kT0);  // before the group's first slot: maybe none
  const int64_t before = g.evaluations();
  manager_->EvaluateDue(kT0 + absl::Seconds(10));
  EXPECT_EQ(g.evaluations(), before + 1);
  manager_->EvaluateDue(kT0 + absl::Seconds(10));  // same slot: nothing
  EXPECT_EQ(g.evaluations(), before + 1);
  // Three intervals pass at once: one evaluation, two missed.
  manager_->EvaluateDue(kT0 + absl::Seconds(40));
  EXPECT_EQ(g.evaluations(), before + 2);
  EXPECT_EQ(g.missed_iterations.load(), 2);
}

TEST_F(ManagerTest, ReloadKeepsStateAndBadFilesKeepTheOldRules) {
  std::string path = WriteFile("reload.yml", kDown);
  ASSERT_TRUE(manager_->Update(absl::Minutes(1), {path}).ok());
  Up(kT0, 0);
  manager_->EvaluateDue(kT0 + absl::Seconds(10));
  auto& rule = std::get<0>(manager_->groups()[0]->rules()[0]);
  ASSERT_EQ(rule->State(), AlertState::kPending);
  const absl::Time active_at = rule->ActiveAlerts()[0].active_at;

  // Unchanged rule after a reload: same alert, same activeAt.
  ASSERT_TRUE(manager_->Update(absl::Minutes(1), {path}).ok());
  auto& reloaded = std::get<0>(manager_->groups()[0]->rules()[0]);
  ASSERT_EQ(reloaded->ActiveAlerts().size(), 1u);
  EXPECT_EQ(reloaded->ActiveAlerts()[0].active_at, active_at);

  // A broken file: the error names it, the running rules stay.
  WriteFile("reload.yml",
            "groups:\n  - name: x\n    rules:\n"
            "      - alert: A\n        expr: up ==\n");
  absl::Status s = manager_->Update(absl::Minutes(1), {path});
  EXPECT_FALSE(s.ok());
  EXPECT_THAT(s.message(), HasSubstr("reload.yml:5:15"));
  EXPECT_EQ(manager_->groups()[0]->name(), "availability");
}

}  // namespace
}  // namespace fraisier::rules
