#include "tests/promql/corpus.h"

#include <filesystem>
#include <fstream>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace fraisier::promql::testing {
namespace {

using ::testing::ElementsAre;
using ::testing::Field;
using ::testing::HasSubstr;
using ::testing::IsEmpty;

constexpr char kScript[] = R"(# A comment line.
load 5m
  http_requests{job="api"} 0+10x10
  eval_like_series{a="b"} 1 2 3

load_with_nhcb 1m
  h_bucket{le="1"} 1+1x5

eval instant at 50m sum by (job) (http_requests)
  expect no_warn
  {job="api"} 100

# eval instant at 1m commented_out
clear

eval range from 0 to 10m step 5m rate(http_requests[5m])
    {job="api"} 0 0.033 0.033

eval_fail instant at 0 -{job="api"}

eval_ordered instant at 50m sort(http_requests)
  http_requests{job="api"} 100

	eval instant at 1m ceil({__name__=~'a|b'})
	expect fail msg: vector cannot contain metrics with the same labelset

eval instant at 1m   count_values("a b", x)   
  expect fail regex: .*
  expect warn

eval_warn range from 1m to 2m step 30s  foo to bar step 1

eval instant at 0m 1 + 1
  2
eval instant at 0m 3
  expect string "3"

eval_fail instant at 1m abs(x)
  expected_fail_message nope
)";

TEST(ExtractEvalCasesTest, ReadsEveryEvalForm) {
  absl::StatusOr<std::vector<EvalCase>> cases =
      ExtractEvalCases("inline.test", kScript);
  ASSERT_TRUE(cases.ok()) << cases.status();
  auto is = [](int line, EvalKind kind, const std::string& expr, bool fail) {
    return ::testing::AllOf(
        Field(&EvalCase::file, "inline.test"), Field(&EvalCase::line, line),
        Field(&EvalCase::kind, kind), Field(&EvalCase::expr, expr),
        Field(&EvalCase::expect_fail, fail));
  };
  EXPECT_THAT(
      *cases,
      ElementsAre(
          is(9, EvalKind::kInstant, "sum by (job) (http_requests)", false),
          is(16, EvalKind::kRange, "rate(http_requests[5m])", false),
          is(19, EvalKind::kInstant, "-{job=\"api\"}", true),
          is(21, EvalKind::kInstant, "sort(http_requests)", false),
          is(24, EvalKind::kInstant, "ceil({__name__=~'a|b'})", true),
          is(27, EvalKind::kInstant, "count_values(\"a b\", x)", true),
          // Prometheus's pattern: greedy `from`/`to`, lazy `step`.
          is(31, EvalKind::kRange, "foo to bar step 1", false),
          is(33, EvalKind::kInstant, "1 + 1", false),
          // A scalar result line ends the block; the next eval follows.
          is(35, EvalKind::kInstant, "3", false),
          is(38, EvalKind::kInstant, "abs(x)", true)));
}

TEST(ExtractEvalCasesTest, TimeIsOneWordAndTheRestIsTheQuery) {
  absl::StatusOr<std::vector<EvalCase>> cases =
      ExtractEvalCases("t.test", "eval instant at 1m  a  at  b\n");
  ASSERT_TRUE(cases.ok()) << cases.status();
  EXPECT_THAT(*cases, ElementsAre(Field(&EvalCase::expr, "a  at  b")));
}

TEST(ExtractEvalCasesTest, WindowsLineEndingsAndNoFinalNewline) {
  absl::StatusOr<std::vector<EvalCase>> cases = ExtractEvalCases(
      "t.test", "load 1m\r\n  a 1\r\n\r\neval instant at 0 a\r\n  a 1");
  ASSERT_TRUE(cases.ok()) << cases.status();
  EXPECT_THAT(*cases,
              ElementsAre(::testing::AllOf(
                  Field(&EvalCase::line, 4), Field(&EvalCase::expr, "a"),
                  Field(&EvalCase::expect_fail, false))));
}

TEST(ExtractEvalCasesTest, EmptyAndCommentOnlyScripts) {
  absl::StatusOr<std::vector<EvalCase>> cases =
      ExtractEvalCases("t.test", "# nothing\n\n   # indented comment\n");
  ASSERT_TRUE(cases.ok()) << cases.status();
  EXPECT_THAT(*cases, IsEmpty());
}

TEST(ExtractEvalCasesTest, ExpectFailNeedsTheWord) {
  absl::StatusOr<std::vector<EvalCase>> cases = ExtractEvalCases(
      "t.test", "eval instant at 0 a\n  expect failure\n  expect info\n");
  ASSERT_TRUE(cases.ok()) << cases.status();
  EXPECT_THAT(*cases, ElementsAre(Field(&EvalCase::expect_fail, false)));
}

TEST(ExtractEvalCasesTest, UnknownCommandIsAnError) {
  absl::StatusOr<std::vector<EvalCase>> cases =
      ExtractEvalCases("bad.test", "load 1m\n  a 1\n\nevaluate me\nfoo bar\n");
  // `evaluate me` starts with "eval" but matches neither form.
  ASSERT_FALSE(cases.ok());
  EXPECT_EQ(cases.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_THAT(cases.status().message(), HasSubstr("bad.test:4"));

  cases = ExtractEvalCases("bad.test", "\nfoo bar\n");
  ASSERT_FALSE(cases.ok());
  EXPECT_THAT(cases.status().message(),
              HasSubstr("bad.test:2: invalid command \"foo bar\""));
}

TEST(ExtractCorpusDirTest, ReadsTestFilesSorted) {
  namespace fs = std::filesystem;
  fs::path dir = fs::path(::testing::TempDir()) / "corpus_dir_test";
  fs::create_directories(dir);
  std::ofstream(dir / "b.test") << "eval instant at 0 b\n";
  std::ofstream(dir / "a.test") << "eval instant at 0 a\n  expect fail\n";
  std::ofstream(dir / "README.md") << "eval instant at 0 ignored\n";

  absl::StatusOr<std::vector<CorpusFile>> files =
      ExtractCorpusDir(dir.string());
  ASSERT_TRUE(files.ok()) << files.status();
  ASSERT_EQ(files->size(), 2u);
  EXPECT_EQ((*files)[0].name, "a.test");
  EXPECT_THAT((*files)[0].cases,
              ElementsAre(::testing::AllOf(
                  Field(&EvalCase::file, "a.test"), Field(&EvalCase::expr, "a"),
                  Field(&EvalCase::expect_fail, true))));
  EXPECT_EQ((*files)[1].name, "b.test");

  EXPECT_FALSE(ExtractCorpusDir((dir / "missing").string()).ok());
}

}  // namespace
}  // namespace fraisier::promql::testing
