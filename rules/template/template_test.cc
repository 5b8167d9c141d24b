// The public API: Template, AlertTemplate, Data, Env; what the rules engine
// relies on beyond the case table (injected time and queries, the external
// URL, budgets, concurrent expansion).
#include "rules/template/template.h"

#include <string>
#include <thread>
#include <vector>

#include "absl/status/status.h"
#include "absl/strings/str_cat.h"
#include "engine/base/status_matchers.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace fraisier::rules::templates {
namespace {

using ::fraisier::testing::IsOk;
using ::fraisier::testing::IsOkAndHolds;
using ::fraisier::testing::StatusIs;
using ::testing::HasSubstr;

const Data& DefaultData() {
  static const Data* const kData =
      new Data(Labels::FromPairs({{"job", "api"}, {"instance", "host-1:9090"}}),
               Labels::FromPairs({{"cluster", "eu-1"}}),
               "http://prom.example:9090/p", 0.875);
  return *kData;
}

std::string Expand(absl::string_view text, const Env& env = Env(),
                   const Limits& limits = Limits()) {
  return AlertTemplate("Test", text, limits).ExpandOrError(DefaultData(), env);
}

TEST(AlertTemplateTest, HeaderVariablesAndData) {
  Env env;
  env.external_url = "http://prom.example:9090/p";
  EXPECT_EQ(
      Expand("{{ $labels.job }} {{ $value }} {{ $externalLabels.cluster }} "
             "{{ $externalURL }} {{ externalURL }} {{ pathPrefix }}",
             env),
      "api 0.875 eu-1 http://prom.example:9090/p "
      "http://prom.example:9090/p /p");
  EXPECT_EQ(Expand("plain text, no actions"), "plain text, no actions");
}

TEST(AlertTemplateTest, ErrorsRenderAsPrometheusDoes) {
  EXPECT_EQ(Expand("{{ .Nope }}"),
            "<error expanding template: error executing template "
            "__alert_Test: template: __alert_Test:1:115: executing "
            "\"__alert_Test\" at <.Nope>: can't evaluate field Nope in type "
            "struct { Labels map[string]string; ExternalLabels "
            "map[string]string; ExternalURL string; Value float64 }>");
  const AlertTemplate bad("Test", "{{ nope }}");
  EXPECT_THAT(bad.parse_status(),
              StatusIs(absl::StatusCode::kInvalidArgument,
                       "template: __alert_Test:1: function \"nope\" not "
                       "defined"));
  EXPECT_EQ(bad.ExpandOrError(DefaultData(), Env()),
            "<error expanding template: error parsing template __alert_Test: "
            "template: __alert_Test:1: function \"nope\" not defined>");
  EXPECT_THAT(CheckAlertTemplate("Test", "{{ $value | humanize }}"), IsOk());
  EXPECT_EQ(ExpansionErrorText(absl::InvalidArgumentError("x")),
            "<error expanding template: x>");
}

TEST(AlertTemplateTest, CheckReportsWhatParsingWithTheHeaderReports) {
  // CheckAlertTemplate parses without the header, its variables
  // predeclared; AlertTemplate parses header + text.
  std::vector<std::string> texts = {
      "",
      "plain",
      "{{ $labels.job }} {{ $value }} {{ $externalLabels.x }} {{ $externalURL "
      "}}",
      "{{",
      "}}{{",
      "{{end}}",
      "{{else}}",
      "a\nb\n{{ nope }}",
      "{{- $value -}}",
      "  {{- 1 }}",
      "{{/* comment */}}x",
      "{{/* unclosed",
      "{{ $labels := .ExternalLabels }}{{ $labels.x }}",
      "{{ $x }}",
      "{{ define \"d\" }}{{ $labels }}{{ end }}{{ template \"d\" }}",
      "{{ define \"d\" }}{{ . }}{{ end }}{{ template \"d\" $labels }}",
      "{{ block \"b\" . }}{{ $value }}{{ end }}",
      "{{ define \"__alert_A\" }}x{{ end }}",
      "{{ define \"__alert_A\" }}{{ end }}",
      "{{ range $i, $v := $labels }}{{ break }}{{ end }}",
      "{{ continue }}",
      "{{ if }}",
      "{{ with $labels.a }}{{ . }}{{ else }}none{{ end }}",
      "{{ \"unterminated }}",
      "{{ printf \"%d\" 1 2 | nope }}",
      "{{ (1 }}",
      "{{ .Labels.job | title }}",
      "x\n\n{{ end }}\n",
  };
  std::string deep;
  for (int i = 0; i < 99; ++i) deep += "{{ if 1 }}";
  for (int i = 0; i < 99; ++i) deep += "{{ end }}";
  texts.push_back(deep);
  texts.push_back("{{ if 1 }}" + deep + "{{ end }}");
  texts.push_back("{{ if 1 }}{{ if 1 }}" + deep + "{{ end }}{{ end }}");
  const size_t room = Limits().max_text_bytes - kAlertTemplateHeader.size();
  texts.push_back(std::string(room, 'x'));
  texts.push_back(std::string(room + 1, 'x'));
  texts.push_back("{{ $value }}" + std::string(room, 'x'));
  for (const std::string& text : texts) {
    EXPECT_EQ(CheckAlertTemplate("A", text),
              AlertTemplate("A", text).parse_status())
        << text.substr(0, 80);
  }
}

TEST(AlertTemplateTest, NowIsTheInjectedEvaluationTime) {
  Env env;
  env.eval_time_ms = 1700000000123;
  // .122: Prometheus multiplies the float seconds by 1e9 and truncates,
  // and 1700000000.123 is a little below its decimal form.
  EXPECT_EQ(Expand("{{ now }} {{ now | humanizeTimestamp }}", env),
            "1.700000000123e+09 2023-11-14 22:13:20.122 +0000 UTC");
  EXPECT_EQ(Expand("{{ (now | toTime).Format \"2006-01-02\" }}", env),
            "2023-11-14");
}

TEST(AlertTemplateTest, QueryUsesTheInjectedFunction) {
  Env env;
  std::vector<std::string> seen;
  env.query =
      [&seen](absl::string_view q) -> absl::StatusOr<std::vector<QuerySample>> {
    seen.emplace_back(q);
    if (q == "bad{") {
      return absl::InvalidArgumentError(
          "1:5: parse error: unexpected end of input inside braces");
    }
    return std::vector<QuerySample>{
        {Labels::FromPairs({{"__name__", "up"}, {"instance", "b"}}), 0},
        {Labels::FromPairs({{"__name__", "up"}, {"instance", "a"}}), 1}};
  };
  EXPECT_EQ(Expand("{{ range query \"up\" }}{{ .Labels.instance }}{{ end }}"
                   "|{{ range sortByLabel \"instance\" (query \"up\") }}"
                   "{{ .Labels.instance }}{{ end }}",
                   env),
            "ba|ab");
  EXPECT_THAT(seen, ::testing::ElementsAre("up", "up"));
  EXPECT_THAT(Expand("{{ query \"bad{\" }}", env),
              HasSubstr("at <query \"bad{\">: error calling query: 1:5: parse "
                        "error: unexpected end of input inside braces>"));
  // Without a query function every query fails instead of crashing.
  EXPECT_THAT(Expand("{{ query \"up\" }}"),
              HasSubstr("error calling query: queries are not available"));
}

TEST(AlertTemplateTest, SortByLabelSortsTheCallersSliceInPlace) {
  Env env;
  env.query =
      [](absl::string_view) -> absl::StatusOr<std::vector<QuerySample>> {
    return std::vector<QuerySample>{{Labels::FromPairs({{"x", "2"}}), 2},
                                    {Labels::FromPairs({{"x", "1"}}), 1}};
  };
  EXPECT_EQ(Expand("{{ $q := query \"q\" }}{{ $s := sortByLabel \"x\" $q }}"
                   "{{ range $q }}{{ .Value }}{{ end }}",
                   env),
            "12");
}

TEST(AlertTemplateTest, PrometheusThreeFunctions) {
  EXPECT_EQ(Expand("{{ toDuration 3725.5 }} {{ (toDuration 90).Seconds }} "
                   "{{ (toDuration 0.0000005).String }}"),
            "1h2m5.5s 90 500ns");
  EXPECT_EQ(Expand("{{ urlQueryEscape \"job=api & x\" }}"), "job%3Dapi+%26+x");
  EXPECT_THAT(Expand("{{ toDuration 1e300 }}"),
              HasSubstr("error calling toDuration: 1e+300 cannot be "
                        "represented as a nanoseconds duration since it "
                        "overflows int64"));
}

TEST(AlertTemplateTest, StringValueData) {
  const Data data(Labels(), Labels(), "", "12.5%");
  EXPECT_EQ(AlertTemplate("A", "{{ $value }} {{ printf \"%T\" .Value }}")
                .ExpandOrError(data, Env()),
            "12.5% string");
}

TEST(TemplateTest, ParseAndExecuteWithoutHeader) {
  absl::StatusOr<Template> t = Template::Parse("plain", "{{ .Labels.job }}!");
  ASSERT_THAT(t, IsOk());
  EXPECT_THAT(t->Execute(DefaultData(), Env()), IsOkAndHolds("api!"));
  EXPECT_THAT(Template::Parse("plain", "{{ $labels }}"),
              StatusIs(absl::StatusCode::kInvalidArgument,
                       "template: plain:1: undefined variable \"$labels\""));
  absl::StatusOr<Template> failing = Template::Parse("f", "{{ .X }}");
  ASSERT_THAT(failing, IsOk());
  EXPECT_THAT(failing->Expand(DefaultData(), Env()),
              StatusIs(absl::StatusCode::kInvalidArgument,
                       HasSubstr("error executing template f: template: "
                                 "f:1:3: executing \"f\" at <.X>")));
}

TEST(BudgetTest, TemplateSize) {
  Limits limits;
  limits.max_text_bytes = 1000;
  const AlertTemplate big("A", std::string(2000, 'x'), limits);
  EXPECT_THAT(big.parse_status(),
              StatusIs(absl::StatusCode::kInvalidArgument,
                       HasSubstr("exceeds the limit of 1000 bytes")));
}

TEST(BudgetTest, OutputSize) {
  Limits limits;
  limits.max_output_bytes = 4096;
  Env env;
  env.query =
      [](absl::string_view) -> absl::StatusOr<std::vector<QuerySample>> {
    return std::vector<QuerySample>(100);
  };
  // Text repeated by nested ranges.
  EXPECT_THAT(Expand("{{ range query \"q\" }}{{ range query \"q\" }}"
                     "0123456789{{ end }}{{ end }}",
                     env, limits),
              HasSubstr("template output exceeds the limit of 4096 bytes"));
  // printf widths cannot allocate past the limit.
  EXPECT_THAT(Expand("{{ printf \"%999999d\" 1 }}", env, limits),
              HasSubstr("exceeds the limit of 4096 bytes"));
  // Strings doubled into variables hit the limit for any one string.
  EXPECT_THAT(Expand("{{ $s := \"ab\" }}{{ range query \"q\" }}"
                     "{{ $s = printf \"%s%s\" $s $s }}{{ end }}",
                     env, limits),
              HasSubstr("exceeds the limit of 4096 bytes"));
  EXPECT_THAT(Expand("{{ reReplaceAll \"\" \"xxxxxxxxxxxxxxxx\" "
                     "(printf \"%900s\" \"\") }}",
                     env, limits),
              HasSubstr("exceeds the limit of 4096 bytes"));
}

TEST(BudgetTest, Steps) {
  Limits limits;
  limits.max_steps = 10000;
  Env env;
  env.query =
      [](absl::string_view) -> absl::StatusOr<std::vector<QuerySample>> {
    return std::vector<QuerySample>(1000);
  };
  // A million iterations that print nothing: only the step budget ends it.
  EXPECT_THAT(Expand("{{ range query \"q\" }}{{ range query \"q\" }}"
                     "{{ end }}{{ end }}",
                     env, limits),
              HasSubstr("template execution exceeded the limit of 10000 "
                        "steps"));
}

TEST(BudgetTest, RecursiveTemplates) {
  EXPECT_THAT(Expand("{{ define \"r\" }}{{ template \"r\" . }}{{ end }}"
                     "{{ template \"r\" . }}"),
              HasSubstr("at <{{template \"r\" .}}>: exceeded maximum "
                        "template depth (100)"));
}

TEST(ConcurrencyTest, OneTemplateExpandsOnManyThreads) {
  const AlertTemplate tmpl(
      "A",
      "{{ range $k, $v := $labels }}{{ $k }}={{ $v | toUpper }} "
      "{{ end }}{{ humanize $value }} {{ reReplaceAll \"-(.*)\" \"$1\" "
      "$labels.instance }}");
  ASSERT_THAT(tmpl.parse_status(), IsOk());
  std::vector<std::string> results(8);
  std::vector<std::thread> threads;
  for (int i = 0; i < 8; ++i) {
    threads.emplace_back([&, i] {
      const Data data(Labels::FromPairs({{"instance", absl::StrCat("h-", i)}}),
                      Labels(), "", i * 1000.0);
      for (int n = 0; n < 200; ++n)
        results[i] = tmpl.ExpandOrError(data, Env());
    });
  }
  for (std::thread& t : threads) t.join();
  for (int i = 0; i < 8; ++i) {
    EXPECT_EQ(results[i],
              absl::StrCat("instance=H-", i, " ",
                           i == 0 ? std::string("0") : absl::StrCat(i, "k"),
                           " h", i));
  }
}

}  // namespace
}  // namespace fraisier::rules::templates
