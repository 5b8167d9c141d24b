#include "engine/cli/query_output.h"

#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace fraisier::cli {
namespace {

using ::testing::ElementsAre;
using ::testing::IsEmpty;

std::string Table(const std::string& body) {
  std::vector<std::string> warnings;
  absl::StatusOr<std::string> s =
      FormatQueryResponse(body, QueryFormat::kTable, &warnings);
  EXPECT_TRUE(s.ok()) << s.status();
  return s.ok() ? *s : "";
}

TEST(QueryOutputTest, VectorTable) {
  EXPECT_EQ(
      Table(R"({"status":"success","data":{"resultType":"vector","result":[
        {"metric":{"__name__":"up","job":"node","instance":"a:9100"},
         "value":[1700000000.123,"1"]},
        {"metric":{"job":"x\"y"},"value":[1700000000.123,"NaN"]},
        {"metric":{},"value":[1700000000.123,"+Inf"]}]}})"),
      "SERIES                             VALUE\n"
      "up{instance=\"a:9100\", job=\"node\"}  1\n"
      "{job=\"x\\\"y\"}                       NaN\n"
      "{}                                 +Inf\n");
}

TEST(QueryOutputTest, MatrixScalarStringAndEmpty) {
  EXPECT_EQ(Table(R"({"status":"success","data":{"resultType":"matrix",
      "result":[{"metric":{"job":"a"},"values":[[1,"1"],[61.5,"2"]]},
                {"metric":{"job":"b"},"values":[[1,"3"]]}]}})"),
            "SERIES     TIMESTAMP  VALUE\n"
            "{job=\"a\"}  1          1\n"
            "{job=\"a\"}  61.5       2\n"
            "{job=\"b\"}  1          3\n");
  EXPECT_EQ(Table(R"({"status":"success","data":{"resultType":"scalar",
      "result":[1700000000,"0.5"]}})"),
            "TIMESTAMP   VALUE\n1700000000  0.5\n");
  EXPECT_EQ(Table(R"({"status":"success","data":{"resultType":"string",
      "result":[2,"hello"]}})"),
            "TIMESTAMP  VALUE\n2          hello\n");
  EXPECT_EQ(Table(R"({"status":"success","data":{"resultType":"vector",
      "result":[]}})"),
            "SERIES  VALUE\n");
}

TEST(QueryOutputTest, JsonKeepsTheApisData) {
  std::vector<std::string> warnings;
  absl::StatusOr<std::string> s = FormatQueryResponse(
      R"({"status":"success","data":{"resultType":"vector","result":[{"metric":{"b":"1","a":"2"},"value":[1,"2"]}]},"warnings":["slow"]})",
      QueryFormat::kJson, &warnings);
  ASSERT_TRUE(s.ok());
  EXPECT_EQ(*s,
            "{\"resultType\":\"vector\",\"result\":[{\"metric\":{\"b\":\"1\","
            "\"a\":\"2\"},\"value\":[1,\"2\"]}]}\n");
  EXPECT_THAT(warnings, ElementsAre("slow"));
}

TEST(QueryOutputTest, ErrorsAndGarbage) {
  std::vector<std::string> warnings;
  absl::StatusOr<std::string> s = FormatQueryResponse(
      R"({"status":"error","errorType":"bad_data","error":"1:7: parse error"})",
      QueryFormat::kTable, &warnings);
  EXPECT_EQ(s.status(),
            absl::InvalidArgumentError("bad_data: 1:7: parse error"));
  s = FormatQueryResponse("404 page not found", QueryFormat::kTable, &warnings);
  EXPECT_EQ(s.status().code(), absl::StatusCode::kInternal);
  EXPECT_EQ(s.status().message(),
            "the server's response is not Prometheus API JSON: 404 page not "
            "found");
  // Wrong shapes never throw.
  for (
      const char* body :
      {R"({"status":"success"})", R"({"status":"success","data":5})",
       R"({"status":"success","data":{"resultType":"vector","result":5}})",
       R"({"status":"success","data":{"resultType":"matrix","result":[{"values":7}]}})",
       R"({"status":"success","data":{"resultType":"vector","result":[{"value":[1]}]}})",
       R"([1,2])"}) {
    FormatQueryResponse(body, QueryFormat::kTable, &warnings).IgnoreError();
  }
  EXPECT_THAT(warnings, IsEmpty());
  EXPECT_FALSE(ParseQueryFormat("xml").ok());
}

}  // namespace
}  // namespace fraisier::cli
