#include "rules/lint/metric_names.h"

#include <vector>

#include "absl/strings/match.h"
#include "absl/strings/str_split.h"

namespace fraisier::rules::lint {
namespace {

bool HasCounterSuffix(absl::string_view name) {
  return absl::EndsWith(name, "_total") || absl::EndsWith(name, "_count") ||
         absl::EndsWith(name, "_sum") || absl::EndsWith(name, "_bucket");
}

// Units and words that, at the end of a name without `_total`, mark a
// gauge.
constexpr absl::string_view kGaugeSuffixes[] = {
    "_bytes",  "_seconds", "_ratio",       "_percent",   "_celsius",
    "_volts",  "_amperes", "_joules",      "_watts",     "_meters",
    "_grams",  "_hertz",   "_info",        "_timestamp", "_state",
    "_status", "_current", "_temperature", "_limit",
};

}  // namespace

std::string NotCounterReason(absl::string_view name) {
  if (IsRecordedName(name)) {
    std::vector<absl::string_view> parts = absl::StrSplit(name, ':');
    for (absl::string_view part : parts) {
      if (HasCounterSuffix(part)) return "";
    }
    absl::string_view ops = parts.back();
    for (absl::string_view rate : {"rate", "irate", "increase"}) {
      if (absl::StartsWith(ops, rate)) {
        return std::string("its operations part says it is already a ") +
               std::string(rate == "increase" ? "increase" : "rate");
      }
    }
    return "";
  }
  if (HasCounterSuffix(name) || LooksLikeHistogramName(name)) return "";
  if (name == "up") return "up is a gauge (1 or 0)";
  for (absl::string_view suffix : kGaugeSuffixes) {
    if (absl::EndsWith(name, suffix)) {
      return std::string("it ends in ") + std::string(suffix) +
             " without _total";
    }
  }
  return "";
}

bool IsRecordedName(absl::string_view name) {
  return absl::StrContains(name, ':');
}

bool IsTotalCounter(absl::string_view name) {
  return !IsRecordedName(name) && absl::EndsWith(name, "_total");
}

bool IsBucketName(absl::string_view name) {
  return !IsRecordedName(name) && absl::EndsWith(name, "_bucket");
}

absl::string_view HistogramBaseOf(absl::string_view name) {
  if (IsRecordedName(name)) return "";
  for (absl::string_view suffix : {"_bucket", "_sum", "_count"}) {
    if (name.size() > suffix.size() && absl::EndsWith(name, suffix)) {
      return name.substr(0, name.size() - suffix.size());
    }
  }
  return "";
}

bool LooksLikeHistogramName(absl::string_view name) {
  if (IsRecordedName(name)) return false;
  if (!absl::EndsWith(name, "_duration_seconds") &&
      !absl::EndsWith(name, "_latency_seconds")) {
    return false;
  }
  return name != "scrape_duration_seconds" &&
         !absl::EndsWith(name, "_scrape_collector_duration_seconds") &&
         !absl::StrContains(name, "_last_");
}

}  // namespace fraisier::rules::lint
