#include "engine/ingest/series_check.h"

#include <cstring>

#include "absl/strings/str_cat.h"
#include "engine/model/go_quote.h"
#include "engine/model/validation.h"
#include "engine/model/xxhash.h"

namespace fraisier::ingest {
namespace {

// The separator Labels puts after every name and value before hashing
// (Prometheus's labels.Hash layout); HashLabelViews must use the same.
constexpr char kSeparator = '\xff';

absl::Status Refuse(SeriesProblem kind, SeriesProblem* problem,
                    absl::string_view message) {
  *problem = kind;
  return absl::InvalidArgumentError(message);
}

// Copies `s` to `out`. Label names and values are mostly short, and a
// libc memcpy call per string costs more than copying them in words.
inline char* CopyShort(char* out, absl::string_view s) {
  const char* in = s.data();
  size_t n = s.size();
  for (; n >= 8; n -= 8, in += 8, out += 8) std::memcpy(out, in, 8);
  for (; n > 0; --n) *out++ = *in++;
  return out;
}

// A name or value shortened for an error message about its length.
std::string Preview(absl::string_view s) {
  constexpr size_t kMax = 40;
  if (s.size() <= kMax) return GoQuote(s);
  return absl::StrCat(GoQuote(s.substr(0, kMax)), "...");
}

}  // namespace

absl::Status CheckSeriesLabels(absl::Span<const Label> labels,
                               const ReceiverLimits& limits,
                               std::vector<Label>* out,
                               SeriesProblem* problem) {
  *problem = SeriesProblem::kNone;
  out->clear();
  if (labels.empty()) {
    return Refuse(SeriesProblem::kInvalidLabels, problem,
                  "series has no labels");
  }
  if (static_cast<int64_t>(labels.size()) > limits.max_labels_per_series) {
    return Refuse(
        SeriesProblem::kLimit, problem,
        absl::StrCat("series has ", labels.size(), " labels, more than the ",
                     "limit of ", limits.max_labels_per_series,
                     " (remote_write_receiver.max_labels_per_series)"));
  }
  for (const Label& l : labels) {
    if (static_cast<int64_t>(l.name.size()) > limits.max_label_name_length) {
      return Refuse(
          SeriesProblem::kLimit, problem,
          absl::StrCat("label name ", Preview(l.name), " is ", l.name.size(),
                       " bytes, more than the limit ", "of ",
                       limits.max_label_name_length,
                       " (remote_write_receiver.max_label_name_", "length)"));
    }
    if (static_cast<int64_t>(l.value.size()) > limits.max_label_value_length) {
      return Refuse(
          SeriesProblem::kLimit, problem,
          absl::StrCat("value of label ", Preview(l.name), " is ",
                       l.value.size(), " bytes, more than the limit of ",
                       limits.max_label_value_length,
                       " (remote_write_receiver.max_label_value_length)"));
    }
  }
  // Order, duplicates, name charset, metric name syntax and UTF-8 values.
  if (absl::Status s = ValidateLabelPairs(labels, limits.name_validation);
      !s.ok()) {
    return Refuse(SeriesProblem::kInvalidLabels, problem, s.message());
  }
  bool has_name = false;
  for (const Label& l : labels) {
    if (l.name == kMetricNameLabel) {
      if (l.value.empty()) {
        return Refuse(SeriesProblem::kInvalidLabels, problem,
                      "empty metric name: __name__ has an empty value");
      }
      has_name = true;
    }
    if (!l.value.empty()) out->push_back(l);
  }
  if (!has_name) {
    return Refuse(SeriesProblem::kInvalidLabels, problem,
                  "empty metric name: the series has no __name__ label");
  }
  return absl::OkStatus();
}

void AppendSeriesString(absl::Span<const Label> labels, size_t max_bytes,
                        std::string* out) {
  const size_t start = out->size();
  out->push_back('{');
  for (size_t i = 0; i < labels.size(); ++i) {
    if (i > 0) out->append(", ");
    AppendLabelName(labels[i].name, out);
    out->push_back('=');
    AppendGoQuote(labels[i].value, out);
    if (out->size() - start > max_bytes) {
      // Cut at a rune start: quoting keeps printable UTF-8 as it is.
      size_t cut = start + max_bytes;
      while (cut > start &&
             (static_cast<uint8_t>((*out)[cut]) & 0xC0) == 0x80) {
        --cut;
      }
      out->resize(cut);
      out->append("...}");
      return;
    }
  }
  out->push_back('}');
}

uint64_t HashLabelViews(absl::Span<const Label> labels, std::string* scratch) {
  size_t total = 0;
  for (const Label& l : labels) total += l.name.size() + l.value.size() + 2;
  // Grow only, then write in place: no per-call allocation or zero-fill
  // once the scratch has reached the usual series size.
  if (scratch->size() < total) scratch->resize(total);
  char* out = scratch->data();
  for (const Label& l : labels) {
    out = CopyShort(out, l.name);
    *out++ = kSeparator;
    out = CopyShort(out, l.value);
    *out++ = kSeparator;
  }
  return XxHash64(absl::string_view(scratch->data(), total));
}

}  // namespace fraisier::ingest
