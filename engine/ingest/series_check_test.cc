#include "engine/ingest/series_check.h"

#include <string>
#include <vector>

#include "engine/base/status_matchers.h"
#include "engine/model/labels.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace fraisier::ingest {
namespace {

using ::fraisier::testing::IsOk;
using ::fraisier::testing::StatusIs;
using ::testing::ElementsAre;
using ::testing::Eq;

TEST(CheckSeriesLabelsTest, AcceptsAndDropsEmptyValues) {
  const std::vector<Label> in = {
      {"__name__", "up"}, {"env", ""}, {"job", "api"}, {"zone", ""}};
  std::vector<Label> out;
  SeriesProblem problem;
  ASSERT_THAT(CheckSeriesLabels(in, ReceiverLimits(), &out, &problem), IsOk());
  EXPECT_EQ(problem, SeriesProblem::kNone);
  EXPECT_THAT(out, ElementsAre(Label{"__name__", "up"}, Label{"job", "api"}));
}

TEST(CheckSeriesLabelsTest, SaysWhatIsWrong) {
  ReceiverLimits limits;
  limits.max_labels_per_series = 3;
  limits.max_label_name_length = 10;
  limits.max_label_value_length = 5;
  struct Case {
    std::vector<Label> labels;
    SeriesProblem problem;
    std::string message;
  };
  const Case cases[] = {
      {{}, SeriesProblem::kInvalidLabels, "series has no labels"},
      {{{"__name__", "x"}, {"b", "1"}, {"a", "1"}},
       SeriesProblem::kInvalidLabels,
       R"(labels are not sorted: "b" before "a")"},
      {{{"__name__", "x"}, {"a", "1"}, {"a", "2"}},
       SeriesProblem::kInvalidLabels,
       R"(duplicate label name "a")"},
      {{{"__name__", ""}, {"a", "1"}},
       SeriesProblem::kInvalidLabels,
       "empty metric name: __name__ has an empty value"},
      {{{"a", "1"}},
       SeriesProblem::kInvalidLabels,
       "empty metric name: the series has no __name__ label"},
      {{{"__name__", "1x"}},
       SeriesProblem::kInvalidLabels,
       R"(invalid metric name "1x")"},
      {{{"__name__", "x"}, {"a.b", "1"}},
       SeriesProblem::kInvalidLabels,
       R"(invalid label name "a.b")"},
      {{{"__name__", "x"}, {"a", "\xc3"}},
       SeriesProblem::kInvalidLabels,
       R"(label value for "a" is not valid UTF-8)"},
      {{{"__name__", "x"}, {"a", "1"}, {"b", "1"}, {"c", "1"}},
       SeriesProblem::kLimit,
       "series has 4 labels, more than the limit of 3 "
       "(remote_write_receiver.max_labels_per_series)"},
      {{{"__name__", "x"}, {"abcdefghijk", "1"}},
       SeriesProblem::kLimit,
       R"(label name "abcdefghijk" is 11 bytes, more than the limit of 10 )"
       "(remote_write_receiver.max_label_name_length)"},
      {{{"__name__", "x"}, {"a", "123456"}},
       SeriesProblem::kLimit,
       R"(value of label "a" is 6 bytes, more than the limit of 5 )"
       "(remote_write_receiver.max_label_value_length)"},
  };
  for (const Case& c : cases) {
    std::vector<Label> out;
    SeriesProblem problem = SeriesProblem::kNone;
    EXPECT_THAT(CheckSeriesLabels(c.labels, limits, &out, &problem),
                StatusIs(absl::StatusCode::kInvalidArgument, Eq(c.message)));
    EXPECT_EQ(problem, c.problem) << c.message;
  }
  // UTF-8 names when configured.
  limits.name_validation = NameValidation::kUtf8;
  std::vector<Label> out;
  SeriesProblem problem;
  EXPECT_THAT(CheckSeriesLabels({{"__name__", "x.y"}, {"a.b", "1"}}, limits,
                                &out, &problem),
              IsOk());
}

TEST(AppendSeriesStringTest, PrintsLikePrometheusAndTruncates) {
  const std::vector<Label> labels = {
      {"__name__", "up"}, {"job", "a\"b"}, {"a.b", "x"}};
  std::string out;
  AppendSeriesString(labels, 256, &out);
  EXPECT_EQ(out, R"({__name__="up", job="a\"b", "a.b"="x"})");
  const std::string long_value(1000, 'v');
  std::string cut;
  AppendSeriesString({{"__name__", "up"}, {"job", long_value}}, 40, &cut);
  EXPECT_EQ(cut, R"({__name__="up", job="vvvvvvvvvvvvvvvvvvv...})");
  // Never cuts a UTF-8 sequence in half.
  std::string utf8;
  AppendSeriesString({{"__name__", "\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9"}}, 13,
                     &utf8);
  EXPECT_EQ(utf8, "{__name__=\"\xc3\xa9...}");
}

TEST(HashLabelViewsTest, EqualsLabelsHash) {
  std::string scratch;
  for (const Labels& l :
       {Labels(), Labels::FromPairs({{"__name__", "up"}}),
        Labels::FromPairs({{"__name__", "node_cpu_seconds_total"},
                           {"cpu", "0"},
                           {"instance", "host-1:9100"},
                           {"job", "node"},
                           {"mode", "idle"}})}) {
    const std::vector<Label> views(l.begin(), l.end());
    EXPECT_EQ(HashLabelViews(views, &scratch), l.Hash()) << l.ToString();
  }
}

}  // namespace
}  // namespace fraisier::ingest
