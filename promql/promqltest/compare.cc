#include "promql/promqltest/compare.h"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <limits>
#include <utility>
#include <vector>

#include "absl/container/flat_hash_map.h"
#include "absl/container/flat_hash_set.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "engine/model/value.h"

namespace fraisier::promql::promqltest {
namespace {

absl::Status Fail(absl::string_view message) {
  return absl::InvalidArgumentError(message);
}

// Go's `%v` of a []FPoint: [v @[t] ...].
std::string FormatPoints(const std::vector<FPoint>& points) {
  std::string out = "[";
  for (size_t i = 0; i < points.size(); ++i) {
    absl::StrAppend(&out, i == 0 ? "" : " ", FormatFloat(points[i].f), " @[",
                    points[i].t, "]");
  }
  out += "]";
  return out;
}

std::string FormatSeriesResult(const RangeSeries& s) {
  return absl::StrCat(s.floats.size(), " float point",
                      s.floats.size() == 1 ? "" : "s", " ",
                      FormatPoints(s.floats));
}

std::string FormatSequence(const std::vector<SequenceValue>& values) {
  std::vector<std::string> parts;
  for (const SequenceValue& v : values) {
    if (v.omitted) {
      parts.push_back("_");
    } else if (v.histogram) {
      parts.push_back("{{histogram}}");
    } else {
      parts.push_back(FormatFloat(v.value));
    }
  }
  return absl::StrCat("[", absl::StrJoin(parts, " "), "]");
}

const ExpectedSeries* FindExpected(const EvalCommand& cmd,
                                   const Labels& labels) {
  for (const ExpectedSeries& e : cmd.series) {
    if (e.labels == labels) return &e;
  }
  return nullptr;
}

absl::Status CompareMatrix(const EvalCommand& cmd, const Matrix& matrix) {
  if (cmd.IsOrdered()) {
    return Fail("expected ordered result, but query returned a matrix");
  }
  if (cmd.expect_scalar) {
    return Fail(absl::StrCat("expected scalar result, but got matrix ",
                             FormatValue(Value(matrix))));
  }
  if (absl::Status s = CheckMatrixSorted(matrix); !s.ok()) return s;
  absl::flat_hash_set<Labels> seen;
  for (const RangeSeries& s : matrix) {
    const ExpectedSeries* exp = FindExpected(cmd, s.metric);
    if (exp == nullptr) {
      return Fail(absl::StrCat("unexpected metric ", s.metric.ToString(),
                               " in result, has ", FormatSeriesResult(s)));
    }
    seen.insert(s.metric);
    std::vector<FPoint> expected;
    for (size_t i = 0; i < exp->values.size(); ++i) {
      const Timestamp t = cmd.start + static_cast<int64_t>(i) * cmd.step_ms;
      if (t > cmd.end) {
        return Fail(absl::StrCat(
            "expected ", exp->values.size(), " points for ",
            exp->labels.ToString(),
            ", but query time range cannot return this many points"));
      }
      if (!exp->values[i].omitted && !exp->values[i].histogram) {
        expected.push_back(FPoint{t, exp->values[i].value});
      }
    }
    if (expected.size() != s.floats.size()) {
      return Fail(absl::StrCat("expected ", expected.size(),
                               " float points and 0 histogram points for ",
                               exp->labels.ToString(), ", but got ",
                               FormatSeriesResult(s)));
    }
    for (size_t i = 0; i < expected.size(); ++i) {
      const FPoint& actual = s.floats[i];
      if (expected[i].t != actual.t) {
        return Fail(absl::StrCat("expected float value at index ", i, " for ",
                                 exp->labels.ToString(), " to have timestamp ",
                                 expected[i].t, ", but it had timestamp ",
                                 actual.t, " (result has ",
                                 FormatSeriesResult(s), ")"));
      }
      if (!AlmostEqual(actual.f, expected[i].f)) {
        return Fail(absl::StrCat(
            "expected float value at index ", i, " (t=", actual.t, ") for ",
            exp->labels.ToString(), " to be ", FormatFloat(expected[i].f),
            ", but got ", FormatFloat(actual.f), " (result has ",
            FormatSeriesResult(s), ")"));
      }
    }
  }
  for (const ExpectedSeries& e : cmd.series) {
    if (!seen.contains(e.labels)) {
      return Fail(
          absl::StrCat("expected metric ", e.labels.ToString(), " not found"));
    }
  }
  return absl::OkStatus();
}

absl::Status CompareVector(const EvalCommand& cmd, const Vector& vector) {
  if (cmd.expect_scalar) {
    return Fail(absl::StrCat("expected scalar result, but got vector ",
                             FormatValue(Value(vector))));
  }
  absl::flat_hash_set<Labels> seen;
  for (size_t pos = 0; pos < vector.size(); ++pos) {
    const VectorSample& v = vector[pos];
    const ExpectedSeries* exp = FindExpected(cmd, v.metric);
    if (exp == nullptr) {
      return Fail(absl::StrCat("unexpected metric ", v.metric.ToString(),
                               " in result, has value ", FormatFloat(v.f)));
    }
    if (cmd.IsOrdered() && exp->pos != static_cast<int>(pos) + 1) {
      return Fail(absl::StrCat("expected metric ", v.metric.ToString(),
                               " with ", FormatSequence(exp->values),
                               " at position ", exp->pos, " but was at ",
                               pos + 1));
    }
    if (exp->values.empty()) {
      return Fail(absl::StrCat("no expected value for ", v.metric.ToString()));
    }
    const SequenceValue& exp0 = exp->values[0];
    if (exp0.histogram) {
      return Fail(absl::StrCat("expected histogram for ", v.metric.ToString(),
                               " but got float value ", FormatFloat(v.f)));
    }
    if (!AlmostEqual(exp0.value, v.f)) {
      return Fail(absl::StrCat("expected ", FormatFloat(exp0.value), " for ",
                               v.metric.ToString(), " but got ",
                               FormatFloat(v.f)));
    }
    seen.insert(v.metric);
  }
  for (const ExpectedSeries& e : cmd.series) {
    if (!seen.contains(e.labels)) {
      return Fail(absl::StrCat("expected metric ", e.labels.ToString(),
                               " with ", FormatSequence(e.values),
                               " not found"));
    }
  }
  return absl::OkStatus();
}

// Go's %v of an annotations.AsErrors() slice: [msg1 msg2].
std::string FormatAnnotations(const Annotations& a) {
  std::vector<std::string> all = a.warnings;
  all.insert(all.end(), a.infos.begin(), a.infos.end());
  return absl::StrCat("[", absl::StrJoin(all, " "), "]");
}

absl::Status ValidateOfType(absl::string_view expr,
                            const std::vector<Expectation>& expected,
                            const std::vector<std::string>& actual, int line,
                            absl::string_view type, const Annotations& all) {
  if (expected.empty()) return absl::OkStatus();
  if (actual.empty()) {
    return Fail(absl::StrCat("expected ", type,
                             " annotations but none were found for query \"",
                             expr, "\" (line ", line, ")"));
  }
  for (const Expectation& e : expected) {
    bool found =
        std::any_of(actual.begin(), actual.end(),
                    [&e](const std::string& a) { return e.Matches(a); });
    if (!found) {
      return Fail(absl::StrCat(
          "expected ", type, " annotation matching ",
          e.message.has_value() ? "message" : "pattern", " \"", e.Describe(),
          "\" but no matching annotation was found for query \"", expr,
          "\" (line ", line, "), found: ", FormatAnnotations(all)));
    }
  }
  for (const std::string& a : actual) {
    bool found =
        std::any_of(expected.begin(), expected.end(),
                    [&a](const Expectation& e) { return e.Matches(a); });
    if (!found) {
      return Fail(absl::StrCat("unexpected ", type, " annotation \"", a,
                               "\" found for query ", expr, " (line ", line,
                               ")"));
    }
  }
  return absl::OkStatus();
}

}  // namespace

bool AlmostEqual(double a, double b, double epsilon) {
  if (IsStaleNaN(a) || IsStaleNaN(b)) return IsStaleNaN(a) && IsStaleNaN(b);
  if (std::isnan(a) && std::isnan(b)) return true;
  if (a == b) return true;
  constexpr double kMinNormal = std::numeric_limits<double>::min();
  const double abs_sum = std::abs(a) + std::abs(b);
  const double diff = std::abs(a - b);
  if (a == 0 || b == 0 || abs_sum < kMinNormal) {
    return diff < epsilon * kMinNormal;
  }
  return diff / std::min(abs_sum, std::numeric_limits<double>::max()) < epsilon;
}

std::string FormatFloat(double v) {
  if (std::isnan(v)) return "NaN";
  if (std::isinf(v)) return v > 0 ? "+Inf" : "-Inf";
  if (v == 0) return std::signbit(v) ? "-0" : "0";
  // Shortest digits that round-trip, in %e form.
  char buf[64];
  for (int prec = 0; prec <= 17; ++prec) {
    std::snprintf(buf, sizeof(buf), "%.*e", prec, v);
    if (std::strtod(buf, nullptr) == v) break;
  }
  std::string s(buf);
  const size_t e = s.find('e');
  const int exp = std::atoi(s.c_str() + e + 1);
  std::string sign = s[0] == '-' ? "-" : "";
  std::string digits;
  for (size_t i = sign.size(); i < e; ++i) {
    if (s[i] != '.') digits += s[i];
  }
  while (digits.size() > 1 && digits.back() == '0') digits.pop_back();
  if (exp < -4 || exp >= 6) {  // Go's %v: shortest %g, eprec 6
    std::string out = sign + digits.substr(0, 1);
    if (digits.size() > 1) absl::StrAppend(&out, ".", digits.substr(1));
    char ebuf[16];
    std::snprintf(ebuf, sizeof(ebuf), "e%c%02d", exp < 0 ? '-' : '+',
                  std::abs(exp));
    return out + ebuf;
  }
  const int dp = exp + 1;  // digits before the point
  std::string out = sign;
  if (dp <= 0) {
    out += "0." + std::string(-dp, '0') + digits;
  } else if (static_cast<size_t>(dp) >= digits.size()) {
    out += digits + std::string(dp - digits.size(), '0');
  } else {
    out += digits.substr(0, dp) + "." + digits.substr(dp);
  }
  return out;
}

void DropMarkedNames(Value& value) {
  if (auto* v = std::get_if<Vector>(&value)) {
    for (VectorSample& s : *v) {
      if (s.drop_name) {
        s.metric = s.metric.WithoutMetricName();
        s.drop_name = false;
      }
    }
  } else if (auto* m = std::get_if<Matrix>(&value)) {
    for (RangeSeries& s : *m) {
      if (s.drop_name) {
        s.metric = s.metric.WithoutMetricName();
        s.drop_name = false;
      }
    }
  }
}

std::string FormatValue(const Value& value, int max_lines) {
  if (const auto* s = std::get_if<Scalar>(&value)) {
    return absl::StrCat("scalar: ", FormatFloat(s->v), " @[", s->t, "]");
  }
  if (const auto* s = std::get_if<String>(&value)) {
    return absl::StrCat("string: \"", s->v, "\" @[", s->t, "]");
  }
  std::vector<std::string> lines;
  size_t total = 0;
  if (const auto* v = std::get_if<Vector>(&value)) {
    total = v->size();
    for (const VectorSample& s : *v) {
      if (static_cast<int>(lines.size()) >= max_lines) break;
      lines.push_back(absl::StrCat(s.metric.ToString(), " => ",
                                   FormatFloat(s.f), " @[", s.t, "]"));
    }
  } else if (const auto* m = std::get_if<Matrix>(&value)) {
    total = m->size();
    for (const RangeSeries& s : *m) {
      if (static_cast<int>(lines.size()) >= max_lines) break;
      lines.push_back(
          absl::StrCat(s.metric.ToString(), " => ", FormatPoints(s.floats)));
    }
  }
  if (total == 0) return "(empty)";
  if (total > lines.size()) {
    lines.push_back(absl::StrCat("... and ", total - lines.size(), " more"));
  }
  return absl::StrJoin(lines, "\n");
}

absl::Status CompareResult(const EvalCommand& cmd, const Value& result) {
  if (const auto* m = std::get_if<Matrix>(&result)) {
    return CompareMatrix(cmd, *m);
  }
  if (const auto* v = std::get_if<Vector>(&result)) {
    return CompareVector(cmd, *v);
  }
  if (const auto* s = std::get_if<Scalar>(&result)) {
    if (!cmd.expect_scalar) {
      return Fail(absl::StrCat("expected vector or matrix result, but got ",
                               FormatFloat(s->v)));
    }
    if (cmd.scalar.histogram) {
      return Fail(
          absl::StrCat("expected histogram but got ", FormatFloat(s->v)));
    }
    if (!AlmostEqual(cmd.scalar.value, s->v)) {
      return Fail(absl::StrCat("expected scalar ",
                               FormatFloat(cmd.scalar.value), " but got ",
                               FormatFloat(s->v)));
    }
    return absl::OkStatus();
  }
  const String& str = std::get<String>(result);
  if (cmd.expected_string != str.v) {
    return Fail(absl::StrCat("expected string \"", cmd.expected_string,
                             "\" but got \"", str.v, "\""));
  }
  return absl::OkStatus();
}

absl::Status CheckAnnotations(const EvalCommand& cmd, absl::string_view expr,
                              const Annotations& annotations) {
  const std::vector<std::string>& warnings = annotations.warnings;
  const std::vector<std::string>& infos = annotations.infos;
  if (cmd.warn && warnings.empty()) {
    return Fail(absl::StrCat("expected warnings evaluating query \"", expr,
                             "\" (line ", cmd.line, ") but got none"));
  }
  if (cmd.info && infos.empty()) {
    return Fail(absl::StrCat("expected info annotations evaluating query \"",
                             expr, "\" (line ", cmd.line, ") but got none"));
  }
  if (absl::Status s = ValidateOfType(expr, cmd.Expect(ExpectType::kWarn),
                                      warnings, cmd.line, "warn", annotations);
      !s.ok()) {
    return s;
  }
  if (absl::Status s = ValidateOfType(expr, cmd.Expect(ExpectType::kInfo),
                                      infos, cmd.line, "info", annotations);
      !s.ok()) {
    return s;
  }
  if (!cmd.Expect(ExpectType::kNoWarn).empty() && !warnings.empty()) {
    return Fail(absl::StrCat(
        "unexpected warning annotations evaluating query "
        "\"",
        expr, "\" (line ", cmd.line, "): ", FormatAnnotations(annotations)));
  }
  if (!cmd.Expect(ExpectType::kNoInfo).empty() && !infos.empty()) {
    return Fail(absl::StrCat("unexpected info annotations evaluating query \"",
                             expr, "\" (line ", cmd.line,
                             "): ", FormatAnnotations(annotations)));
  }
  return absl::OkStatus();
}

absl::Status CheckExpectedFailure(const EvalCommand& cmd,
                                  absl::string_view error) {
  if (cmd.expected_fail_message.has_value() &&
      *cmd.expected_fail_message != error) {
    return Fail(absl::StrCat("expected error \"", *cmd.expected_fail_message,
                             "\" evaluating query \"", cmd.expr, "\" (line ",
                             cmd.line, "), but got: ", error));
  }
  if (cmd.expected_fail_regexp.has_value()) {
    Expectation e;
    e.regex = *cmd.expected_fail_regexp;
    if (!e.Matches(error)) {
      return Fail(absl::StrCat("expected error matching pattern \"",
                               *cmd.expected_fail_regexp,
                               "\" evaluating query \"", cmd.expr, "\" (line ",
                               cmd.line, "), but got: ", error));
    }
  }
  const std::vector<Expectation>& fail = cmd.Expect(ExpectType::kFail);
  if (!fail.empty() && !fail[0].Matches(error)) {
    return Fail(absl::StrCat("expected error matching \"", fail[0].Describe(),
                             "\" evaluating query \"", cmd.expr, "\" (line ",
                             cmd.line, "), but got: ", error));
  }
  return absl::OkStatus();
}

absl::Status CheckMatrixSorted(const Matrix& matrix) {
  for (size_t i = 0; i + 1 < matrix.size(); ++i) {
    if (Labels::Compare(matrix[i].metric, matrix[i + 1].metric) > 0) {
      return Fail(absl::StrCat(
          "matrix results should always be sorted by labels, but matrix is "
          "not sorted: series at index ",
          i + 1, " with labels ", matrix[i + 1].metric.ToString(),
          " sorts before series at index ", i, " with labels ",
          matrix[i].metric.ToString()));
    }
  }
  return absl::OkStatus();
}

}  // namespace fraisier::promql::promqltest
