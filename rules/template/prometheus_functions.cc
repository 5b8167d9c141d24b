// Prometheus's template functions (template/template.go of Prometheus 2.42,
// plus now, toDuration and urlQueryEscape from later versions), with their
// exact output and error texts.
#include <algorithm>
#include <cmath>
#include <cstdint>
#include <limits>
#include <memory>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "engine/base/status_macros.h"
#include "engine/model/go_quote.h"
#include "promql/literals.h"
#include "rules/template/functions.h"
#include "rules/template/go_format.h"
#include "rules/template/go_regexp.h"
#include "rules/template/go_strings.h"
#include "rules/template/go_time.h"

namespace fraisier::rules::templates {
namespace {

using Args = std::vector<Value>;

absl::Status Error(absl::string_view message) {
  return absl::InvalidArgumentError(message);
}

// What a nil *sample dereference does in Go (recovered by text/template).
absl::Status NilDereference() {
  return Error(
      "runtime error: invalid memory address or nil pointer "
      "dereference");
}

absl::StatusOr<Value> Str(CallEnv& env, std::string s,
                          TypeTag tag = TypeTag::kDefault) {
  if (s.size() > env.max_string_bytes) {
    return absl::ResourceExhaustedError(
        absl::StrCat("a function result exceeds the limit of ",
                     env.max_string_bytes, " bytes"));
  }
  return Value::String(std::move(s), tag);
}

// Go's int64(f) on amd64: out-of-range values (and NaN) give MinInt64.
int64_t GoInt64(double f) {
  if (std::isnan(f) || f >= 0x1p63 || f < -0x1p63) {
    return std::numeric_limits<int64_t>::min();
  }
  return static_cast<int64_t>(f);
}

std::string Sprintf4g(double v) { return GoFormatFloat(v, 'g', 4); }

// Prometheus's convertToFloat.
absl::StatusOr<double> ConvertToFloat(const Value& v) {
  switch (v.kind()) {
    case Value::Kind::kFloat:
      return v.float_value();
    case Value::Kind::kString:
      if (v.tag() == TypeTag::kDefault) {
        absl::StatusOr<double> f = promql::ParseGoFloat(v.string_value());
        if (!f.ok()) {
          return Error(absl::StrCat("strconv.ParseFloat: parsing ",
                                    GoQuote(v.string_value()), ": ",
                                    f.status().message()));
        }
        return *f;
      }
      break;
    case Value::Kind::kInt:
      if (v.tag() == TypeTag::kDefault || v.tag() == TypeTag::kInt64) {
        return static_cast<double>(v.int_value());
      }
      break;
    default:
      break;
  }
  return Error(absl::StrCat("can't convert ", TypeName(v), " to float"));
}

// Prometheus's floatToTime: NaN and Inf are errors; model.Time has
// millisecond precision, truncated toward zero.
absl::StatusOr<GoTime> FloatToTime(double v) {
  if (std::isnan(v) || std::isinf(v)) return Error("value is NaN or Inf");
  const double nanos = v * 1e9;
  if (nanos > 0x1p63 || nanos < -0x1p63) {
    return Error(absl::StrCat(GoFormatFloat(v, 'g', -1),
                              " cannot be represented as a nanoseconds "
                              "timestamp since it overflows int64"));
  }
  const int64_t ms = GoInt64(nanos) / 1000000;
  return GoTimeFromUnix(ms / 1000, (ms % 1000) * 1000000);
}

const std::vector<std::string> kSiPrefixesUp = {"k", "M", "G", "T",
                                                "P", "E", "Z", "Y"};
const std::vector<std::string> kSiPrefixesDown = {"m", "u", "n", "p",
                                                  "f", "a", "z", "y"};

absl::StatusOr<Value> Query(CallEnv& env, Args& a) {
  if (env.query == nullptr || !*env.query) {
    return Error("queries are not available in this context");
  }
  FR_ASSIGN_OR_RETURN(std::vector<QuerySample> vector,
                      (*env.query)(a[0].string_value()));
  auto list = std::make_shared<SampleList>();
  list->reserve(vector.size());
  for (const QuerySample& s : vector) {
    StringMap labels;
    labels.reserve(s.labels.size());
    for (const Label& l : s.labels) {
      labels.emplace_back(std::string(l.name), std::string(l.value));
    }
    auto rec = std::make_shared<SampleRec>();
    rec->labels = std::make_shared<const StringMap>(std::move(labels));
    rec->value = s.value;
    rec->id = env.next_sample_id++;
    list->push_back(std::move(rec));
  }
  return Value::Samples(std::move(list));
}

absl::StatusOr<Value> First(CallEnv&, Args& a) {
  if (a[0].samples()->empty()) {
    return Error("first() called on vector with no elements");
  }
  return Value::Sample(a[0].samples()->front());
}

absl::StatusOr<Value> LabelFn(CallEnv&, Args& a) {
  if (a[1].sample() == nullptr) return NilDereference();
  const std::string* v = FindKey(*a[1].sample()->labels, a[0].string_value());
  return Value::String(v != nullptr ? *v : std::string());
}

absl::StatusOr<Value> ValueFn(CallEnv&, Args& a) {
  if (a[0].sample() == nullptr) return NilDereference();
  return Value::Float(a[0].sample()->value);
}

absl::StatusOr<Value> StrValue(CallEnv&, Args& a) {
  if (a[0].sample() == nullptr) return NilDereference();
  const std::string* v = FindKey(*a[0].sample()->labels, "__value__");
  return Value::String(v != nullptr ? *v : std::string());
}

absl::StatusOr<Value> ArgsFn(CallEnv&, Args& a) {
  AnyMap m;
  for (size_t i = 0; i < a.size(); ++i) {
    // A nil argument is a nil interface{} in the map.
    m.emplace_back(absl::StrCat("arg", i),
                   a[i].valid() ? a[i] : Value::NilIface());
  }
  std::sort(m.begin(), m.end(),
            [](const auto& x, const auto& y) { return x.first < y.first; });
  return Value::Any(std::make_shared<const AnyMap>(std::move(m)));
}

absl::StatusOr<Value> ReReplaceAll(CallEnv& env, Args& a) {
  absl::StatusOr<std::unique_ptr<RE2>> re =
      CompileGoRegexp(a[0].string_value());
  if (!re.ok()) {
    // regexp.MustCompile panics; text/template reports the panic.
    return Error(absl::StrCat("regexp: Compile(",
                              GoRegexpQuote(a[0].string_value()),
                              "): ", re.status().message()));
  }
  FR_ASSIGN_OR_RETURN(
      std::string s,
      GoReplaceAllString(**re, a[2].string_value(), a[1].string_value(),
                         env.max_string_bytes));
  return Value::String(std::move(s));
}

absl::StatusOr<Value> Match(CallEnv&, Args& a) {
  FR_ASSIGN_OR_RETURN(std::unique_ptr<RE2> re,
                      CompileGoRegexp(a[0].string_value()));
  return Value::Bool(GoMatchString(*re, a[1].string_value()));
}

absl::StatusOr<Value> SafeHtml(CallEnv&, Args& a) {
  return Value::String(a[0].string_value(), TypeTag::kHtml);
}

absl::StatusOr<Value> Title(CallEnv& env, Args& a) {
  return Str(env, GoTitle(a[0].string_value()));
}

absl::StatusOr<Value> ToUpper(CallEnv& env, Args& a) {
  return Str(env, GoToUpper(a[0].string_value()));
}

absl::StatusOr<Value> ToLower(CallEnv& env, Args& a) {
  return Str(env, GoToLower(a[0].string_value()));
}

absl::StatusOr<Value> GraphLink(CallEnv& env, Args& a) {
  return Str(env,
             absl::StrCat("/graph?g0.expr=", GoQueryEscape(a[0].string_value()),
                          "&g0.tab=0"));
}

absl::StatusOr<Value> TableLink(CallEnv& env, Args& a) {
  return Str(env,
             absl::StrCat("/graph?g0.expr=", GoQueryEscape(a[0].string_value()),
                          "&g0.tab=1"));
}

absl::StatusOr<Value> SortByLabel(CallEnv&, Args& a) {
  // Sorts the caller's slice in place, as Prometheus's sort.Stable does.
  const std::string label = a[0].string_value();
  SampleList& list = *a[1].samples();
  std::stable_sort(list.begin(), list.end(),
                   [&label](const SamplePtr& x, const SamplePtr& y) {
                     const std::string* vx = FindKey(*x->labels, label);
                     const std::string* vy = FindKey(*y->labels, label);
                     return (vx != nullptr ? *vx : std::string()) <
                            (vy != nullptr ? *vy : std::string());
                   });
  return a[1];
}

absl::StatusOr<Value> StripPort(CallEnv&, Args& a) {
  std::string host, port;
  if (!GoSplitHostPort(a[0].string_value(), &host, &port)) return a[0];
  return Value::String(host);
}

absl::StatusOr<Value> StripDomain(CallEnv&, Args& a) {
  const std::string& host_port = a[0].string_value();
  std::string host, port;
  if (!GoSplitHostPort(host_port, &host, &port)) {
    host = host_port;
    port.clear();
  }
  if (GoIsIP(host)) return a[0];
  host = std::string(absl::string_view(host).substr(0, host.find('.')));
  if (!port.empty()) return Value::String(GoJoinHostPort(host, port));
  return Value::String(host);
}

absl::StatusOr<Value> Humanize(CallEnv&, Args& a) {
  FR_ASSIGN_OR_RETURN(double v, ConvertToFloat(a[0]));
  if (v == 0 || std::isnan(v) || std::isinf(v)) {
    return Value::String(Sprintf4g(v));
  }
  std::string prefix;
  if (std::fabs(v) >= 1) {
    for (const std::string& p : kSiPrefixesUp) {
      if (std::fabs(v) < 1000) break;
      prefix = p;
      v /= 1000;
    }
  } else {
    for (const std::string& p : kSiPrefixesDown) {
      if (std::fabs(v) >= 1) break;
      prefix = p;
      v *= 1000;
    }
  }
  return Value::String(Sprintf4g(v) + prefix);
}

absl::StatusOr<Value> Humanize1024(CallEnv&, Args& a) {
  FR_ASSIGN_OR_RETURN(double v, ConvertToFloat(a[0]));
  if (std::fabs(v) <= 1 || std::isnan(v) || std::isinf(v)) {
    return Value::String(Sprintf4g(v));
  }
  static const std::vector<std::string> kPrefixes = {"ki", "Mi", "Gi", "Ti",
                                                     "Pi", "Ei", "Zi", "Yi"};
  std::string prefix;
  for (const std::string& p : kPrefixes) {
    if (std::fabs(v) < 1024) break;
    prefix = p;
    v /= 1024;
  }
  return Value::String(Sprintf4g(v) + prefix);
}

absl::StatusOr<Value> HumanizeDuration(CallEnv&, Args& a) {
  FR_ASSIGN_OR_RETURN(double v, ConvertToFloat(a[0]));
  if (std::isnan(v) || std::isinf(v)) return Value::String(Sprintf4g(v));
  if (v == 0) return Value::String(Sprintf4g(v) + "s");
  if (std::fabs(v) >= 1) {
    std::string sign;
    if (v < 0) {
      sign = "-";
      v = -v;
    }
    const int64_t duration = GoInt64(v);
    const int64_t seconds = duration % 60;
    const int64_t minutes = (duration / 60) % 60;
    const int64_t hours = (duration / 60 / 60) % 24;
    const int64_t days = duration / 60 / 60 / 24;
    // Days to minutes show whole seconds.
    if (days != 0) {
      return Value::String(absl::StrCat(sign, days, "d ", hours, "h ", minutes,
                                        "m ", seconds, "s"));
    }
    if (hours != 0) {
      return Value::String(
          absl::StrCat(sign, hours, "h ", minutes, "m ", seconds, "s"));
    }
    if (minutes != 0) {
      return Value::String(absl::StrCat(sign, minutes, "m ", seconds, "s"));
    }
    // Seconds show four significant digits.
    return Value::String(absl::StrCat(sign, Sprintf4g(v), "s"));
  }
  std::string prefix;
  for (const std::string& p : kSiPrefixesDown) {
    if (std::fabs(v) >= 1) break;
    prefix = p;
    v *= 1000;
  }
  return Value::String(absl::StrCat(Sprintf4g(v), prefix, "s"));
}

absl::StatusOr<Value> HumanizePercentage(CallEnv&, Args& a) {
  FR_ASSIGN_OR_RETURN(double v, ConvertToFloat(a[0]));
  return Value::String(Sprintf4g(v * 100) + "%");
}

absl::StatusOr<Value> HumanizeTimestamp(CallEnv&, Args& a) {
  FR_ASSIGN_OR_RETURN(double v, ConvertToFloat(a[0]));
  if (std::isnan(v) || std::isinf(v)) return Value::String(Sprintf4g(v));
  FR_ASSIGN_OR_RETURN(GoTime t, FloatToTime(v));
  return Value::String(FormatGoTime(t));
}

absl::StatusOr<Value> ToTime(CallEnv&, Args& a) {
  FR_ASSIGN_OR_RETURN(double v, ConvertToFloat(a[0]));
  FR_ASSIGN_OR_RETURN(GoTime t, FloatToTime(v));
  return Value::Time(t);
}

absl::StatusOr<Value> ToDuration(CallEnv&, Args& a) {
  FR_ASSIGN_OR_RETURN(double v, ConvertToFloat(a[0]));
  if (std::isnan(v) || std::isinf(v)) return Error("value is NaN or Inf");
  const double nanos = v * 1e9;
  if (nanos > 0x1p63 || nanos < -0x1p63) {
    return Error(absl::StrCat(GoFormatFloat(v, 'g', -1),
                              " cannot be represented as a nanoseconds "
                              "duration since it overflows int64"));
  }
  return Value::Duration(GoInt64(nanos));
}

// The path of a URL as url.Parse gives it (without query or fragment).
std::string UrlPath(absl::string_view url) {
  size_t start = 0;
  const size_t scheme = url.find("://");
  if (scheme != absl::string_view::npos) {
    start = url.find('/', scheme + 3);
    if (start == absl::string_view::npos) return "";
  }
  absl::string_view path = url.substr(start);
  path = path.substr(0, path.find_first_of("?#"));
  return std::string(path);
}

absl::StatusOr<Value> PathPrefix(CallEnv& env, Args&) {
  if (!env.has_external_url) return NilDereference();
  return Value::String(UrlPath(env.external_url));
}

absl::StatusOr<Value> ExternalUrl(CallEnv& env, Args&) {
  if (!env.has_external_url) return NilDereference();
  return Value::String(std::string(env.external_url));
}

absl::StatusOr<Value> ParseDuration(CallEnv&, Args& a) {
  absl::StatusOr<int64_t> ms = promql::ParseDurationMs(a[0].string_value());
  if (!ms.ok()) {
    // Prometheus 2.42's model.ParseDuration matches one regexp and has no
    // "unknown unit" message.
    if (absl::StartsWith(ms.status().message(), "unknown unit")) {
      return Error(absl::StrCat("not a valid duration string: ",
                                GoQuote(a[0].string_value())));
    }
    return Error(ms.status().message());
  }
  return Value::Float(static_cast<double>(*ms) / 1000);
}

absl::StatusOr<Value> Now(CallEnv& env, Args&) {
  return Value::Float(static_cast<double>(env.eval_time_ms) / 1000.0);
}

absl::StatusOr<Value> UrlQueryEscape(CallEnv& env, Args& a) {
  return Str(env, GoQueryEscape(a[0].string_value()));
}

}  // namespace

const std::vector<FuncDef>& PrometheusFunctions() {
  using P = ParamType;
  static const std::vector<FuncDef>* const kFunctions =
      new std::vector<FuncDef>{
          {"query", {P::kString}, false, false, Query},
          {"first", {P::kSamples}, false, false, First},
          {"label", {P::kString, P::kSample}, false, false, LabelFn},
          {"value", {P::kSample}, false, false, ValueFn},
          {"strvalue", {P::kSample}, false, false, StrValue},
          {"args", {P::kAny}, true, false, ArgsFn},
          {"reReplaceAll",
           {P::kString, P::kString, P::kString},
           false,
           false,
           ReReplaceAll},
          {"safeHtml", {P::kString}, false, false, SafeHtml},
          {"match", {P::kString, P::kString}, false, false, Match},
          {"title", {P::kString}, false, false, Title},
          {"toUpper", {P::kString}, false, false, ToUpper},
          {"toLower", {P::kString}, false, false, ToLower},
          {"graphLink", {P::kString}, false, false, GraphLink},
          {"tableLink", {P::kString}, false, false, TableLink},
          {"sortByLabel", {P::kString, P::kSamples}, false, false, SortByLabel},
          {"stripPort", {P::kString}, false, false, StripPort},
          {"stripDomain", {P::kString}, false, false, StripDomain},
          {"humanize", {P::kAny}, false, false, Humanize},
          {"humanize1024", {P::kAny}, false, false, Humanize1024},
          {"humanizeDuration", {P::kAny}, false, false, HumanizeDuration},
          {"humanizePercentage", {P::kAny}, false, false, HumanizePercentage},
          {"humanizeTimestamp", {P::kAny}, false, false, HumanizeTimestamp},
          {"toTime", {P::kAny}, false, false, ToTime},
          {"toDuration", {P::kAny}, false, false, ToDuration},
          {"pathPrefix", {}, false, false, PathPrefix},
          {"externalURL", {}, false, false, ExternalUrl},
          {"parseDuration", {P::kString}, false, false, ParseDuration},
          {"now", {}, false, false, Now},
          {"urlQueryEscape", {P::kString}, false, false, UrlQueryEscape},
      };
  return *kFunctions;
}

}  // namespace fraisier::rules::templates
