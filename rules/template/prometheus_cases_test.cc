// The table of testdata/prometheus_cases.txt: every template must expand to
// exactly what Prometheus 2.42 produced for it (oracle.py checks the table
// against the real promtool and prometheus).
#include <fstream>
#include <sstream>
#include <string>
#include <utility>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/string_view.h"
#include "absl/strings/strip.h"
#include "engine/model/labels.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "promql/literals.h"
#include "rules/template/template.h"

namespace fraisier::rules::templates {
namespace {

constexpr char kCasesPath[] = "rules/template/testdata/prometheus_cases.txt";

struct Case {
  std::string id;
  int line = 0;
  std::string labels = "{}";
  std::string value = "1";
  std::string tmpl;
  std::string want;
  std::string parse_error;
  bool has_want = false;
  bool has_parse_error = false;
  bool server = false;
};

struct Table {
  std::vector<std::pair<std::string, std::string>> series;  // selector, value
  std::string server_external_labels;
  std::string server_external_url;
  std::vector<Case> cases;
};

std::string Unquote(absl::string_view s) {
  absl::StatusOr<std::string> u = promql::UnquoteString(s);
  EXPECT_TRUE(u.ok()) << "bad Go string " << s;
  return u.ok() ? *u : std::string();
}

// {a="b",c="d"} or name{a="b"} into pairs (the name as __name__).
std::vector<std::pair<std::string, std::string>> ParseSelector(
    absl::string_view s) {
  std::vector<std::pair<std::string, std::string>> out;
  const size_t brace = s.find('{');
  const absl::string_view name = s.substr(0, brace);
  if (!name.empty()) out.emplace_back("__name__", std::string(name));
  if (brace == absl::string_view::npos) return out;
  absl::string_view rest = s.substr(brace + 1);
  while (!rest.empty() && rest[0] != '}') {
    const size_t eq = rest.find('=');
    const std::string label(rest.substr(0, eq));
    rest.remove_prefix(eq + 1);
    // The Go-quoted value ends at the first unescaped quote.
    size_t end = 1;
    while (rest[end] != '"') end += rest[end] == '\\' ? 2 : 1;
    out.emplace_back(label, Unquote(rest.substr(0, end + 1)));
    rest.remove_prefix(end + 1);
    absl::ConsumePrefix(&rest, ",");
  }
  return out;
}

Labels ToLabels(absl::string_view selector) {
  return Labels::FromPairs(ParseSelector(selector));
}

Table LoadTable() {
  Table table;
  std::ifstream in(kCasesPath);
  EXPECT_TRUE(in.good()) << "cannot read " << kCasesPath;
  std::string line;
  int lineno = 0;
  while (std::getline(in, line)) {
    ++lineno;
    if (line.empty() || line[0] == '#') continue;
    const size_t space = line.find(' ');
    const std::string key = line.substr(0, space);
    const std::string rest =
        space == std::string::npos ? "" : line.substr(space + 1);
    if (key == "series") {
      const size_t last = rest.rfind(' ');
      table.series.emplace_back(rest.substr(0, last), rest.substr(last + 1));
    } else if (key == "server_external_labels") {
      table.server_external_labels = rest;
    } else if (key == "server_external_url") {
      table.server_external_url = rest;
    } else if (key == "case") {
      table.cases.emplace_back();
      table.cases.back().id = rest;
      table.cases.back().line = lineno;
    } else if (table.cases.empty()) {
      ADD_FAILURE() << kCasesPath << ":" << lineno << ": outside a case";
    } else {
      Case& c = table.cases.back();
      if (key == "labels") {
        c.labels = rest;
      } else if (key == "value") {
        c.value = rest;
      } else if (key == "tmpl") {
        c.tmpl = Unquote(rest);
      } else if (key == "want") {
        c.want = Unquote(rest);
        c.has_want = true;
      } else if (key == "parse_error") {
        c.parse_error = Unquote(rest);
        c.has_parse_error = true;
      } else if (key == "server") {
        c.server = true;
      } else if (key != "since") {
        ADD_FAILURE() << kCasesPath << ":" << lineno << ": unknown key " << key;
      }
    }
  }
  return table;
}

// Answers `query` from the table's series: a metric name with optional
// equality matchers, the series in file order (as Prometheus returns them
// in insertion order; cases that depend on order sort first).
QueryFunc FakeQuery(const Table& table) {
  return [&table](
             absl::string_view q) -> absl::StatusOr<std::vector<QuerySample>> {
    const auto want = ParseSelector(q);
    std::vector<QuerySample> out;
    for (const auto& [selector, value] : table.series) {
      const Labels labels = ToLabels(selector);
      bool match = true;
      for (const auto& [name, v] : want) match = match && labels.Get(name) == v;
      if (!match) continue;
      absl::StatusOr<double> f = promql::ParseGoFloat(value);
      out.push_back({labels, f.ok() ? *f : 0});
    }
    return out;
  };
}

TEST(PrometheusCasesTest, EveryCaseMatchesPrometheus) {
  const Table table = LoadTable();
  ASSERT_GE(table.cases.size(), 60u);
  int checked = 0;
  for (const Case& c : table.cases) {
    SCOPED_TRACE(absl::StrCat(kCasesPath, ":", c.line, ": case ", c.id));
    ASSERT_TRUE(c.has_want || c.has_parse_error);
    const AlertTemplate tmpl("A", c.tmpl);
    if (c.has_parse_error) {
      EXPECT_EQ(tmpl.parse_status().message(), c.parse_error);
      EXPECT_EQ(CheckAlertTemplate("A", c.tmpl).message(), c.parse_error);
      ++checked;
      continue;
    }
    ASSERT_TRUE(tmpl.parse_status().ok()) << tmpl.parse_status();
    EXPECT_TRUE(CheckAlertTemplate("A", c.tmpl).ok());
    absl::StatusOr<double> value = promql::ParseGoFloat(c.value);
    ASSERT_TRUE(value.ok()) << c.value;
    const Labels external =
        c.server ? ToLabels(table.server_external_labels) : Labels();
    const std::string url = c.server ? table.server_external_url : "";
    const Data data(ToLabels(c.labels), external, url, *value);
    Env env;
    env.eval_time_ms = 0;
    env.query = FakeQuery(table);
    if (c.server) env.external_url = url;
    EXPECT_EQ(tmpl.ExpandOrError(data, env), c.want);
    ++checked;
  }
  EXPECT_EQ(checked, static_cast<int>(table.cases.size()));
}

}  // namespace
}  // namespace fraisier::rules::templates
