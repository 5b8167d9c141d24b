#include "rules/notifier/alert.h"

#include <algorithm>
#include <cstdint>

#include "absl/strings/str_format.h"
#include "absl/time/civil_time.h"
#include "engine/api/json.h"

namespace fraisier::notifier {

absl::Time AlertEndsAt(absl::Time eval_time,
                       std::optional<absl::Time> resolved_at,
                       absl::Duration group_interval,
                       absl::Duration resend_delay) {
  if (resolved_at.has_value()) return *resolved_at;
  return eval_time + 4 * std::max(group_interval, resend_delay);
}

std::string QueryEscape(absl::string_view s) {
  static constexpr char kHex[] = "0123456789ABCDEF";
  std::string out;
  out.reserve(s.size() + s.size() / 2);
  for (const char ch : s) {
    const unsigned char c = static_cast<unsigned char>(ch);
    if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
        (c >= '0' && c <= '9') || c == '-' || c == '_' || c == '.' ||
        c == '~') {
      out.push_back(ch);
    } else if (c == ' ') {
      out.push_back('+');
    } else {
      out.push_back('%');
      out.push_back(kHex[c >> 4]);
      out.push_back(kHex[c & 0xF]);
    }
  }
  return out;
}

std::string GeneratorUrl(absl::string_view external_url,
                         absl::string_view expr) {
  // Prometheus strips the trailing '/' of --web.external-url when it reads
  // the flag; doing it here keeps "http://h:9090/" from producing "//graph".
  while (!external_url.empty() && external_url.back() == '/') {
    external_url.remove_suffix(1);
  }
  std::string url(external_url);
  url += "/graph?g0.expr=";
  url += QueryEscape(expr);
  url += "&g0.tab=1";
  return url;
}

std::string FormatAlertTime(absl::Time t) {
  // Go's zero time.Time is what Prometheus would write for an unset time;
  // times before year 1 cannot come from an evaluation, so they map there
  // too rather than to a negative year Alertmanager would refuse.
  static constexpr absl::string_view kGoZeroTime = "0001-01-01T00:00:00.000Z";
  if (t == absl::InfiniteFuture()) return "9999-12-31T23:59:59.999Z";
  if (t == absl::InfinitePast()) return std::string(kGoZeroTime);
  const absl::TimeZone utc = absl::UTCTimeZone();
  const absl::CivilSecond cs = absl::ToCivilSecond(t, utc);
  if (cs.year() < 1) return std::string(kGoZeroTime);
  // ToCivilSecond floors, so the remainder is in [0, 1s) also before 1970.
  const int64_t millis =
      absl::ToInt64Milliseconds(t - absl::FromCivil(cs, utc));
  return absl::StrFormat("%04d-%02d-%02dT%02d:%02d:%02d.%03dZ", cs.year(),
                         cs.month(), cs.day(), cs.hour(), cs.minute(),
                         cs.second(), millis);
}

namespace {

// Annotations as Go's map[string]string marshals them: keys sorted, one
// entry per key (the last pair wins, as building the map would).
void AppendAnnotationsJson(const Annotations& annotations, std::string* out) {
  std::vector<const std::pair<std::string, std::string>*> sorted;
  sorted.reserve(annotations.size());
  for (const auto& a : annotations) sorted.push_back(&a);
  std::stable_sort(
      sorted.begin(), sorted.end(),
      [](const auto* a, const auto* b) { return a->first < b->first; });
  out->push_back('{');
  bool first = true;
  for (size_t i = 0; i < sorted.size(); ++i) {
    if (i + 1 < sorted.size() && sorted[i + 1]->first == sorted[i]->first) {
      continue;
    }
    if (!first) out->push_back(',');
    first = false;
    api::AppendJsonString(sorted[i]->first, out);
    out->push_back(':');
    api::AppendJsonString(sorted[i]->second, out);
  }
  out->push_back('}');
}

}  // namespace

void AppendAlertJson(const Alert& alert, std::string* out) {
  out->push_back('{');
  if (!alert.annotations.empty()) {
    out->append("\"annotations\":");
    AppendAnnotationsJson(alert.annotations, out);
    out->push_back(',');
  }
  out->append("\"endsAt\":\"");
  out->append(FormatAlertTime(alert.ends_at));
  out->append("\",\"startsAt\":\"");
  out->append(FormatAlertTime(alert.starts_at));
  out->append("\",");
  if (!alert.generator_url.empty()) {
    out->append("\"generatorURL\":");
    api::AppendJsonString(alert.generator_url, out);
    out->push_back(',');
  }
  out->append("\"labels\":");
  api::AppendLabelsJson(alert.labels, out);
  out->push_back('}');
}

EncodedAlert EncodeAlert(const Alert& alert) {
  auto encoded = std::make_shared<std::string>();
  AppendAlertJson(alert, encoded.get());
  return encoded;
}

std::string AlertsBody(absl::Span<const EncodedAlert> alerts) {
  size_t size = 2;
  for (const EncodedAlert& a : alerts) size += a->size() + 1;
  std::string body;
  body.reserve(size);
  body.push_back('[');
  for (size_t i = 0; i < alerts.size(); ++i) {
    if (i > 0) body.push_back(',');
    body.append(*alerts[i]);
  }
  body.push_back(']');
  return body;
}

}  // namespace fraisier::notifier
