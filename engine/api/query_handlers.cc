// /api/v1/query, /api/v1/query_range, /api/v1/format_query and
// /api/v1/query_exemplars, with Prometheus's parameter checks in its order
// (the first failing check decides the error a client sees).
#include <algorithm>
#include <optional>
#include <string>
#include <utility>

#include "absl/strings/str_cat.h"
#include "absl/time/time.h"
#include "engine/api/handlers.h"
#include "engine/api/json.h"
#include "engine/api/params.h"
#include "engine/api/value_json.h"
#include "promql/ast.h"
#include "promql/parser.h"
#include "promql/printer.h"

namespace fraisier::api::internal {
namespace {

// 11000 -> "11,000", as Prometheus spells its limit.
std::string WithThousandsSeparators(int64_t n) {
  std::string digits = absl::StrCat(n < 0 ? -n : n);
  std::string out;
  for (size_t i = 0; i < digits.size(); ++i) {
    if (i > 0 && (digits.size() - i) % 3 == 0) out.push_back(',');
    out.push_back(digits[i]);
  }
  return n < 0 ? "-" + out : out;
}

// The engine for one request: the configured one, with the timeout
// shortened to the `timeout` parameter (Prometheus puts both on the
// request's context, so the earlier deadline wins).
promql::EngineOptions EngineOptionsFor(const ApiOptions& options,
                                       std::optional<absl::Duration> timeout) {
  promql::EngineOptions engine_options = options.engine->options();
  if (engine_options.clock == nullptr) engine_options.clock = options.clock;
  if (timeout.has_value()) {
    engine_options.timeout = std::min(engine_options.timeout, *timeout);
  }
  return engine_options;
}

// The `timeout` parameter, if present.
absl::StatusOr<std::optional<absl::Duration>> TimeoutParam(
    const Request& request) {
  const absl::string_view value = FormValue(request.params, "timeout");
  if (value.empty()) return std::optional<absl::Duration>();
  absl::StatusOr<absl::Duration> timeout = ParseDuration(value);
  if (!timeout.ok()) return timeout.status();
  return std::optional<absl::Duration>(*timeout);
}

// Prometheus sends stats for any non-empty `stats` parameter; "all" would
// add per-step samples, which needs a feature flag there and is not kept
// here.
std::optional<QueryStatsJson> StatsFor(const Request& request,
                                       const promql::QueryResult& result,
                                       absl::Duration preparation,
                                       absl::Duration total) {
  if (FormValue(request.params, "stats").empty()) return std::nullopt;
  QueryStatsJson stats;
  stats.eval_total = result.stats.eval_time;
  stats.inner_eval = result.stats.eval_time;
  stats.query_preparation = preparation;
  stats.exec_total = total;
  stats.total_queryable_samples = result.stats.samples_loaded;
  stats.peak_samples = result.stats.peak_samples;
  return stats;
}

Response QueryResponse(const Request& request,
                       const promql::QueryResult& result,
                       absl::Duration preparation, absl::Duration total) {
  const std::optional<QueryStatsJson> stats =
      StatsFor(request, result, preparation, total);
  std::string body = BeginSuccess();
  AppendQueryData(result.value, stats.has_value() ? &*stats : nullptr, &body);
  return FinishSuccess(std::move(body), result.annotations.warnings,
                       result.annotations.infos);
}

bool HasSelector(const promql::Expr& e) {
  using promql::NodeKind;
  switch (e.kind()) {
    case NodeKind::kVectorSelector:
    case NodeKind::kMatrixSelector:
      return true;
    case NodeKind::kNumberLiteral:
    case NodeKind::kStringLiteral:
      return false;
    case NodeKind::kSubquery:
      return HasSelector(*static_cast<const promql::Subquery&>(e).expr);
    case NodeKind::kParen:
      return HasSelector(*static_cast<const promql::ParenExpr&>(e).expr);
    case NodeKind::kUnary:
      return HasSelector(*static_cast<const promql::UnaryExpr&>(e).expr);
    case NodeKind::kBinary: {
      const auto& b = static_cast<const promql::BinaryExpr&>(e);
      return HasSelector(*b.lhs) || HasSelector(*b.rhs);
    }
    case NodeKind::kAggregate: {
      const auto& a = static_cast<const promql::AggregateExpr&>(e);
      return HasSelector(*a.expr) ||
             (a.param != nullptr && HasSelector(*a.param));
    }
    case NodeKind::kCall:
      for (const promql::ExprPtr& arg :
           static_cast<const promql::Call&>(e).args) {
        if (HasSelector(*arg)) return true;
      }
      return false;
  }
  return false;
}

}  // namespace

Response HandleQuery(const ApiOptions& options, const Request& request) {
  absl::StatusOr<absl::Time> ts =
      ParseTimeParam(request.params, "time", options.clock->Now());
  if (!ts.ok())
    return ErrorResponse(InvalidParamError("time", ts.status().message()));
  absl::StatusOr<std::optional<absl::Duration>> timeout = TimeoutParam(request);
  if (!timeout.ok()) {
    return ErrorResponse(
        InvalidParamError("timeout", timeout.status().message()));
  }
  const absl::Time started = options.clock->Now();
  absl::StatusOr<promql::ExprPtr> expr = promql::ParseExpr(
      FormValue(request.params, "query"), options.parse_options);
  if (!expr.ok()) {
    return ErrorResponse(InvalidParamError("query", expr.status().message()));
  }
  const absl::Duration preparation = options.clock->Now() - started;
  const promql::Engine engine(EngineOptionsFor(options, *timeout));
  absl::StatusOr<promql::QueryResult> result = engine.InstantQuery(
      *options.storage, **expr, ApiTimestamp(*ts), request.cancel);
  if (!result.ok()) return ErrorResponse(QueryError(result.status()));
  return QueryResponse(request, *result, preparation,
                       options.clock->Now() - started);
}

Response HandleQueryRange(const ApiOptions& options, const Request& request) {
  absl::StatusOr<absl::Time> start =
      ParseTime(FormValue(request.params, "start"));
  if (!start.ok()) {
    return ErrorResponse(InvalidParamError("start", start.status().message()));
  }
  absl::StatusOr<absl::Time> end = ParseTime(FormValue(request.params, "end"));
  if (!end.ok()) {
    return ErrorResponse(InvalidParamError("end", end.status().message()));
  }
  if (*end < *start) {
    return ErrorResponse(InvalidParamError(
        "end", "end timestamp must not be before start time"));
  }
  absl::StatusOr<absl::Duration> step =
      ParseDuration(FormValue(request.params, "step"));
  if (!step.ok()) {
    return ErrorResponse(InvalidParamError("step", step.status().message()));
  }
  if (*step <= absl::ZeroDuration()) {
    return ErrorResponse(InvalidParamError(
        "step",
        "zero or negative query resolution step widths are not accepted. "
        "Try a positive integer"));
  }
  // Go divides the two time.Durations (integer nanoseconds).
  absl::Duration remainder;
  if (absl::IDivDuration(*end - *start, *step, &remainder) >
      options.max_points_per_series) {
    return ErrorResponse(ApiError{
        ErrorType::kBadData,
        absl::StrCat("exceeded maximum resolution of ",
                     WithThousandsSeparators(options.max_points_per_series),
                     " points per timeseries. Try decreasing the query "
                     "resolution (?step=XX)")});
  }
  absl::StatusOr<std::optional<absl::Duration>> timeout = TimeoutParam(request);
  if (!timeout.ok()) {
    return ErrorResponse(
        InvalidParamError("timeout", timeout.status().message()));
  }
  const absl::Time started = options.clock->Now();
  absl::StatusOr<promql::ExprPtr> expr = promql::ParseExpr(
      FormValue(request.params, "query"), options.parse_options);
  // Prometheus reports range-query parse errors without the parameter.
  if (!expr.ok()) {
    return ErrorResponse(
        ApiError{ErrorType::kBadData, std::string(expr.status().message())});
  }
  const promql::ValueType type = (*expr)->type();
  if (type != promql::ValueType::kScalar &&
      type != promql::ValueType::kVector) {
    return ErrorResponse(ApiError{
        ErrorType::kBadData,
        absl::StrCat("invalid expression type \"", promql::DocumentedType(type),
                     "\" for range query, must be Scalar or instant Vector")});
  }
  const absl::Duration preparation = options.clock->Now() - started;
  const promql::Engine engine(EngineOptionsFor(options, *timeout));
  // A step under a millisecond truncates to 0, which the engine refuses
  // (Prometheus fails it with a division by zero, also as "execution").
  absl::StatusOr<promql::QueryResult> result = engine.RangeQuery(
      *options.storage, **expr, ApiTimestamp(*start), ApiTimestamp(*end),
      absl::ToInt64Milliseconds(*step), request.cancel);
  if (!result.ok()) return ErrorResponse(QueryError(result.status()));
  return QueryResponse(request, *result, preparation,
                       options.clock->Now() - started);
}

Response HandleFormatQuery(const ApiOptions& options, const Request& request) {
  absl::StatusOr<promql::ExprPtr> expr = promql::ParseExpr(
      FormValue(request.params, "query"), options.parse_options);
  if (!expr.ok()) {
    return ErrorResponse(InvalidParamError("query", expr.status().message()));
  }
  std::string data;
  AppendJsonString(promql::Format(**expr), &data);
  return SuccessResponse(data);
}

// No exemplar storage yet: the checks and answers of a Prometheus without
// exemplars, so Grafana's exemplar toggle gets a valid empty result.
Response HandleQueryExemplars(const ApiOptions& options,
                              const Request& request) {
  absl::StatusOr<absl::Time> start =
      ParseTimeParam(request.params, "start", MinApiTime());
  if (!start.ok()) {
    return ErrorResponse(InvalidParamError("start", start.status().message()));
  }
  absl::StatusOr<absl::Time> end =
      ParseTimeParam(request.params, "end", MaxApiTime());
  if (!end.ok()) {
    return ErrorResponse(InvalidParamError("end", end.status().message()));
  }
  if (*end < *start) {
    return ErrorResponse(
        ApiError{ErrorType::kBadData,
                 "end timestamp must not be before start timestamp"});
  }
  absl::StatusOr<promql::ExprPtr> expr = promql::ParseExpr(
      FormValue(request.params, "query"), options.parse_options);
  if (!expr.ok()) {
    return ErrorResponse(
        ApiError{ErrorType::kBadData, std::string(expr.status().message())});
  }
  if (!HasSelector(**expr)) return NoContentResponse();
  return SuccessResponse("[]");
}

}  // namespace fraisier::api::internal
