// Every ruler_* and process_* metric the engine dashboard
// (grafana/dashboards/fraisier-ruler.json) queries is one `ruler serve`
// really exports: the test starts the binary with monitoring/ruler.yml on a
// loopback port and reads its /metrics.
#include <set>
#include <string>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "nlohmann/json.hpp"
#include "re2/re2.h"
#include "tests/integration/test_util.h"
#include "tests/monitoring/asset_util.h"

namespace fraisier::monitoring_test {
namespace {

using integration::ChildProcess;
using integration::FreePort;
using integration::HttpGet;
using integration::PollUntil;

constexpr char kRuler[] = "engine/ruler";  // a data dependency

// A member of a JSON object, or null: operator[] on a const json asserts
// when the key is absent.
nlohmann::json At(const nlohmann::json& j, const char* key) {
  return j.is_object() && j.contains(key) ? j.at(key) : nlohmann::json();
}

// Metric names of a text exposition (histogram and summary series keep
// their _bucket/_sum/_count suffixes).
std::set<std::string> ExposedNames(const std::string& text) {
  std::set<std::string> names;
  for (absl::string_view line : absl::StrSplit(text, '\n')) {
    if (line.empty() || line[0] == '#') continue;
    names.insert(std::string(line.substr(0, line.find_first_of("{ "))));
  }
  return names;
}

std::set<std::string> DashboardMetricNames() {
  std::set<std::string> names;
  absl::StatusOr<std::string> text =
      ReadFile("monitoring/grafana/dashboards/fraisier-ruler.json");
  if (!text.ok()) return names;
  nlohmann::json d = nlohmann::json::parse(*text, nullptr, false);
  if (!d.is_object()) return names;
  for (const auto& panel : At(d, "panels")) {
    if (!At(panel, "targets").is_array()) continue;
    for (const auto& target : At(panel, "targets")) {
      const std::string expr = target.value("expr", "");
      re2::StringPiece input(expr);
      std::string name;
      static const LazyRE2 kMetric = {R"(\b((?:ruler|process)_[a-z_]+)\b)"};
      while (RE2::FindAndConsume(&input, *kMetric, &name)) names.insert(name);
    }
  }
  return names;
}

TEST(EngineDashboardMetricsTest, EveryQueriedMetricIsExported) {
  const std::set<std::string> wanted = DashboardMetricNames();
  ASSERT_GT(wanted.size(), 30u);

  const std::string dir = integration::MakeTempDir("engine_dashboard");
  ASSERT_FALSE(dir.empty());
  const int port = FreePort();
  const std::string base = absl::StrCat("http://127.0.0.1:", port);
  ChildProcess ruler({kRuler, "serve", "--config.file=monitoring/ruler.yml",
                      "--storage.path=" + dir + "/data",
                      absl::StrCat("--web.listen-address=127.0.0.1:", port),
                      "--grpc.listen-address="},
                     dir + "/ruler.log");
  ASSERT_TRUE(
      PollUntil(absl::Seconds(30),
                [&] { return HttpGet(base + "/-/ready").status == 200; }))
      << "ruler did not become ready; see " << dir << "/ruler.log";

  // Histograms appear once observed: an instant query, then the scrape
  // itself (the second /metrics holds the first's latency).
  ASSERT_EQ(HttpGet(base + "/api/v1/query?query=1").status, 200);
  std::set<std::string> missing;
  ASSERT_TRUE(PollUntil(absl::Seconds(20),
                        [&] {
                          integration::HttpResult metrics =
                              HttpGet(base + "/metrics");
                          const std::set<std::string> exposed =
                              ExposedNames(metrics.body);
                          missing.clear();
                          for (const std::string& name : wanted) {
                            if (!exposed.count(name)) missing.insert(name);
                          }
                          return missing.empty();
                        }))
      << "not exported: " << ::testing::PrintToString(missing);
}

}  // namespace
}  // namespace fraisier::monitoring_test
