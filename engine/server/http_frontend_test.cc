#include "engine/server/http_frontend.h"

#include <atomic>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "tests/integration/test_util.h"

namespace fraisier::server {
namespace {

using integration::HttpGet;
using integration::HttpPost;
using integration::HttpResult;
using ::testing::HasSubstr;

class HttpFrontendTest : public ::testing::Test {
 protected:
  void StartWith(HttpFrontendOptions options) {
    options.listen_address = "127.0.0.1:0";
    options.observe = [this](absl::string_view route, int code, double) {
      observed_.fetch_add(1);
      last_route_ = std::string(route);
      (void)code;
    };
    frontend_ = std::make_unique<HttpFrontend>(options);
    frontend_->Handle({"GET", "POST"}, "/echo", [](const HttpRequest& r) {
      std::vector<std::string> params;
      for (const auto& [k, v] : r.params) params.push_back(k + "=" + v);
      return HttpResponse{
          200, "text/plain",
          absl::StrCat(r.method, " ", r.path, " ", absl::StrJoin(params, ","),
                       " body=", r.body.size(), " enc=", r.content_encoding)};
    });
    frontend_->Handle({"POST"}, "/nocontent", [](const HttpRequest&) {
      return HttpResponse{204, "", ""};
    });
    frontend_->HandlePrefix("/api/v1/", [](const HttpRequest& r) {
      return HttpResponse{200, "application/json",
                          absl::StrCat("{\"path\":\"", r.path, "\"}")};
    });
    absl::StatusOr<int> port = frontend_->Start();
    ASSERT_TRUE(port.ok()) << port.status();
    base_ = absl::StrCat("http://127.0.0.1:", *port);
  }
  void TearDown() override {
    if (frontend_) frontend_->Stop();
  }

  std::unique_ptr<HttpFrontend> frontend_;
  std::string base_;
  std::atomic<int> observed_{0};
  std::string last_route_;
};

TEST_F(HttpFrontendTest, RoutesExactAndPrefixPaths) {
  StartWith({});
  HttpResult r = HttpGet(base_ + "/echo?a=1&match%5B%5D=x&match%5B%5D=y");
  EXPECT_EQ(r.status, 200);
  EXPECT_EQ(r.body, "GET /echo a=1,match[]=x,match[]=y body=0 enc=");
  r = HttpGet(base_ + "/api/v1/label/job/values");
  EXPECT_EQ(r.status, 200);
  EXPECT_EQ(r.body, "{\"path\":\"/api/v1/label/job/values\"}");
  EXPECT_EQ(last_route_, "/api/v1/label/:name/values");
  r = HttpGet(base_ + "/nope");
  EXPECT_EQ(r.status, 404);
  EXPECT_EQ(r.body, "404 page not found\n");
  EXPECT_GE(observed_.load(), 2);
}

TEST_F(HttpFrontendTest, FormBodyParametersAreMerged) {
  StartWith({});
  HttpResult r = HttpPost(base_ + "/echo?time=5", "query=up%7Bjob%3D%22x%22%7D",
                          {"Content-Type: application/x-www-form-urlencoded"});
  EXPECT_EQ(r.status, 200);
  EXPECT_THAT(r.body, HasSubstr("query=up{job=\"x\"}"));
  EXPECT_THAT(r.body, HasSubstr("time=5"));
}

TEST_F(HttpFrontendTest, SnappyBodiesPassThroughUntouched) {
  StartWith({});
  HttpResult r = HttpPost(
      base_ + "/echo", std::string(1000, '\x01'),
      {"Content-Encoding: snappy", "Content-Type: application/x-protobuf"});
  EXPECT_EQ(r.status, 200);
  EXPECT_THAT(r.body, HasSubstr("body=1000 enc=snappy"));
  r = HttpPost(base_ + "/nocontent", "x", {});
  EXPECT_EQ(r.status, 204);
  EXPECT_EQ(r.body, "");
}

TEST_F(HttpFrontendTest, OversizedBodiesGet413) {
  HttpFrontendOptions options;
  options.max_body_bytes = 1024;
  StartWith(options);
  HttpResult r = HttpPost(base_ + "/nocontent", std::string(4096, 'x'), {});
  EXPECT_EQ(r.status, 413);
  r = HttpPost(base_ + "/nocontent", std::string(512, 'x'), {});
  EXPECT_EQ(r.status, 204);
}

TEST_F(HttpFrontendTest, PortInUseIsAnError) {
  StartWith({});
  HttpFrontendOptions options;
  options.listen_address =
      absl::StrCat("127.0.0.1:", base_.substr(base_.rfind(':') + 1));
  HttpFrontend second(options);
  absl::StatusOr<int> port = second.Start();
  EXPECT_FALSE(port.ok());
  EXPECT_THAT(port.status().message(), HasSubstr("cannot listen on"));
}

TEST(SplitHostPortTest, Forms) {
  EXPECT_EQ(*SplitHostPort("0.0.0.0:9099"),
            std::make_pair(std::string("0.0.0.0"), 9099));
  EXPECT_EQ(*SplitHostPort(":9099"),
            std::make_pair(std::string("0.0.0.0"), 9099));
  EXPECT_EQ(*SplitHostPort("[::1]:80"), std::make_pair(std::string("::1"), 80));
  EXPECT_FALSE(SplitHostPort("localhost").ok());
  EXPECT_FALSE(SplitHostPort("h:99999").ok());
}

}  // namespace
}  // namespace fraisier::server
