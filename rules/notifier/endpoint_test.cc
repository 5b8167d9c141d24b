#include "rules/notifier/endpoint.h"

#include <cstdlib>
#include <fstream>
#include <string>

#include "engine/base/status_matchers.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace fraisier::notifier {
namespace {

using ::fraisier::testing::IsOk;
using ::fraisier::testing::IsOkAndHolds;
using ::fraisier::testing::StatusIs;
using ::testing::HasSubstr;
using ::testing::Optional;

std::string WriteTempFile(const std::string& name, const std::string& text) {
  const char* dir = std::getenv("TEST_TMPDIR");
  const std::string path =
      std::string(dir != nullptr ? dir : "/tmp") + "/" + name;
  std::ofstream(path, std::ios::binary | std::ios::trunc) << text;
  return path;
}

AlertmanagerEndpoint Endpoint(const std::string& target) {
  AlertmanagerEndpoint e;
  e.target = target;
  return e;
}

TEST(AlertsUrlTest, JoinsPrefixLikeGoPathJoin) {
  AlertmanagerEndpoint e = Endpoint("am:9093");
  EXPECT_EQ(AlertsUrl(e), "http://am:9093/api/v2/alerts");
  e.path_prefix = "";
  EXPECT_EQ(AlertsUrl(e), "http://am:9093/api/v2/alerts");
  e.path_prefix = "/alertmanager/";
  e.scheme = "https";
  EXPECT_EQ(AlertsUrl(e), "https://am:9093/alertmanager/api/v2/alerts");
  e.path_prefix = "a//b/./c/../";
  EXPECT_EQ(AlertsUrl(e), "https://am:9093/a/b/api/v2/alerts");
  e.path_prefix = "/../..";
  EXPECT_EQ(AlertsUrl(e), "https://am:9093/api/v2/alerts");
}

TEST(ValidateEndpointTest, AcceptsDefaults) {
  EXPECT_THAT(ValidateEndpoint(Endpoint("127.0.0.1:9093")), IsOk());
  EXPECT_THAT(ValidateEndpoint(Endpoint("[::1]:9093")), IsOk());
}

TEST(ValidateEndpointTest, RefusesWhatCannotWork) {
  AlertmanagerEndpoint e = Endpoint("am:9093");
  e.scheme = "ftp";
  EXPECT_THAT(ValidateEndpoint(e), StatusIs(absl::StatusCode::kInvalidArgument,
                                            HasSubstr("scheme")));
  EXPECT_THAT(
      ValidateEndpoint(Endpoint("")),
      StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("host:port")));
  EXPECT_THAT(
      ValidateEndpoint(Endpoint("http://am:9093")),
      StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("host:port")));
  e = Endpoint("am:9093");
  e.api_version = "v1";
  EXPECT_THAT(ValidateEndpoint(e), StatusIs(absl::StatusCode::kInvalidArgument,
                                            HasSubstr("only v2")));
  e = Endpoint("am:9093");
  e.timeout = absl::ZeroDuration();
  EXPECT_THAT(ValidateEndpoint(e), StatusIs(absl::StatusCode::kInvalidArgument,
                                            HasSubstr("timeout")));
  e = Endpoint("am:9093");
  e.http.basic_auth_username = "u";
  e.http.authorization_credentials = "t";
  EXPECT_THAT(ValidateEndpoint(e), StatusIs(absl::StatusCode::kInvalidArgument,
                                            HasSubstr("at most one")));
  e = Endpoint("am:9093");
  e.http.basic_auth_password = "p";
  e.http.basic_auth_password_file = "/f";
  EXPECT_THAT(ValidateEndpoint(e), StatusIs(absl::StatusCode::kInvalidArgument,
                                            HasSubstr("password_file")));
  e = Endpoint("am:9093");
  e.http.authorization_credentials = "t";
  e.http.authorization_credentials_file = "/f";
  EXPECT_THAT(ValidateEndpoint(e), StatusIs(absl::StatusCode::kInvalidArgument,
                                            HasSubstr("credentials_file")));
  e = Endpoint("am:9093");
  e.http.authorization_type = "basic";
  e.http.authorization_credentials = "t";
  EXPECT_THAT(ValidateEndpoint(e), StatusIs(absl::StatusCode::kInvalidArgument,
                                            HasSubstr("basic_auth")));
  e = Endpoint("am:9093");
  e.http.tls_ca_file = "/ca.pem";
  EXPECT_THAT(ValidateEndpoint(e),
              StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("https")));
  e.scheme = "https";
  EXPECT_THAT(ValidateEndpoint(e), IsOk());
  e.http.tls_cert_file = "/cert.pem";
  EXPECT_THAT(ValidateEndpoint(e), StatusIs(absl::StatusCode::kInvalidArgument,
                                            HasSubstr("key_file")));
}

TEST(AuthorizationHeaderTest, NoneConfigured) {
  EXPECT_THAT(AuthorizationHeader(HttpClientOptions()),
              IsOkAndHolds(std::optional<std::string>()));
}

TEST(AuthorizationHeaderTest, BasicAuth) {
  HttpClientOptions h;
  h.basic_auth_username = "user";
  h.basic_auth_password = "pass";
  EXPECT_THAT(AuthorizationHeader(h),
              IsOkAndHolds(Optional(std::string("Basic dXNlcjpwYXNz"))));
  // As Prometheus: a username alone still sends "user:".
  h.basic_auth_password.clear();
  EXPECT_THAT(AuthorizationHeader(h),
              IsOkAndHolds(Optional(std::string("Basic dXNlcjo="))));
}

TEST(AuthorizationHeaderTest, BasicAuthPasswordFileReadEachTime) {
  HttpClientOptions h;
  h.basic_auth_username = "u";
  h.basic_auth_password_file = WriteTempFile("password", "p\n");
  EXPECT_THAT(AuthorizationHeader(h),
              IsOkAndHolds(Optional(std::string("Basic dTpw"))));  // u:p
  WriteTempFile("password", "  secret  \n");
  EXPECT_THAT(AuthorizationHeader(h),
              IsOkAndHolds(Optional(std::string("Basic dTpzZWNyZXQ="))));
}

TEST(AuthorizationHeaderTest, BearerAndCustomType) {
  HttpClientOptions h;
  h.authorization_credentials = "tok";
  EXPECT_THAT(AuthorizationHeader(h),
              IsOkAndHolds(Optional(std::string("Bearer tok"))));
  h.authorization_type = "Token";
  EXPECT_THAT(AuthorizationHeader(h),
              IsOkAndHolds(Optional(std::string("Token tok"))));
}

TEST(AuthorizationHeaderTest, CredentialsFile) {
  HttpClientOptions h;
  h.authorization_credentials_file = WriteTempFile("token", "t1\n");
  EXPECT_THAT(AuthorizationHeader(h),
              IsOkAndHolds(Optional(std::string("Bearer t1"))));
  WriteTempFile("token", "t2");
  EXPECT_THAT(AuthorizationHeader(h),
              IsOkAndHolds(Optional(std::string("Bearer t2"))));
  h.authorization_credentials_file += ".missing";
  EXPECT_THAT(AuthorizationHeader(h),
              StatusIs(absl::StatusCode::kUnavailable, HasSubstr(".missing")));
}

}  // namespace
}  // namespace fraisier::notifier
