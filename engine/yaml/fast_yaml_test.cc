// The fast path gives exactly yaml-cpp's tree or declines: hand-written
// cases, the project's YAML files, random rule-like documents in every
// style the fast path takes, and random edits of all of them.
#include "engine/yaml/fast_yaml.h"

#include <dirent.h>

#include <cstdio>
#include <fstream>
#include <random>
#include <sstream>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "gtest/gtest.h"

namespace fraisier::yaml {
namespace {

// "" when equal, else where they differ.
std::string Diff(const YamlNode& a, const YamlNode& b, const std::string& at) {
  if (a.kind != b.kind) {
    return absl::StrCat(at, ": kind ", KindName(a.kind), " vs ",
                        KindName(b.kind));
  }
  if (a.line != b.line || a.column != b.column) {
    return absl::StrCat(at, ": position ", a.line, ":", a.column, " vs ",
                        b.line, ":", b.column);
  }
  if (a.scalar != b.scalar || a.quoted != b.quoted) {
    return absl::StrCat(at, ": scalar [", a.scalar, "]", a.quoted, " vs [",
                        b.scalar, "]", b.quoted);
  }
  if (a.items.size() != b.items.size() ||
      a.entries.size() != b.entries.size()) {
    return absl::StrCat(at, ": sizes differ");
  }
  for (size_t i = 0; i < a.items.size(); ++i) {
    std::string d = Diff(a.items[i], b.items[i], absl::StrCat(at, "/", i));
    if (!d.empty()) return d;
  }
  for (size_t i = 0; i < a.entries.size(); ++i) {
    std::string k = absl::StrCat(at, "/", a.entries[i].first.scalar);
    std::string d = Diff(a.entries[i].first, b.entries[i].first, k + "(key)");
    if (d.empty()) d = Diff(a.entries[i].second, b.entries[i].second, k);
    if (!d.empty()) return d;
  }
  return "";
}

// Checks one document; returns whether the fast path took it.
bool Agrees(const std::string& text) {
  std::optional<YamlNode> fast = FastParseYaml(text);
  absl::StatusOr<YamlNode> slow = internal::ParseYamlWithYamlCpp(text, "f");
  if (!fast.has_value()) return false;
  EXPECT_TRUE(slow.ok()) << "fast path accepted what yaml-cpp rejects ("
                         << slow.status() << "):\n"
                         << text;
  if (!slow.ok()) return true;
  std::string d = Diff(*fast, *slow, "");
  EXPECT_EQ(d, "") << "fast vs yaml-cpp differ on:\n" << text;
  return true;
}

const char* const kCases[] = {
    "",
    "# only a comment\n",
    "a: 1\n",
    "a: 1",
    "a:\nb: ~\nc: null\nd: \"null\"\ne: NULL\n",
    "a:\n",
    "a:\n# c\n",
    "a:\n  # c\nb: 1\n",
    "a: |\n  x\n\n  y\n\nb: 1\n",
    "a: |-\n  x\n  y\n",
    "a: |+\n  x\n\n\nb: 1\n",
    "a: |+\n  x\n\n",
    "a: >\n  p\n  q\n\n  r\n",
    "a: >-\n  p\n  q\n\n\n  r\n  s\n",
    "a: |\n\n  x\n",
    "a: |  # comment\n  x\n  # not a comment\n# a comment\nb: 2\n",
    "a: |\n    deeper\n  less\n",
    "a: |\n  x",
    "g:\n- 1\n-\n  - 2\n- k: v\n  l:\nh: []\ni: {}\nj: [a, \"b\", ~]\n",
    "x:\n  - a\n  -\n",
    "-   a: 1\n    b: 2\n- x\n",
    "- - a\n  - b\n- - c\n",
    "\"q k\": 'v''s'  # c\nr k: plain  value   # c\n",
    "é: ü\nb: 1\n",
    "a: \"x\\ty\\u00e9\\x41\\\\\\\"\\/\\n\"\n",
    "a: 'it''s'\n",
    "a: http://x:9090/path\nb: job:up:rate5m\n",
    "a: b: c\n",
    "a: 'x' y\n",
    "a: \"x\n  y\"\n",
    "a: plain\n  continued\n",
    "a: &anchor 1\nb: *anchor\n",
    "a: !tag x\n",
    "---\na: 1\n",
    "a: 1\n...\n",
    "%YAML 1.2\n---\na: 1\n",
    "a:\tb\n",
    "a: 1\r\nb: 2\r\n",
    "a: [1, 2\nb: c\n",
    "a:\n  - x\n y: 1\n",
    "a: 1\nb: 2\na: 3\n",
    "a: {b: 1, c: [x, y], d: {}}\n",
    "a: {b: 1, b: 2}\n",
    "a: [a, ]\n",
    "a: [a b, 'c d', \"e\"]  # c\n",
    "a: {{ $labels.x }}\n",
    "a: \"{{ $labels.x }}\"\n",
    "a: -1\nb: - 1\n",
    "a: ? b\n",
    "? a\n: b\n",
    "  a: 1\n  b: 2\n",
    "a:\n  b:\n    c:\n      - d: 1\n        e: |\n          text\n",
    "groups:\n  - name: g\n    rules:\n      - record: r\n        expr: "
    "sum by (job) (rate(x{a=\"b\"}[5m]))\n",
    "rules:\n- a\nfoo: b\n",
    "a: x #c\nb: x#c\n",
    "a:#c\n",
    "key with spaces  : value\n",
    "a: 1 # c: d\n",
    "a: \"\\q\"\n",
    "a: \"\\\n  b\"\n",
    "just a scalar\n",
    "- a\n- b\nc: d\n",
    "a: >\n  x\n    more\n  y\n",
    "a: |2\n   x\n",
    "a: >\n\n  x\n",
    "a: |\n  x\n   \n  y\n",
    "a: |\n  x\n \n  y\n",
    "a: [\n  1]\n",
    "a: \"\\u0000\"\n",
    "a: \"\\U0001F600\"\n",
    "\xef\xbb\xbf"
    "a: 1\n",
    "a: \x7f\n",
    "a: \xff\n",
    "a:\n    - x\n  - y\n",
    "a: `x`\n",
    "a: @x\n",
    "a: |\n  x\nb: >\n  y\n",
};

TEST(FastYamlTest, HandWrittenCases) {
  int taken = 0;
  for (const char* text : kCases) taken += Agrees(text) ? 1 : 0;
  // Most of them are in the fast path's subset.
  EXPECT_GE(taken, 35);
}

std::vector<std::string> ProjectFiles() {
  std::vector<std::string> texts;
  for (const char* dir :
       {"monitoring", "tests/rules/check_parity", "tests/rules/lint"}) {
    DIR* d = opendir(dir);
    if (d == nullptr) continue;
    while (dirent* e = readdir(d)) {
      std::string name = e->d_name;
      if (name.size() < 4 || name.substr(name.size() - 4) != ".yml") continue;
      std::ifstream in(std::string(dir) + "/" + name);
      std::stringstream s;
      s << in.rdbuf();
      texts.push_back(s.str());
    }
    closedir(d);
  }
  return texts;
}

TEST(FastYamlTest, ProjectFiles) {
  std::vector<std::string> files = ProjectFiles();
  ASSERT_GE(files.size(), 40u);
  int taken = 0;
  for (const std::string& text : files) taken += Agrees(text) ? 1 : 0;
  EXPECT_GE(taken, static_cast<int>(files.size()) * 3 / 4);
}

// Random documents in the styles rule files use.
class Generator {
 public:
  explicit Generator(uint32_t seed) : rng_(seed) {}

  std::string Document() {
    std::string out;
    if (Chance(4)) out += "# header comment\n";
    Map(0, 0, &out);
    return out;
  }

 private:
  bool Chance(int one_in) { return rng_() % one_in == 0; }
  int Pick(int n) { return static_cast<int>(rng_() % n); }

  std::string Key() {
    static const char* const keys[] = {"name", "expr", "for", "labels",
                                       "a b",  "x-y",  "k_1", "é"};
    std::string key = absl::StrCat(keys[Pick(8)], key_counter_++);
    switch (Pick(5)) {
      case 0:
        return "\"" + key + "\"";
      case 1:
        return "'" + key + "'";
      default:
        return key;
    }
  }

  std::string Scalar() {
    static const char* const plain[] = {
        "up == 0",
        "sum by (job) (rate(x_total{a=\"b\"}[5m])) > 0.1",
        "5m",
        "http://x:1/y",
        "job:up:rate5m",
        "-1",
        "a#b",
        "~",
        "null",
        "true",
        "{{ $value }} text",
        "café ☕"};
    switch (Pick(6)) {
      case 0:
      case 1: {
        std::string s = plain[Pick(12)];
        if (s[0] == '{') s = "\"" + s + "\"";
        return s;
      }
      case 2:
        return "\"say \\\"hi\\\" \\u00e9\\t{{ $labels.job }}\"";
      case 3:
        return "'it''s {{ $value }}'";
      case 4:
        return "[a, \"b c\", ~, {k: v}]";
      default:
        return Chance(2) ? "{}" : "[]";
    }
  }

  void BlockScalar(int indent, std::string* out) {
    // Not `>+`, which the fast path leaves to yaml-cpp.
    static const char* const headers[] = {"|", "|-", "|+", ">", ">-"};
    const char* h = headers[Pick(5)];
    *out += h;
    if (Chance(3)) *out += "  # header comment";
    *out += "\n";
    const int lines = 1 + Pick(4);
    const std::string pad(indent + 2 + (Chance(3) ? 2 : 0), ' ');
    for (int i = 0; i < lines; ++i) {
      if (i > 0 && Chance(4)) *out += "\n";
      *out += pad + (Chance(2) ? "sum(rate(x[5m])) # not a comment" : "text");
      *out += "\n";
    }
    if (Chance(3)) *out += "\n";
  }

  void Value(int indent, int depth, std::string* out) {
    const int kind = depth > 3 ? Pick(3) : Pick(6);
    if (kind == 0) {
      *out += " " + Scalar() + (Chance(4) ? "  # trailing" : "") + "\n";
    } else if (kind == 1) {
      *out += " ";
      BlockScalar(indent, out);
    } else if (kind == 2) {
      *out += Chance(2) ? "\n" : "  # empty\n";
    } else if (kind == 3) {
      *out += "\n";
      Map(indent + 2, depth + 1, out);
    } else {
      *out += "\n";
      Seq(Chance(2) ? indent : indent + 2, depth + 1, out);
    }
  }

  void Map(int indent, int depth, std::string* out) {
    const int n = 1 + Pick(4);
    for (int i = 0; i < n; ++i) {
      if (Chance(6)) *out += std::string(indent, ' ') + "# comment\n";
      if (Chance(8)) *out += "\n";
      *out += std::string(indent, ' ') + Key() + ":";
      Value(indent, depth, out);
    }
  }

  void Seq(int indent, int depth, std::string* out) {
    const int n = 1 + Pick(3);
    for (int i = 0; i < n; ++i) {
      *out += std::string(indent, ' ') + "-";
      switch (depth > 3 ? 0 : Pick(4)) {
        case 0:
          *out += " " + Scalar() + "\n";
          break;
        case 1: {  // a compact mapping
          std::string inner;
          Map(indent + 2, depth + 1, &inner);
          *out += " " + inner.substr(indent + 2);
          break;
        }
        case 2:
          *out += "\n";
          Map(indent + 2, depth + 1, out);
          break;
        default:
          *out += "\n";
          break;
      }
    }
  }

  std::mt19937 rng_;
  int key_counter_ = 0;
};

std::string Mutate(const std::string& text, std::mt19937* rng) {
  // No ',': yaml-cpp takes seconds over a line that starts with one.
  static const char kChars[] = " :-#'\"|>[]{}\n~ax";
  std::string s = text;
  const int edits = 1 + (*rng)() % 3;
  for (int e = 0; e < edits && !s.empty(); ++e) {
    const size_t at = (*rng)() % s.size();
    const char c = kChars[(*rng)() % (sizeof(kChars) - 1)];
    switch ((*rng)() % 3) {
      case 0:
        s.insert(at, 1, c);
        break;
      case 1:
        s.erase(at, 1);
        break;
      default:
        s[at] = c;
    }
  }
  return s;
}

TEST(FastYamlTest, RandomDocumentsAndEdits) {
  std::mt19937 rng(42);
  int generated = 0, taken = 0, mutated_taken = 0, declined_valid_shown = 0;
  std::vector<std::string> corpus = ProjectFiles();
  for (const char* c : kCases) corpus.push_back(c);
  for (uint32_t seed = 0; seed < 2000; ++seed) {
    std::string doc = Generator(seed).Document();
    ++generated;
    const bool took = Agrees(doc);
    taken += took ? 1 : 0;
    if (!took && internal::ParseYamlWithYamlCpp(doc, "f").ok() &&
        declined_valid_shown < 3) {
      ++declined_valid_shown;
      ADD_FAILURE() << "declined valid YAML:\n" << doc;
    }
    corpus.push_back(std::move(doc));
  }
  EXPECT_GE(taken, generated * 9 / 10);
  for (int round = 0; round < 3; ++round) {
    for (const std::string& doc : corpus) {
      mutated_taken += Agrees(Mutate(doc, &rng)) ? 1 : 0;
    }
  }
  // Many edits stay valid YAML the fast path takes.
  EXPECT_GE(mutated_taken, 1500);
  std::printf("generated: %d of %d taken; edits: %d taken\n", taken, generated,
              mutated_taken);
}

}  // namespace
}  // namespace fraisier::yaml
