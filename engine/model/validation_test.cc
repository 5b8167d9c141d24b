#include "engine/model/validation.h"

#include <string>
#include <vector>

#include "engine/base/status_matchers.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace fraisier {
namespace {

using ::fraisier::testing::IsOk;
using ::fraisier::testing::StatusIs;
using ::testing::Eq;

TEST(ValidationTest, LabelNames) {
  struct Case {
    std::string name;
    bool legacy;
    bool utf8;
  };
  const Case cases[] = {
      {"job", true, true},
      {"_", true, true},
      {"__name__", true, true},  // reserved prefix, still valid
      {"__meta_x", true, true},
      {"a1_B2", true, true},
      {"Job", true, true},
      {"", false, false},
      {"0abc", false, true},
      {"a-b", false, true},
      {"a.b", false, true},
      {"a:b", false, true},  // colons are for metric names only
      {"a b", false, true},
      {"caf\xc3\xa9", false, true},
      {"\xff", false, false},
      {"a\xc0\xaf", false, false},
  };
  for (const Case& c : cases) {
    EXPECT_EQ(IsValidLabelName(c.name, NameValidation::kLegacy), c.legacy)
        << c.name;
    EXPECT_EQ(IsValidLabelName(c.name, NameValidation::kUtf8), c.utf8)
        << c.name;
  }
}

TEST(ValidationTest, MetricNames) {
  struct Case {
    std::string name;
    bool legacy;
    bool utf8;
  };
  const Case cases[] = {
      {"up", true, true},
      {"http_requests_total", true, true},
      {"job:rate5m:sum", true, true},
      {":leading", true, true},
      {"_x", true, true},
      {"__name__", true, true},
      {"", false, false},
      {"1up", false, true},
      {"a-b", false, true},
      {"http.server.duration", false, true},
      {"\xe2\x82\xac", false, true},
      {"bad\xff", false, false},
  };
  for (const Case& c : cases) {
    EXPECT_EQ(IsValidMetricName(c.name, NameValidation::kLegacy), c.legacy)
        << c.name;
    EXPECT_EQ(IsValidMetricName(c.name, NameValidation::kUtf8), c.utf8)
        << c.name;
  }
}

TEST(ValidationTest, Utf8) {
  struct Case {
    std::string in;
    bool valid;
  };
  const Case cases[] = {
      {"", true},
      {"plain", true},
      {"\xc3\xa9", true},           // 2 bytes
      {"\xe2\x82\xac", true},       // 3 bytes
      {"\xf0\x9f\x98\x80", true},   // 4 bytes
      {"\xc0\x80", false},          // overlong NUL
      {"\xe0\x80\xaf", false},      // overlong '/'
      {"\xed\xa0\x80", false},      // surrogate
      {"\xed\xb0\x80", false},      // surrogate
      {"\xf4\x90\x80\x80", false},  // above U+10FFFF
      {"\xe2\x82", false},          // truncated
      {"\xf0\x9f\x98", false},      // truncated
      {"\x80", false},              // lone continuation
  };
  for (const Case& c : cases) {
    EXPECT_EQ(IsValidUtf8(c.in), c.valid) << ::testing::PrintToString(c.in);
  }
}

TEST(ValidationTest, ValidateLabels) {
  struct Case {
    Labels labels;
    NameValidation scheme;
    std::string error;  // empty: OK
  };
  const Case cases[] = {
      {Labels(), NameValidation::kLegacy, ""},
      {Labels::FromPairs({{"__name__", "up"}, {"job", "x"}}),
       NameValidation::kLegacy, ""},
      {Labels::FromPairs({{"__name__", "up"}, {"0abc", "x"}}),
       NameValidation::kLegacy, R"(invalid label name "0abc")"},
      {Labels::FromPairs({{"__name__", "up"}, {"0abc", "x"}}),
       NameValidation::kUtf8, ""},
      {Labels::FromPairs({{"__name__", "1up"}}), NameValidation::kLegacy,
       R"(invalid metric name "1up")"},
      {Labels::FromPairs({{"__name__", "1up"}}), NameValidation::kUtf8, ""},
      {Labels::FromPairs({{"__name__", "up\xff"}}), NameValidation::kUtf8,
       R"(invalid metric name "up\xff")"},
      {Labels::FromPairs({{"job", "a\xffz"}}), NameValidation::kUtf8,
       R"(label value for "job" is not valid UTF-8)"},
      {Labels::FromPairs({{"n\xc3", "v"}}), NameValidation::kUtf8,
       R"(invalid label name "n\xc3")"},
      {Labels::FromPairs({{"__reserved", "v"}}), NameValidation::kLegacy, ""},
  };
  for (const Case& c : cases) {
    const absl::Status status = ValidateLabels(c.labels, c.scheme);
    if (c.error.empty()) {
      EXPECT_THAT(status, IsOk()) << c.labels.ToString();
    } else {
      EXPECT_THAT(status,
                  StatusIs(absl::StatusCode::kInvalidArgument, Eq(c.error)))
          << c.labels.ToString();
    }
  }
}

TEST(ValidationTest, ValidateLabelPairs) {
  struct Case {
    std::vector<LabelPair> pairs;
    std::string error;  // empty: OK
  };
  const Case cases[] = {
      {{}, ""},
      {{{"__name__", "up"}, {"instance", "i"}, {"job", "x"}}, ""},
      {{{"a", ""}, {"b", "1"}}, ""},  // empty values are allowed
      {{{"__name__", ""}, {"b", "1"}}, ""},
      {{{"job", "x"}, {"job", "y"}}, R"(duplicate label name "job")"},
      {{{"b", "1"}, {"a", "2"}}, R"(labels are not sorted: "b" before "a")"},
      {{{"a", "1"}, {"c", "1"}, {"b", "1"}},
       R"(labels are not sorted: "c" before "b")"},
      {{{"a", "1"}, {"", "x"}}, "empty label name at index 1"},
      {{{"", "x"}}, "empty label name at index 0"},
      {{{"0abc", "x"}}, R"(invalid label name "0abc")"},
      {{{"__name__", "1up"}}, R"(invalid metric name "1up")"},
      {{{"job", "\xed\xa0\x80"}},
       R"(label value for "job" is not valid UTF-8)"},
  };
  for (const Case& c : cases) {
    const absl::Status status =
        ValidateLabelPairs(c.pairs, NameValidation::kLegacy);
    if (c.error.empty()) {
      EXPECT_THAT(status, IsOk());
    } else {
      EXPECT_THAT(status,
                  StatusIs(absl::StatusCode::kInvalidArgument, Eq(c.error)));
    }
    // The Label-view overload agrees.
    std::vector<Label> views;
    for (const LabelPair& p : c.pairs) views.push_back({p.first, p.second});
    EXPECT_EQ(
        ValidateLabelPairs(absl::MakeConstSpan(views), NameValidation::kLegacy),
        status);
  }
  // Under UTF-8 validation the same names that legacy rejects are fine, but
  // structure is still checked.
  const std::vector<LabelPair> dotted = {{"a.b", "1"}, {"a.c", "2"}};
  EXPECT_THAT(ValidateLabelPairs(dotted, NameValidation::kUtf8), IsOk());
  EXPECT_THAT(ValidateLabelPairs(dotted, NameValidation::kLegacy),
              StatusIs(absl::StatusCode::kInvalidArgument,
                       Eq(R"(invalid label name "a.b")")));
  const std::vector<LabelPair> dup = {{"a.b", "1"}, {"a.b", "2"}};
  EXPECT_THAT(ValidateLabelPairs(dup, NameValidation::kUtf8),
              StatusIs(absl::StatusCode::kInvalidArgument,
                       Eq(R"(duplicate label name "a.b")")));
}

}  // namespace
}  // namespace fraisier
