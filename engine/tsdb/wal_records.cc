#include "engine/tsdb/wal_records.h"

#include <bit>
#include <utility>

#include "absl/strings/str_cat.h"
#include "engine/tsdb/wal_coding.h"

namespace fraisier::tsdb {

using wal_internal::Decoder;
using wal_internal::EncodeUvarint;
using wal_internal::PutUvarint;
using wal_internal::StoreFixed64;
using wal_internal::UnZigZag;
using wal_internal::ZigZag;

namespace {

// The smallest encodings of one entry; a record's entry count is checked
// against them before anything is reserved, so a corrupt count cannot make
// the decoder allocate more than the record's size justifies.
constexpr size_t kMinSeriesEntryBytes = 2;   // ref delta + label count
constexpr size_t kMinLabelBytes = 4;         // two lengths + 1-byte strings
constexpr size_t kMinSampleEntryBytes = 10;  // ref delta + t delta + value

absl::Status Corrupt(absl::string_view what, size_t offset,
                     absl::string_view detail) {
  return absl::DataLossError(
      absl::StrCat("wal ", what, " record at byte ", offset, ": ", detail));
}

// Reads the type byte and the entry count shared by every record type.
absl::Status ReadHeader(Decoder& d, RecordType want, absl::string_view what,
                        size_t min_entry_bytes, uint64_t* count) {
  uint8_t type = 0;
  if (!d.ReadByte(&type)) return Corrupt(what, 0, "empty record");
  if (type != static_cast<uint8_t>(want)) {
    return Corrupt(
        what, 0,
        absl::StrCat("type byte is ", type, ", want ", static_cast<int>(want)));
  }
  if (!d.ReadUvarint(count)) {
    return Corrupt(what, d.offset(), "truncated or overlong entry count");
  }
  if (*count > d.remaining() / min_entry_bytes) {
    return Corrupt(what, d.offset(),
                   absl::StrCat("entry count ", *count, " cannot fit in the ",
                                d.remaining(), " bytes left"));
  }
  return absl::OkStatus();
}

}  // namespace

bool operator==(const RefSample& a, const RefSample& b) {
  return a.ref == b.ref && a.t == b.t &&
         std::bit_cast<uint64_t>(a.v) == std::bit_cast<uint64_t>(b.v);
}

RecordType GetRecordType(absl::string_view record) {
  if (record.empty()) return RecordType::kUnknown;
  switch (static_cast<uint8_t>(record[0])) {
    case static_cast<uint8_t>(RecordType::kSeries):
      return RecordType::kSeries;
    case static_cast<uint8_t>(RecordType::kSamples):
      return RecordType::kSamples;
    default:
      return RecordType::kUnknown;
  }
}

void EncodeSeries(absl::Span<const RefSeries> series, std::string* out) {
  out->clear();
  out->push_back(static_cast<char>(RecordType::kSeries));
  PutUvarint(out, series.size());
  uint64_t prev_ref = 0;
  for (const RefSeries& s : series) {
    // Unsigned subtraction wraps; decoding adds it back with the same wrap.
    PutUvarint(out, ZigZag(s.ref - prev_ref));
    prev_ref = s.ref;
    PutUvarint(out, s.labels.size());
    for (const Label& l : s.labels) {
      PutUvarint(out, l.name.size());
      out->append(l.name.data(), l.name.size());
      PutUvarint(out, l.value.size());
      out->append(l.value.data(), l.value.size());
    }
  }
}

void EncodeSamples(absl::Span<const RefSample> samples, std::string* out) {
  // The hot path of every commit: write through a pointer into a buffer
  // sized for the worst case, then trim, rather than appending byte by byte.
  constexpr size_t kMaxHeader = 1 + 10;
  constexpr size_t kMaxEntry = 10 + 10 + 8;
  out->resize(kMaxHeader + samples.size() * kMaxEntry);
  char* const begin = out->data();
  char* p = begin;
  *p++ = static_cast<char>(RecordType::kSamples);
  p = EncodeUvarint(p, samples.size());
  uint64_t prev_ref = 0;
  uint64_t prev_t = 0;
  for (const RefSample& s : samples) {
    const uint64_t t = static_cast<uint64_t>(s.t);
    p = EncodeUvarint(p, ZigZag(s.ref - prev_ref));
    p = EncodeUvarint(p, ZigZag(t - prev_t));
    StoreFixed64(p, std::bit_cast<uint64_t>(s.v));
    p += 8;
    prev_ref = s.ref;
    prev_t = t;
  }
  out->resize(static_cast<size_t>(p - begin));
}

absl::Status DecodeSeries(absl::string_view record,
                          std::vector<RefSeries>* out) {
  out->clear();
  constexpr absl::string_view kWhat = "series";
  Decoder d(record);
  uint64_t count = 0;
  absl::Status status =
      ReadHeader(d, RecordType::kSeries, kWhat, kMinSeriesEntryBytes, &count);
  if (!status.ok()) return status;
  out->reserve(count);
  uint64_t ref = 0;
  std::vector<LabelPair> pairs;
  for (uint64_t i = 0; i < count; ++i) {
    const auto fail = [&](absl::string_view detail) {
      out->clear();
      return Corrupt(
          kWhat, d.offset(),
          absl::StrCat("series ", i + 1, " of ", count, ": ", detail));
    };
    uint64_t delta = 0;
    if (!d.ReadUvarint(&delta)) return fail("truncated ref");
    ref += UnZigZag(delta);
    uint64_t num_labels = 0;
    if (!d.ReadUvarint(&num_labels)) return fail("truncated label count");
    if (num_labels > d.remaining() / kMinLabelBytes) {
      return fail(absl::StrCat("label count ", num_labels,
                               " cannot fit in the bytes left"));
    }
    pairs.clear();
    for (uint64_t j = 0; j < num_labels; ++j) {
      absl::string_view name;
      absl::string_view value;
      if (!d.ReadLengthPrefixed(&name)) {
        return fail(absl::StrCat("label ", j + 1, ": truncated name"));
      }
      if (!d.ReadLengthPrefixed(&value)) {
        return fail(absl::StrCat("label ", j + 1, ": truncated value"));
      }
      if (name.empty())
        return fail(absl::StrCat("label ", j + 1, ": empty name"));
      if (value.empty()) {
        return fail(absl::StrCat("label ", j + 1, ": empty value"));
      }
      // Labels::FromPairs would quietly sort and deduplicate; a record that
      // needs it was not written by EncodeSeries, so it is reported instead.
      if (!pairs.empty() && pairs.back().first >= name) {
        return fail(
            absl::StrCat("label ", j + 1, ": names not sorted or not unique"));
      }
      pairs.emplace_back(name, value);
    }
    out->push_back(
        RefSeries{ref, Labels::FromPairs(absl::MakeConstSpan(pairs))});
  }
  if (!d.done()) {
    const size_t extra = d.remaining();
    out->clear();
    return Corrupt(
        kWhat, d.offset(),
        absl::StrCat(extra, " trailing bytes after ", count, " series"));
  }
  return absl::OkStatus();
}

absl::Status DecodeSamples(absl::string_view record,
                           std::vector<RefSample>* out) {
  out->clear();
  constexpr absl::string_view kWhat = "samples";
  Decoder d(record);
  uint64_t count = 0;
  absl::Status status =
      ReadHeader(d, RecordType::kSamples, kWhat, kMinSampleEntryBytes, &count);
  if (!status.ok()) return status;
  // Sized up front (the count is bounded by the record size above) and
  // filled in place: cheaper than push_back in this per-sample loop.
  out->resize(count);
  uint64_t ref = 0;
  uint64_t t = 0;
  for (uint64_t i = 0; i < count; ++i) {
    const auto fail = [&](absl::string_view detail) {
      out->clear();
      return Corrupt(
          kWhat, d.offset(),
          absl::StrCat("sample ", i + 1, " of ", count, ": ", detail));
    };
    uint64_t ref_delta = 0;
    uint64_t t_delta = 0;
    uint64_t bits = 0;
    if (!d.ReadUvarint(&ref_delta)) return fail("truncated ref delta");
    if (!d.ReadUvarint(&t_delta)) return fail("truncated timestamp delta");
    if (!d.ReadFixed64(&bits)) return fail("truncated value");
    ref += UnZigZag(ref_delta);
    t += UnZigZag(t_delta);
    (*out)[i] =
        RefSample{ref, static_cast<Timestamp>(t), std::bit_cast<double>(bits)};
  }
  if (!d.done()) {
    const size_t extra = d.remaining();
    out->clear();
    return Corrupt(
        kWhat, d.offset(),
        absl::StrCat(extra, " trailing bytes after ", count, " samples"));
  }
  return absl::OkStatus();
}

}  // namespace fraisier::tsdb
