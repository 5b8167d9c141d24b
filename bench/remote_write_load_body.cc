#include "bench/remote_write_load_body.h"

#include <cstdio>
#include <cstdlib>
#include <cstring>

#include "absl/strings/str_cat.h"
#include "bench/data/node_series.h"
#include "proto/remote.pb.h"
#include "proto/types.pb.h"
#include "snappy.h"

namespace fraisier::bench::load {

void EncodeTimestamp(int64_t t_ms, char out[kTimestampBytes]) {
  uint64_t v = static_cast<uint64_t>(t_ms);
  for (int i = 0; i < kTimestampBytes; ++i) {
    out[i] =
        static_cast<char>((v & 0x7f) | (i + 1 < kTimestampBytes ? 0x80 : 0));
    v >>= 7;
  }
}

void AppendVarint(uint64_t v, std::string* out) {
  while (v >= 0x80) {
    out->push_back(static_cast<char>(v | 0x80));
    v >>= 7;
  }
  out->push_back(static_cast<char>(v));
}

// The serialized TimeSeries of series `index` with a placeholder sample;
// the sample is its last kSampleBytes bytes.
std::string SerializeSeries(int64_t index) {
  std::vector<std::pair<std::string, std::string>> pairs;
  NodeSeriesLabels(index, &pairs);
  for (auto& [name, value] : pairs) {
    if (name == "name" || name == "__name__") name = "__name__";
  }
  std::sort(pairs.begin(), pairs.end());
  prometheus::TimeSeries ts;
  for (const auto& [name, value] : pairs) {
    prometheus::Label* label = ts.add_labels();
    label->set_name(name);
    label->set_value(value);
  }
  prometheus::Sample* sample = ts.add_samples();
  sample->set_value(1.0);
  sample->set_timestamp(kMinTimestampMs);
  std::string out = ts.SerializeAsString();
  const size_t s = out.size() - kSampleBytes;
  if (out.size() < kSampleBytes || out[s] != 0x12 || out[s + 1] != 0x10 ||
      out[s + 2] != 0x09 || out[s + 11] != 0x10) {
    std::fprintf(stderr, "unexpected TimeSeries encoding for series %lld\n",
                 static_cast<long long>(index));
    std::exit(1);
  }
  return out;
}

// Snappy block format writer (format_description.txt in the snappy
// sources): a varint of the uncompressed length, then literals and copies.
class SnappyWriter {
 public:
  explicit SnappyWriter(size_t uncompressed_size) {
    AppendVarint(uncompressed_size, &out_);
  }

  // Appends a literal; returns the offset of its first byte in the output.
  size_t Literal(absl::string_view bytes) {
    const size_t n = bytes.size() - 1;
    if (n < 60) {
      out_.push_back(static_cast<char>(n << 2));
    } else {
      int len_bytes = 1;
      while (len_bytes < 4 && (n >> (8 * len_bytes)) != 0) ++len_bytes;
      out_.push_back(static_cast<char>((59 + len_bytes) << 2));
      for (int i = 0; i < len_bytes; ++i) {
        out_.push_back(static_cast<char>(n >> (8 * i)));
      }
    }
    const size_t at = out_.size();
    out_.append(bytes.data(), bytes.size());
    return at;
  }

  void Copy(size_t offset, size_t length) {
    while (length > 0) {
      // Pieces of at most 64; never leave a piece shorter than 4 when a
      // 1-byte-offset copy could take it (any length works for the others).
      size_t n = std::min<size_t>(length, 64);
      if (length > 64 && length - 64 < 4) n = 60;
      if (n >= 4 && n <= 11 && offset < 2048) {
        out_.push_back(
            static_cast<char>(1 | ((n - 4) << 2) | ((offset >> 8) << 5)));
        out_.push_back(static_cast<char>(offset & 0xff));
      } else if (offset < 65536) {
        out_.push_back(static_cast<char>(2 | ((n - 1) << 2)));
        out_.push_back(static_cast<char>(offset & 0xff));
        out_.push_back(static_cast<char>(offset >> 8));
      } else {
        out_.push_back(static_cast<char>(3 | ((n - 1) << 2)));
        for (int i = 0; i < 4; ++i) {
          out_.push_back(static_cast<char>(offset >> (8 * i)));
        }
      }
      length -= n;
    }
  }

  std::string Take() { return std::move(out_); }

 private:
  std::string out_;
};

// Compresses `raw` into the snappy block format. Bytes in
// [sample_start[k], sample_start[k] + kSampleBytes) never take part in a
// copy, so they are literals in the output, at `patch[k]` (offset of the
// sample's first byte in the compressed block). The other bytes are
// matched greedily against earlier bytes outside samples.
std::string CompressWithLiteralSamples(const std::string& raw,
                                       const std::vector<size_t>& sample_start,
                                       std::vector<size_t>* patch) {
  const size_t n = raw.size();
  // run_end[i]: end of the run of constant bytes holding i (0 in samples).
  std::vector<uint32_t> run_end(n, 0);
  {
    size_t next_sample = 0;
    size_t i = 0;
    while (i < n) {
      const size_t sample_at =
          next_sample < sample_start.size() ? sample_start[next_sample] : n;
      for (size_t j = i; j < sample_at; ++j) {
        run_end[j] = static_cast<uint32_t>(sample_at);
      }
      if (sample_at == n) break;
      i = sample_at + kSampleBytes;
      ++next_sample;
    }
  }
  constexpr int kHashBits = 16;
  std::vector<int64_t> table(size_t{1} << kHashBits, -1);
  auto hash = [&](size_t i) {
    uint32_t v;
    std::memcpy(&v, raw.data() + i, 4);
    return (v * 0x1e35a7bdu) >> (32 - kHashBits);
  };

  SnappyWriter writer(n);
  patch->clear();
  size_t next_patch = 0;
  auto emit_literal = [&](size_t from, size_t to) {
    if (from == to) return;
    const size_t at =
        writer.Literal(absl::string_view(raw).substr(from, to - from));
    while (next_patch < sample_start.size() && sample_start[next_patch] < to) {
      if (sample_start[next_patch] >= from) {
        patch->push_back(at + (sample_start[next_patch] - from));
      }
      ++next_patch;
    }
  };

  size_t literal_from = 0;
  size_t i = 0;
  while (i < n) {
    if (run_end[i] < i + 4) {  // in a sample, or too close to one
      ++i;
      continue;
    }
    const uint32_t h = hash(i);
    const int64_t candidate = table[h];
    table[h] = static_cast<int64_t>(i);
    if (candidate < 0 || i - candidate > 0xffffffffu ||
        run_end[candidate] < candidate + 4 ||
        std::memcmp(raw.data() + candidate, raw.data() + i, 4) != 0) {
      ++i;
      continue;
    }
    size_t length = 4;
    const size_t c = static_cast<size_t>(candidate);
    while (i + length < run_end[i] && c + length < run_end[c] &&
           raw[c + length] == raw[i + length]) {
      ++length;
    }
    emit_literal(literal_from, i);
    writer.Copy(i - c, length);
    for (size_t k = i + 1; k + 4 <= i + length; ++k) table[hash(k)] = k;
    i += length;
    literal_from = i;
  }
  emit_literal(literal_from, n);
  if (patch->size() != sample_start.size()) {
    std::fprintf(stderr, "internal error: %zu of %zu samples placed\n",
                 patch->size(), sample_start.size());
    std::exit(1);
  }
  return writer.Take();
}

void BuildRequest(bool keep_raw, Request* r) {
  std::vector<std::string> series(r->num_series);
  size_t raw_size = 0;
  for (int64_t k = 0; k < r->num_series; ++k) {
    series[k] = SerializeSeries(r->first_series + k);
    raw_size += series[k].size() + 6;
  }
  r->raw.reserve(raw_size);
  for (const std::string& ts : series) {
    r->raw.push_back(0x0a);  // WriteRequest.timeseries, length-delimited
    AppendVarint(ts.size(), &r->raw);
    r->raw += ts;
    r->raw_samples.push_back(r->raw.size() - kSampleBytes);
  }
  r->body =
      CompressWithLiteralSamples(r->raw, r->raw_samples, &r->body_samples);
  if (!keep_raw) {
    r->raw.clear();
    r->raw.shrink_to_fit();
  }
}

std::string RequestHead(absl::string_view path, absl::string_view host,
                        int port, size_t body_size) {
  return absl::StrCat("POST ", path, " HTTP/1.1\r\nHost: ", host, ":", port,
                      "\r\nUser-Agent: fraisier-remote-write-load\r\n"
                      "Content-Encoding: snappy\r\n"
                      "Content-Type: application/x-protobuf\r\n"
                      "X-Prometheus-Remote-Write-Version: 0.1.0\r\n"
                      "Content-Length: ",
                      body_size, "\r\n\r\n");
}

// Decodes a body and checks every series' labels and sample.
void VerifyBody(const Request& r, const std::string& body,
                const std::vector<double>& values, int64_t t_ms) {
  std::string raw;
  prometheus::WriteRequest request;
  if (!snappy::Uncompress(body.data(), body.size(), &raw) ||
      !request.ParseFromString(raw) ||
      request.timeseries_size() != r.num_series) {
    std::fprintf(stderr, "self-check: body of series %lld.. does not decode\n",
                 static_cast<long long>(r.first_series));
    std::exit(1);
  }
  for (int64_t k = 0; k < r.num_series; ++k) {
    const prometheus::TimeSeries& ts = request.timeseries(k);
    std::string expected = SerializeSeries(r.first_series + k);
    prometheus::TimeSeries want;
    want.ParseFromString(expected);
    const double value = ts.samples_size() == 1 ? ts.samples(0).value() : 0;
    bool ok = ts.labels_size() == want.labels_size() &&
              ts.samples_size() == 1 && ts.samples(0).timestamp() == t_ms &&
              std::memcmp(&values[k], &value, 8) == 0;
    for (int j = 0; ok && j < ts.labels_size(); ++j) {
      ok = ts.labels(j).name() == want.labels(j).name() &&
           ts.labels(j).value() == want.labels(j).value();
    }
    if (!ok) {
      std::fprintf(stderr, "self-check: series %lld decodes wrong\n",
                   static_cast<long long>(r.first_series + k));
      std::exit(1);
    }
  }
}

}  // namespace fraisier::bench::load
