// Vector functions on sample values (abs, ceil, clamp, round, trig, ...),
// the scalar/vector conversions, time(), timestamp(), sort(), absent(), the
// registry behind FindVectorFunction, and helpers the other functions_*.cc
// files share.
//
// Output samples keep the input labels; functions that Prometheus 3 makes
// drop __name__ mark them with drop_name (the evaluator removes the name
// later). Scalar-returning functions (time, pi, scalar) write one sample
// with empty labels whose value is the scalar.
#include <algorithm>
#include <charconv>
#include <cmath>
#include <cstdint>
#include <cstdlib>
#include <numbers>
#include <string>
#include <system_error>
#include <utility>
#include <variant>

#include "absl/container/flat_hash_set.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "engine/model/labels.h"
#include "promql/eval_functions.h"
#include "promql/functions_internal.h"

namespace fraisier::promql {
namespace functions_internal {

void AddWarning(Annotations* annotations, std::string message) {
  if (annotations == nullptr) return;
  std::vector<std::string>& list = annotations->warnings;
  if (std::find(list.begin(), list.end(), message) == list.end()) {
    list.push_back(std::move(message));
  }
}

void AddInfo(Annotations* annotations, std::string message) {
  if (annotations == nullptr) return;
  std::vector<std::string>& list = annotations->infos;
  if (std::find(list.begin(), list.end(), message) == list.end()) {
    list.push_back(std::move(message));
  }
}

std::string FormatGoG(double v) {
  if (std::isnan(v)) return "NaN";
  if (std::isinf(v)) return v > 0 ? "+Inf" : "-Inf";
  // Shortest round-trip digits in scientific form: d[.ddd]e±XX.
  char buf[64];
  std::to_chars_result r =
      std::to_chars(buf, buf + sizeof(buf), v, std::chars_format::scientific);
  std::string sci(buf, r.ptr);
  const size_t e = sci.find('e');
  std::string mantissa = sci.substr(0, e);
  const int exp = std::atoi(sci.c_str() + e + 1);
  bool negative = false;
  if (!mantissa.empty() && mantissa[0] == '-') {
    negative = true;
    mantissa.erase(0, 1);
  }
  std::string digits;
  for (char c : mantissa) {
    if (c != '.') digits.push_back(c);
  }
  std::string out = negative ? "-" : "";
  if (exp < -4 || exp >= 6) {
    out += digits.substr(0, 1);
    if (digits.size() > 1) absl::StrAppend(&out, ".", digits.substr(1));
    absl::StrAppend(&out, "e", exp < 0 ? "-" : "+");
    const int abs_exp = std::abs(exp);
    if (abs_exp < 10) out += "0";
    absl::StrAppend(&out, abs_exp);
    return out;
  }
  if (exp < 0) {
    absl::StrAppend(&out, "0.", std::string(-exp - 1, '0'), digits);
    return out;
  }
  const size_t int_digits = static_cast<size_t>(exp) + 1;
  if (digits.size() <= int_digits) {
    absl::StrAppend(&out, digits, std::string(int_digits - digits.size(), '0'));
  } else {
    absl::StrAppend(&out, digits.substr(0, int_digits), ".",
                    digits.substr(int_digits));
  }
  return out;
}

std::string FormatGoF(double v) {
  if (std::isnan(v)) return "NaN";
  if (std::isinf(v)) return v > 0 ? "+Inf" : "-Inf";
  return absl::StrFormat("%f", v);
}

std::string InvalidQuantileWarning(double q) {
  return absl::StrCat(
      "PromQL warning: quantile value should be between 0 and 1, got ",
      FormatGoG(q));
}

double GoMax(double x, double y) {
  if (std::isinf(x) && x > 0) return x;
  if (std::isinf(y) && y > 0) return y;
  if (std::isnan(x) || std::isnan(y)) return std::nan("");
  if (x == 0 && x == y) return std::signbit(x) ? y : x;
  return x > y ? x : y;
}

double GoMin(double x, double y) {
  if (std::isinf(x) && x < 0) return x;
  if (std::isinf(y) && y < 0) return y;
  if (std::isnan(x) || std::isnan(y)) return std::nan("");
  if (x == 0 && x == y) return std::signbit(x) ? x : y;
  return x < y ? x : y;
}

absl::Status CheckUnique(const Vector& v) {
  absl::flat_hash_set<Labels> seen;
  seen.reserve(v.size());
  for (const VectorSample& s : v) {
    if (!seen.insert(s.metric).second) {
      return absl::InvalidArgumentError(
          "vector cannot contain metrics with the same labelset");
    }
  }
  return absl::OkStatus();
}

namespace {

absl::Status BadArg(size_t i, absl::string_view want) {
  return absl::InternalError(
      absl::StrCat("function argument ", i, " is not a ", want));
}

}  // namespace

absl::StatusOr<const Vector*> VectorArg(absl::Span<const Arg> args, size_t i) {
  if (i >= args.size()) return BadArg(i, "vector");
  const Vector* v = std::get_if<Vector>(&args[i]);
  if (v == nullptr) return BadArg(i, "vector");
  return v;
}

absl::StatusOr<double> ScalarArg(absl::Span<const Arg> args, size_t i) {
  if (i >= args.size()) return BadArg(i, "scalar");
  const Scalar* s = std::get_if<Scalar>(&args[i]);
  if (s == nullptr) return BadArg(i, "scalar");
  return s->v;
}

absl::StatusOr<absl::string_view> StringArg(absl::Span<const Arg> args,
                                            size_t i) {
  if (i >= args.size()) return BadArg(i, "string");
  const String* s = std::get_if<String>(&args[i]);
  if (s == nullptr) return BadArg(i, "string");
  return absl::string_view(s->v);
}

}  // namespace functions_internal

namespace {

using functions_internal::GoMax;
using functions_internal::GoMin;
using functions_internal::ScalarArg;
using functions_internal::VectorArg;
using functions_internal::VectorFunctionEntry;

// Applies `f` to every sample of the first argument; the outputs drop
// __name__.
template <typename F>
absl::Status MapValues(const VectorContext& ctx, absl::Span<const Arg> args,
                       Vector* out, F f) {
  absl::StatusOr<const Vector*> in = VectorArg(args, 0);
  if (!in.ok()) return in.status();
  out->reserve(out->size() + (*in)->size());
  for (const VectorSample& s : **in) {
    out->push_back(VectorSample{s.metric, ctx.ts, f(s.f), true});
  }
  return absl::OkStatus();
}

// A vector function that maps each value through double(double).
template <double (*F)(double)>
absl::Status Simple(const VectorContext& ctx, absl::Span<const Arg> args,
                    Vector* out) {
  return MapValues(ctx, args, out, F);
}

double Abs(double v) { return std::fabs(v); }
double Ceil(double v) { return std::ceil(v); }
double Floor(double v) { return std::floor(v); }
double Exp(double v) { return std::exp(v); }
double Sqrt(double v) { return std::sqrt(v); }
double Ln(double v) { return std::log(v); }
double Log2(double v) { return std::log2(v); }
double Log10(double v) { return std::log10(v); }
double Sin(double v) { return std::sin(v); }
double Cos(double v) { return std::cos(v); }
double Tan(double v) { return std::tan(v); }
double Asin(double v) { return std::asin(v); }
double Acos(double v) { return std::acos(v); }
double Atan(double v) { return std::atan(v); }
double Sinh(double v) { return std::sinh(v); }
double Cosh(double v) { return std::cosh(v); }
double Tanh(double v) { return std::tanh(v); }
double Asinh(double v) { return std::asinh(v); }
double Acosh(double v) { return std::acosh(v); }
double Atanh(double v) { return std::atanh(v); }
double Rad(double v) { return v * std::numbers::pi / 180; }
double Deg(double v) { return v * 180 / std::numbers::pi; }

// -1, 1, or the value itself for ±0 and NaN.
double Sgn(double v) {
  if (v < 0) return -1;
  if (v > 0) return 1;
  return v;
}

// clamp(v, min, max); an empty result when max < min. NaN bounds make every
// value NaN (Go's math.Max/Min).
absl::Status ClampBetween(const VectorContext& ctx, absl::Span<const Arg> args,
                          double lo, double hi, Vector* out) {
  if (hi < lo) return absl::OkStatus();
  return MapValues(ctx, args, out,
                   [lo, hi](double v) { return GoMax(lo, GoMin(hi, v)); });
}

absl::Status Clamp(const VectorContext& ctx, absl::Span<const Arg> args,
                   Vector* out) {
  absl::StatusOr<double> lo = ScalarArg(args, 1);
  if (!lo.ok()) return lo.status();
  absl::StatusOr<double> hi = ScalarArg(args, 2);
  if (!hi.ok()) return hi.status();
  return ClampBetween(ctx, args, *lo, *hi, out);
}

absl::Status ClampMin(const VectorContext& ctx, absl::Span<const Arg> args,
                      Vector* out) {
  absl::StatusOr<double> lo = ScalarArg(args, 1);
  if (!lo.ok()) return lo.status();
  return ClampBetween(ctx, args, *lo, INFINITY, out);
}

absl::Status ClampMax(const VectorContext& ctx, absl::Span<const Arg> args,
                      Vector* out) {
  absl::StatusOr<double> hi = ScalarArg(args, 1);
  if (!hi.ok()) return hi.status();
  return ClampBetween(ctx, args, -INFINITY, *hi, out);
}

// round(v, to_nearest=1): ties round up; the multiple is inverted first, as
// Prometheus does, for fewer floating point surprises.
absl::Status Round(const VectorContext& ctx, absl::Span<const Arg> args,
                   Vector* out) {
  double to_nearest = 1;
  if (args.size() >= 2) {
    absl::StatusOr<double> n = ScalarArg(args, 1);
    if (!n.ok()) return n.status();
    to_nearest = *n;
  }
  const double inverse = 1.0 / to_nearest;
  return MapValues(ctx, args, out, [inverse](double v) {
    return std::floor(v * inverse + 0.5) / inverse;
  });
}

void PushScalar(const VectorContext& ctx, double v, Vector* out) {
  out->push_back(VectorSample{Labels(), ctx.ts, v, false});
}

absl::Status Time(const VectorContext& ctx, absl::Span<const Arg>,
                  Vector* out) {
  PushScalar(ctx, static_cast<double>(ctx.ts) / 1000, out);
  return absl::OkStatus();
}

absl::Status Pi(const VectorContext& ctx, absl::Span<const Arg>, Vector* out) {
  PushScalar(ctx, std::numbers::pi, out);
  return absl::OkStatus();
}

// scalar(v): the value of the only sample, else NaN.
absl::Status ScalarFn(const VectorContext& ctx, absl::Span<const Arg> args,
                      Vector* out) {
  absl::StatusOr<const Vector*> in = VectorArg(args, 0);
  if (!in.ok()) return in.status();
  PushScalar(ctx, (*in)->size() == 1 ? (**in)[0].f : std::nan(""), out);
  return absl::OkStatus();
}

// vector(s): one sample without labels.
absl::Status VectorFn(const VectorContext& ctx, absl::Span<const Arg> args,
                      Vector* out) {
  absl::StatusOr<double> s = ScalarArg(args, 0);
  if (!s.ok()) return s.status();
  PushScalar(ctx, *s, out);
  return absl::OkStatus();
}

// timestamp(v): each sample's own timestamp in seconds. The evaluator passes
// selector results with VectorSample::t set to the sample's timestamp.
absl::Status TimestampFn(const VectorContext& ctx, absl::Span<const Arg> args,
                         Vector* out) {
  absl::StatusOr<const Vector*> in = VectorArg(args, 0);
  if (!in.ok()) return in.status();
  for (const VectorSample& s : **in) {
    out->push_back(
        VectorSample{s.metric, ctx.ts, static_cast<double>(s.t) / 1000, true});
  }
  return absl::OkStatus();
}

// sort / sort_desc: by value, NaN last either way; labels are kept as they
// are (drop_name included). Equal values keep their input order.
absl::Status SortImpl(absl::Span<const Arg> args, Vector* out,
                      bool descending) {
  absl::StatusOr<const Vector*> in = VectorArg(args, 0);
  if (!in.ok()) return in.status();
  *out = **in;
  std::stable_sort(out->begin(), out->end(),
                   [descending](const VectorSample& a, const VectorSample& b) {
                     if (std::isnan(a.f)) return false;
                     if (std::isnan(b.f)) return true;
                     return descending ? a.f > b.f : a.f < b.f;
                   });
  return absl::OkStatus();
}

absl::Status Sort(const VectorContext&, absl::Span<const Arg> args,
                  Vector* out) {
  return SortImpl(args, out, false);
}

absl::Status SortDesc(const VectorContext&, absl::Span<const Arg> args,
                      Vector* out) {
  return SortImpl(args, out, true);
}

// absent(v): nothing when v has samples, else 1 with the labels the
// argument selector pins down: the first equality matcher of each name
// other than __name__, unless a later matcher names the same label again
// (or the first one is not an equality), which removes it (Prometheus's
// createLabelsForAbsentFunction, historic behaviour included).
absl::Status Absent(const VectorContext& ctx, absl::Span<const Arg> args,
                    Vector* out) {
  absl::StatusOr<const Vector*> in = VectorArg(args, 0);
  if (!in.ok()) return in.status();
  if (!(*in)->empty()) return absl::OkStatus();
  LabelsBuilder b;
  absl::flat_hash_set<std::string> has;
  for (const Matcher& m : ctx.absent_matchers) {
    if (m.name() == kMetricNameLabel) continue;
    if (m.type() == MatchType::kEqual && !has.contains(m.name())) {
      b.Set(m.name(), m.value());
      has.insert(std::string(m.name()));
    } else {
      b.Del(m.name());
    }
  }
  out->push_back(VectorSample{b.Build(), ctx.ts, 1, false});
  return absl::OkStatus();
}

constexpr VectorFunctionEntry kMathFunctions[] = {
    {"abs", Simple<Abs>},
    {"absent", Absent},
    {"acos", Simple<Acos>},
    {"acosh", Simple<Acosh>},
    {"asin", Simple<Asin>},
    {"asinh", Simple<Asinh>},
    {"atan", Simple<Atan>},
    {"atanh", Simple<Atanh>},
    {"ceil", Simple<Ceil>},
    {"clamp", Clamp},
    {"clamp_max", ClampMax},
    {"clamp_min", ClampMin},
    {"cos", Simple<Cos>},
    {"cosh", Simple<Cosh>},
    {"deg", Simple<Deg>},
    {"exp", Simple<Exp>},
    {"floor", Simple<Floor>},
    {"ln", Simple<Ln>},
    {"log10", Simple<Log10>},
    {"log2", Simple<Log2>},
    {"pi", Pi},
    {"rad", Simple<Rad>},
    {"round", Round},
    {"scalar", ScalarFn},
    {"sgn", Simple<Sgn>},
    {"sin", Simple<Sin>},
    {"sinh", Simple<Sinh>},
    {"sort", Sort},
    {"sort_desc", SortDesc},
    {"sqrt", Simple<Sqrt>},
    {"tan", Simple<Tan>},
    {"tanh", Simple<Tanh>},
    {"time", Time},
    {"timestamp", TimestampFn},
    {"vector", VectorFn},
};

}  // namespace

namespace functions_internal {

absl::Span<const VectorFunctionEntry> MathFunctions() { return kMathFunctions; }

}  // namespace functions_internal

VectorFunction FindVectorFunction(absl::string_view name) {
  for (auto table : {functions_internal::MathFunctions(),
                     functions_internal::LabelFunctions(),
                     functions_internal::HistogramFunctions(),
                     functions_internal::TimeFunctions()}) {
    for (const VectorFunctionEntry& e : table) {
      if (e.name == name) return e.fn;
    }
  }
  return nullptr;
}

}  // namespace fraisier::promql
