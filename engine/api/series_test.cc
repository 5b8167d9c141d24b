// /api/v1/series, /api/v1/labels, /api/v1/label/<name>/values and
// /api/v1/metadata. Expected bodies are Prometheus 2.42's answers for the
// same data (see api_test_util.h) unless a comment says otherwise.
#include <string>

#include "engine/api/api_test_util.h"
#include "engine/model/labels.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace fraisier::api {
namespace {

using ::fraisier::api::testing::ApiTest;
using ::fraisier::api::testing::Error;
using ::fraisier::api::testing::Success;

constexpr char kUpSeries[] =
    R"({"__name__":"up","instance":"localhost:9090","job":"prometheus"},)"
    R"({"__name__":"up","instance":"n1","job":"node"})";

using SeriesTest = ApiTest;

TEST_F(SeriesTest, Series) {
  EXPECT_EQ(
      Get("/api/v1/series",
          {{"match[]", "up"}, {"start", "1700000000"}, {"end", "1700000100"}})
          .body,
      Success(std::string("[") + kUpSeries + "]"));
  // Several selectors: merged, sorted, without duplicates; POST too.
  EXPECT_EQ(Post("/api/v1/series", {{"match[]", "up"},
                                    {"match[]", "reqs_total"},
                                    {"match[]", R"(up{job="node"})"}})
                .body,
            Success(std::string(R"([{"__name__":"reqs_total","code":"200"},)"
                                R"({"__name__":"reqs_total","code":"500"},)") +
                    kUpSeries + "]"));
  EXPECT_EQ(
      Get("/api/v1/series", {{"match[]", R"({__name__="up",job=~"n.*"})"}})
          .body,
      Success(R"([{"__name__":"up","instance":"n1","job":"node"}])"));
  EXPECT_EQ(Get("/api/v1/series", {{"match[]", "nothing"}}).body,
            Success("[]"));
  EXPECT_EQ(Get("/api/v1/series", {{"match[]", R"({a!=""})"}}).body,
            Success("[]"));
  EXPECT_EQ(
      Get("/api/v1/series",
          {{"match[]", "up"}, {"start", "1700000100"}, {"end", "1700000000"}})
          .body,
      Success("[]"));
  // Only series with samples in [start, end].
  EXPECT_EQ(
      Get("/api/v1/series",
          {{"match[]", "up"}, {"start", "1700000030.1"}, {"end", "2e9"}})
          .body,
      Success(
          R"([{"__name__":"up","instance":"localhost:9090","job":"prometheus"}])"));
}

TEST_F(SeriesTest, SeriesErrors) {
  Response r = Get("/api/v1/series");
  EXPECT_EQ(r.status, 400);
  EXPECT_EQ(r.body, Error("bad_data", "no match[] parameter provided"));
  const std::pair<const char*, const char*> cases[] = {
      {R"({job=~".*"})",
       "invalid parameter \"match[]\": match[] must contain at least one "
       "non-empty matcher"},
      {"{}",
       "invalid parameter \"match[]\": match[] must contain at least one "
       "non-empty matcher"},
      {"up{",
       "invalid parameter \"match[]\": 1:4: parse error: unexpected end of "
       "input inside braces"},
      {"sum(up)",
       "invalid parameter \"match[]\": 1:4: parse error: unexpected \"(\""},
      {"up[5m]",
       "invalid parameter \"match[]\": 1:3: parse error: unexpected \"[\""},
      {"up offset 1m",
       "invalid parameter \"match[]\": 1:4: parse error: unexpected <offset>"},
      {"",
       "invalid parameter \"match[]\": 1:1: parse error: unexpected end of "
       "input"},
  };
  for (const auto& [match, error] : cases) {
    r = Get("/api/v1/series", {{"match[]", match}});
    EXPECT_EQ(r.status, 400) << match;
    EXPECT_EQ(r.body, Error("bad_data", error)) << match;
  }
  EXPECT_EQ(Get("/api/v1/series", {{"match[]", "up"}, {"start", "x"}}).body,
            Error("bad_data",
                  "invalid parameter \"start\": Invalid time value "
                  "for 'start': cannot parse \"x\" to a valid "
                  "timestamp"));
  EXPECT_EQ(Get("/api/v1/series", {{"match[]", "up"}, {"end", "x"}}).body,
            Error("bad_data",
                  "invalid parameter \"end\": Invalid time value "
                  "for 'end': cannot parse \"x\" to a valid "
                  "timestamp"));
}

// `limit` is Prometheus 3's: at most that many, with a warning Grafana
// looks for.
TEST_F(SeriesTest, Limit) {
  EXPECT_EQ(
      Get("/api/v1/series", {{"match[]", "up"}, {"limit", "1"}}).body,
      R"({"status":"success","data":[)"
      R"({"__name__":"up","instance":"localhost:9090","job":"prometheus"}],)"
      R"("warnings":["results truncated due to limit"]})");
  EXPECT_EQ(Get("/api/v1/series", {{"match[]", "up"}, {"limit", "2"}}).body,
            Success(std::string("[") + kUpSeries + "]"));
  EXPECT_EQ(Get("/api/v1/labels", {{"limit", "2"}}).body,
            R"({"status":"success","data":["__name__","code"],)"
            R"("warnings":["results truncated due to limit"]})");
  EXPECT_EQ(Get("/api/v1/label/job/values", {{"limit", "1"}}).body,
            R"({"status":"success","data":["node"],)"
            R"("warnings":["results truncated due to limit"]})");
  EXPECT_EQ(Get("/api/v1/series", {{"match[]", "up"}, {"limit", "x"}}).body,
            Error("bad_data",
                  "invalid parameter \"limit\": strconv.Atoi: "
                  "parsing \"x\": invalid syntax"));
  EXPECT_EQ(Get("/api/v1/labels", {{"limit", "-1"}}).body,
            Error("bad_data",
                  "invalid parameter \"limit\": limit must be non-negative"));
}

TEST_F(SeriesTest, Labels) {
  EXPECT_EQ(Get("/api/v1/labels").body,
            Success(R"(["__name__","code","instance","job","v"])"));
  EXPECT_EQ(Post("/api/v1/labels", {{"match[]", "up"}}).body,
            Success(R"(["__name__","instance","job"])"));
  EXPECT_EQ(
      Get("/api/v1/labels", {{"match[]", "up"}, {"match[]", "reqs_total"}})
          .body,
      Success(R"(["__name__","code","instance","job"])"));
  EXPECT_EQ(Get("/api/v1/labels", {{"match[]", "nothing"}}).body,
            Success("[]"));
  EXPECT_EQ(Get("/api/v1/labels", {{"start", "5"}, {"end", "1"}}).body,
            Success("[]"));
  // Unlike /series, matcher errors carry no parameter name.
  EXPECT_EQ(Get("/api/v1/labels", {{"match[]", "up{"}}).body,
            Error("bad_data",
                  "1:4: parse error: unexpected end of input inside braces"));
  EXPECT_EQ(
      Get("/api/v1/labels", {{"match[]", R"({a=""})"}}).body,
      Error("bad_data", "match[] must contain at least one non-empty matcher"));
  EXPECT_EQ(Get("/api/v1/labels", {{"start", "x"}}).body,
            Error("bad_data",
                  "invalid parameter \"start\": Invalid time value "
                  "for 'start': cannot parse \"x\" to a valid "
                  "timestamp"));
}

TEST_F(SeriesTest, LabelValues) {
  EXPECT_EQ(Get("/api/v1/label/job/values").body,
            Success(R"(["node","prometheus"])"));
  EXPECT_EQ(Get("/api/v1/label/__name__/values").body,
            Success(R"(["esc","fmt","reqs_total","up"])"));
  EXPECT_EQ(Get("/api/v1/label/__name__/values",
                {{"match[]", "up"}, {"match[]", "reqs_total"}})
                .body,
            Success(R"(["reqs_total","up"])"));
  EXPECT_EQ(Get("/api/v1/label/job/values", {{"match[]", "reqs_total"}}).body,
            Success("[]"));
  EXPECT_EQ(Get("/api/v1/label/nope/values").body, Success("[]"));
  EXPECT_EQ(Get("/api/v1/label/v/values").body,
            Success(R"(["big","big20","ctl\u0001\u0008\u000c\u001f)"
                    "\x7f"
                    R"(","esc\"q\\b\nn","inf","ls\u2028ps\u2029",)"
                    R"("lt\u003cgt\u003eamp\u0026","million","nan","negzero",)"
                    R"("ninf","pt3","small","small5","tab\tcr\r","tiny",)"
                    R"("uni)"
                    "\xc3\xa9\xf0\x9f\x98\x80"
                    R"("])"));
  EXPECT_EQ(Get("/api/v1/label/job/values", {{"match[]", "up{"}}).body,
            Error("bad_data",
                  "1:4: parse error: unexpected end of input inside braces"));
  EXPECT_EQ(
      Get("/api/v1/label/job/values", {{"match[]", R"({a=""})"}}).body,
      Error("bad_data", "match[] must contain at least one non-empty matcher"));
  EXPECT_EQ(Get("/api/v1/label/job/values", {{"start", "x"}}).body,
            Error("bad_data",
                  "invalid parameter \"start\": Invalid time value "
                  "for 'start': cannot parse \"x\" to a valid "
                  "timestamp"));
  // POST is not routed for this endpoint.
  EXPECT_EQ(Post("/api/v1/label/job/values").status, 405);
}

TEST_F(SeriesTest, LabelNamesInThePath) {
  Add(Labels::FromPairs({{"__name__", "u"}, {"foo-bar", "x"}, {"a b", "y"}}),
      1700000000000, 1);
  // Prometheus 3 accepts any UTF-8 name, percent-encoded in the path or in
  // its "U__" escaping (_2d_ is '-', __ is '_').
  EXPECT_EQ(Get("/api/v1/label/foo-bar/values").body, Success(R"(["x"])"));
  EXPECT_EQ(Get("/api/v1/label/a%20b/values").body, Success(R"(["y"])"));
  EXPECT_EQ(Get("/api/v1/label/U__foo_2d_bar/values").body,
            Success(R"(["x"])"));
  EXPECT_EQ(Get("/api/v1/label/U______name____/values").body,
            Success(R"(["esc","fmt","reqs_total","u","up"])"));
  // Malformed escapes keep the name as written.
  EXPECT_EQ(Get("/api/v1/label/U__foo_2d/values").body, Success("[]"));
  EXPECT_EQ(Get("/api/v1/label/a%zz/values").body,
            Error("bad_data", R"(invalid label name: "a%zz")"));

  // Prometheus 2.42 (legacy names): its exact errors.
  options_.label_name_validation = NameValidation::kLegacy;
  Rebuild();
  Response r = Get("/api/v1/label/foo-bar/values");
  EXPECT_EQ(r.status, 400);
  EXPECT_EQ(r.body, Error("bad_data", R"(invalid label name: "foo-bar")"));
  EXPECT_EQ(Get("/api/v1/label/foo%20bar/values").body,
            Error("bad_data", R"(invalid label name: "foo bar")"));
  EXPECT_EQ(Get("/api/v1/label/job/values").body,
            Success(R"(["node","prometheus"])"));
}

TEST_F(SeriesTest, Metadata) {
  EXPECT_EQ(Get("/api/v1/metadata").body, Success("{}"));
  EXPECT_EQ(Get("/api/v1/metadata", {{"metric", "up"}, {"limit", "2"}}).body,
            Success("{}"));
  const Response r = Get("/api/v1/metadata", {{"limit", "x"}});
  EXPECT_EQ(r.status, 400);
  EXPECT_EQ(r.body, Error("bad_data", "limit must be a number"));
}

}  // namespace
}  // namespace fraisier::api
