// Bytes per stored sample on real data: opens the store of a stopped
// `ruler serve` (e.g. one a Prometheus remote-wrote its own, node-exporter's
// and the ruler's metrics to for an hour) and reports
//   disk: (chunk file bytes + open chunk bytes) / samples, what the store
//         really spends;
//   codec: the XOR-encoded chunk bytes alone, by class of series.
// Open chunks are re-encoded from the samples (the codec is deterministic,
// so this equals what the head holds).
//
// With --openmetrics=FILE it first builds such a store in STORAGE_DIR (which
// must not exist) from an OpenMetrics text file, the format `promtool tsdb
// create-blocks-from openmetrics` reads: the samples are appended in time
// order, one commit per timestamp, as a remote-write sender would deliver
// them. So the store and Prometheus can be measured on exactly the same
// samples, and a store written by an older build can be measured again
// after a format change (bench/README.md, "Bytes per stored sample").
//
//   bazel run --config=opt //bench:tsdb_bytes_real -- /path/to/storage
//   bazel run --config=opt //bench:tsdb_bytes_real --
//       --openmetrics=/path/to/samples.om /tmp/new_storage
#include <algorithm>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <limits>
#include <map>
#include <string>
#include <utility>
#include <vector>

#include "absl/strings/match.h"
#include "absl/strings/numbers.h"
#include "absl/strings/strip.h"
#include "engine/base/clock.h"
#include "engine/model/labels.h"
#include "engine/model/matcher.h"
#include "engine/tsdb/chunk.h"
#include "engine/tsdb/head.h"

namespace fraisier::tsdb {
namespace {

int64_t DirBytes(const std::string& dir) {
  int64_t bytes = 0;
  std::error_code ec;
  for (const auto& e : std::filesystem::directory_iterator(dir, ec)) {
    if (e.is_regular_file()) bytes += static_cast<int64_t>(e.file_size());
  }
  return bytes;
}

// Counters by naming convention; everything else is a gauge.
const char* ClassOf(absl::string_view name) {
  for (absl::string_view suffix : {"_total", "_count", "_sum", "_bucket"}) {
    if (absl::EndsWith(name, suffix)) return "counter-like";
  }
  return "gauge-like";
}

struct OmSample {
  Timestamp t;
  uint32_t series;
  double v;
};

// Parses `name{label="value",...} value timestamp_seconds` (escapes \\, \"
// and \n in label values); false on anything else but comments and blank
// lines.
bool ParseOmLine(absl::string_view line, std::vector<LabelPair>* labels,
                 std::vector<std::string>* storage, double* v, Timestamp* t) {
  labels->clear();
  storage->clear();
  const size_t name_end = line.find_first_of("{ ");
  if (name_end == absl::string_view::npos || name_end == 0) return false;
  storage->emplace_back(line.substr(0, name_end));
  size_t pos = name_end;
  std::vector<std::pair<size_t, size_t>> pairs;  // indexes into storage
  pairs.emplace_back(storage->size(), 0);
  storage->emplace_back("__name__");
  if (line[pos] == '{') {
    ++pos;
    while (pos < line.size() && line[pos] != '}') {
      const size_t eq = line.find('=', pos);
      if (eq == absl::string_view::npos || eq + 1 >= line.size() ||
          line[eq + 1] != '"') {
        return false;
      }
      std::string value;
      size_t i = eq + 2;
      for (; i < line.size() && line[i] != '"'; ++i) {
        if (line[i] == '\\' && i + 1 < line.size()) {
          ++i;
          value.push_back(line[i] == 'n' ? '\n' : line[i]);
        } else {
          value.push_back(line[i]);
        }
      }
      if (i >= line.size()) return false;
      pairs.emplace_back(storage->size(), storage->size() + 1);
      storage->emplace_back(line.substr(pos, eq - pos));
      storage->push_back(std::move(value));
      pos = i + 1;
      if (pos < line.size() && line[pos] == ',') ++pos;
    }
    if (pos >= line.size()) return false;
    ++pos;  // '}'
  }
  absl::string_view rest = absl::StripAsciiWhitespace(line.substr(pos));
  const size_t space = rest.find(' ');
  if (space == absl::string_view::npos) return false;
  const absl::string_view value = rest.substr(0, space);
  absl::string_view ts = absl::StripAsciiWhitespace(rest.substr(space + 1));
  if (value == "NaN") {
    *v = std::numeric_limits<double>::quiet_NaN();
  } else if (value == "+Inf" || value == "Inf") {
    *v = std::numeric_limits<double>::infinity();
  } else if (value == "-Inf") {
    *v = -std::numeric_limits<double>::infinity();
  } else if (!absl::SimpleAtod(value, v)) {
    return false;
  }
  // Seconds with up to millisecond digits, parsed exactly.
  const bool negative = absl::ConsumePrefix(&ts, "-");
  const size_t dot = ts.find('.');
  int64_t seconds = 0, millis = 0;
  if (!absl::SimpleAtoi(ts.substr(0, dot), &seconds)) return false;
  if (dot != absl::string_view::npos) {
    std::string frac(ts.substr(dot + 1, 3));
    frac.resize(3, '0');
    if (!absl::SimpleAtoi(frac, &millis)) return false;
  }
  *t = (seconds * 1000 + millis) * (negative ? -1 : 1);
  // The name pair: value is the metric name (storage[0]).
  labels->emplace_back((*storage)[1], (*storage)[0]);
  for (size_t p = 1; p < pairs.size(); ++p) {
    labels->emplace_back((*storage)[pairs[p].first],
                         (*storage)[pairs[p].second]);
  }
  return true;
}

// Builds a store in `dir` from the OpenMetrics file `path`.
int Ingest(const std::string& path, const std::string& dir) {
  if (std::filesystem::exists(dir)) {
    std::fprintf(stderr, "%s exists; give a new directory\n", dir.c_str());
    return 1;
  }
  std::ifstream in(path);
  if (!in) {
    std::fprintf(stderr, "cannot read %s\n", path.c_str());
    return 1;
  }
  std::map<std::string, uint32_t> ids;
  std::vector<Labels> series;
  std::vector<OmSample> samples;
  std::vector<LabelPair> pairs;
  std::vector<std::string> storage;
  std::string line;
  int64_t line_no = 0;
  while (std::getline(in, line)) {
    ++line_no;
    if (line.empty() || line[0] == '#') continue;
    OmSample s;
    if (!ParseOmLine(line, &pairs, &storage, &s.v, &s.t)) {
      std::fprintf(stderr, "%s:%lld: cannot parse\n", path.c_str(),
                   static_cast<long long>(line_no));
      return 1;
    }
    Labels labels = Labels::FromPairs(pairs);
    auto [it, added] = ids.emplace(std::string(labels.ToString()),
                                   static_cast<uint32_t>(series.size()));
    if (added) series.push_back(std::move(labels));
    s.series = it->second;
    samples.push_back(s);
  }
  std::stable_sort(
      samples.begin(), samples.end(),
      [](const OmSample& a, const OmSample& b) { return a.t < b.t; });
  if (samples.empty()) {
    std::fprintf(stderr, "no samples in %s\n", path.c_str());
    return 1;
  }
  FakeClock clock(absl::FromUnixMillis(samples.back().t));
  HeadOptions options;
  options.dir = dir;
  options.clock = &clock;
  options.retention = absl::Hours(24 * 365 * 100);
  options.fsync_policy = FsyncPolicy::kInterval;
  absl::StatusOr<std::unique_ptr<Head>> head = Head::Open(options);
  if (!head.ok()) {
    std::fprintf(stderr, "%s\n", std::string(head.status().message()).c_str());
    return 1;
  }
  std::vector<storage::SeriesRef> refs(series.size(), 0);
  size_t i = 0;
  while (i < samples.size()) {
    std::unique_ptr<storage::Appender> app = (*head)->NewAppender();
    const Timestamp t = samples[i].t;
    for (; i < samples.size() && samples[i].t == t; ++i) {
      const OmSample& s = samples[i];
      absl::StatusOr<storage::SeriesRef> ref =
          refs[s.series] != 0 ? app->Append(refs[s.series], Labels(), s.t, s.v)
                              : app->Append(0, series[s.series], s.t, s.v);
      if (!ref.ok()) {
        std::fprintf(stderr, "append: %s\n", ref.status().ToString().c_str());
        return 1;
      }
      refs[s.series] = *ref;
    }
    absl::Status st = app->Commit();
    if (!st.ok()) {
      std::fprintf(stderr, "commit: %s\n", st.ToString().c_str());
      return 1;
    }
  }
  std::printf("ingested %zu samples of %zu series from %s\n", samples.size(),
              series.size(), path.c_str());
  return 0;
}

struct Tally {
  int64_t series = 0, samples = 0, bytes = 0, open_bytes = 0;
};

int Run(const std::string& dir) {
  HeadOptions options;
  options.dir = dir;
  options.clock = RealClock::Get();
  options.retention = absl::Hours(24 * 365 * 100);
  options.fsync_policy = FsyncPolicy::kInterval;
  absl::StatusOr<std::unique_ptr<Head>> head = Head::Open(options);
  if (!head.ok()) {
    std::fprintf(stderr, "%s\n", std::string(head.status().message()).c_str());
    return 1;
  }
  const int64_t file_bytes = DirBytes(dir + "/chunks");
  auto querier = (*head)->NewQuerier(kMinTimestamp, kMaxTimestamp);
  absl::StatusOr<Matcher> all =
      Matcher::Create(MatchType::kRegexMatch, "__name__", ".+");
  if (!querier.ok() || !all.ok()) return 1;
  auto set = (*querier)->Select(false, nullptr, {*all});
  std::map<std::string, Tally> by_class;
  Tally total;
  while (set->Next()) {
    const storage::Series& series = set->At();
    Tally& t = by_class[ClassOf(series.labels().Get("__name__"))];
    auto it = series.Iterator();
    XorChunk chunk;
    int64_t bytes = 0, samples = 0;
    while (it->Next()) {
      if (chunk.num_samples() == kSamplesPerChunk) {
        bytes += static_cast<int64_t>(chunk.bytes().size());
        chunk = XorChunk();
      }
      Sample s = it->At();
      chunk.Append(s.t, s.v);
      ++samples;
    }
    const int64_t open = static_cast<int64_t>(chunk.bytes().size());
    for (Tally* x : {&t, &total}) {
      x->series += 1;
      x->samples += samples;
      x->bytes += bytes + open;
      x->open_bytes += open;
    }
  }
  if (total.samples == 0) {
    std::printf("no samples in %s\n", dir.c_str());
    return 1;
  }
  std::printf("series %lld, samples %lld (%.0f per series)\n",
              static_cast<long long>(total.series),
              static_cast<long long>(total.samples),
              static_cast<double>(total.samples) / total.series);
  std::printf("disk: chunk files %lld B + open chunks %lld B = %.3f B/sample\n",
              static_cast<long long>(file_bytes),
              static_cast<long long>(total.open_bytes),
              static_cast<double>(file_bytes + total.open_bytes) /
                  static_cast<double>(total.samples));
  std::printf("codec: %.3f B/sample\n", static_cast<double>(total.bytes) /
                                            static_cast<double>(total.samples));
  for (const auto& [name, t] : by_class) {
    std::printf("  %-13s series %6lld samples %9lld codec %.3f B/sample\n",
                name.c_str(), static_cast<long long>(t.series),
                static_cast<long long>(t.samples),
                static_cast<double>(t.bytes) / static_cast<double>(t.samples));
  }
  return 0;
}

}  // namespace
}  // namespace fraisier::tsdb

int main(int argc, char** argv) {
  absl::string_view flag = argc == 3 ? argv[1] : "";
  if (!(argc == 2 ||
        (argc == 3 && absl::ConsumePrefix(&flag, "--openmetrics=")))) {
    std::fprintf(stderr,
                 "usage: tsdb_bytes_real [--openmetrics=FILE] STORAGE_DIR\n");
    return 2;
  }
  const std::string dir = argv[argc - 1];
  if (argc == 3) {
    const int rc = fraisier::tsdb::Ingest(std::string(flag), dir);
    if (rc != 0) return rc;
  }
  return fraisier::tsdb::Run(dir);
}
