// gRPC RemoteWrite.Write into `ruler serve`, read back through the HTTP API.
#include <memory>

#include "absl/strings/str_cat.h"
#include "absl/time/clock.h"
#include "engine/ingest/remote_write_encoder.h"
#include "engine/server/server.h"
#include "gmock/gmock.h"
#include "grpcpp/grpcpp.h"
#include "gtest/gtest.h"
#include "nlohmann/json.hpp"
#include "proto/remote.grpc.pb.h"
#include "tests/integration/test_util.h"

namespace fraisier::integration {
namespace {

using nlohmann::json;
using ::testing::HasSubstr;

class GrpcWriteTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = MakeTempDir("grpc_write");
    server::ServerOptions options;
    options.web_listen_address = "127.0.0.1:0";
    options.grpc_listen_address = "127.0.0.1:0";
    options.storage_path = dir_ + "/data";
    absl::StatusOr<std::unique_ptr<server::Server>> s =
        server::Server::Start(options);
    ASSERT_TRUE(s.ok()) << s.status();
    server_ = *std::move(s);
    ASSERT_GT(server_->grpc_port(), 0);
    base_ = absl::StrCat("http://127.0.0.1:", server_->http_port());
    stub_ = prometheus::RemoteWrite::NewStub(
        grpc::CreateChannel(absl::StrCat("127.0.0.1:", server_->grpc_port()),
                            grpc::InsecureChannelCredentials()));
  }
  void TearDown() override {
    if (server_) {
      EXPECT_TRUE(server_->Shutdown().ok());
    }
  }

  grpc::Status Write(const prometheus::WriteRequest& request) {
    grpc::ClientContext context;
    context.set_deadline(std::chrono::system_clock::now() +
                         std::chrono::seconds(10));
    prometheus::WriteResponse response;
    return stub_->Write(&context, request, &response);
  }

  json Query(const std::string& query, int64_t time_s) {
    return json::parse(
        HttpGet(base_ + "/api/v1/query?time=" + absl::StrCat(time_s) +
                "&query=" + UrlEncode(query))
            .body,
        nullptr, false);
  }

  std::string dir_, base_;
  std::unique_ptr<server::Server> server_;
  std::unique_ptr<prometheus::RemoteWrite::Stub> stub_;
};

void AddSeries(prometheus::WriteRequest* request,
               std::vector<std::pair<std::string, std::string>> labels,
               std::vector<std::pair<int64_t, double>> samples) {
  ingest::AddSeries({std::move(labels), std::move(samples)}, request);
}

TEST_F(GrpcWriteTest, WritesAreReadableThroughTheHttpApi) {
  const int64_t now = absl::ToUnixMillis(absl::Now()) / 1000 * 1000;
  prometheus::WriteRequest request;
  for (int i = 0; i < 20; ++i) {
    AddSeries(&request,
              {{"__name__", "fraisier_health_check_total"},
               {"service", absl::StrCat("svc", i)},
               {"status", "success"}},
              {{now - 30000, 10.0 * i}, {now - 15000, 10.0 * i + 1.5}});
  }
  grpc::Status status = Write(request);
  ASSERT_TRUE(status.ok()) << status.error_message();

  json j = Query("sum(fraisier_health_check_total)", now / 1000);
  ASSERT_EQ(j["status"], "success") << j.dump();
  EXPECT_EQ(j["data"]["result"][0]["value"][1], "1930");  // 10*190 + 20*1.5
  j = Query("fraisier_health_check_total{service=\"svc3\"}", now / 1000);
  EXPECT_EQ(j["data"]["result"][0]["metric"]["status"], "success");
  EXPECT_EQ(j["data"]["result"][0]["value"][1], "31.5");
}

TEST_F(GrpcWriteTest, BadInputMapsToGrpcCodes) {
  const int64_t now = absl::ToUnixMillis(absl::Now());
  prometheus::WriteRequest unsorted;
  AddSeries(&unsorted, {{"job", "a"}, {"__name__", "up"}}, {{now, 1}});
  grpc::Status status = Write(unsorted);
  EXPECT_EQ(status.error_code(), grpc::StatusCode::INVALID_ARGUMENT);
  EXPECT_THAT(status.error_message(), HasSubstr("sorted"));

  prometheus::WriteRequest good;
  AddSeries(&good, {{"__name__", "up"}, {"job", "a"}}, {{now, 1}});
  ASSERT_TRUE(Write(good).ok());
  prometheus::WriteRequest older;
  AddSeries(&older, {{"__name__", "up"}, {"job", "a"}}, {{now - 5000, 0}});
  status = Write(older);
  EXPECT_EQ(status.error_code(), grpc::StatusCode::INVALID_ARGUMENT);
  EXPECT_THAT(status.error_message(), HasSubstr("out of order"));

  json j = Query("up", now / 1000 + 1);
  EXPECT_EQ(j["data"]["result"][0]["value"][1], "1") << j.dump();
}

}  // namespace
}  // namespace fraisier::integration
