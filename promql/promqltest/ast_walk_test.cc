#include "promql/promqltest/ast_walk.h"

#include <string>

#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "promql/parser.h"
#include "promql/printer.h"

namespace fraisier::promql::promqltest {
namespace {

using ::testing::ElementsAre;

ExprPtr Parse(absl::string_view q) {
  ParseOptions options;
  options.enable_experimental_functions = true;
  absl::StatusOr<ExprPtr> e = ParseExpr(q, options);
  EXPECT_TRUE(e.ok()) << q << ": " << e.status();
  return e.ok() ? *std::move(e) : nullptr;
}

// The rewritten query, or "unsafe".
std::string AtRewrite(absl::string_view q, Timestamp ts) {
  ExprPtr e = Parse(q);
  if (!SetAtModifiers(*e, ts)) return "unsafe";
  return Format(*e);
}

TEST(AstWalkTest, CollectSelectorsAndFunctions) {
  ExprPtr e = Parse(
      R"(sum by (a) (rate(x{a="1"}[5m])) / on() group_left topk(2, y) + max_over_time(abs(z offset 1m)[10m:1m]) > bool 1)");
  std::vector<std::string> names;
  for (const VectorSelector* vs : CollectSelectors(*e)) {
    names.push_back(vs->name);
  }
  EXPECT_THAT(names, ElementsAre("x", "y", "z"));
  ExprPtr f = Parse("label_replace(info(x), \"a\", \"b\", \"c\", \"d\")");
  EXPECT_THAT(CollectFunctions(*f), ElementsAre("label_replace", "info"));
}

TEST(AstWalkTest, SetAtModifiers) {
  EXPECT_EQ(AtRewrite("x", 60000), "x @ 60.000");
  EXPECT_EQ(AtRewrite("rate(x[5m] offset 1m)", 60000),
            "rate(x[5m] @ 60.000 offset 1m)");
  EXPECT_EQ(AtRewrite("x @ 10 + y", -5000), "x @ 10.000 + y @ -5.000");
  // Subqueries get the @; what is inside them does not.
  EXPECT_EQ(AtRewrite("max_over_time(rate(x[1m])[5m:1m])", 0),
            "max_over_time(rate(x[1m])[5m:1m] @ 0.000)");
  // Time-dependent functions make the rewrite unsafe...
  EXPECT_EQ(AtRewrite("time()", 1000), "unsafe");
  EXPECT_EQ(AtRewrite("timestamp(x)", 1000), "unsafe");
  EXPECT_EQ(AtRewrite("hour(x) + 1", 1000), "unsafe");
  // ... except inside a subquery with @.
  EXPECT_EQ(AtRewrite("max_over_time(vector(time())[5m:1m])", 1000),
            "max_over_time(vector(time())[5m:1m] @ 1.000)");
  EXPECT_EQ(AtRewrite("1 + 2", 1000), "1 + 2");
}

}  // namespace
}  // namespace fraisier::promql::promqltest
