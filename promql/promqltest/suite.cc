#include "promql/promqltest/suite.h"

#include <algorithm>
#include <atomic>
#include <filesystem>
#include <fstream>
#include <map>
#include <sstream>
#include <system_error>
#include <thread>
#include <utility>

#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/strings/str_split.h"
#include "absl/strings/strip.h"
#include "promql/promqltest/script.h"

namespace fraisier::promql::promqltest {
namespace {

absl::StatusOr<std::string> ReadFile(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return absl::NotFoundError(absl::StrCat("cannot open ", path));
  std::ostringstream s;
  s << in.rdbuf();
  if (in.bad()) return absl::DataLossError(absl::StrCat("cannot read ", path));
  return s.str();
}

bool PathMatches(absl::string_view path, absl::string_view entry) {
  path = absl::StripPrefix(path, "./");
  entry = absl::StripPrefix(entry, "./");
  if (path == entry) return true;
  return path.size() > entry.size() && absl::EndsWith(path, entry) &&
         path[path.size() - entry.size() - 1] == '/';
}

void PrintIndented(absl::string_view text, absl::string_view indent,
                   std::ostream& out) {
  for (absl::string_view line : absl::StrSplit(text, '\n')) {
    out << indent << line << "\n";
  }
}

absl::string_view FirstLine(absl::string_view text) {
  return text.substr(0, text.find('\n'));
}

FileResult RunFile(const std::string& path, QueryEngine& engine,
                   const RunnerOptions& options) {
  absl::StatusOr<std::string> content = ReadFile(path);
  if (!content.ok()) {
    FileResult r;
    r.file = path;
    r.results.push_back({0, "", Outcome::kFailed,
                         std::string(content.status().message()), "", ""});
    return r;
  }
  return RunScript(ParseScript(path, *content), engine, options);
}

std::vector<FileResult> RunAll(const std::vector<std::string>& files,
                               QueryEngine& engine,
                               const RunnerOptions& options, int jobs) {
  std::vector<FileResult> results(files.size());
  std::atomic<size_t> next{0};
  auto work = [&] {
    for (size_t i = next++; i < files.size(); i = next++) {
      results[i] = RunFile(files[i], engine, options);
    }
  };
  const int n = std::clamp<int>(jobs, 1, static_cast<int>(files.size()) + 1);
  std::vector<std::thread> threads;
  for (int t = 1; t < n; ++t) threads.emplace_back(work);
  work();
  for (std::thread& t : threads) t.join();
  return results;
}

struct KnownMatch {
  const KnownFailure* entry;
  const EvalResult* result;
};

}  // namespace

absl::StatusOr<std::vector<KnownFailure>> ParseKnownFailures(
    absl::string_view name, absl::string_view content) {
  std::vector<KnownFailure> out;
  int n = 0;
  for (absl::string_view raw : absl::StrSplit(content, '\n')) {
    ++n;
    absl::string_view line = absl::StripAsciiWhitespace(raw);
    if (line.empty() || absl::StartsWith(line, "#")) continue;
    const size_t space = line.find_first_of(" \t");
    absl::string_view location = line.substr(0, space);
    absl::string_view reason =
        space == absl::string_view::npos
            ? ""
            : absl::StripAsciiWhitespace(line.substr(space));
    const size_t colon = location.rfind(':');
    KnownFailure k;
    if (colon == absl::string_view::npos || colon == 0 ||
        !absl::SimpleAtoi(location.substr(colon + 1), &k.line) || k.line < 0) {
      return absl::InvalidArgumentError(absl::StrCat(
          name, ":", n, ": expected `<file>:<line> <reason>`, got \"", line,
          "\""));
    }
    k.file = std::string(location.substr(0, colon));
    k.reason = std::string(reason);
    k.list_line = n;
    for (const KnownFailure& other : out) {
      if (other.file == k.file && other.line == k.line) {
        return absl::InvalidArgumentError(
            absl::StrCat(name, ":", n, ": duplicate entry ", location,
                         " (first at line ", other.list_line, ")"));
      }
    }
    out.push_back(std::move(k));
  }
  return out;
}

absl::StatusOr<std::vector<std::string>> ExpandTestPaths(
    const std::vector<std::string>& paths) {
  namespace fs = std::filesystem;
  std::vector<std::string> out;
  for (const std::string& p : paths) {
    std::error_code ec;
    if (fs::is_directory(p, ec)) {
      std::vector<std::string> found;
      for (const fs::directory_entry& e : fs::directory_iterator(p, ec)) {
        if (e.path().extension() == ".test" && !fs::is_directory(e.path())) {
          found.push_back(absl::StrCat(absl::StripSuffix(p, "/"), "/",
                                       e.path().filename().string()));
        }
      }
      if (ec) {
        return absl::NotFoundError(
            absl::StrCat("cannot list ", p, ": ", ec.message()));
      }
      std::sort(found.begin(), found.end());
      out.insert(out.end(), found.begin(), found.end());
    } else if (fs::exists(p, ec)) {
      out.push_back(p);
    } else {
      return absl::NotFoundError(
          absl::StrCat("no such file or directory: ", p));
    }
  }
  return out;
}

SuiteSummary RunSuite(const std::vector<std::string>& files,
                      QueryEngine& engine, const SuiteOptions& options,
                      std::ostream& out) {
  std::vector<FileResult> results =
      RunAll(files, engine, options.runner, options.jobs);
  SuiteSummary sum;
  std::vector<KnownMatch> known;
  std::vector<std::string> stale;  // messages for stale entries
  std::map<std::string, int> skip_reasons;
  std::vector<std::pair<const FileResult*, const EvalResult*>> failures;

  for (const FileResult& f : results) {
    std::vector<const KnownFailure*> entries;
    for (const KnownFailure& k : options.known_failures) {
      if (PathMatches(f.file, k.file)) entries.push_back(&k);
    }
    int passed = 0, failed = 0, skipped = 0, file_known = 0;
    for (const EvalResult& r : f.results) {
      const KnownFailure* entry = nullptr;
      for (const KnownFailure* k : entries) {
        if (k->line == r.line) entry = k;
      }
      switch (r.outcome) {
        case Outcome::kPassed:
          ++passed;
          break;
        case Outcome::kSkipped:
          ++skipped;
          ++skip_reasons[r.message];
          break;
        case Outcome::kFailed:
          if (entry != nullptr) {
            ++file_known;
            known.push_back({entry, &r});
          } else {
            ++failed;
            failures.emplace_back(&f, &r);
          }
          break;
      }
    }
    for (const KnownFailure* k : entries) {
      bool any = false, any_failed = false;
      for (const EvalResult& r : f.results) {
        if (r.line != k->line) continue;
        any = true;
        any_failed |= r.outcome == Outcome::kFailed;
      }
      if (any_failed) continue;
      stale.push_back(
          absl::StrCat(f.file, ":", k->line,
                       ": known-failure entry (list line ", k->list_line, ") ",
                       any ? "no longer fails: remove it from the list"
                           : "matches no eval: fix or remove it"));
      ++failed;
    }
    out << f.file << ": " << passed << " passed, " << failed << " failed, "
        << skipped << " skipped";
    if (file_known > 0) out << ", " << file_known << " known failures";
    out << "\n";
    sum.passed += passed;
    sum.failed += failed;
    sum.skipped += skipped;
    sum.known += file_known;
  }

  if (!failures.empty() || !stale.empty()) out << "\n";
  for (const auto& [f, r] : failures) {
    out << "--- FAIL " << f->file << ":" << r->line << ":"
        << (r->command.empty() ? "" : " ") << r->command << "\n";
    PrintIndented(r->message, "    ", out);
    if (!r->expected.empty()) {
      out << "    expected:\n";
      PrintIndented(r->expected, "        ", out);
    }
    if (!r->got.empty()) {
      out << "    got:\n";
      PrintIndented(r->got, "        ", out);
    }
  }
  for (const std::string& s : stale) out << "--- FAIL " << s << "\n";
  if (options.failures_out != nullptr) {
    for (const auto& [f, r] : failures) {
      *options.failures_out << f->file << ":" << r->line << " "
                            << FirstLine(r->message) << "\n";
    }
  }
  if (!known.empty()) out << "\n";
  for (const KnownMatch& k : known) {
    out << "--- KNOWN " << k.entry->file << ":" << k.entry->line << ": "
        << (k.entry->reason.empty() ? "(no reason given)" : k.entry->reason)
        << ": " << FirstLine(k.result->message) << "\n";
  }
  if (options.list_skipped) {
    for (const FileResult& f : results) {
      for (const EvalResult& r : f.results) {
        if (r.outcome != Outcome::kSkipped) continue;
        out << "--- SKIP " << f.file << ":" << r.line << ": " << r.message
            << ": " << r.command << "\n";
      }
    }
  }
  out << "known failures: " << sum.known << "\n";
  out << "skipped: " << sum.skipped;
  if (!skip_reasons.empty()) {
    std::vector<std::string> parts;
    for (const auto& [reason, n] : skip_reasons) {
      parts.push_back(absl::StrCat(reason, "=", n));
    }
    out << " (by reason: " << absl::StrJoin(parts, ", ") << ")";
  }
  // The issue's contract: the run ends with `N passed, M failed, K skipped`.
  out << "\n"
      << sum.passed << " passed, " << sum.failed << " failed, " << sum.skipped
      << " skipped\n";
  return sum;
}

}  // namespace fraisier::promql::promqltest
