#include <iterator>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/str_cat.h"
#include "engine/base/status_matchers.h"
#include "engine/model/labels.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "promql/eval_functions.h"
#include "promql/functions_internal.h"

namespace fraisier::promql {
namespace {

using ::fraisier::testing::IsOk;
using ::fraisier::testing::StatusIs;
using ::testing::ElementsAre;
using ::testing::ElementsAreArray;
using ::testing::IsEmpty;

VectorSample S(std::initializer_list<LabelPair> labels, double v,
               bool drop_name = false) {
  return VectorSample{Labels::FromPairs(labels), 0, v, drop_name};
}

String Str(absl::string_view s) { return String{0, std::string(s)}; }

absl::StatusOr<Vector> Call(absl::string_view name, std::vector<Arg> args) {
  VectorFunction fn = FindVectorFunction(name);
  if (fn == nullptr) return absl::NotFoundError(name);
  VectorContext ctx;
  Vector out;
  absl::Status s = fn(ctx, args, &out);
  if (!s.ok()) return s;
  return out;
}

std::vector<std::string> Labelsets(const absl::StatusOr<Vector>& v) {
  EXPECT_THAT(v, IsOk());
  std::vector<std::string> out;
  if (!v.ok()) return out;
  for (const VectorSample& s : *v) out.push_back(s.metric.ToString());
  return out;
}

Vector TestMetric() {
  return {S({{"__name__", "testmetric"},
             {"src", "source-value-10"},
             {"dst", "original-destination-value"}},
            0),
          S({{"__name__", "testmetric"},
             {"src", "source-value-20"},
             {"dst", "original-destination-value"}},
            1)};
}

std::vector<std::string> TestMetricWith(absl::string_view dst10,
                                        absl::string_view dst20) {
  auto line = [](absl::string_view dst, absl::string_view src) {
    std::string out = "{__name__=\"testmetric\", ";
    if (!dst.empty()) out += "dst=\"" + std::string(dst) + "\", ";
    return out + "src=\"" + std::string(src) + "\"}";
  };
  return {line(dst10, "source-value-10"), line(dst20, "source-value-20")};
}

// functions.test "Tests for label_replace".
TEST(LabelReplaceTest, Corpus) {
  struct Case {
    const char* dst;
    const char* repl;
    const char* src;
    const char* regex;
    const char* want10;
    const char* want20;
  };
  const Case cases[] = {
      {"dst", "destination-value-$1", "src", "source-value-(.*)",
       "destination-value-10", "destination-value-20"},
      {"dst", "destination-value-$1", "src", "value-(.*)",
       "original-destination-value", "original-destination-value"},
      {"dst", "$1-value-$2", "src", "(.*)-value-(.*)", "source-value-10",
       "source-value-20"},
      {"dst", "value-$1", "nonexistent-src", "source-value-(.*)",
       "original-destination-value", "original-destination-value"},
      {"dst", "value-$1", "nonexistent-src", "(.*)", "value-", "value-"},
      {"dst", "value-$1", "src", "non-matching-regex",
       "original-destination-value", "original-destination-value"},
      {"dst", "", "dst", ".*", "", ""},
  };
  for (const Case& c : cases) {
    EXPECT_THAT(
        Labelsets(Call("label_replace", {TestMetric(), Str(c.dst), Str(c.repl),
                                         Str(c.src), Str(c.regex)})),
        ElementsAreArray(TestMetricWith(c.want10, c.want20)))
        << c.regex;
  }
}

TEST(LabelReplaceTest, Errors) {
  EXPECT_THAT(Call("label_replace", {TestMetric(), Str("dst"), Str("v-$1"),
                                     Str("src"), Str("(.*")}),
              StatusIs(absl::StatusCode::kInvalidArgument,
                       "invalid regular expression in label_replace(): (.*"));
  EXPECT_THAT(
      Call("label_replace",
           {TestMetric(), Str("\xff"), Str(""), Str("src"), Str("(.*)")}),
      StatusIs(absl::StatusCode::kInvalidArgument,
               "invalid destination label name in label_replace(): \xff"));
  EXPECT_THAT(Call("label_replace",
                   {TestMetric(), Str(""), Str(""), Str("src"), Str("(.*)")}),
              StatusIs(absl::StatusCode::kInvalidArgument,
                       "invalid destination label name in label_replace(): "));
  // Errors are reported even when there is nothing to relabel.
  EXPECT_THAT(Call("label_replace",
                   {Vector{}, Str("dst"), Str(""), Str("src"), Str("(.*")}),
              StatusIs(absl::StatusCode::kInvalidArgument));
  EXPECT_THAT(Call("label_replace",
                   {TestMetric(), Str("src"), Str(""), Str(""), Str("")}),
              StatusIs(absl::StatusCode::kInvalidArgument,
                       "vector cannot contain metrics with the same labelset"));
  // UTF-8 label names are valid destinations.
  EXPECT_THAT(Call("label_replace", {TestMetric(), Str("http.method"), Str("x"),
                                     Str("src"), Str(".*")}),
              IsOk());
}

TEST(LabelReplaceTest, Expansion) {
  const Vector in = {S({{"service", "a:c"}}, 1)};
  struct Case {
    const char* repl;
    const char* regex;
    const char* want;
  };
  const Case cases[] = {
      {"$1", "(.*):.*", "a"},
      {"$name", "(?P<name>.*):(?P<version>.*)", "a"},
      {"${name}-${version}", "(?P<name>.*):(?P<version>.*)", "a-c"},
      {"${1}x", "(.*):(.*)", "ax"},
      {"$1x", "(.*):(.*)", ""},  // the group "1x"
      {"$$1", "(.*):(.*)", "$1"},
      {"x$", "(.*):(.*)", "x$"},
      {"${1", "(.*):(.*)", "${1"},
      {"$-", "(.*):(.*)", "$-"},
      {"$3", "(.*):(.*)", ""},
      {"$01", "(.*):(.*)", ""},
      {"<$2>", "(.*):(x)?.*", "<>"},
      {"$0", "a:(.*)", "a:c"},
  };
  for (const Case& c : cases) {
    absl::StatusOr<Vector> out =
        Call("label_replace",
             {in, Str("foo"), Str(c.repl), Str("service"), Str(c.regex)});
    ASSERT_THAT(out, IsOk());
    ASSERT_EQ(out->size(), 1u);
    EXPECT_EQ((*out)[0].metric.Get("foo"), c.want) << c.repl;
  }
  // The regex is anchored and `.` matches newlines.
  const Vector multiline = {S({{"v", "a\nb"}}, 1)};
  absl::StatusOr<Vector> out =
      Call("label_replace",
           {multiline, Str("w"), Str("$1"), Str("v"), Str("a(.)b")});
  ASSERT_THAT(out, IsOk());
  EXPECT_EQ((*out)[0].metric.Get("w"), "\n");
}

// name_label_dropping.test: relabelling __name__ keeps it.
TEST(LabelReplaceTest, NameHandling) {
  const Vector rates = {S({{"__name__", "metric_total"}, {"env", "1"}}, 1,
                          /*drop_name=*/true)};
  absl::StatusOr<Vector> kept = Call(
      "label_replace",
      {rates, Str("__name__"), Str("rate_$1"), Str("__name__"), Str("(.+)")});
  ASSERT_THAT(kept, IsOk());
  EXPECT_EQ((*kept)[0].metric.ToString(),
            "{__name__=\"rate_metric_total\", env=\"1\"}");
  EXPECT_FALSE((*kept)[0].drop_name);
  absl::StatusOr<Vector> other = Call(
      "label_replace",
      {rates, Str("my_name"), Str("rate_$1"), Str("__name__"), Str("(.+)")});
  ASSERT_THAT(other, IsOk());
  EXPECT_EQ((*other)[0].metric.Get("my_name"), "rate_metric_total");
  EXPECT_TRUE((*other)[0].drop_name);
  // No match: the sample is unchanged, drop_name included.
  absl::StatusOr<Vector> none =
      Call("label_replace",
           {rates, Str("__name__"), Str("x"), Str("env"), Str("2")});
  ASSERT_THAT(none, IsOk());
  EXPECT_TRUE((*none)[0].drop_name);
}

// functions.test "Tests for label_join".
TEST(LabelJoinTest, Corpus) {
  const Vector in = {S({{"__name__", "testmetric"},
                        {"src", "a"},
                        {"src1", "b"},
                        {"src2", "c"},
                        {"dst", "original-destination-value"}},
                       0),
                     S({{"__name__", "testmetric"},
                        {"src", "d"},
                        {"src1", "e"},
                        {"src2", "f"},
                        {"dst", "original-destination-value"}},
                       1)};
  auto join = [&in](std::vector<Arg> rest) {
    std::vector<Arg> args = {in};
    args.insert(args.end(), rest.begin(), rest.end());
    return Labelsets(Call("label_join", args));
  };
  const char* kA = "{__name__=\"testmetric\", dst=\"";
  const char* kTailA = "\", src=\"a\", src1=\"b\", src2=\"c\"}";
  const char* kTailD = "\", src=\"d\", src1=\"e\", src2=\"f\"}";
  EXPECT_THAT(
      join({Str("dst"), Str("-"), Str("src"), Str("src1"), Str("src2")}),
      ElementsAre(std::string(kA) + "a-b-c" + kTailA,
                  std::string(kA) + "d-e-f" + kTailD));
  EXPECT_THAT(
      join({Str("dst"), Str("-"), Str("src"), Str("src3"), Str("src1")}),
      ElementsAre(std::string(kA) + "a--b" + kTailA,
                  std::string(kA) + "d--e" + kTailD));
  const std::vector<std::string> without_dst = {
      "{__name__=\"testmetric\", src=\"a\", src1=\"b\", src2=\"c\"}",
      "{__name__=\"testmetric\", src=\"d\", src1=\"e\", src2=\"f\"}"};
  EXPECT_THAT(join({Str("dst"), Str(""), Str("emptysrc"), Str("emptysrc1")}),
              ElementsAreArray(without_dst));
  EXPECT_THAT(join({Str("dst"), Str(", ")}), ElementsAreArray(without_dst));
}

TEST(LabelJoinTest, ErrorsAndNames) {
  const Vector dup = {
      S({{"__name__", "dup"}, {"label", "a"}, {"this", "a"}}, 1),
      S({{"__name__", "dup"}, {"label", "b"}, {"this", "a"}}, 1)};
  EXPECT_THAT(Call("label_join", {dup, Str("label"), Str(""), Str("this")}),
              StatusIs(absl::StatusCode::kInvalidArgument,
                       "vector cannot contain metrics with the same labelset"));
  EXPECT_THAT(Call("label_join", {dup, Str("\xff"), Str(""), Str("this")}),
              StatusIs(absl::StatusCode::kInvalidArgument,
                       "invalid destination label name in label_join(): \xff"));
  EXPECT_THAT(Call("label_join", {Vector{}, Str("x"), Str(""), Str("")}),
              StatusIs(absl::StatusCode::kInvalidArgument,
                       "invalid source label name in label_join(): "));
  const Vector rates = {S({{"__name__", "metric_total"}, {"env", "1"}}, 1,
                          /*drop_name=*/true)};
  absl::StatusOr<Vector> kept =
      Call("label_join",
           {rates, Str("__name__"), Str("_"), Str("__name__"), Str("env")});
  ASSERT_THAT(kept, IsOk());
  EXPECT_EQ((*kept)[0].metric.MetricName(), "metric_total_1");
  EXPECT_FALSE((*kept)[0].drop_name);
  absl::StatusOr<Vector> other =
      Call("label_join", {rates, Str("my_name"), Str("_"), Str("__name__")});
  ASSERT_THAT(other, IsOk());
  EXPECT_EQ((*other)[0].metric.Get("my_name"), "metric_total");
  EXPECT_TRUE((*other)[0].drop_name);
}

TEST(NaturalCompareTest, Order) {
  using functions_internal::NaturalCompare;
  const char* sorted[] = {"0",  "1",  "2",  "3",  "10",
                          "11", "12", "20", "21", "100"};
  for (size_t i = 0; i + 1 < std::size(sorted); ++i) {
    EXPECT_EQ(NaturalCompare(sorted[i], sorted[i + 1]), -1) << sorted[i];
    EXPECT_EQ(NaturalCompare(sorted[i + 1], sorted[i]), 1) << sorted[i];
  }
  EXPECT_EQ(NaturalCompare("4m5", "4m600"), -1);
  EXPECT_EQ(NaturalCompare("4m600", "4m1000"), -1);
  EXPECT_EQ(NaturalCompare("1.2.3", "1.11.3"), -1);
  EXPECT_EQ(NaturalCompare("1.11.3", "1.111.3"), -1);
  EXPECT_EQ(NaturalCompare("z2.doc", "z10.doc"), -1);
  EXPECT_EQ(NaturalCompare("Alpha 2", "Alpha 2A"), -1);
  EXPECT_EQ(NaturalCompare("Alpha 2A-900", "Alpha 2A-8000"), -1);
  EXPECT_EQ(NaturalCompare("40X Radonius", "000050X Radonius"), -1);
  EXPECT_EQ(NaturalCompare("abc", "abd"), -1);
  EXPECT_EQ(NaturalCompare("ab", "abc"), -1);
  EXPECT_EQ(NaturalCompare("", "a"), -1);
  EXPECT_EQ(NaturalCompare("x", "x"), 0);
  EXPECT_EQ(NaturalCompare("01", "1"), 0);
  EXPECT_EQ(NaturalCompare("\xff", "a"), 1);  // bytes compare unsigned
}

std::vector<Arg> SortArgs(const Vector& v, std::vector<const char*> labels) {
  std::vector<Arg> args = {v};
  for (const char* l : labels) args.push_back(Str(l));
  return args;
}

// functions.test "Tests for sort_by_label/sort_by_label_desc".
TEST(SortByLabelTest, Corpus) {
  Vector http;
  auto add = [&http](const char* group, const char* instance, const char* job,
                     double v) {
    http.push_back(S({{"__name__", "http_requests"},
                      {"group", group},
                      {"instance", instance},
                      {"job", job}},
                     v));
  };
  add("production", "0", "api-server", 100);
  add("production", "1", "api-server", 200);
  add("canary", "0", "api-server", 300);
  add("canary", "1", "api-server", 400);
  add("canary", "2", "api-server", std::nan(""));
  add("production", "0", "app-server", 500);
  add("production", "1", "app-server", 600);
  add("canary", "0", "app-server", 700);
  add("canary", "1", "app-server", 800);
  add("production", "2", "api-server", 100);
  auto key = [](const char* group, const char* instance, const char* job) {
    return absl::StrCat("{__name__=\"http_requests\", group=\"", group,
                        "\", instance=\"", instance, "\", job=\"", job, "\"}");
  };
  const std::vector<std::string> by_instance = {
      key("canary", "0", "api-server"),
      key("canary", "0", "app-server"),
      key("production", "0", "api-server"),
      key("production", "0", "app-server"),
      key("canary", "1", "api-server"),
      key("canary", "1", "app-server"),
      key("production", "1", "api-server"),
      key("production", "1", "app-server"),
      key("canary", "2", "api-server"),
      key("production", "2", "api-server")};
  EXPECT_THAT(Labelsets(Call("sort_by_label", SortArgs(http, {"instance"}))),
              ElementsAreArray(by_instance));
  EXPECT_THAT(
      Labelsets(Call("sort_by_label", SortArgs(http, {"instance", "group"}))),
      ElementsAreArray(by_instance));
  EXPECT_THAT(Labelsets(Call("sort_by_label",
                             SortArgs(http, {"group", "instance", "job"}))),
              ElementsAre(key("canary", "0", "api-server"),
                          key("canary", "0", "app-server"),
                          key("canary", "1", "api-server"),
                          key("canary", "1", "app-server"),
                          key("canary", "2", "api-server"),
                          key("production", "0", "api-server"),
                          key("production", "0", "app-server"),
                          key("production", "1", "api-server"),
                          key("production", "1", "app-server"),
                          key("production", "2", "api-server")));
  EXPECT_THAT(Labelsets(Call("sort_by_label",
                             SortArgs(http, {"job", "instance", "group"}))),
              ElementsAre(key("canary", "0", "api-server"),
                          key("production", "0", "api-server"),
                          key("canary", "1", "api-server"),
                          key("production", "1", "api-server"),
                          key("canary", "2", "api-server"),
                          key("production", "2", "api-server"),
                          key("canary", "0", "app-server"),
                          key("production", "0", "app-server"),
                          key("canary", "1", "app-server"),
                          key("production", "1", "app-server")));
  const std::vector<std::string> desc = {key("production", "2", "api-server"),
                                         key("canary", "2", "api-server"),
                                         key("production", "1", "app-server"),
                                         key("production", "1", "api-server"),
                                         key("canary", "1", "app-server"),
                                         key("canary", "1", "api-server"),
                                         key("production", "0", "app-server"),
                                         key("production", "0", "api-server"),
                                         key("canary", "0", "app-server"),
                                         key("canary", "0", "api-server")};
  EXPECT_THAT(
      Labelsets(Call("sort_by_label_desc", SortArgs(http, {"instance"}))),
      ElementsAreArray(desc));
  EXPECT_THAT(Labelsets(Call("sort_by_label_desc",
                             SortArgs(http, {"instance", "group", "job"}))),
              ElementsAreArray(desc));
}

TEST(SortByLabelTest, NaturalOrder) {
  Vector cpus;
  for (const char* cpu :
       {"21", "0", "100", "2", "10", "1", "12", "3", "20", "11"}) {
    cpus.push_back(S({{"cpu", cpu}, {"job", "cpu"}}, 100));
  }
  std::vector<std::string> want;
  for (const char* cpu :
       {"0", "1", "2", "3", "10", "11", "12", "20", "21", "100"}) {
    want.push_back(absl::StrCat("{cpu=\"", cpu, "\", job=\"cpu\"}"));
  }
  EXPECT_THAT(Labelsets(Call("sort_by_label", SortArgs(cpus, {"cpu"}))),
              ElementsAreArray(want));
  const Vector nodes = {S({{"instance", "4m600"}, {"release", "1.2.3"}}, 1),
                        S({{"instance", "4m5"}, {"release", "1.11.3"}}, 1),
                        S({{"instance", "4m1000"}, {"release", "1.111.3"}}, 1)};
  EXPECT_THAT(Labelsets(Call("sort_by_label", SortArgs(nodes, {"instance"}))),
              ElementsAre("{instance=\"4m5\", release=\"1.11.3\"}",
                          "{instance=\"4m600\", release=\"1.2.3\"}",
                          "{instance=\"4m1000\", release=\"1.111.3\"}"));
  EXPECT_THAT(Labelsets(Call("sort_by_label", SortArgs(nodes, {"release"}))),
              ElementsAre("{instance=\"4m600\", release=\"1.2.3\"}",
                          "{instance=\"4m5\", release=\"1.11.3\"}",
                          "{instance=\"4m1000\", release=\"1.111.3\"}"));
  // No labels: the full label set decides; drop_name is kept.
  const Vector two = {S({{"b", "1"}}, 1, true), S({{"a", "1"}}, 2)};
  absl::StatusOr<Vector> out = Call("sort_by_label", SortArgs(two, {}));
  ASSERT_THAT(out, IsOk());
  EXPECT_EQ((*out)[0].metric.ToString(), "{a=\"1\"}");
  EXPECT_TRUE((*out)[1].drop_name);
  EXPECT_THAT(Labelsets(Call("sort_by_label", SortArgs(Vector{}, {"x"}))),
              IsEmpty());
}

}  // namespace
}  // namespace fraisier::promql
