#include "rules/unittest/input_series.h"

#include <memory>
#include <string>
#include <utility>

#include "absl/container/flat_hash_map.h"
#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "promql/promqltest/series_desc.h"

namespace fraisier::rules::unittest {
namespace {

using promql::promqltest::ParseSeriesDescription;
using promql::promqltest::SequenceValue;
using promql::promqltest::SeriesDescription;

std::string Where(absl::string_view path, const InputSeries& entry) {
  return absl::StrCat(path, ":", entry.line, ":", entry.column,
                      ": input_series: ");
}

InputLoader::Series Expand(const SeriesDescription& desc, int64_t interval_ms,
                           int64_t start_ms) {
  InputLoader::Series series{desc.labels, {}};
  for (size_t i = 0; i < desc.values.size(); ++i) {
    const SequenceValue& v = desc.values[i];
    if (v.omitted) continue;
    const int64_t t = start_ms + static_cast<int64_t>(i) * interval_ms;
    // With a zero interval every value shares one timestamp; the store
    // keeps the first, so do we.
    if (!series.samples.empty() && series.samples.back().t == t) continue;
    series.samples.push_back(Sample{t, v.value});
  }
  return series;
}

}  // namespace

absl::StatusOr<InputLoader> InputLoader::Create(
    const std::vector<InputSeries>& input, int64_t interval_ms,
    int64_t start_ms, absl::string_view path) {
  InputLoader loader;
  absl::flat_hash_map<Labels, size_t> index;
  bool block_ended = false;
  for (const InputSeries& entry : input) {
    const std::string text = absl::StrCat(entry.series, " ", entry.values);
    for (absl::string_view raw : absl::StrSplit(text, '\n')) {
      absl::string_view line = absl::StripAsciiWhitespace(raw);
      if (line.empty() || absl::StartsWith(line, "#")) {
        block_ended = true;
        continue;
      }
      if (block_ended) {
        return absl::InvalidArgumentError(absl::StrCat(
            Where(path, entry), "invalid command \"", line,
            "\" (an empty or comment line ended the series block)"));
      }
      absl::StatusOr<SeriesDescription> desc = ParseSeriesDescription(line);
      if (!desc.ok()) {
        return absl::InvalidArgumentError(absl::StrCat(
            Where(path, entry), "\"", line, "\": ", desc.status().message()));
      }
      if (desc->HasHistogram()) {
        return absl::InvalidArgumentError(
            absl::StrCat(Where(path, entry), "\"", line,
                         "\": native histogram values are not supported"));
      }
      Series series = Expand(*desc, interval_ms, start_ms);
      auto [it, inserted] = index.emplace(series.labels, loader.series_.size());
      if (inserted) {
        loader.series_.push_back(std::move(series));
      } else {
        loader.series_[it->second] = std::move(series);
      }
    }
  }
  loader.next_.assign(loader.series_.size(), 0);
  return loader;
}

absl::Status InputLoader::AppendUntil(storage::Appendable& store,
                                      int64_t t_ms) {
  std::unique_ptr<storage::Appender> app = store.NewAppender();
  for (size_t i = 0; i < series_.size(); ++i) {
    const std::vector<Sample>& samples = series_[i].samples;
    size_t& next = next_[i];
    while (next < samples.size() && samples[next].t <= t_ms) {
      absl::StatusOr<storage::SeriesRef> ref =
          app->Append(0, series_[i].labels, samples[next].t, samples[next].v);
      if (!ref.ok()) {
        app->Rollback();
        return absl::InternalError(absl::StrCat("loading input series ",
                                                series_[i].labels.ToString(),
                                                ": ", ref.status().message()));
      }
      ++next;
    }
  }
  return app->Commit();
}

}  // namespace fraisier::rules::unittest
