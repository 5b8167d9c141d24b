#include "promql/engine.h"

#include <filesystem>
#include <memory>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "engine/base/clock.h"
#include "engine/base/status_matchers.h"
#include "engine/model/value.h"
#include "engine/tsdb/head.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "promql/parser.h"
#include "promql/printer.h"

namespace fraisier::promql {
namespace {

using ::fraisier::testing::IsOk;
using ::fraisier::testing::StatusIs;
using ::testing::ElementsAre;
using ::testing::HasSubstr;
using ::testing::UnorderedElementsAre;

constexpr int64_t kMinute = 60 * 1000;

class EngineTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = absl::StrCat(
        ::testing::TempDir(), "/engine_",
        ::testing::UnitTest::GetInstance()->current_test_info()->name());
    std::filesystem::remove_all(dir_);
    clock_.Set(absl::FromUnixMillis(0));
    tsdb::HeadOptions o;
    o.dir = dir_;
    o.clock = &clock_;
    o.retention = absl::Hours(24 * 365 * 100);
    head_ = *tsdb::Head::Open(o);
  }
  void TearDown() override {
    head_.reset();
    std::filesystem::remove_all(dir_);
  }

  // Loads `values` at t = 0, step, 2*step, ... ("_" skips, "stale" marks).
  void Load(std::vector<std::pair<std::string, std::string>> labels,
            int64_t step, std::vector<std::string> values) {
    std::vector<LabelPair> pairs;
    for (auto& [n, v] : labels) pairs.push_back({n, v});
    Labels l = Labels::FromPairs(pairs);
    auto app = head_->NewAppender();
    for (size_t i = 0; i < values.size(); ++i) {
      if (values[i] == "_") continue;
      double v = values[i] == "stale" ? StaleNaN() : std::stod(values[i]);
      ASSERT_THAT(app->Append(0, l, static_cast<int64_t>(i) * step, v).status(),
                  IsOk());
    }
    ASSERT_THAT(app->Commit(), IsOk());
  }

  absl::StatusOr<QueryResult> Instant(absl::string_view q, int64_t ts) {
    ParseOptions po;
    po.enable_experimental_functions = true;
    absl::StatusOr<ExprPtr> expr = ParseExpr(q, po);
    if (!expr.ok()) return expr.status();
    return engine_.InstantQuery(*head_, **expr, ts);
  }

  // "labels => value" lines of an instant vector result.
  std::vector<std::string> InstantLines(absl::string_view q, int64_t ts) {
    absl::StatusOr<QueryResult> r = Instant(q, ts);
    EXPECT_THAT(r, IsOk()) << q;
    std::vector<std::string> out;
    if (!r.ok()) return out;
    if (auto* s = std::get_if<Scalar>(&r->value)) {
      out.push_back(absl::StrCat("scalar => ", FormatGoFloat(s->v)));
      return out;
    }
    for (const VectorSample& s : std::get<Vector>(r->value)) {
      out.push_back(
          absl::StrCat(s.metric.ToString(), " => ", FormatGoFloat(s.f)));
    }
    return out;
  }

  std::vector<std::string> RangeLines(absl::string_view q, int64_t start,
                                      int64_t end, int64_t step) {
    ParseOptions po;
    absl::StatusOr<ExprPtr> expr = ParseExpr(q, po);
    EXPECT_THAT(expr, IsOk());
    absl::StatusOr<QueryResult> r =
        engine_.RangeQuery(*head_, **expr, start, end, step);
    EXPECT_THAT(r, IsOk()) << q;
    std::vector<std::string> out;
    if (!r.ok()) return out;
    for (const RangeSeries& s : std::get<Matrix>(r->value)) {
      std::vector<std::string> points;
      for (const FPoint& p : s.floats) {
        points.push_back(absl::StrCat(p.t / 1000, ":", FormatGoFloat(p.f)));
      }
      out.push_back(
          absl::StrCat(s.metric.ToString(), " ", absl::StrJoin(points, " ")));
    }
    return out;
  }

  std::string dir_;
  FakeClock clock_;
  std::unique_ptr<tsdb::Head> head_;
  Engine engine_{EngineOptions{}};
};

TEST_F(EngineTest, InstantSelectorLookbackAndStaleness) {
  Load({{"__name__", "up"}, {"job", "a"}}, kMinute, {"1", "2", "stale", "4"});
  EXPECT_THAT(InstantLines("up", 90 * 1000),
              ElementsAre("{__name__=\"up\", job=\"a\"} => 2"));
  // A stale marker hides the series until the next sample.
  EXPECT_TRUE(InstantLines("up", 2 * kMinute + 1).empty());
  // Lookback is 5m and left-open.
  EXPECT_THAT(InstantLines("up", 8 * kMinute - 1),
              ElementsAre(HasSubstr("=> 4")));
  EXPECT_TRUE(InstantLines("up", 8 * kMinute).empty());
  // Offset and @.
  EXPECT_THAT(InstantLines("up offset 3m", 4 * kMinute),
              ElementsAre(HasSubstr("=> 2")));
  EXPECT_THAT(InstantLines("up @ 60", 4 * kMinute),
              ElementsAre(HasSubstr("=> 2")));
}

TEST_F(EngineTest, ArithmeticComparisonAndNameDropping) {
  Load({{"__name__", "m"}, {"i", "1"}}, kMinute, {"10"});
  Load({{"__name__", "m"}, {"i", "2"}}, kMinute, {"20"});
  EXPECT_THAT(InstantLines("m * 2", 0),
              UnorderedElementsAre("{i=\"1\"} => 20", "{i=\"2\"} => 40"));
  EXPECT_THAT(InstantLines("m > 15", 0),
              ElementsAre("{__name__=\"m\", i=\"2\"} => 20"));
  EXPECT_THAT(InstantLines("m > bool 15", 0),
              UnorderedElementsAre("{i=\"1\"} => 0", "{i=\"2\"} => 1"));
  EXPECT_THAT(InstantLines("1 + 2 * 3", 0), ElementsAre("scalar => 7"));
  EXPECT_THAT(InstantLines("-m", 0),
              UnorderedElementsAre("{i=\"1\"} => -10", "{i=\"2\"} => -20"));
}

TEST_F(EngineTest, VectorMatching) {
  Load({{"__name__", "req"}, {"job", "a"}, {"code", "200"}}, kMinute, {"6"});
  Load({{"__name__", "req"}, {"job", "a"}, {"code", "500"}}, kMinute, {"2"});
  Load({{"__name__", "total"}, {"job", "a"}}, kMinute, {"8"});
  EXPECT_THAT(InstantLines("req / ignoring(code) group_left total", 0),
              UnorderedElementsAre("{code=\"200\", job=\"a\"} => 0.75",
                                   "{code=\"500\", job=\"a\"} => 0.25"));
  EXPECT_THAT(InstantLines("total / on(job) req{code=\"500\"}", 0),
              ElementsAre("{job=\"a\"} => 4"));
  absl::StatusOr<QueryResult> bad = Instant("req / on(job) total", 0);
  EXPECT_THAT(bad,
              StatusIs(absl::StatusCode::kInvalidArgument,
                       HasSubstr("many-to-one matching must be explicit")));
  EXPECT_THAT(InstantLines("req and on(job) total", 0),
              UnorderedElementsAre(HasSubstr("code=\"200\""),
                                   HasSubstr("code=\"500\"")));
  EXPECT_THAT(InstantLines("req unless on(code) req{code=\"500\"}", 0),
              ElementsAre(HasSubstr("code=\"200\"")));
  EXPECT_THAT(InstantLines("total or req", 0),
              UnorderedElementsAre(HasSubstr("total"), HasSubstr("200"),
                                   HasSubstr("500")));
}

TEST_F(EngineTest, Aggregations) {
  Load({{"__name__", "x"}, {"job", "a"}, {"i", "1"}}, kMinute, {"1"});
  Load({{"__name__", "x"}, {"job", "a"}, {"i", "2"}}, kMinute, {"3"});
  Load({{"__name__", "x"}, {"job", "b"}, {"i", "3"}}, kMinute, {"5"});
  EXPECT_THAT(InstantLines("sum by (job) (x)", 0),
              UnorderedElementsAre("{job=\"a\"} => 4", "{job=\"b\"} => 5"));
  EXPECT_THAT(InstantLines("avg without (i) (x)", 0),
              UnorderedElementsAre("{job=\"a\"} => 2", "{job=\"b\"} => 5"));
  EXPECT_THAT(InstantLines("count(x)", 0), ElementsAre("{} => 3"));
  EXPECT_THAT(InstantLines("max(x)", 0), ElementsAre("{} => 5"));
  EXPECT_THAT(InstantLines("topk(1, x)", 0), ElementsAre(HasSubstr("i=\"3\"")));
  EXPECT_THAT(InstantLines("bottomk by (job) (1, x)", 0),
              UnorderedElementsAre(HasSubstr("i=\"1\""), HasSubstr("i=\"3\"")));
  EXPECT_THAT(InstantLines("quantile(0.5, x)", 0), ElementsAre("{} => 3"));
  EXPECT_THAT(InstantLines("stddev(x)", 0),
              ElementsAre(HasSubstr("=> 1.63299316185545")));
  EXPECT_THAT(InstantLines("count_values(\"v\", x)", 0),
              UnorderedElementsAre("{v=\"1\"} => 1", "{v=\"3\"} => 1",
                                   "{v=\"5\"} => 1"));
  EXPECT_THAT(Instant("topk(NaN, x)", 0),
              StatusIs(absl::StatusCode::kInvalidArgument,
                       HasSubstr("Parameter value is NaN")));
}

TEST_F(EngineTest, RangeQueryStepsAndSubqueries) {
  Load({{"__name__", "c"}}, kMinute, {"0", "1", "2", "3", "4", "5"});
  EXPECT_THAT(RangeLines("c", 0, 5 * kMinute, 2 * kMinute),
              ElementsAre("{__name__=\"c\"} 0:0 120:2 240:4"));
  EXPECT_THAT(RangeLines("c * 10", kMinute, 2 * kMinute, kMinute),
              ElementsAre("{} 60:10 120:20"));
  // A range query on a constant.
  EXPECT_THAT(RangeLines("2", 0, kMinute, kMinute), ElementsAre("{} 0:2 60:2"));
  // Subquery with aligned steps, through the instant query path.
  absl::StatusOr<QueryResult> r = Instant("c[3m:1m]", 5 * kMinute);
  ASSERT_THAT(r, IsOk());
  const Matrix& m = std::get<Matrix>(r->value);
  ASSERT_EQ(m.size(), 1u);
  ASSERT_EQ(m[0].floats.size(), 3u);
  EXPECT_EQ(m[0].floats[0].t, 3 * kMinute);
  EXPECT_EQ(m[0].floats[2].f, 5);
}

TEST_F(EngineTest, RangeSelectorAtTopLevelIsLeftOpen) {
  Load({{"__name__", "c"}}, kMinute, {"0", "1", "2", "3"});
  absl::StatusOr<QueryResult> r = Instant("c[2m]", 3 * kMinute);
  ASSERT_THAT(r, IsOk());
  const Matrix& m = std::get<Matrix>(r->value);
  ASSERT_EQ(m.size(), 1u);
  ASSERT_EQ(m[0].floats.size(), 2u);  // 2m and 3m; 1m is excluded
  EXPECT_EQ(m[0].floats[0].t, 2 * kMinute);
}

TEST_F(EngineTest, LimitsAndErrors) {
  Load({{"__name__", "x"}, {"i", "1"}}, kMinute, {"1", "2", "3"});
  Load({{"__name__", "x"}, {"i", "2"}}, kMinute, {"1", "2", "3"});
  EngineOptions small;
  small.max_samples = 2;
  Engine limited(small);
  auto expr = *ParseExpr("x");
  EXPECT_THAT(limited.RangeQuery(*head_, *expr, 0, 2 * kMinute, kMinute),
              StatusIs(absl::StatusCode::kResourceExhausted,
                       HasSubstr("too many samples")));
  CancellationToken cancel;
  cancel.cancelled = true;
  EXPECT_THAT(engine_.InstantQuery(*head_, *expr, 0, &cancel),
              StatusIs(absl::StatusCode::kCancelled));
  // Dropping the name makes the two series collide only if labels match.
  Load({{"__name__", "y"}, {"i", "1"}}, kMinute, {"1"});
  EXPECT_THAT(
      Instant("-{i=\"1\"}", 0),
      StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("same labelset")));
  auto matrix = *ParseExpr("x[1m]");
  EXPECT_THAT(
      engine_.RangeQuery(*head_, *matrix, 0, kMinute, kMinute),
      StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("range vector")));
}

}  // namespace
}  // namespace fraisier::promql
