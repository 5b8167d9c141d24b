#include "promql/promqltest/script.h"

#include <cstddef>
#include <utility>

#include "absl/container/flat_hash_map.h"
#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "absl/strings/strip.h"
#include "promql/literals.h"
#include "re2/re2.h"

namespace fraisier::promql::promqltest {
namespace {

// Prometheus's patterns (test.go), unchanged; RE2 and Go's regexp agree on
// them (leftmost-first, greedy/lazy as written).
const RE2& PatLoad() {
  static const RE2* re = new RE2(R"(^load(?:_(with_nhcb))?\s+(.+?)$)");
  return *re;
}
const RE2& PatEvalInstant() {
  static const RE2* re = new RE2(
      R"(^eval(?:_(fail|warn|ordered|info))?\s+instant\s+(?:at\s+(.+?))?\s+(.+)$)");
  return *re;
}
const RE2& PatEvalRange() {
  static const RE2* re = new RE2(
      R"(^eval(?:_(fail|warn|info))?\s+range\s+from\s+(.+)\s+to\s+(.+)\s+step\s+(.+?)\s+(.+)$)");
  return *re;
}
const RE2& PatExpect() {
  static const RE2* re = new RE2(
      R"(^expect\s+(ordered|fail|warn|no_warn|info|no_info)(?:\s+(regex|msg):(.+))?$)");
  return *re;
}
const RE2& PatExpectRange() {
  static const RE2* re = new RE2(
      R"(^expect range vector\s+from\s+(.+)\s+to\s+(.+)\s+step\s+(.+)$)");
  return *re;
}

constexpr absl::string_view kRangeVectorPrefix = "expect range vector";
constexpr absl::string_view kExpectStringPrefix = "expect string";

std::vector<std::string> GetLines(absl::string_view input) {
  std::vector<std::string> lines;
  for (absl::string_view l : absl::StrSplit(input, '\n')) {
    l = absl::StripAsciiWhitespace(l);
    if (absl::StartsWith(l, "#")) l = "";
    lines.emplace_back(l);
  }
  return lines;
}

absl::string_view FirstWord(absl::string_view l) {
  return l.substr(0, l.find_first_of(" \t"));
}

class ScriptParser {
 public:
  ScriptParser(absl::string_view file, absl::string_view content)
      : lines_(GetLines(content)) {
    script_.file = std::string(file);
  }

  Script Parse() && {
    const size_t n = lines_.size();
    for (i_ = 0; i_ < n; ++i_) {
      const std::string& l = lines_[i_];
      if (l.empty()) continue;
      std::string c = absl::AsciiStrToLower(FirstWord(l));
      if (c == "clear") {
        script_.commands.push_back(ClearCommand{Line()});
      } else if (absl::StartsWith(c, "load")) {
        ParseLoad();
      } else if (absl::StartsWith(c, "eval")) {
        ParseEval();
      } else {
        script_.problems.push_back(
            {Line(), absl::StrCat("invalid command \"", l, "\"")});
        SkipBlock();
      }
    }
    return std::move(script_);
  }

 private:
  int Line() const { return static_cast<int>(i_) + 1; }

  // Moves i_ to the last line of the current block.
  void SkipBlock() {
    while (i_ + 1 < lines_.size() && !lines_[i_ + 1].empty()) ++i_;
  }

  // Advances to the next line of the block; false at its end.
  bool NextBlockLine() {
    if (i_ + 1 >= lines_.size() || lines_[i_ + 1].empty()) return false;
    ++i_;
    return true;
  }

  void ParseLoad() {
    std::string nhcb, step;
    if (!RE2::FullMatch(lines_[i_], PatLoad(), &nhcb, &step)) {
      script_.problems.push_back(
          {Line(), "invalid load command. (load[_with_nhcb] <step:duration>)"});
      SkipBlock();
      return;
    }
    LoadCommand cmd;
    cmd.line = Line();
    cmd.with_nhcb = nhcb == "with_nhcb";
    absl::StatusOr<int64_t> gap = ParseScriptDuration(step);
    if (!gap.ok()) {
      script_.problems.push_back(
          {Line(), absl::StrCat("invalid step definition \"", step,
                                "\": ", gap.status().message())});
      SkipBlock();
      return;
    }
    cmd.interval_ms = *gap;
    absl::flat_hash_map<Labels, size_t> index;
    bool default_st = false;
    std::optional<Labels> pending_st;
    size_t pending_st_count = 0;
    int pending_st_line = 0;
    while (NextBlockLine()) {
      const std::string& def = lines_[i_];
      absl::string_view head = FirstWord(def);
      if (head.size() < def.size() && absl::EndsWith(head, "@st")) {
        if (pending_st.has_value()) {
          script_.problems.push_back(
              {pending_st_line, "@st line has no following sample line"});
        }
        pending_st.reset();
        absl::string_view metric = absl::StripSuffix(head, "@st");
        absl::StatusOr<size_t> count =
            CountStartTimestampSequence(def.substr(head.size()));
        if (!count.ok()) {
          script_.problems.push_back(
              {Line(), absl::StrCat("invalid @st sequence: ",
                                    count.status().message())});
          continue;
        }
        if (metric.empty()) {
          default_st = true;
          continue;
        }
        size_t consumed = 0;
        absl::StatusOr<Labels> labels = ParseLabelSet(metric, &consumed);
        if (!labels.ok() || consumed != metric.size()) {
          script_.problems.push_back(
              {Line(),
               absl::StrCat("invalid @st line metric \"", metric, "\"")});
          continue;
        }
        pending_st = *std::move(labels);
        pending_st_count = *count;
        pending_st_line = Line();
        continue;
      }
      absl::StatusOr<SeriesDescription> desc = ParseSeriesDescription(def);
      if (!desc.ok()) {
        script_.problems.push_back(
            {Line(), std::string(desc.status().message())});
        pending_st.reset();
        continue;
      }
      bool has_st = default_st;
      if (pending_st.has_value()) {
        if (*pending_st != desc->labels) {
          script_.problems.push_back(
              {pending_st_line,
               "@st metric does not match the following sample line metric"});
        } else if (pending_st_count != desc->values.size()) {
          script_.problems.push_back(
              {pending_st_line, absl::StrCat("@st line has ", pending_st_count,
                                             " values but sample line has ",
                                             desc->values.size())});
        }
        has_st = true;
        pending_st.reset();
      }
      LoadSeries series{Line(), std::move(desc->labels),
                        std::move(desc->values), has_st};
      auto [it, inserted] = index.try_emplace(series.labels, cmd.series.size());
      if (inserted) {
        cmd.series.push_back(std::move(series));
      } else {
        cmd.series[it->second] = std::move(series);
      }
    }
    if (pending_st.has_value()) {
      script_.problems.push_back(
          {pending_st_line, "@st line has no following sample line"});
    }
    script_.commands.push_back(std::move(cmd));
  }

  // Records the eval's first problem and skips the rest of its block.
  void EvalProblem(EvalCommand& cmd, std::string message) {
    if (!cmd.problem.has_value()) cmd.problem = Problem{Line(), message};
    SkipBlock();
  }

  absl::Status ParseRange(absl::string_view from, absl::string_view to,
                          absl::string_view step, EvalCommand& cmd) {
    absl::StatusOr<int64_t> f = ParseScriptDuration(from);
    if (!f.ok()) {
      return absl::InvalidArgumentError(
          absl::StrCat("invalid start timestamp definition \"", from,
                       "\": ", f.status().message()));
    }
    absl::StatusOr<int64_t> t = ParseScriptDuration(to);
    if (!t.ok()) {
      return absl::InvalidArgumentError(
          absl::StrCat("invalid end timestamp definition \"", to,
                       "\": ", t.status().message()));
    }
    if (*t < *f) {
      return absl::InvalidArgumentError(
          absl::StrCat("invalid test definition, end timestamp (", to,
                       ") is before start timestamp (", from, ")"));
    }
    absl::StatusOr<int64_t> s = ParseScriptDuration(step);
    if (!s.ok()) {
      return absl::InvalidArgumentError(absl::StrCat(
          "invalid step definition \"", step, "\": ", s.status().message()));
    }
    cmd.start = *f;
    cmd.end = *t;
    cmd.step_ms = *s;
    return absl::OkStatus();
  }

  void ParseEval() {
    const std::string& l = lines_[i_];
    std::string mod, at, expr, from, to, step;
    EvalCommand cmd;
    cmd.line = Line();
    cmd.text = l;
    if (RE2::FullMatch(l, PatEvalInstant(), &mod, &at, &expr)) {
      cmd.expr = expr;
      absl::StatusOr<int64_t> ts = ParseScriptDuration(at);
      if (!ts.ok()) {
        EvalProblem(cmd, absl::StrCat("invalid timestamp definition \"", at,
                                      "\": ", ts.status().message()));
        script_.commands.push_back(std::move(cmd));
        return;
      }
      cmd.eval_time = cmd.start = *ts;
    } else if (RE2::FullMatch(l, PatEvalRange(), &mod, &from, &to, &step,
                              &expr)) {
      cmd.expr = expr;
      cmd.is_range = true;
      if (absl::Status s = ParseRange(from, to, step, cmd); !s.ok()) {
        EvalProblem(cmd, std::string(s.message()));
        script_.commands.push_back(std::move(cmd));
        return;
      }
    } else {
      script_.problems.push_back(
          {Line(),
           "invalid evaluation command. Must be either 'eval[_fail|_warn|"
           "_ordered] instant [at <offset:duration>] <query>' or "
           "'eval[_fail|_warn] range from <from> to <to> step <step> "
           "<query>'"});
      SkipBlock();
      return;
    }
    cmd.ordered = mod == "ordered";
    cmd.fail = mod == "fail";
    cmd.warn = mod == "warn";
    cmd.info = mod == "info";
    ParseEvalBlock(cmd);
    script_.commands.push_back(std::move(cmd));
  }

  void ParseEvalBlock(EvalCommand& cmd) {
    for (int j = 1; NextBlockLine(); ++j) {
      const std::string& def = lines_[i_];
      cmd.block.push_back(def);
      if (cmd.fail && absl::StartsWith(def, "expected_fail_message")) {
        cmd.expected_fail_message = std::string(absl::StripAsciiWhitespace(
            absl::StripPrefix(def, "expected_fail_message")));
        return;
      }
      if (cmd.fail && absl::StartsWith(def, "expected_fail_regexp")) {
        std::string pattern(absl::StripAsciiWhitespace(
            absl::StripPrefix(def, "expected_fail_regexp")));
        if (!RE2(pattern, RE2::Quiet).ok()) {
          return EvalProblem(cmd, absl::StrCat("invalid regexp '", pattern,
                                               "' for expected_fail_regexp"));
        }
        cmd.expected_fail_regexp = pattern;
        return;
      }
      if (absl::StartsWith(def, kRangeVectorPrefix)) {
        std::string from, to, step;
        if (!RE2::FullMatch(def, PatExpectRange(), &from, &to, &step)) {
          return EvalProblem(cmd, absl::StrCat("invalid range vector "
                                               "definition \"",
                                               def, "\""));
        }
        if (absl::Status s = ParseRange(from, to, step, cmd); !s.ok()) {
          return EvalProblem(cmd, std::string(s.message()));
        }
        cmd.expect_range_vector = true;
        cmd.eval_time = cmd.end;
        cmd.exclude_from_range_query = true;
        continue;
      }
      if (absl::StartsWith(def, kExpectStringPrefix)) {
        absl::string_view str =
            absl::StripPrefix(def, absl::StrCat(kExpectStringPrefix, " "));
        if (def == kExpectStringPrefix || str.empty()) {
          return EvalProblem(cmd,
                             "expected string literal not valid - a quoted "
                             "string literal is required");
        }
        absl::StatusOr<std::string> unquoted = UnquoteString(str);
        if (!unquoted.ok()) {
          return EvalProblem(cmd,
                             "expected string literal not valid - check that "
                             "the string is correctly quoted");
        }
        cmd.expected_string = *std::move(unquoted);
        cmd.exclude_from_range_query = true;
        continue;
      }
      if (def.substr(0, def.find(' ')) == "expect") {
        if (absl::Status s = ParseExpect(def, cmd); !s.ok()) {
          return EvalProblem(cmd, std::string(s.message()));
        }
        --j;
        continue;
      }
      if (absl::StatusOr<double> f = ParseNumber(def); f.ok()) {
        cmd.expect_scalar = true;
        cmd.scalar = SequenceValue{*f, false, false};
        return;
      }
      absl::StatusOr<SeriesDescription> desc = ParseSeriesDescription(def);
      if (!desc.ok()) {
        return EvalProblem(cmd, std::string(desc.status().message()));
      }
      if (desc->values.size() > 1 && !cmd.is_range &&
          !cmd.expect_range_vector) {
        return EvalProblem(
            cmd,
            "expecting multiple values in instant evaluation not allowed. "
            "consider using 'expect range vector' directive to enable a "
            "range vector result for an instant query");
      }
      cmd.expect_scalar = false;
      ExpectedSeries s{Line(), j, std::move(desc->labels),
                       std::move(desc->values)};
      bool replaced = false;
      for (ExpectedSeries& e : cmd.series) {
        if (e.labels == s.labels) {
          e = std::move(s);
          replaced = true;
          break;
        }
      }
      if (!replaced) cmd.series.push_back(std::move(s));
    }
  }

  absl::Status ParseExpect(absl::string_view def, EvalCommand& cmd) {
    std::string mode, kind, text;
    if (!RE2::FullMatch(std::string(absl::StripAsciiWhitespace(def)),
                        PatExpect(), &mode, &kind, &text)) {
      return absl::InvalidArgumentError(
          "invalid expect statement, must match `expect <type> "
          "<match_type>: <string>` format");
    }
    static const auto* const kTypes =
        new absl::flat_hash_map<std::string, ExpectType>{
            {"ordered", ExpectType::kOrdered}, {"fail", ExpectType::kFail},
            {"warn", ExpectType::kWarn},       {"no_warn", ExpectType::kNoWarn},
            {"info", ExpectType::kInfo},       {"no_info", ExpectType::kNoInfo},
        };
    const ExpectType type = kTypes->at(mode);
    Expectation e;
    e.line = Line();
    std::string value(absl::StripAsciiWhitespace(text));
    if (kind == "msg") {
      e.message = value;
    } else if (kind == "regex") {
      if (!RE2(value, RE2::Quiet).ok()) {
        return absl::InvalidArgumentError(
            absl::StrCat("invalid regex ", value, " for ", mode));
      }
      e.regex = value;
    }
    cmd.expectations[static_cast<int>(type)].push_back(std::move(e));
    auto has = [&cmd](ExpectType t) { return !cmd.Expect(t).empty(); };
    if (has(ExpectType::kInfo) && has(ExpectType::kNoInfo)) {
      return absl::InvalidArgumentError(
          "invalid expect lines, info and no_info cannot be used together");
    }
    if (has(ExpectType::kWarn) && has(ExpectType::kNoWarn)) {
      return absl::InvalidArgumentError(
          "invalid expect lines, warn and no_warn cannot be used together");
    }
    if (cmd.Expect(ExpectType::kFail).size() > 1) {
      return absl::InvalidArgumentError(
          "invalid expect lines, multiple expect fail lines are not allowed");
    }
    return absl::OkStatus();
  }

  std::vector<std::string> lines_;
  size_t i_ = 0;
  Script script_;
};

}  // namespace

bool Expectation::Matches(absl::string_view text) const {
  if (message.has_value()) return *message == text;
  if (regex.has_value()) {
    RE2 re(*regex, RE2::Quiet);
    return re.ok() &&
           RE2::PartialMatch(re2::StringPiece(text.data(), text.size()), re);
  }
  return true;
}

std::string Expectation::Describe() const {
  if (message.has_value()) return *message;
  if (regex.has_value()) return *regex;
  return "^.*$";
}

bool EvalCommand::IsOrdered() const {
  return ordered || !Expect(ExpectType::kOrdered).empty();
}

bool EvalCommand::IsFail() const {
  return fail || !Expect(ExpectType::kFail).empty();
}

bool EvalCommand::ExpectsHistogram() const {
  if (expect_scalar && scalar.histogram) return true;
  for (const ExpectedSeries& s : series) {
    for (const SequenceValue& v : s.values) {
      if (v.histogram) return true;
    }
  }
  return false;
}

Script ParseScript(absl::string_view file, absl::string_view content) {
  return ScriptParser(file, content).Parse();
}

absl::StatusOr<int64_t> ParseScriptDuration(absl::string_view text) {
  return ParseDurationMs(text);
}

}  // namespace fraisier::promql::promqltest
