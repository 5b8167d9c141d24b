#include "engine/api/api_test_util.h"

#include <cmath>
#include <limits>
#include <utility>

#include "absl/strings/str_cat.h"
#include "engine/api/json.h"

namespace fraisier::api::testing {
namespace {

constexpr Timestamp kT0 = 1700000000000;

}  // namespace

ApiTest::ApiTest() : clock_(absl::FromUnixSeconds(kNowSeconds)) {
  const auto up1 = Labels::FromPairs({{"__name__", "up"},
                                      {"instance", "localhost:9090"},
                                      {"job", "prometheus"}});
  const auto up2 = Labels::FromPairs(
      {{"__name__", "up"}, {"instance", "n1"}, {"job", "node"}});
  Add(up1, kT0, 1);
  Add(up1, kT0 + 15500, 1);
  Add(up1, kT0 + 30123, 1);
  Add(up2, kT0, 0);
  Add(up2, kT0 + 30000, 1);

  const double inf = std::numeric_limits<double>::infinity();
  const std::pair<const char*, double> fmt[] = {
      {"big", 1e21},       {"big20", 1e20},    {"small", 1e-7},
      {"small5", 0.00001}, {"pt3", 0.1 + 0.2}, {"nan", std::nan("")},
      {"inf", inf},        {"ninf", -inf},     {"negzero", -0.0},
      {"tiny", 2.5e-300},  {"million", 1e6},   {"esc\"q\\b\nn", 1},
  };
  for (const auto& [v, value] : fmt) {
    Add(Labels::FromPairs({{"__name__", "fmt"}, {"v", v}}), kT0, value);
  }

  const auto reqs200 =
      Labels::FromPairs({{"__name__", "reqs_total"}, {"code", "200"}});
  const auto reqs500 =
      Labels::FromPairs({{"__name__", "reqs_total"}, {"code", "500"}});
  Add(reqs200, kT0, 10);
  Add(reqs200, kT0 + 60000, 20);
  Add(reqs500, kT0, 1);
  Add(reqs500, kT0 + 60000, 3);

  const std::pair<const char*, double> esc[] = {
      {"lt<gt>amp&", 1},
      {"ctl\x01\x08\x0c\x1f\x7f", 2},
      {"ls\xe2\x80\xa8ps\xe2\x80\xa9", 3},
      {"uni\xc3\xa9\xf0\x9f\x98\x80", 5},
      {"tab\tcr\r", 6},
  };
  for (const auto& [v, value] : esc) {
    Add(Labels::FromPairs({{"__name__", "esc"}, {"v", v}}), kT0, value);
  }

  engine_ =
      std::make_unique<promql::Engine>(promql::EngineOptions{.clock = &clock_});
  options_.storage = &storage_;
  options_.engine = engine_.get();
  options_.clock = &clock_;
  Rebuild();
}

void ApiTest::Add(const Labels& labels, Timestamp t, double v) {
  std::unique_ptr<storage::Appender> app = storage_.NewAppender();
  ASSERT_TRUE(app->Append(0, labels, t, v).ok());
  ASSERT_TRUE(app->Commit().ok());
}

void ApiTest::Rebuild() { api_ = std::make_unique<Api>(options_); }

Response ApiTest::Get(absl::string_view path, Params params) {
  Request request;
  request.method = "GET";
  request.path = std::string(path);
  request.params = std::move(params);
  return Do(std::move(request));
}

Response ApiTest::Post(absl::string_view path, Params params) {
  Request request;
  request.method = "POST";
  request.path = std::string(path);
  request.params = std::move(params);
  return Do(std::move(request));
}

Response ApiTest::Do(Request request) { return api_->Handle(request); }

std::string Success(absl::string_view data) {
  return absl::StrCat(R"({"status":"success","data":)", data, "}");
}

std::string Error(absl::string_view type, absl::string_view message) {
  std::string out =
      absl::StrCat(R"({"status":"error","errorType":")", type, R"(","error":)");
  AppendJsonString(message, &out);
  out.push_back('}');
  return out;
}

}  // namespace fraisier::api::testing
