// /api/v1/query, /api/v1/query_range, /api/v1/format_query and
// /api/v1/query_exemplars. Expected bodies are Prometheus 2.42's answers
// for the same data (see api_test_util.h) unless a comment says otherwise.
#include <string>

#include "absl/strings/str_cat.h"
#include "engine/api/api_test_util.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace fraisier::api {
namespace {

using ::fraisier::api::testing::ApiTest;
using ::fraisier::api::testing::Error;
using ::fraisier::api::testing::Success;
using ::testing::HasSubstr;
using ::testing::StartsWith;

class QueryTest : public ApiTest {
 protected:
  Response Query(absl::string_view query, absl::string_view time) {
    Params params = {{"query", std::string(query)}};
    if (!time.empty()) params.emplace_back("time", std::string(time));
    return Get("/api/v1/query", params);
  }
  Response Range(absl::string_view query, absl::string_view start,
                 absl::string_view end, absl::string_view step) {
    return Get("/api/v1/query_range", {{"query", std::string(query)},
                                       {"start", std::string(start)},
                                       {"end", std::string(end)},
                                       {"step", std::string(step)}});
  }
};

TEST_F(QueryTest, SampleValueFormats) {
  const Response r = Query("fmt", "1700000000");
  EXPECT_EQ(r.status, 200);
  EXPECT_EQ(r.content_type, "application/json");
  EXPECT_EQ(
      r.body,
      Success(
          R"({"resultType":"vector","result":[)"
          R"({"metric":{"__name__":"fmt","v":"big"},"value":[1700000000,"1e+21"]},)"
          R"({"metric":{"__name__":"fmt","v":"big20"},"value":[1700000000,"100000000000000000000"]},)"
          R"({"metric":{"__name__":"fmt","v":"esc\"q\\b\nn"},"value":[1700000000,"1"]},)"
          R"({"metric":{"__name__":"fmt","v":"inf"},"value":[1700000000,"+Inf"]},)"
          R"({"metric":{"__name__":"fmt","v":"million"},"value":[1700000000,"1000000"]},)"
          R"({"metric":{"__name__":"fmt","v":"nan"},"value":[1700000000,"NaN"]},)"
          R"({"metric":{"__name__":"fmt","v":"negzero"},"value":[1700000000,"-0"]},)"
          R"({"metric":{"__name__":"fmt","v":"ninf"},"value":[1700000000,"-Inf"]},)"
          R"({"metric":{"__name__":"fmt","v":"pt3"},"value":[1700000000,"0.30000000000000004"]},)"
          R"({"metric":{"__name__":"fmt","v":"small"},"value":[1700000000,"1e-07"]},)"
          R"({"metric":{"__name__":"fmt","v":"small5"},"value":[1700000000,"0.00001"]},)"
          R"({"metric":{"__name__":"fmt","v":"tiny"},"value":[1700000000,"2.5e-300"]}]})"));
}

TEST_F(QueryTest, LabelEscaping) {
  EXPECT_EQ(
      Query("esc", "1700000000").body,
      Success(
          R"({"resultType":"vector","result":[)"
          R"({"metric":{"__name__":"esc","v":"ctl\u0001\u0008\u000c\u001f)"
          "\x7f"
          R"("},"value":[1700000000,"2"]},)"
          R"({"metric":{"__name__":"esc","v":"ls\u2028ps\u2029"},"value":[1700000000,"3"]},)"
          R"({"metric":{"__name__":"esc","v":"lt\u003cgt\u003eamp\u0026"},"value":[1700000000,"1"]},)"
          R"({"metric":{"__name__":"esc","v":"tab\tcr\r"},"value":[1700000000,"6"]},)"
          R"({"metric":{"__name__":"esc","v":"uni)"
          "\xc3\xa9\xf0\x9f\x98\x80"
          R"("},"value":[1700000000,"5"]}]})"));
  // Invalid UTF-8 can only come from PromQL string escapes.
  EXPECT_EQ(
      Query(R"(label_replace(vector(1), "v", "a\xffb\u2028<", "", ""))", "1")
          .body,
      Success(R"({"resultType":"vector","result":[)"
              R"({"metric":{"v":"a\ufffdb\u2028\u003c"},"value":[1,"1"]}]})"));
}

TEST_F(QueryTest, TimeParameter) {
  const std::string up_at =
      R"({"resultType":"vector","result":[)"
      R"({"metric":{"__name__":"up","instance":"localhost:9090","job":"prometheus"},"value":[@T,"1"]},)"
      R"({"metric":{"__name__":"up","instance":"n1","job":"node"},"value":[@T,"1"]}]})";
  auto expect_at = [&](absl::string_view time, absl::string_view printed) {
    std::string want = up_at;
    for (size_t pos; (pos = want.find("@T")) != std::string::npos;) {
      want.replace(pos, 2, std::string(printed));
    }
    EXPECT_EQ(Query("up", time).body, Success(want)) << time;
  };
  // Three digits of milliseconds, trailing zeros kept; more digits round.
  expect_at("1700000030.1", "1700000030.100");
  expect_at("1700000030.1234", "1700000030.123");
  expect_at("1700000030.1236", "1700000030.124");
  expect_at("2023-11-14T22:13:50.123456Z", "1700000030.123");
  expect_at("2023-11-14T23:13:50+01:00", "1700000030");
  expect_at("1.7000000301e9", "1700000030.100");
  // No time: the clock's now.
  expect_at("", "1700000031");
}

TEST_F(QueryTest, ScalarAndStringResults) {
  // Scalars print without an exponent and with the plain float time.
  EXPECT_EQ(
      Query("1e21", "1.5").body,
      Success(
          R"({"resultType":"scalar","result":[1.5,"1000000000000000000000"]})"));
  EXPECT_EQ(
      Query("1e-7", "1700000030.1").body,
      Success(
          R"({"resultType":"scalar","result":[1700000030.1,"0.0000001"]})"));
  EXPECT_EQ(
      Query("0.1+0.2", "-0.25").body,
      Success(
          R"({"resultType":"scalar","result":[-0.25,"0.30000000000000004"]})"));
  EXPECT_EQ(Query("-0", "0.001").body,
            Success(R"({"resultType":"scalar","result":[0.001,"-0"]})"));
  EXPECT_EQ(Query("NaN", "0").body,
            Success(R"({"resultType":"scalar","result":[0,"NaN"]})"));
  EXPECT_EQ(
      Query("123456789012345678", "1").body,
      Success(R"({"resultType":"scalar","result":[1,"123456789012345680"]})"));
  EXPECT_EQ(Query("1", "-1.5").body,
            Success(R"({"resultType":"scalar","result":[-1.5,"1"]})"));
  EXPECT_EQ(Query(R"("str")", "1700000000").body,
            Success(R"({"resultType":"string","result":[1700000000,"str"]})"));
  EXPECT_EQ(
      Query(R"("a\xffb\u2028<\x01")", "1").body,
      Success(
          R"({"resultType":"string","result":[1,"a\ufffdb\u2028\u003c\u0001"]})"));
}

TEST_F(QueryTest, MatrixResult) {
  EXPECT_EQ(
      Query("up[1m]", "1700000031").body,
      Success(
          R"({"resultType":"matrix","result":[)"
          R"({"metric":{"__name__":"up","instance":"localhost:9090","job":"prometheus"},)"
          R"("values":[[1700000000,"1"],[1700000015.500,"1"],[1700000030.123,"1"]]},)"
          R"({"metric":{"__name__":"up","instance":"n1","job":"node"},)"
          R"("values":[[1700000000,"0"],[1700000030,"1"]]}]})"));
}

TEST_F(QueryTest, AnnotationsBecomeInfosAndWarnings) {
  // Prometheus 2.42 has no annotations; Prometheus 3 sends this info.
  EXPECT_EQ(
      Query("rate(up[1m])", "1700000031").body,
      R"({"status":"success","data":{"resultType":"vector","result":[)"
      R"({"metric":{"instance":"localhost:9090","job":"prometheus"},"value":[1700000031,"0"]},)"
      R"({"metric":{"instance":"n1","job":"node"},"value":[1700000031,"0.017222222222222226"]}]},)"
      R"("infos":["PromQL info: metric might not be a counter, name does not end in _total/_sum/_count/_bucket: \"up\""]})");
  const Response r = Query("quantile(2, up)", "1700000031");
  EXPECT_THAT(r.body,
              HasSubstr(R"(]},"warnings":["PromQL warning: quantile value )"
                        R"(should be between 0 and 1, got 2"]})"));
}

TEST_F(QueryTest, Stats) {
  // Timings are 0 under the fake clock; the shape is Prometheus's. The
  // sample counts are the engine's own (samples read from storage, most
  // held at once), not Prometheus's per-step counts (2 and 2 here).
  EXPECT_EQ(
      Get("/api/v1/query",
          {{"query", "up"}, {"time", "1700000031"}, {"stats", "all"}})
          .body,
      Success(
          R"({"resultType":"vector","result":[)"
          R"({"metric":{"__name__":"up","instance":"localhost:9090","job":"prometheus"},"value":[1700000031,"1"]},)"
          R"({"metric":{"__name__":"up","instance":"n1","job":"node"},"value":[1700000031,"1"]}],)"
          R"("stats":{"timings":{"evalTotalTime":0,"resultSortTime":0,"queryPreparationTime":0,)"
          R"("innerEvalTime":0,"execQueueTime":0,"execTotalTime":0},)"
          R"("samples":{"totalQueryableSamples":5,"peakSamples":7}}})"));
}

TEST_F(QueryTest, PostAndParameterOrder) {
  // Go's FormValue takes the first value; the body comes before the URL.
  const Response r =
      Post("/api/v1/query", {{"query", "1"}, {"time", "5"}, {"time", "1"}});
  EXPECT_EQ(r.body, Success(R"({"resultType":"scalar","result":[5,"1"]})"));
}

TEST_F(QueryTest, FormEncodedRequest) {
  // What a transport does with a POST: body first, then the URL query.
  Request request;
  request.method = "POST";
  request.path = "/api/v1/query";
  AppendUrlEncoded(
      "query=sum+by+(job)+(up%7Bjob%3D~%22n.*%22%7D)&time=1700000031",
      &request.params);
  AppendUrlEncoded("time=1", &request.params);
  EXPECT_EQ(Do(request).body,
            Success(R"({"resultType":"vector","result":[)"
                    R"({"metric":{"job":"node"},"value":[1700000031,"1"]}]})"));
}

TEST_F(QueryTest, BadParameters) {
  Response r = Query("up", "x");
  EXPECT_EQ(r.status, 400);
  EXPECT_EQ(r.body, Error("bad_data",
                          "invalid parameter \"time\": Invalid time value for "
                          "'time': cannot parse \"x\" to a valid timestamp"));
  EXPECT_EQ(Query("1", "0x10").body,
            Error("bad_data",
                  "invalid parameter \"time\": Invalid time value "
                  "for 'time': cannot parse \"0x10\" to a valid "
                  "timestamp"));
  EXPECT_EQ(Query("1", "2023-11-14T22:13:50").status, 400);
  r = Get("/api/v1/query", {{"query", "up"}, {"timeout", "abc"}});
  EXPECT_EQ(r.body, Error("bad_data",
                          "invalid parameter \"timeout\": cannot "
                          "parse \"abc\" to a valid duration"));
}

TEST_F(QueryTest, ParseErrors) {
  Response r = Query("sum(", "1");
  EXPECT_EQ(r.status, 400);
  EXPECT_EQ(r.body, Error("bad_data",
                          "invalid parameter \"query\": 1:5: parse "
                          "error: unclosed left parenthesis"));
  EXPECT_EQ(Get("/api/v1/query").body,
            Error("bad_data",
                  "invalid parameter \"query\": 1:1: parse error: "
                  "no expression found in input"));
  EXPECT_EQ(Query("foo bar", "1").body,
            Error("bad_data",
                  "invalid parameter \"query\": 1:5: parse error: "
                  "unexpected identifier \"bar\""));
}

TEST_F(QueryTest, ExecutionErrors) {
  Response r = Query("up + on() up", "1700000031");
  EXPECT_EQ(r.status, 422);
  EXPECT_THAT(
      r.body,
      StartsWith(R"({"status":"error","errorType":"execution",)"
                 R"("error":"found duplicate series for the match )"
                 R"(group {} on the right hand-side of the operation)"));

  promql::EngineOptions small{.max_samples = 1, .clock = &clock_};
  promql::Engine engine(small);
  options_.engine = &engine;
  Rebuild();
  r = Query("up", "1700000031");
  EXPECT_EQ(r.status, 422);
  EXPECT_EQ(r.body, Error("execution",
                          "query processing would load too many samples into "
                          "memory in query execution"));
}

TEST_F(QueryTest, TimeoutAndCancel) {
  // A negative timeout has already expired when the query starts, as with
  // Go's context.WithTimeout; the engine notices within 64 steps.
  Response r = Get("/api/v1/query_range", {{"query", "sum(up)"},
                                           {"start", "1700000000"},
                                           {"end", "1700001000"},
                                           {"step", "1"},
                                           {"timeout", "-1"}});
  EXPECT_EQ(r.status, 503);
  EXPECT_EQ(r.body,
            Error("timeout", "query timed out in expression evaluation"));

  promql::CancellationToken cancel;
  cancel.cancelled = true;
  Request request;
  request.method = "GET";
  request.path = "/api/v1/query";
  request.params = {{"query", "up"}};
  request.cancel = &cancel;
  r = Do(request);
  EXPECT_EQ(r.status, 503);
  EXPECT_EQ(r.body, Error("canceled", "query was canceled"));
}

TEST_F(QueryTest, RangeQuery) {
  EXPECT_EQ(
      Range("up", "1700000000", "1700000030", "15").body,
      Success(
          R"({"resultType":"matrix","result":[)"
          R"({"metric":{"__name__":"up","instance":"localhost:9090","job":"prometheus"},)"
          R"("values":[[1700000000,"1"],[1700000015,"1"],[1700000030,"1"]]},)"
          R"({"metric":{"__name__":"up","instance":"n1","job":"node"},)"
          R"("values":[[1700000000,"0"],[1700000015,"0"],[1700000030,"1"]]}]})"));
  EXPECT_EQ(
      Range("sum(rate(reqs_total[2m])) by (code)", "1700000000", "1700000060",
            "30s")
          .body,
      Success(
          R"({"resultType":"matrix","result":[)"
          R"({"metric":{"code":"200"},"values":[[1700000060,"0.16666666666666666"]]},)"
          R"({"metric":{"code":"500"},"values":[[1700000060,"0.025"]]}]})"));
  EXPECT_EQ(Range("1e21", "1.5", "2.5", "1").body,
            Success(R"({"resultType":"matrix","result":[{"metric":{},)"
                    R"("values":[[1.500,"1e+21"],[2.500,"1e+21"]]}]})"));
  EXPECT_EQ(Range("vector(1e-7)", "1.5", "2.5", "1").body,
            Success(R"({"resultType":"matrix","result":[{"metric":{},)"
                    R"("values":[[1.500,"1e-07"],[2.500,"1e-07"]]}]})"));
  EXPECT_EQ(
      Range("1", "1", "1", "1").body,
      Success(
          R"({"resultType":"matrix","result":[{"metric":{},"values":[[1,"1"]]}]})"));
  EXPECT_EQ(Range("up", "1", "2", "1m30s").body,
            Success(R"({"resultType":"matrix","result":[]})"));
}

TEST_F(QueryTest, RangeQueryErrors) {
  struct Case {
    const char* query;
    const char* start;
    const char* end;
    const char* step;
    const char* error;
  };
  const Case cases[] = {
      {"up", "x", "1700000000", "15",
       R"(invalid parameter "start": cannot parse "x" to a valid timestamp)"},
      {"up", "", "2", "abc",
       R"(invalid parameter "start": cannot parse "" to a valid timestamp)"},
      {"up", "1", "", "1",
       R"(invalid parameter "end": cannot parse "" to a valid timestamp)"},
      {"up", "1700000030", "1700000000", "15",
       R"(invalid parameter "end": end timestamp must not be before start time)"},
      {"up", "1", "2", "",
       R"(invalid parameter "step": cannot parse "" to a valid duration)"},
      {"up", "1", "2", "abc",
       R"(invalid parameter "step": cannot parse "abc" to a valid duration)"},
      // Prometheus durations have no sign; negative steps are floats.
      {"up", "1", "2", "-1s",
       R"(invalid parameter "step": cannot parse "-1s" to a valid duration)"},
      {"up", "1", "2", "0",
       R"(invalid parameter "step": zero or negative query resolution step widths are not accepted. Try a positive integer)"},
      {"up", "1", "2", "-1",
       R"(invalid parameter "step": zero or negative query resolution step widths are not accepted. Try a positive integer)"},
      {"up", "1", "1700000000", "1",
       "exceeded maximum resolution of 11,000 points per timeseries. Try "
       "decreasing the query resolution (?step=XX)"},
      {"sum(", "1", "2", "1", "1:5: parse error: unclosed left parenthesis"},
      {R"("a")", "1", "2", "1",
       R"(invalid expression type "string" for range query, must be Scalar or instant Vector)"},
      {"up[5m]", "1", "2", "1",
       R"(invalid expression type "range vector" for range query, must be Scalar or instant Vector)"},
  };
  for (const Case& c : cases) {
    const Response r = Range(c.query, c.start, c.end, c.step);
    EXPECT_EQ(r.status, 400) << c.query << " " << c.start;
    EXPECT_EQ(r.body, Error("bad_data", c.error)) << c.query << " " << c.start;
  }
  // A step under a millisecond: Prometheus 2.42 fails it with "unexpected
  // error: runtime error: integer divide by zero"; the class is the same.
  const Response sub_ms = Range("1", "1", "1.0005", "0.0001");
  EXPECT_EQ(sub_ms.status, 422);
  EXPECT_THAT(sub_ms.body,
              StartsWith(R"({"status":"error","errorType":"execution",)"));
  // Exactly 11000 steps are fine (the check is "more than").
  EXPECT_EQ(Range("1", "0", "11000", "1").status, 200);
}

TEST_F(QueryTest, FormatQuery) {
  EXPECT_EQ(
      Get("/api/v1/format_query", {{"query", "sum(rate(x[5m]))by(job)"}}).body,
      Success(R"j("sum by (job) (rate(x[5m]))")j"));
  EXPECT_EQ(Post("/api/v1/format_query", {{"query", "sum("}}).body,
            Error("bad_data",
                  "invalid parameter \"query\": 1:5: parse error: "
                  "unclosed left parenthesis"));
  EXPECT_EQ(Get("/api/v1/format_query").body,
            Error("bad_data",
                  "invalid parameter \"query\": 1:1: parse error: "
                  "no expression found in input"));
}

TEST_F(QueryTest, QueryExemplars) {
  const std::string path = "/api/v1/query_exemplars";
  EXPECT_EQ(Get(path, {{"query", "up"}, {"start", "1"}, {"end", "2"}}).body,
            Success("[]"));
  EXPECT_EQ(Get(path, {{"query", "up"}}).body, Success("[]"));
  const Response none = Get(path, {{"query", "1"}});
  EXPECT_EQ(none.status, 204);
  EXPECT_EQ(none.body, "");
  EXPECT_EQ(Get(path, {{"query", "up("}}).body,
            Error("bad_data", "1:4: parse error: unclosed left parenthesis"));
  EXPECT_EQ(
      Get(path, {{"query", "up"}, {"start", "3"}, {"end", "2"}}).body,
      Error("bad_data", "end timestamp must not be before start timestamp"));
  EXPECT_EQ(Get(path, {{"query", "up"}, {"start", "x"}}).body,
            Error("bad_data",
                  "invalid parameter \"start\": Invalid time value "
                  "for 'start': cannot parse \"x\" to a valid "
                  "timestamp"));
}

}  // namespace
}  // namespace fraisier::api
