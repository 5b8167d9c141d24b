#include "promql/promqltest/runner.h"

#include <algorithm>
#include <memory>
#include <optional>
#include <utility>
#include <variant>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "engine/model/matcher.h"
#include "engine/storage/memory_storage.h"
#include "promql/parser.h"
#include "promql/printer.h"
#include "promql/promqltest/ast_walk.h"
#include "promql/promqltest/compare.h"
#include "re2/re2.h"

namespace fraisier::promql::promqltest {
namespace {

constexpr int64_t kMinuteMs = 60'000;

ParseOptions TestParseOptions() {
  ParseOptions options;
  options.enable_experimental_functions = true;
  return options;
}

bool IsExperimentalSyntaxError(absl::string_view message) {
  return absl::StrContains(message, "not enabled") ||
         absl::StrContains(message, "experimental");
}

// Prometheus's reQueryContextFuncs.
bool UsesQueryContextFunctions(absl::string_view expr) {
  static const RE2* re = new RE2(R"((start|end|range|step)\(\))");
  return RE2::PartialMatch(re2::StringPiece(expr.data(), expr.size()), *re);
}

// The labels of the native histogram series load_with_nhcb derives from a
// classic histogram series, or nullopt for other series.
std::optional<Labels> NhcbSeriesLabels(const Labels& labels) {
  absl::string_view name = labels.MetricName();
  for (absl::string_view suffix : {"_bucket", "_count", "_sum"}) {
    if (absl::EndsWith(name, suffix)) {
      name.remove_suffix(suffix.size());
      LabelsBuilder b(labels);
      b.Del("le");
      b.Set(kMetricNameLabel, name);
      return b.Build();
    }
  }
  return std::nullopt;
}

// A failure of one query of an eval.
struct QueryFailure {
  std::string message;
  std::string got;
};

class ScriptRunner {
 public:
  ScriptRunner(const Script& script, QueryEngine& engine,
               const RunnerOptions& options)
      : script_(script), engine_(engine), options_(options) {}

  FileResult Run() && {
    result_.file = script_.file;
    for (const Problem& p : script_.problems) {
      result_.results.push_back(
          {p.line, "", Outcome::kFailed, p.message, "", ""});
    }
    for (const Command& c : script_.commands) {
      if (const auto* load = std::get_if<LoadCommand>(&c)) {
        Load(*load);
      } else if (std::holds_alternative<ClearCommand>(c)) {
        Clear();
      } else {
        result_.results.push_back(Eval(std::get<EvalCommand>(c)));
      }
    }
    std::stable_sort(result_.results.begin(), result_.results.end(),
                     [](const EvalResult& a, const EvalResult& b) {
                       return a.line < b.line;
                     });
    return std::move(result_);
  }

 private:
  void Clear() {
    store_ = std::make_unique<storage::MemoryStorage>();
    histogram_series_.clear();
    nhcb_series_.clear();
    st_series_.clear();
    type_unit_series_.clear();
  }

  void Load(const LoadCommand& load) {
    std::unique_ptr<storage::Appender> app = store_->NewAppender();
    for (const LoadSeries& s : load.series) {
      bool has_histogram = false;
      for (size_t i = 0; i < s.values.size(); ++i) {
        const SequenceValue& v = s.values[i];
        if (v.histogram) has_histogram = true;
        if (v.omitted || v.histogram) continue;
        const Timestamp t = static_cast<int64_t>(i) * load.interval_ms;
        absl::StatusOr<storage::SeriesRef> ref =
            app->Append(0, s.labels, t, v.value);
        if (!ref.ok()) {
          result_.results.push_back(
              {s.line, "", Outcome::kFailed,
               absl::StrCat("load: ", ref.status().message()), "", ""});
          break;
        }
      }
      if (has_histogram) histogram_series_.push_back(s.labels);
      if (s.labels.Has("__type__") || s.labels.Has("__unit__")) {
        type_unit_series_.push_back(s.labels);
      }
      if (s.has_start_timestamps) st_series_.push_back(s.labels);
      if (load.with_nhcb) {
        if (std::optional<Labels> nhcb = NhcbSeriesLabels(s.labels)) {
          nhcb_series_.push_back(*std::move(nhcb));
        }
      }
    }
    if (absl::Status s = app->Commit(); !s.ok()) {
      result_.results.push_back({load.line, "", Outcome::kFailed,
                                 absl::StrCat("load: ", s.message()), "", ""});
    }
  }

  static bool SelectsAny(const std::vector<const VectorSelector*>& selectors,
                         const std::vector<Labels>& series) {
    for (const VectorSelector* vs : selectors) {
      for (const Labels& l : series) {
        bool all =
            std::all_of(vs->matchers.begin(), vs->matchers.end(),
                        [&l](const Matcher& m) { return m.MatchesLabels(l); });
        if (all) return true;
      }
    }
    return false;
  }

  // Why the eval cannot run, or nullopt when it can.
  std::optional<std::string> SkipReason(const EvalCommand& cmd,
                                        const Expr& expr) const {
    if (cmd.ExpectsHistogram()) return kSkipHistogramResult;
    for (const std::string& f : CollectFunctions(expr)) {
      const auto& unsupported = options_.unsupported_functions;
      if (std::find(unsupported.begin(), unsupported.end(), f) !=
          unsupported.end()) {
        return absl::StrCat(kSkipUnsupportedFunctionPrefix, f);
      }
    }
    std::vector<const VectorSelector*> selectors = CollectSelectors(expr);
    if (SelectsAny(selectors, histogram_series_)) return kSkipNativeHistograms;
    if (SelectsAny(selectors, nhcb_series_)) return kSkipNhcb;
    if (SelectsAny(selectors, st_series_)) return kSkipStartTimestamps;
    if (SelectsAny(selectors, type_unit_series_)) return kSkipTypeAndUnit;
    for (const VectorSelector* vs : selectors) {
      for (const Matcher& m : vs->matchers) {
        if (m.name() == "__type__" || m.name() == "__unit__") {
          return kSkipTypeAndUnit;
        }
      }
    }
    return std::nullopt;
  }

  EvalResult Eval(const EvalCommand& cmd) {
    EvalResult r{cmd.line, cmd.text, Outcome::kPassed, "", "", ""};
    r.expected = absl::StrJoin(cmd.block, "\n");
    auto fail = [&r](std::string message, std::string got) {
      r.outcome = Outcome::kFailed;
      r.message = std::move(message);
      r.got = std::move(got);
      return r;
    };
    if (cmd.problem.has_value()) {
      return fail(
          absl::StrCat("line ", cmd.problem->line, ": ", cmd.problem->message),
          "");
    }
    ParseError error;
    ExprPtr expr = ParseExprDetailed(cmd.expr, TestParseOptions(), &error);
    if (expr == nullptr) {
      if (IsExperimentalSyntaxError(error.message)) {
        r.outcome = Outcome::kSkipped;
        r.message = kSkipExperimentalSyntax;
        return r;
      }
      if (ParseFailureExpected(cmd, error)) return r;
      return fail(absl::StrCat("query does not parse: ", error.ToString()), "");
    }
    if (std::optional<std::string> reason = SkipReason(cmd, *expr)) {
      r.outcome = Outcome::kSkipped;
      r.message = *std::move(reason);
      return r;
    }
    std::optional<QueryFailure> failure =
        cmd.is_range ? RangeEval(cmd, *expr) : InstantEval(cmd, *expr);
    if (failure.has_value()) {
      return fail(std::move(failure->message), std::move(failure->got));
    }
    return r;
  }

  // Our parser rejects some queries Prometheus rejects at evaluation; with
  // an explicit expected message (not a bare `expect fail`) that matches,
  // the eval passes.
  static bool ParseFailureExpected(const EvalCommand& cmd,
                                   const ParseError& error) {
    if (!cmd.IsFail()) return false;
    const std::vector<Expectation>& fail = cmd.Expect(ExpectType::kFail);
    bool explicit_message = cmd.expected_fail_message.has_value() ||
                            cmd.expected_fail_regexp.has_value() ||
                            (!fail.empty() && (fail[0].message.has_value() ||
                                               fail[0].regex.has_value()));
    if (!explicit_message) return false;
    return CheckExpectedFailure(cmd, error.message).ok() ||
           CheckExpectedFailure(cmd, error.ToString()).ok();
  }

  std::optional<QueryFailure> RangeEval(const EvalCommand& cmd,
                                        const Expr& expr) {
    // Prometheus refuses these before evaluating; an engine need not.
    absl::StatusOr<QueryResult> res =
        cmd.step_ms > 0
            ? engine_.RangeQuery(*store_, expr, cmd.start, cmd.end, cmd.step_ms)
            : absl::StatusOr<QueryResult>(absl::InvalidArgumentError(
                  "zero or negative query resolution step widths are not "
                  "accepted. Try a positive integer"));
    if (!res.ok()) {
      if (cmd.IsFail()) {
        absl::Status s = CheckExpectedFailure(cmd, res.status().message());
        if (s.ok()) return std::nullopt;
        return QueryFailure{std::string(s.message()), ""};
      }
      return QueryFailure{
          absl::StrCat("error evaluating query \"", cmd.expr, "\" (line ",
                       cmd.line, "): ", res.status().message()),
          ""};
    }
    if (cmd.IsFail()) {
      return QueryFailure{
          absl::StrCat("expected error evaluating query \"", cmd.expr,
                       "\" (line ", cmd.line, ") but got none"),
          FormatValue(res->value)};
    }
    DropMarkedNames(res->value);
    if (absl::Status s = CheckAnnotations(cmd, cmd.expr, res->annotations);
        !s.ok()) {
      return QueryFailure{std::string(s.message()), FormatValue(res->value)};
    }
    if (absl::Status s = CompareResult(cmd, res->value); !s.ok()) {
      return QueryFailure{absl::StrCat("error in eval ", cmd.expr, " (line ",
                                       cmd.line, "): ", s.message()),
                          FormatValue(res->value)};
    }
    return std::nullopt;
  }

  std::optional<QueryFailure> InstantEval(const EvalCommand& cmd,
                                          const Expr& expr) {
    if (std::optional<QueryFailure> f =
            InstantQuery(cmd, expr, cmd.expr, cmd.eval_time)) {
      return f;
    }
    if (!options_.at_modifier_variants) return std::nullopt;
    const Timestamp ts = cmd.eval_time;
    std::vector<Timestamp> times = {-10 * ts, 0, ts / 5, ts, 10 * ts};
    if (ts == 0) times = {-1000, 0, 1000};
    // A fresh tree with `@ ts` set, printed as Prometheus re-parses it.
    ExprPtr at_expr = ParseExpr(cmd.expr, TestParseOptions()).value_or(nullptr);
    if (at_expr == nullptr || !SetAtModifiers(*at_expr, ts))
      return std::nullopt;
    const std::string text = Format(*at_expr);
    for (Timestamp t : times) {
      if (std::optional<QueryFailure> f =
              InstantQuery(cmd, *at_expr, text, t)) {
        f->message =
            absl::StrCat("with @ modifiers, at t=", t, ": ", f->message);
        return f;
      }
    }
    return std::nullopt;
  }

  std::optional<QueryFailure> InstantQuery(const EvalCommand& cmd,
                                           const Expr& expr,
                                           const std::string& text,
                                           Timestamp t) {
    absl::StatusOr<QueryResult> res = engine_.InstantQuery(*store_, expr, t);
    if (!res.ok()) {
      if (cmd.IsFail()) {
        absl::Status s = CheckExpectedFailure(cmd, res.status().message());
        if (s.ok()) return std::nullopt;
        return QueryFailure{std::string(s.message()), ""};
      }
      return QueryFailure{
          absl::StrCat("error evaluating query \"", text, "\" (line ", cmd.line,
                       "): ", res.status().message()),
          ""};
    }
    if (cmd.IsFail()) {
      return QueryFailure{
          absl::StrCat("expected error evaluating query \"", text, "\" (line ",
                       cmd.line, ") but got none"),
          FormatValue(res->value)};
    }
    DropMarkedNames(res->value);
    if (absl::Status s = CheckAnnotations(cmd, text, res->annotations);
        !s.ok()) {
      return QueryFailure{std::string(s.message()), FormatValue(res->value)};
    }
    if (absl::Status s = CompareResult(cmd, res->value); !s.ok()) {
      return QueryFailure{absl::StrCat("error in eval ", text, " (line ",
                                       cmd.line, "): ", s.message()),
                          FormatValue(res->value)};
    }
    if (cmd.exclude_from_range_query || !options_.range_mode_check ||
        UsesQueryContextFunctions(text)) {
      return std::nullopt;
    }
    return RangeModeCheck(cmd, expr, text, t, res->value);
  }

  // The instant result must also be the range query's point at t.
  std::optional<QueryFailure> RangeModeCheck(const EvalCommand& cmd,
                                             const Expr& expr,
                                             const std::string& text,
                                             Timestamp t,
                                             const Value& instant) {
    absl::StatusOr<QueryResult> res = engine_.RangeQuery(
        *store_, expr, t - kMinuteMs, t + kMinuteMs, kMinuteMs);
    if (!res.ok()) {
      return QueryFailure{
          absl::StrCat("error evaluating query \"", text, "\" (line ", cmd.line,
                       ") in range mode: ", res.status().message()),
          ""};
    }
    if (cmd.IsOrdered()) return std::nullopt;
    DropMarkedNames(res->value);
    const Matrix* matrix = std::get_if<Matrix>(&res->value);
    if (matrix == nullptr) {
      return QueryFailure{absl::StrCat("range mode of \"", text,
                                       "\" returned a non-matrix value"),
                          FormatValue(res->value)};
    }
    if (absl::Status s = CheckMatrixSorted(*matrix); !s.ok()) {
      return QueryFailure{std::string(s.message()), FormatValue(res->value)};
    }
    Vector vec;
    for (const RangeSeries& s : *matrix) {
      for (const FPoint& p : s.floats) {
        if (p.t == t) {
          vec.push_back(VectorSample{s.metric, p.t, p.f, false});
          break;
        }
      }
    }
    absl::Status s;
    if (std::holds_alternative<Scalar>(instant)) {
      if (vec.empty()) {
        return QueryFailure{
            absl::StrCat("range mode of \"", text, "\" has no point at t=", t),
            FormatValue(res->value)};
      }
      s = CompareResult(cmd, Value(Scalar{t, vec[0].f}));
    } else {
      s = CompareResult(cmd, Value(std::move(vec)));
    }
    if (!s.ok()) {
      return QueryFailure{absl::StrCat("error in eval ", text, " (line ",
                                       cmd.line, ") range mode: ", s.message()),
                          FormatValue(res->value)};
    }
    return std::nullopt;
  }

  const Script& script_;
  QueryEngine& engine_;
  const RunnerOptions& options_;
  FileResult result_;
  std::unique_ptr<storage::MemoryStorage> store_ =
      std::make_unique<storage::MemoryStorage>();
  std::vector<Labels> histogram_series_;
  std::vector<Labels> nhcb_series_;
  std::vector<Labels> st_series_;
  std::vector<Labels> type_unit_series_;
};

}  // namespace

int FileResult::Count(Outcome o) const {
  return static_cast<int>(
      std::count_if(results.begin(), results.end(),
                    [o](const EvalResult& r) { return r.outcome == o; }));
}

FileResult RunScript(const Script& script, QueryEngine& engine,
                     const RunnerOptions& options) {
  return ScriptRunner(script, engine, options).Run();
}

}  // namespace fraisier::promql::promqltest
