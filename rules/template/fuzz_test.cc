// Random and mutated templates: parsing and expansion must end with a result
// or an error (never a crash, hang or unbounded output) for any input.
#include <cstdint>
#include <fstream>
#include <random>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/strings/string_view.h"
#include "gtest/gtest.h"
#include "promql/literals.h"
#include "rules/template/template.h"

namespace fraisier::rules::templates {
namespace {

constexpr absl::string_view kPieces[] = {
    "{{",
    "}}",
    "{{- ",
    " -}}",
    "{{/*",
    "*/}}",
    " ",
    "\n",
    "(",
    ")",
    "|",
    "$",
    "$x",
    "$x :=",
    "$x =",
    "$labels",
    "$value",
    ".",
    ".Labels",
    ".Value",
    ".X.Y",
    "$labels.job",
    ",",
    "\"s\"",
    "`raw`",
    "'c'",
    "1",
    "-2.5e3",
    "0x1f",
    "2i",
    "nil",
    "true",
    "if",
    "else",
    "else if",
    "end",
    "range",
    "with",
    "define \"d\"",
    "template \"d\"",
    "block \"b\" .",
    "break",
    "continue",
    "printf \"%v %d %s\"",
    "print",
    "len",
    "index",
    "slice",
    "eq",
    "lt",
    "and",
    "or",
    "not",
    "humanize",
    "humanizeDuration",
    "humanizeTimestamp",
    "toTime",
    "toDuration",
    "query \"q\"",
    "first",
    "label \"a\"",
    "value",
    "sortByLabel \"a\"",
    "args",
    "reReplaceAll \"a*\"",
    "match \"(\"",
    "title",
    "toUpper",
    "stripDomain",
    "parseDuration",
    "safeHtml",
    "html",
    "js",
    "urlquery",
    "now",
    "pathPrefix",
    "text ",
    "\xff",
    "\xc3\xa9",
    "}",
    "{",
    ":",
    "=",
    "%",
    "@",
};

Limits SmallLimits() {
  Limits limits;
  limits.max_text_bytes = 4096;
  limits.max_output_bytes = 4096;
  limits.max_steps = 20000;
  limits.max_nesting_depth = 20;
  limits.max_call_depth = 10;
  return limits;
}

Env FuzzEnv() {
  Env env;
  env.eval_time_ms = 1700000000000;
  env.external_url = "http://x/y";
  env.query =
      [](absl::string_view q) -> absl::StatusOr<std::vector<QuerySample>> {
    if (q.size() % 3 == 0) return absl::InvalidArgumentError("bad query");
    std::vector<QuerySample> out;
    for (size_t i = 0; i < q.size() % 5; ++i) {
      out.push_back({Labels::FromPairs({{"a", absl::StrCat(i)}}),
                     static_cast<double>(i)});
    }
    return out;
  };
  return env;
}

void ExpandOnce(const std::string& text, const Data& data, const Env& env,
                const Limits& limits = SmallLimits()) {
  const AlertTemplate tmpl("F", text, limits);
  const std::string out = tmpl.ExpandOrError(data, env);
  // Errors quote the failing node, which is at most the template's text.
  EXPECT_LE(out.size(), limits.max_output_bytes + 2 * text.size() + 1024)
      << text;
}

TEST(FuzzTest, RandomTokenSoup) {
  std::mt19937 rng(20240611);
  const Data data(Labels::FromPairs({{"job", "j"}, {"a", "b"}}),
                  Labels::FromPairs({{"c", "d"}}), "http://x/y", 1.5);
  const Env env = FuzzEnv();
  for (int i = 0; i < 20000; ++i) {
    std::string text;
    const int n = 1 + static_cast<int>(rng() % 24);
    for (int k = 0; k < n; ++k) {
      const absl::string_view piece = kPieces[rng() % std::size(kPieces)];
      text.append(piece.data(), piece.size());
      if (rng() % 3 == 0) text.push_back(' ');
    }
    ExpandOnce(text, data, env);
  }
}

TEST(FuzzTest, RandomBytes) {
  std::mt19937 rng(7);
  const Data data(Labels(), Labels(), "", 0);
  const Env env = FuzzEnv();
  for (int i = 0; i < 5000; ++i) {
    std::string text = "{{";
    const int n = static_cast<int>(rng() % 64);
    for (int k = 0; k < n; ++k) text.push_back(static_cast<char>(rng()));
    ExpandOnce(text, data, env);
  }
}

TEST(FuzzTest, MutatedTableTemplates) {
  std::vector<std::string> seeds;
  std::ifstream in("rules/template/testdata/prometheus_cases.txt");
  std::string line;
  while (std::getline(in, line)) {
    if (line.rfind("tmpl ", 0) != 0) continue;
    absl::StatusOr<std::string> t = promql::UnquoteString(line.substr(5));
    if (t.ok()) seeds.push_back(*t);
  }
  ASSERT_GT(seeds.size(), 100u);
  std::mt19937 rng(99);
  const Data data(Labels::FromPairs({{"instance", "h:1"}}), Labels(), "", 2);
  const Env env = FuzzEnv();
  for (int i = 0; i < 20000; ++i) {
    std::string text = seeds[rng() % seeds.size()];
    const int edits = 1 + static_cast<int>(rng() % 4);
    for (int e = 0; e < edits && !text.empty(); ++e) {
      const size_t at = rng() % text.size();
      switch (rng() % 4) {
        case 0:  // delete a byte
          text.erase(at, 1);
          break;
        case 1:  // duplicate a span
          text.insert(at, text.substr(at, rng() % 16));
          break;
        case 2:  // flip a byte
          text[at] = static_cast<char>(text[at] ^ (1 << (rng() % 8)));
          break;
        default:  // cut the tail
          text.resize(at);
      }
    }
    ExpandOnce(text, data, env);
  }
}

TEST(FuzzTest, PathologicalShapes) {
  const Data data(Labels(), Labels(), "", 1);
  const Env env = FuzzEnv();
  Limits limits = SmallLimits();
  limits.max_text_bytes = 1 << 20;  // let the shapes reach the parser
  // Deep nesting of every kind, unbalanced and balanced.
  for (absl::string_view open : {"{{if 1}}", "{{range $labels}}", "{{with 1}}",
                                 "{{block \"b\" .}}", "{{(", "{{else}}"}) {
    std::string text;
    for (int i = 0; i < 3000; ++i) text.append(open.data(), open.size());
    ExpandOnce(text, data, env, limits);
    for (int i = 0; i < 3000; ++i) text += "{{end}}";
    ExpandOnce(text, data, env, limits);
  }
  // Long pipelines and argument lists.
  std::string pipeline = "{{ 1";
  for (int i = 0; i < 2000; ++i) pipeline += " | print";
  ExpandOnce(pipeline + " }}", data, env, limits);
  std::string args = "{{ print";
  for (int i = 0; i < 2000; ++i) args += " 1";
  ExpandOnce(args + " }}", data, env, limits);
}

}  // namespace
}  // namespace fraisier::rules::templates
