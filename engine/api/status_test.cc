// /api/v1/status/*, routing (404, 405, OPTIONS, CORS), extra handlers and
// the response envelope. Router answers and header values are Prometheus
// 2.42's (checked with curl -i against the real server).
#include "absl/status/status.h"

#include <string>
#include <utility>
#include <vector>

#include "absl/strings/str_cat.h"
#include "engine/api/api_test_util.h"
#include "engine/api/tsdb_status.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace fraisier::api {
namespace {

using ::fraisier::api::testing::ApiTest;
using ::fraisier::api::testing::Error;
using ::fraisier::api::testing::Success;
using ::testing::Contains;
using ::testing::ElementsAre;
using ::testing::IsEmpty;
using ::testing::Pair;

using StatusTest = ApiTest;

TEST_F(StatusTest, BuildInfo) {
  options_.build_info =
      BuildInfo{.version = "2.42.0+ds",
                .revision = "2.42.0+ds-5+deb12u1",
                .branch = "debian/sid",
                .build_user = "team+pkg-go@tracker.debian.org",
                .build_date = "20260604-00:58:54",
                .go_version = "go1.19.8"};
  Rebuild();
  EXPECT_EQ(
      Get("/api/v1/status/buildinfo").body,
      Success(
          R"({"version":"2.42.0+ds","revision":"2.42.0+ds-5+deb12u1",)"
          R"("branch":"debian/sid","buildUser":"team+pkg-go@tracker.debian.org",)"
          R"("buildDate":"20260604-00:58:54","goVersion":"go1.19.8"})"));
}

TEST_F(StatusTest, Config) {
  EXPECT_EQ(Get("/api/v1/status/config").body, Success(R"({"yaml":""})"));
  options_.config_yaml = [] {
    return std::string(
        "global:\n  scrape_interval: 1m\n  scrape_timeout: 10s\n"
        "  evaluation_interval: 1m\n");
  };
  Rebuild();
  EXPECT_EQ(Get("/api/v1/status/config").body,
            Success(R"({"yaml":"global:\n  scrape_interval: 1m\n  )"
                    R"(scrape_timeout: 10s\n  evaluation_interval: 1m\n"})"));
}

TEST_F(StatusTest, Flags) {
  EXPECT_EQ(Get("/api/v1/status/flags").body, Success("{}"));
  options_.flags = [] {
    return std::vector<std::pair<std::string, std::string>>{
        {"web.listen-address", "0.0.0.0:9099"},
        {"config.file", "ruler.yml"},
        {"a", "1"},
        {"a", "2"},
    };
  };
  Rebuild();
  // Sorted by name, as Go encodes a map; the last of a repeated name wins.
  EXPECT_EQ(Get("/api/v1/status/flags").body,
            Success(R"({"a":"2","config.file":"ruler.yml",)"
                    R"("web.listen-address":"0.0.0.0:9099"})"));
}

TEST_F(StatusTest, TsdbComputedFromStorage) {
  EXPECT_EQ(
      Get("/api/v1/status/tsdb").body,
      Success(
          R"({"headStats":{"numSeries":21,"numLabelPairs":27,"chunkCount":0,)"
          R"("minTime":1700000000000,"maxTime":1700000060000},)"
          R"("seriesCountByMetricName":[{"name":"fmt","value":12},)"
          R"({"name":"esc","value":5},{"name":"reqs_total","value":2},)"
          R"({"name":"up","value":2}],)"
          R"("labelValueCountByLabelName":[{"name":"v","value":17},)"
          R"({"name":"__name__","value":4},{"name":"code","value":2},)"
          R"({"name":"instance","value":2},{"name":"job","value":2}],)"
          R"("memoryInBytesByLabelName":[{"name":"v","value":103},)"
          R"({"name":"__name__","value":75},{"name":"instance","value":16},)"
          R"({"name":"job","value":14},{"name":"code","value":6}],)"
          R"("seriesCountByLabelValuePair":[{"name":"__name__=fmt","value":12},)"
          R"({"name":"__name__=esc","value":5},)"
          R"({"name":"__name__=reqs_total","value":2},)"
          R"({"name":"__name__=up","value":2},{"name":"code=200","value":1},)"
          R"({"name":"code=500","value":1},)"
          R"({"name":"instance=localhost:9090","value":1},)"
          R"({"name":"instance=n1","value":1},{"name":"job=node","value":1},)"
          R"({"name":"job=prometheus","value":1}]})"));
}

TEST(TsdbStatusTest, EmptyStoreLooksLikeAFreshPrometheusHead) {
  storage::MemoryStorage empty;
  absl::StatusOr<TsdbStatus> status = ComputeTsdbStatus(empty);
  ASSERT_TRUE(status.ok());
  std::string json;
  AppendTsdbStatusJson(*status, &json);
  // Prometheus 2.42 with an empty data directory.
  EXPECT_EQ(
      json,
      R"({"headStats":{"numSeries":0,"numLabelPairs":0,"chunkCount":0,)"
      R"("minTime":9223372036854775807,"maxTime":-9223372036854775808},)"
      R"("seriesCountByMetricName":[],"labelValueCountByLabelName":[],)"
      R"("memoryInBytesByLabelName":[],"seriesCountByLabelValuePair":[]})");
}

TEST_F(StatusTest, TsdbFromCallback) {
  options_.tsdb_status = []() -> absl::StatusOr<TsdbStatus> {
    TsdbStatus s;
    s.head_stats = {.num_series = 3,
                    .num_label_pairs = 4,
                    .chunk_count = 5,
                    .min_time = 6,
                    .max_time = 7};
    s.series_count_by_metric_name = {{"up", 3}};
    return s;
  };
  Rebuild();
  EXPECT_EQ(
      Get("/api/v1/status/tsdb").body,
      Success(
          R"({"headStats":{"numSeries":3,"numLabelPairs":4,"chunkCount":5,)"
          R"("minTime":6,"maxTime":7},)"
          R"("seriesCountByMetricName":[{"name":"up","value":3}],)"
          R"("labelValueCountByLabelName":[],"memoryInBytesByLabelName":[],)"
          R"("seriesCountByLabelValuePair":[]})"));

  options_.tsdb_status = []() -> absl::StatusOr<TsdbStatus> {
    return absl::UnavailableError("head not ready");
  };
  Rebuild();
  const Response r = Get("/api/v1/status/tsdb");
  EXPECT_EQ(r.status, 500);
  EXPECT_EQ(r.body, Error("internal", "head not ready"));
}

TEST_F(StatusTest, UnknownPathsAndMethods) {
  Response r = Get("/api/v1/nope");
  EXPECT_EQ(r.status, 404);
  EXPECT_EQ(r.content_type, "text/plain; charset=utf-8");
  EXPECT_EQ(r.body, "404 page not found\n");
  EXPECT_THAT(r.headers,
              ElementsAre(Pair("X-Content-Type-Options", "nosniff")));
  EXPECT_EQ(Get("/api/v1/").status, 404);
  EXPECT_EQ(Get("/api/v1/query/extra").status, 404);
  EXPECT_EQ(Get("/api/v1/parse_query").status, 404);  // not in 2.42
  EXPECT_EQ(Get("/api/v1/label//values").status, 404);

  Request put;
  put.method = "PUT";
  put.path = "/api/v1/query";
  r = Do(put);
  EXPECT_EQ(r.status, 405);
  EXPECT_EQ(r.body, "Method Not Allowed\n");
  EXPECT_EQ(r.content_type, "text/plain; charset=utf-8");
  EXPECT_THAT(r.headers, Contains(Pair("Allow", "GET, OPTIONS, POST")));
  Request del;
  del.method = "DELETE";
  del.path = "/api/v1/label/job/values";
  EXPECT_THAT(Do(del).headers, Contains(Pair("Allow", "GET, OPTIONS")));
  EXPECT_EQ(Post("/api/v1/status/buildinfo").status, 405);
}

TEST_F(StatusTest, OptionsAndCors) {
  Request options;
  options.method = "OPTIONS";
  options.path = "/api/v1/nope";
  Response r = Do(options);
  EXPECT_EQ(r.status, 204);
  EXPECT_EQ(r.content_type, "");
  EXPECT_EQ(r.body, "");
  EXPECT_THAT(r.headers, IsEmpty());

  options.path = "/api/v1/query";
  options.origin = "http://grafana";
  const std::vector<std::pair<std::string, std::string>> cors = {
      {"Access-Control-Allow-Headers",
       "Accept, Authorization, Content-Type, Origin"},
      {"Access-Control-Allow-Methods", "GET, POST, OPTIONS"},
      {"Access-Control-Expose-Headers", "Date"},
      {"Access-Control-Allow-Origin", "*"},
      {"Vary", "Origin"},
  };
  r = Do(options);
  EXPECT_EQ(r.status, 204);
  EXPECT_EQ(r.headers, cors);

  Request get;
  get.method = "GET";
  get.path = "/api/v1/query";
  get.params = {{"query", "1"}, {"time", "1"}};
  EXPECT_THAT(Do(get).headers, IsEmpty());
  get.origin = "http://grafana";
  r = Do(get);
  EXPECT_EQ(r.body, Success(R"({"resultType":"scalar","result":[1,"1"]})"));
  EXPECT_EQ(r.headers, cors);
}

TEST_F(StatusTest, Handles) {
  EXPECT_TRUE(api_->Handles("/api/v1/query"));
  EXPECT_TRUE(api_->Handles("/api/v1/label/job/values"));
  EXPECT_TRUE(api_->Handles("/api/v1/status/tsdb"));
  EXPECT_FALSE(api_->Handles("/api/v1/write"));
  EXPECT_FALSE(api_->Handles("/api/v1/rules"));
  EXPECT_FALSE(api_->Handles("/api/v1/label/a/b/values"));
  EXPECT_FALSE(api_->Handles("/metrics"));
}

TEST_F(StatusTest, ExtraHandlers) {
  options_.extra_handlers.push_back(
      {"/api/v1/rules", {"GET", "POST"}, [](const Request& r) {
         return SuccessResponse(R"({"groups":[]})");
       }});
  options_.extra_handlers.push_back(
      {"/api/v1/status/buildinfo", {"GET"}, [](const Request& r) {
         return ErrorResponse({ErrorType::kUnavailable, "replaced"});
       }});
  Rebuild();
  EXPECT_TRUE(api_->Handles("/api/v1/rules"));
  EXPECT_EQ(Get("/api/v1/rules").body, Success(R"({"groups":[]})"));
  EXPECT_EQ(Post("/api/v1/rules").status, 200);
  Request put;
  put.method = "PUT";
  put.path = "/api/v1/rules";
  EXPECT_THAT(Do(put).headers, Contains(Pair("Allow", "GET, OPTIONS, POST")));
  const Response r = Get("/api/v1/status/buildinfo");
  EXPECT_EQ(r.status, 500);
  EXPECT_EQ(r.body, Error("unavailable", "replaced"));
}

TEST(ApiTest, UnconfiguredAnswersInternalError) {
  Api api(ApiOptions{});
  Request get;
  get.method = "GET";
  get.path = "/api/v1/query";
  const Response r = api.Handle(get);
  EXPECT_EQ(r.status, 500);
  EXPECT_EQ(r.body, Error("internal",
                          "API not configured: storage, engine "
                          "and clock are required"));
}

TEST(ResponseTest, AnnotationsAreCappedAtTen) {
  std::vector<std::string> warnings, infos;
  for (int i = 0; i < 12; ++i) warnings.push_back(absl::StrCat("w", i));
  for (int i = 0; i < 11; ++i) infos.push_back(absl::StrCat("i", i));
  EXPECT_EQ(SuccessResponse("1", warnings, infos).body,
            R"({"status":"success","data":1,)"
            R"("warnings":["w0","w1","w2","w3","w4","w5","w6","w7","w8","w9",)"
            R"("2 more warning annotations omitted"],)"
            R"("infos":["i0","i1","i2","i3","i4","i5","i6","i7","i8","i9",)"
            R"("1 more info annotations omitted"]})");
}

TEST(ResponseTest, ErrorTypesAndStatuses) {
  const std::pair<ErrorType, int> cases[] = {
      {ErrorType::kBadData, 400},  {ErrorType::kExecution, 422},
      {ErrorType::kCanceled, 503}, {ErrorType::kTimeout, 503},
      {ErrorType::kInternal, 500}, {ErrorType::kUnavailable, 500},
      {ErrorType::kNotFound, 404},
  };
  for (const auto& [type, status] : cases) {
    const Response r = ErrorResponse({type, "m"});
    EXPECT_EQ(r.status, status) << ErrorTypeName(type);
    EXPECT_EQ(r.body, Error(ErrorTypeName(type), "m"));
  }
  EXPECT_EQ(QueryError(absl::CancelledError("c")).type, ErrorType::kCanceled);
  EXPECT_EQ(QueryError(absl::DeadlineExceededError("d")).type,
            ErrorType::kTimeout);
  EXPECT_EQ(QueryError(absl::ResourceExhaustedError("r")).type,
            ErrorType::kExecution);
  EXPECT_EQ(QueryError(absl::InvalidArgumentError("i")).type,
            ErrorType::kExecution);
  EXPECT_EQ(QueryError(absl::DataLossError("corrupt chunk")).type,
            ErrorType::kInternal);
}

}  // namespace
}  // namespace fraisier::api
