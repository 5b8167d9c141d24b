#include "engine/model/validation.h"

#include <cstddef>

#include "absl/strings/str_cat.h"
#include "engine/model/go_quote.h"

namespace fraisier {
namespace {

bool IsAsciiLetterOrUnderscore(char c) {
  return c == '_' || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
}

bool IsAsciiDigit(char c) { return c >= '0' && c <= '9'; }

// The checks shared by constructed label sets and raw pairs. An empty
// __name__ value only occurs in raw pairs and means "no metric name".
absl::Status ValidatePair(absl::string_view name, absl::string_view value,
                          NameValidation scheme) {
  if (!IsValidLabelName(name, scheme)) {
    return absl::InvalidArgumentError(
        absl::StrCat("invalid label name ", GoQuote(name)));
  }
  if (name == kMetricNameLabel && !value.empty() &&
      !IsValidMetricName(value, scheme)) {
    return absl::InvalidArgumentError(
        absl::StrCat("invalid metric name ", GoQuote(value)));
  }
  if (!IsValidUtf8(value)) {
    return absl::InvalidArgumentError(
        absl::StrCat("label value for ", GoQuote(name), " is not valid UTF-8"));
  }
  return absl::OkStatus();
}

}  // namespace

bool IsValidLabelName(absl::string_view name, NameValidation scheme) {
  if (name.empty()) return false;
  if (scheme == NameValidation::kUtf8) return IsValidUtf8(name);
  if (!IsAsciiLetterOrUnderscore(name[0])) return false;
  for (size_t i = 1; i < name.size(); ++i) {
    if (!IsAsciiLetterOrUnderscore(name[i]) && !IsAsciiDigit(name[i])) {
      return false;
    }
  }
  return true;
}

bool IsValidMetricName(absl::string_view name, NameValidation scheme) {
  if (name.empty()) return false;
  if (scheme == NameValidation::kUtf8) return IsValidUtf8(name);
  if (!IsAsciiLetterOrUnderscore(name[0]) && name[0] != ':') return false;
  for (size_t i = 1; i < name.size(); ++i) {
    const char c = name[i];
    if (!IsAsciiLetterOrUnderscore(c) && !IsAsciiDigit(c) && c != ':') {
      return false;
    }
  }
  return true;
}

absl::Status ValidateLabels(const Labels& labels, NameValidation scheme) {
  for (const Label l : labels) {
    if (absl::Status s = ValidatePair(l.name, l.value, scheme); !s.ok()) {
      return s;
    }
  }
  return absl::OkStatus();
}

namespace {

absl::string_view NameOf(const LabelPair& p) { return p.first; }
absl::string_view NameOf(const Label& l) { return l.name; }
absl::string_view ValueOf(const LabelPair& p) { return p.second; }
absl::string_view ValueOf(const Label& l) { return l.value; }

// One body for both pair representations.
template <typename Pair>
absl::Status ValidateRawPairs(absl::Span<const Pair> pairs,
                              NameValidation scheme) {
  for (size_t i = 0; i < pairs.size(); ++i) {
    const absl::string_view name = NameOf(pairs[i]);
    if (name.empty()) {
      return absl::InvalidArgumentError(
          absl::StrCat("empty label name at index ", i));
    }
    if (i > 0) {
      const absl::string_view prev = NameOf(pairs[i - 1]);
      if (prev == name) {
        return absl::InvalidArgumentError(
            absl::StrCat("duplicate label name ", GoQuote(name)));
      }
      if (prev > name) {
        return absl::InvalidArgumentError(
            absl::StrCat("labels are not sorted: ", GoQuote(prev), " before ",
                         GoQuote(name)));
      }
    }
    if (absl::Status s = ValidatePair(name, ValueOf(pairs[i]), scheme);
        !s.ok()) {
      return s;
    }
  }
  return absl::OkStatus();
}

}  // namespace

absl::Status ValidateLabelPairs(absl::Span<const LabelPair> pairs,
                                NameValidation scheme) {
  return ValidateRawPairs(pairs, scheme);
}

absl::Status ValidateLabelPairs(absl::Span<const Label> labels,
                                NameValidation scheme) {
  return ValidateRawPairs(labels, scheme);
}

}  // namespace fraisier
