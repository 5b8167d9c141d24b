#include "engine/api/rules_api.h"

#include <fstream>

#include "engine/base/clock.h"
#include "engine/storage/memory_storage.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "promql/engine.h"
#include "rules/rule_query.h"

namespace fraisier::api {
namespace {

using ::testing::HasSubstr;

const absl::Time kT0 = absl::FromUnixSeconds(1'700'000'000);

TEST(GoFormatsTest, TimesAndExponentFloats) {
  EXPECT_EQ(GoTimeJson(kT0), "2023-11-14T22:13:20Z");
  EXPECT_EQ(GoTimeJson(kT0 + absl::Milliseconds(120)),
            "2023-11-14T22:13:20.12Z");
  EXPECT_EQ(GoTimeJson(absl::Time()), "0001-01-01T00:00:00Z");
  EXPECT_EQ(GoExponentFloat(1), "1e+00");
  EXPECT_EQ(GoExponentFloat(123.456), "1.23456e+02");
  EXPECT_EQ(GoExponentFloat(1000000), "1e+06");
  EXPECT_EQ(GoExponentFloat(0.1), "1e-01");
  EXPECT_EQ(GoExponentFloat(-2.5e-300), "-2.5e-300");
  EXPECT_EQ(GoExponentFloat(0), "0e+00");
  EXPECT_EQ(GoExponentFloat(std::nan("")), "NaN");
  EXPECT_EQ(GoExponentFloat(-INFINITY), "-Inf");
}

class RulesApiTest : public ::testing::Test {
 protected:
  RulesApiTest() : clock_(kT0) {
    rules::ManagerOptions options;
    options.clock = &clock_;
    options.context.store = &store_;
    options.context.query = rules::EngineQueryFunc(engine_, store_);
    manager_ = std::make_unique<rules::Manager>(options);
    path_ = ::testing::TempDir() + "/api_rules.yml";
    std::ofstream(path_) << R"(groups:
  - name: avail
    interval: 10s
    rules:
      - alert: InstanceDown
        expr: up == 0
        for: 0s
        labels: {severity: page}
        annotations: {summary: "down"}
      - record: job:up:sum
        expr: sum by(job)(up)
)";
    EXPECT_TRUE(manager_->Update(absl::Minutes(1), {path_}).ok());
    auto app = store_.NewAppender();
    EXPECT_TRUE(app->Append(0,
                            Labels::FromPairs({{"__name__", "up"},
                                               {"instance", "i1"},
                                               {"job", "node"}}),
                            absl::ToUnixMillis(kT0), 0)
                    .ok());
    EXPECT_TRUE(app->Commit().ok());
    manager_->groups()[0]->Eval(kT0, options.context);
    for (ExtraHandler& h : RulesHandlers(manager_.get()))
      handlers_.push_back(h);
  }

  Response Call(const std::string& path, Params params = {}) {
    for (const ExtraHandler& h : handlers_) {
      if (h.path == path)
        return h.handler(Request{"GET", path, params, "", nullptr});
    }
    return Response{};
  }

  FakeClock clock_;
  storage::MemoryStorage store_;
  promql::Engine engine_{promql::EngineOptions{}};
  std::unique_ptr<rules::Manager> manager_;
  std::string path_;
  std::vector<ExtraHandler> handlers_;
};

TEST_F(RulesApiTest, RulesJsonAsPrometheus) {
  Response r = Call("/api/v1/rules");
  EXPECT_EQ(r.status, 200);
  EXPECT_THAT(
      r.body,
      HasSubstr(
          "{\"status\":\"success\",\"data\":{\"groups\":[{\"name\":\"avail\","
          "\"file\":\"" +
          path_ +
          "\",\"rules\":[{\"state\":\"firing\","
          "\"name\":\"InstanceDown\",\"query\":\"up == 0\",\"duration\":0,"
          "\"keepFiringFor\":0,\"labels\":{\"severity\":\"page\"},"
          "\"annotations\":{\"summary\":\"down\"},\"alerts\":[{\"labels\":{"
          "\"alertname\":\"InstanceDown\",\"instance\":\"i1\",\"job\":\"node\","
          "\"severity\":\"page\"},\"annotations\":{\"summary\":\"down\"},"
          "\"state\":\"firing\",\"activeAt\":\"2023-11-14T22:13:20Z\","
          "\"value\":\"0e+00\"}],\"health\":\"ok\",\"evaluationTime\":"));
  EXPECT_THAT(
      r.body,
      HasSubstr(
          "\"lastEvaluation\":\"2023-11-14T22:13:20Z\",\"type\":\"alerting\"},"
          "{\"name\":\"job:up:sum\",\"query\":\"sum by (job) (up)\","
          "\"health\":\"ok\",\"evaluationTime\":"));
  EXPECT_THAT(r.body, HasSubstr("\"type\":\"recording\"}],\"interval\":10,"
                                "\"limit\":0,\"evaluationTime\":"));
}

TEST_F(RulesApiTest, Filters) {
  Response r = Call("/api/v1/rules", {{"type", "record"}});
  EXPECT_THAT(r.body, ::testing::Not(HasSubstr("InstanceDown")));
  EXPECT_THAT(r.body, HasSubstr("job:up:sum"));
  r = Call("/api/v1/rules", {{"rule_name[]", "InstanceDown"}});
  EXPECT_THAT(r.body, ::testing::Not(HasSubstr("job:up:sum")));
  r = Call("/api/v1/rules", {{"rule_group[]", "other"}});
  EXPECT_THAT(r.body, HasSubstr("{\"groups\":[]}"));
  r = Call("/api/v1/rules", {{"type", "bogus"}});
  EXPECT_EQ(r.status, 400);
  EXPECT_THAT(r.body, HasSubstr("invalid query parameter type='bogus'"));
}

TEST_F(RulesApiTest, AlertsJson) {
  Response r = Call("/api/v1/alerts");
  EXPECT_EQ(r.body,
            "{\"status\":\"success\",\"data\":{\"alerts\":[{\"labels\":{"
            "\"alertname\":\"InstanceDown\",\"instance\":\"i1\",\"job\":"
            "\"node\",\"severity\":\"page\"},\"annotations\":{\"summary\":"
            "\"down\"},\"state\":\"firing\",\"activeAt\":"
            "\"2023-11-14T22:13:20Z\",\"value\":\"0e+00\"}]}}");
}

}  // namespace
}  // namespace fraisier::api
