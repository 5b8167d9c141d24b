#include "rules/notifier/alert.h"

#include <algorithm>
#include <cstdint>

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

namespace {

// Writes `v` as exactly `width` decimal digits (v >= 0, fits in width).
char* PutDigits(int64_t v, int width, char* p) {
  for (int i = width - 1; i >= 0; --i) {
    p[i] = static_cast<char>('0' + v % 10);
    v /= 10;
  }
  return p + width;
}

}  // namespace

std::string FormatAlertTime(absl::Time t) {
  // Go's zero time.Time is what Prometheus would write for an unset time;
  // times before year 1 cannot come from an evaluation, so they map there
  // too rather than to a negative year Alertmanager would refuse.
  static constexpr absl::string_view kGoZeroTime = "0001-01-01T00:00:00.000Z";
  // RFC 3339 has four-digit years; later times (InfiniteFuture included)
  // are clamped to the last one it can write.
  static constexpr absl::string_view kLastTime = "9999-12-31T23:59:59.999Z";
  if (t == absl::InfiniteFuture()) return std::string(kLastTime);
  if (t == absl::InfinitePast()) return std::string(kGoZeroTime);
  const absl::TimeZone utc = absl::UTCTimeZone();
  const absl::CivilSecond cs = absl::ToCivilSecond(t, utc);
  if (cs.year() < 1) return std::string(kGoZeroTime);
  if (cs.year() > 9999) return std::string(kLastTime);
  // ToCivilSecond floors, so the remainder is in [0, 1s) also before 1970.
  const int64_t millis =
      absl::ToInt64Milliseconds(t - absl::FromCivil(cs, utc));
  // By hand rather than StrFormat: two of these per alert are a visible
  // share of encoding 10,000 alerts.
  char buf[32];
  char* p = buf;
  p = PutDigits(cs.year(), 4, p);
  *p++ = '-';
  p = PutDigits(cs.month(), 2, p);
  *p++ = '-';
  p = PutDigits(cs.day(), 2, p);
  *p++ = 'T';
  p = PutDigits(cs.hour(), 2, p);
  *p++ = ':';
  p = PutDigits(cs.minute(), 2, p);
  *p++ = ':';
  p = PutDigits(cs.second(), 2, p);
  *p++ = '.';
  p = PutDigits(millis, 3, p);
  *p++ = 'Z';
  return std::string(buf, p);
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
  // Escaping rarely grows the text much: one allocation in the common case.
  size_t size = 128 + alert.generator_url.size();
  for (const Label& l : alert.labels)
    size += l.name.size() + l.value.size() + 6;
  for (const auto& [name, value] : alert.annotations) {
    size += name.size() + value.size() + 6;
  }
  encoded->reserve(size + size / 8);
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
