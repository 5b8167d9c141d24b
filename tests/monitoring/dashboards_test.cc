// The Grafana dashboards of monitoring/grafana/dashboards are valid,
// importable JSON, and every panel query parses with `ruler promql format`
// (the //engine:ruler binary).
//
// Grafana expands its variables before a query reaches the data source, so
// the test does too, with sample values: $__rate_interval -> 1m,
// $__interval -> 30s, $__range -> 1h (and their _ms/_s forms), and every
// dashboard variable ($environment, ${instance}, [[job]]) -> a sample label
// value. A `$` left over is an unknown variable and fails the test.
#include <algorithm>
#include <map>
#include <set>
#include <string>
#include <vector>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_replace.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "nlohmann/json.hpp"
#include "re2/re2.h"
#include "rules/rulefile/rule_file.h"
#include "tests/monitoring/asset_util.h"

namespace fraisier::monitoring_test {
namespace {

using nlohmann::json;
using ::testing::Contains;
using ::testing::IsEmpty;

constexpr char kRuler[] = "engine/ruler";  // a data dependency

// A member of a JSON object, or null: operator[] on a const json asserts
// when the key is absent.
nlohmann::json At(const nlohmann::json& j, const char* key) {
  return j.is_object() && j.contains(key) ? j.at(key) : nlohmann::json();
}

constexpr char kDashboards[] = "monitoring/grafana/dashboards";

json LoadJson(const std::string& path) {
  absl::StatusOr<std::string> text = ReadFile(path);
  if (!text.ok()) return json();
  // No exceptions: an invalid document parses as `discarded`.
  return json::parse(*text, nullptr, /*allow_exceptions=*/false);
}

// Grafana's built-in interval variables, longest names first so that
// $__interval does not eat the start of $__interval_ms.
const std::vector<std::pair<std::string, std::string>>& BuiltinSamples() {
  static const auto* samples =
      new std::vector<std::pair<std::string, std::string>>{
          {"$__rate_interval", "1m"}, {"$__interval_ms", "30000"},
          {"$__interval", "30s"},     {"$__range_ms", "3600000"},
          {"$__range_s", "3600"},     {"$__range", "1h"},
      };
  return *samples;
}

std::string SubstituteVariables(std::string expr, const json& dashboard) {
  for (const auto& [name, value] : BuiltinSamples()) {
    absl::StrReplaceAll({{name, value}}, &expr);
  }
  // Longest names first: $env must not eat the start of $environment.
  std::vector<std::string> names;
  for (const json& variable : At(At(dashboard, "templating"), "list")) {
    if (!variable.value("name", "").empty())
      names.push_back(variable.value("name", ""));
  }
  std::sort(names.begin(), names.end(),
            [](const std::string& a, const std::string& b) {
              return a.size() > b.size();
            });
  for (const std::string& name : names) {
    const std::string sample = "sample_" + name;
    absl::StrReplaceAll({{"${" + name + "}", sample},
                         {"[[" + name + "]]", sample},
                         {"$" + name, sample}},
                        &expr);
  }
  return expr;
}

struct Query {
  std::string dashboard, panel, expr;
};

std::vector<Query> AllQueries(const std::string& path) {
  std::vector<Query> queries;
  json d = LoadJson(path);
  if (!d.is_object() || !At(d, "panels").is_array()) return queries;
  for (const json& panel : At(d, "panels")) {
    if (!At(panel, "targets").is_array()) continue;
    for (const json& target : At(panel, "targets")) {
      queries.push_back(
          {path, panel.value("title", ""), target.value("expr", "")});
    }
  }
  return queries;
}

class DashboardTest : public ::testing::TestWithParam<std::string> {};

TEST_P(DashboardTest, IsAnImportableDashboard) {
  json d = LoadJson(GetParam());
  ASSERT_TRUE(d.is_object()) << GetParam() << " is not a JSON object";
  EXPECT_FALSE(d.value("uid", "").empty());
  EXPECT_TRUE(absl::StartsWith(d.value("title", ""), "Fraisier - ") ||
              absl::StartsWith(d.value("title", ""), "fraisier-ruler - "))
      << d.value("title", "");
  EXPECT_TRUE(At(d, "schemaVersion").is_number_integer());
  ASSERT_TRUE(At(d, "panels").is_array());
  ASSERT_FALSE(At(d, "panels").empty());

  // The data source is the dashboard's variable, so one dashboard works on
  // Prometheus and on the ruler.
  bool has_datasource_variable = false;
  for (const json& v : At(At(d, "templating"), "list")) {
    if (v.value("name", "") == "datasource" &&
        v.value("type", "") == "datasource" &&
        v.value("query", "") == "prometheus") {
      has_datasource_variable = true;
    }
  }
  EXPECT_TRUE(has_datasource_variable);

  std::set<int> ids;
  for (const json& panel : At(d, "panels")) {
    const std::string title = panel.value("title", "");
    EXPECT_TRUE(ids.insert(panel.value("id", -1)).second)
        << "duplicate panel id in " << title;
    EXPECT_TRUE(At(panel, "gridPos").is_object()) << title;
    if (panel.value("type", "") == "row") continue;
    EXPECT_EQ(At(panel, "datasource").value("uid", ""), "${datasource}")
        << title;
    ASSERT_TRUE(At(panel, "targets").is_array()) << title;
    EXPECT_FALSE(At(panel, "targets").empty()) << title;
    std::set<std::string> ref_ids;
    for (const json& target : At(panel, "targets")) {
      EXPECT_FALSE(target.value("expr", "").empty()) << title;
      EXPECT_TRUE(ref_ids.insert(target.value("refId", "")).second) << title;
    }
  }
}

TEST_P(DashboardTest, EveryQueryParsesWithRulerPromqlFormat) {
  json d = LoadJson(GetParam());
  std::vector<Query> queries = AllQueries(GetParam());
  ASSERT_FALSE(queries.empty());
  std::vector<std::string> failures;
  for (const Query& q : queries) {
    const std::string expr = SubstituteVariables(q.expr, d);
    if (absl::StrContains(expr, "$") || absl::StrContains(expr, "[[")) {
      failures.push_back(absl::StrCat(q.panel, ": unknown variable in ", expr));
      continue;
    }
    CommandResult r = RunCommand({kRuler, "promql", "format", expr});
    if (r.exit_code != 0 || r.output.empty()) {
      failures.push_back(absl::StrCat(q.panel, ": ", expr, "\n  ", r.output));
    }
  }
  EXPECT_THAT(failures, IsEmpty());
}

TEST_P(DashboardTest, RecordedSeriesItReadsAreRecordingRules) {
  absl::StatusOr<rules::RuleFileSpec> spec =
      rules::LoadRuleFile("monitoring/prometheus.rules.yml");
  ASSERT_TRUE(spec.ok()) << spec.status();
  std::set<std::string> records;
  for (const auto& group : spec->groups) {
    for (const auto& rule : group.rules) {
      if (!rule.is_alert()) records.insert(rule.record);
    }
  }
  for (const Query& q : AllQueries(GetParam())) {
    re2::StringPiece input(q.expr);
    std::string name;
    static const LazyRE2 kRecord = {R"((fraisier:[a-z0-9_:]+))"};
    while (RE2::FindAndConsume(&input, *kRecord, &name)) {
      EXPECT_TRUE(records.count(name))
          << q.panel << ": " << name << " is not recorded by any rule";
    }
  }
}

INSTANTIATE_TEST_SUITE_P(Dashboards, DashboardTest,
                         ::testing::ValuesIn(ListFiles(kDashboards, ".json")),
                         [](const ::testing::TestParamInfo<std::string>& info) {
                           std::string name =
                               info.param.substr(info.param.rfind('/') + 1);
                           name = name.substr(0, name.find('.'));
                           absl::StrReplaceAll({{"-", "_"}}, &name);
                           return name;
                         });

std::map<std::string, std::vector<std::string>> PanelTitlesByDashboard() {
  std::map<std::string, std::vector<std::string>> titles;
  for (const std::string& path : ListFiles(kDashboards, ".json")) {
    json d = LoadJson(path);
    if (!d.is_object()) continue;
    auto& panel_titles = titles[d.value("title", "")];
    for (const json& panel : At(d, "panels")) {
      panel_titles.push_back(panel.value("title", ""));
    }
  }
  return titles;
}

TEST(SeedDashboardsTest, HaveTheSeedsTitlesAndPanels) {
  auto titles = PanelTitlesByDashboard();
  ASSERT_EQ(titles.size(), 3u);
  for (const char* panel : {"Deployments Today", "Success Rate (%)",
                            "Average Deployment Time", "Failed Deployments"}) {
    EXPECT_THAT(titles["Fraisier - Deployment Overview"], Contains(panel));
  }
  for (const char* panel : {"Health Check Success Rate (%)",
                            "Passed Health Checks", "Failed Health Checks"}) {
    EXPECT_THAT(titles["Fraisier - Health Checks"], Contains(panel));
  }
  EXPECT_TRUE(titles.count("fraisier-ruler - Engine"));
}

TEST(SubstituteVariablesTest, ReplacesBuiltinsAndDashboardVariables) {
  json d = json::parse(
      R"({"templating": {"list": [{"name": "env"}, {"name": "job"},
                                  {"name": "environment"}]}})");
  EXPECT_EQ(SubstituteVariables(
                "rate(x{env=~\"$env\",job=\"${job}\"}[$__rate_interval]) "
                "offset $__interval_ms",
                d),
            "rate(x{env=~\"sample_env\",job=\"sample_job\"}[1m]) offset 30000");
  EXPECT_EQ(SubstituteVariables("x{a=\"$environment\",b=\"$env\"}", d),
            "x{a=\"sample_environment\",b=\"sample_env\"}");
  // An unknown variable is left in place for the caller to report.
  EXPECT_EQ(SubstituteVariables("x{a=\"$nope\"}", d), "x{a=\"$nope\"}");
}

}  // namespace
}  // namespace fraisier::monitoring_test
