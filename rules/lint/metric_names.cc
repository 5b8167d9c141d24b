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

}  // namespace

bool IsRecordedName(absl::string_view name) {
  return absl::StrContains(name, ':');
}

bool IsCounterByConvention(absl::string_view name) {
  if (!IsRecordedName(name)) return HasCounterSuffix(name);
  for (absl::string_view part : absl::StrSplit(name, ':')) {
    if (HasCounterSuffix(part)) return true;
  }
  return false;
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
