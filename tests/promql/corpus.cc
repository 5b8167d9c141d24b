#include "tests/promql/corpus.h"

#include <algorithm>
#include <cstdint>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>
#include <system_error>
#include <utility>
#include <vector>

#include "absl/status/status.h"
#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "absl/strings/string_view.h"
#include "re2/re2.h"

namespace fraisier::promql::testing {
namespace {

// Prometheus's patterns (promql/promqltest/test.go), RE2 like Go's regexp.
const RE2& EvalInstantPattern() {
  static const RE2* const re = new RE2(
      R"(^eval(?:_(fail|warn|ordered|info))?\s+instant\s+(?:at\s+(.+?))?\s+(.+)$)");
  return *re;
}

const RE2& EvalRangePattern() {
  static const RE2* const re = new RE2(
      R"(^eval(?:_(fail|warn|info))?\s+range\s+from\s+(.+)\s+to\s+(.+)\s+step\s+(.+?)\s+(.+)$)");
  return *re;
}

// Go's strings.TrimSpace over the ASCII whitespace test scripts use.
absl::string_view Trim(absl::string_view s) {
  return absl::StripAsciiWhitespace(s);
}

// The script's lines as test.go's getLines makes them: trimmed, comments
// blanked.
std::vector<absl::string_view> ScriptLines(absl::string_view content) {
  std::vector<absl::string_view> lines = absl::StrSplit(content, '\n');
  for (absl::string_view& line : lines) {
    line = Trim(line);
    if (absl::StartsWith(line, "#")) line = absl::string_view();
  }
  return lines;
}

// The first whitespace-separated word, lower-cased.
std::string FirstWord(absl::string_view line) {
  size_t end = 0;
  while (end < line.size() && !absl::ascii_isspace(line[end])) ++end;
  return absl::AsciiStrToLower(line.substr(0, end));
}

// Whether test.go's parseNumber accepts the line: an eval block ends after
// a scalar result line.
bool IsNumber(absl::string_view s) {
  double unused;
  if (absl::SimpleAtod(s, &unused)) return true;
  int64_t unused_int;
  return absl::SimpleHexAtoi(s, &unused_int) &&
         absl::StartsWithIgnoreCase(absl::StripPrefix(s, "-"), "0x");
}

// `expect fail`, `expect fail msg: ...`, `expect fail regex: ...`.
bool IsExpectFail(absl::string_view line) {
  if (!absl::ConsumePrefix(&line, "expect")) return false;
  if (line.empty() || !absl::ascii_isspace(line[0])) return false;
  line = absl::StripLeadingAsciiWhitespace(line);
  if (!absl::ConsumePrefix(&line, "fail")) return false;
  return line.empty() || absl::ascii_isspace(line[0]);
}

absl::Status Error(absl::string_view file, size_t index,
                   absl::string_view message) {
  return absl::InvalidArgumentError(
      absl::StrCat(file, ":", index + 1, ": ", message));
}

}  // namespace

absl::StatusOr<std::vector<EvalCase>> ExtractEvalCases(
    absl::string_view file, absl::string_view content) {
  std::vector<absl::string_view> lines = ScriptLines(content);
  std::vector<EvalCase> cases;
  for (size_t i = 0; i < lines.size(); ++i) {
    absl::string_view line = lines[i];
    if (line.empty()) continue;
    std::string command = FirstWord(line);
    if (command == "clear") continue;
    if (command == "load" || absl::StartsWith(command, "load_")) {
      // `load` or `load_with_nhcb`: series lines up to the next blank line.
      while (i + 1 < lines.size() && !lines[i + 1].empty()) ++i;
      continue;
    }
    if (!absl::StartsWith(command, "eval")) {
      return Error(file, i, absl::StrCat("invalid command \"", line, "\""));
    }

    EvalCase c;
    c.file = std::string(file);
    c.line = static_cast<int>(i + 1);
    std::string variant, start, end, step;
    re2::StringPiece input(line.data(), line.size());
    if (RE2::FullMatch(input, EvalInstantPattern(), &variant, &start,
                       &c.expr)) {
      c.kind = EvalKind::kInstant;
    } else if (RE2::FullMatch(input, EvalRangePattern(), &variant, &start, &end,
                              &step, &c.expr)) {
      c.kind = EvalKind::kRange;
    } else {
      return Error(file, i,
                   absl::StrCat("invalid eval command \"", line, "\""));
    }
    c.expect_fail = variant == "fail";

    // The block: expectations and expected series up to a blank line, or
    // up to and including a scalar result.
    while (i + 1 < lines.size() && !lines[i + 1].empty()) {
      absl::string_view def = lines[++i];
      if (IsExpectFail(def)) {
        c.expect_fail = true;
      } else if (!absl::StartsWith(def, "expect") && IsNumber(def)) {
        break;
      }
    }
    cases.push_back(std::move(c));
  }
  return cases;
}

absl::StatusOr<std::vector<CorpusFile>> ExtractCorpusDir(
    absl::string_view dir) {
  namespace fs = std::filesystem;
  std::error_code ec;
  fs::directory_iterator it(fs::path(std::string(dir)), ec);
  if (ec) {
    return absl::NotFoundError(
        absl::StrCat("cannot read directory ", dir, ": ", ec.message()));
  }
  std::vector<fs::path> paths;
  for (const fs::directory_entry& entry : it) {
    if (entry.path().extension() == ".test" && entry.is_regular_file(ec)) {
      paths.push_back(entry.path());
    }
  }
  std::sort(paths.begin(), paths.end());

  std::vector<CorpusFile> files;
  for (const fs::path& path : paths) {
    std::ifstream in(path, std::ios::binary);
    if (!in) {
      return absl::NotFoundError(absl::StrCat("cannot open ", path.string()));
    }
    std::stringstream buffer;
    buffer << in.rdbuf();
    CorpusFile f;
    f.name = path.filename().string();
    absl::StatusOr<std::vector<EvalCase>> cases =
        ExtractEvalCases(f.name, buffer.str());
    if (!cases.ok()) return cases.status();
    f.cases = *std::move(cases);
    files.push_back(std::move(f));
  }
  return files;
}

}  // namespace fraisier::promql::testing
