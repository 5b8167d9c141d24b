#include "engine/ingest/write_request_reader.h"

#include <algorithm>
#include <bit>
#include <cstring>

#include "absl/base/attributes.h"
#include "absl/base/optimization.h"
#include "absl/strings/str_cat.h"

namespace fraisier::ingest {
namespace {

enum WireType : int {
  kVarint = 0,
  kFixed64 = 1,
  kLengthDelimited = 2,
  kStartGroup = 3,
  kEndGroup = 4,
  kFixed32 = 5,
};

// Deeper nesting of (deprecated) groups than any real sender produces; the
// bound keeps a hostile body from recursing without limit.
constexpr int kMaxGroupDepth = 64;
constexpr uint64_t kMaxFieldNumber = (uint64_t{1} << 29) - 1;

absl::string_view WireTypeName(int wire) {
  switch (wire) {
    case kVarint:
      return "varint";
    case kFixed64:
      return "fixed64";
    case kLengthDelimited:
      return "length-delimited";
    case kStartGroup:
      return "start-group";
    case kEndGroup:
      return "end-group";
    case kFixed32:
      return "fixed32";
  }
  return "invalid";
}

// One decoded field: the tag and, per wire type, its payload.
struct Field {
  uint32_t number = 0;
  int wire = 0;
  const char* tag = nullptr;
  uint64_t value = 0;           // varint, fixed64 and fixed32 payloads
  const char* begin = nullptr;  // length-delimited payload [begin, end)
  const char* end = nullptr;
};

// The byte-level decoder. The hot path returns bools and only a failure
// builds an absl::Status (once, in `error`): a Status per field would cost
// more than the decoding itself.
// Thread-safety: a short-lived helper of one reader call; not shared.
// Invariant: every pointer it is given lies in [base, base + request size].
class Decoder {
 public:
  Decoder(const char* base, absl::Status* error) : base_(base), error_(error) {}

  // Reads a varint at *p (< end); advances.
  ABSL_ATTRIBUTE_ALWAYS_INLINE bool Varint(const char** p, const char* end,
                                           uint64_t* out) {
    // Tags and most lengths fit one byte.
    if (ABSL_PREDICT_TRUE(*p < end && static_cast<uint8_t>(**p) < 0x80)) {
      *out = static_cast<uint8_t>(**p);
      ++*p;
      return true;
    }
    return VarintSlow(p, end, out);
  }

  // Reads the field at *p (which must be < end) within the message that
  // ends at `end`, consuming its payload; a group is skipped whole. An
  // end-group tag is returned as a field of wire type kEndGroup for the
  // caller to judge. `message` names the enclosing message for errors.
  ABSL_ATTRIBUTE_ALWAYS_INLINE bool ReadField(const char** p, const char* end,
                                              const char* message, Field* f) {
    f->tag = *p;
    uint64_t tag = 0;
    if (!Varint(p, end, &tag)) return false;
    const uint64_t number = tag >> 3;
    f->wire = static_cast<int>(tag & 7);
    if (ABSL_PREDICT_FALSE(number == 0 || number > kMaxFieldNumber)) {
      return Fail(absl::StrCat("invalid field number ", number, " at byte ",
                               Offset(f->tag), " (in ", message, ")"));
    }
    f->number = static_cast<uint32_t>(number);
    if (ABSL_PREDICT_TRUE(f->wire == kLengthDelimited)) {
      uint64_t length = 0;
      if (!Varint(p, end, &length)) return false;
      if (ABSL_PREDICT_FALSE(length > static_cast<uint64_t>(end - *p))) {
        return Fail(absl::StrCat("field ", number, " length ", length,
                                 " overruns the message at byte ",
                                 Offset(f->tag), " (in ", message, ", ",
                                 end - *p, " bytes left)"));
      }
      f->begin = *p;
      f->end = *p + length;
      *p = f->end;
      return true;
    }
    return ReadOtherPayload(p, end, message, 0, f);
  }

  // `f` has the wrong wire type for `field_name`.
  bool WrongWireType(const Field& f, absl::string_view field_name, int want) {
    return Fail(absl::StrCat("field ", f.number, " (", field_name,
                             ") has wire type ", f.wire, " (",
                             WireTypeName(f.wire), "), want ", want, " (",
                             WireTypeName(want), "), at byte ", Offset(f.tag)));
  }

  bool UnexpectedEndGroup(const Field& f, absl::string_view message) {
    return Fail(absl::StrCat("unexpected end-group for field ", f.number,
                             " at byte ", Offset(f.tag), " (in ", message,
                             ")"));
  }

 private:
  size_t Offset(const char* p) const { return static_cast<size_t>(p - base_); }

  ABSL_ATTRIBUTE_NOINLINE bool Fail(absl::string_view what) {
    *error_ = absl::InvalidArgumentError(absl::StrCat("protobuf: ", what));
    return false;
  }

  ABSL_ATTRIBUTE_NOINLINE bool VarintSlow(const char** p, const char* end,
                                          uint64_t* out) {
    const char* q = *p;
    uint64_t v = 0;
    for (int shift = 0; shift < 70; shift += 7) {
      if (q >= end) {
        return Fail(absl::StrCat("truncated varint at byte ", Offset(*p)));
      }
      const uint8_t b = static_cast<uint8_t>(*q++);
      v |= static_cast<uint64_t>(b & 0x7f) << shift;
      if ((b & 0x80) == 0) {
        *out = v;
        *p = q;
        return true;
      }
    }
    return Fail(
        absl::StrCat("varint longer than 10 bytes at byte ", Offset(*p)));
  }

  // Every wire type but length-delimited (the common one, inline above).
  bool ReadOtherPayload(const char** p, const char* end, const char* message,
                        int depth, Field* f) {
    switch (f->wire) {
      case kVarint:
        return Varint(p, end, &f->value);
      case kFixed64:
      case kFixed32: {
        const size_t bytes = f->wire == kFixed64 ? 8 : 4;
        if (static_cast<size_t>(end - *p) < bytes) {
          return Fail(absl::StrCat("truncated ", WireTypeName(f->wire),
                                   " field ", f->number, " at byte ",
                                   Offset(f->tag), " (in ", message, ")"));
        }
        // Little-endian on the wire and on every platform we build for.
        f->value = 0;
        std::memcpy(&f->value, *p, bytes);
        *p += bytes;
        return true;
      }
      case kStartGroup:
        return SkipGroup(p, end, message, depth, *f);
      case kEndGroup:
        return true;
      default:
        return Fail(absl::StrCat("invalid wire type ", f->wire, " for field ",
                                 f->number, " at byte ", Offset(f->tag),
                                 " (in ", message, ")"));
    }
  }

  bool SkipGroup(const char** p, const char* end, const char* message,
                 int depth, const Field& group) {
    if (depth >= kMaxGroupDepth) {
      return Fail(absl::StrCat("groups nested too deeply at byte ",
                               Offset(group.tag), " (in ", message, ")"));
    }
    for (;;) {
      if (*p >= end) {
        return Fail(absl::StrCat("group field ", group.number,
                                 " starting at byte ", Offset(group.tag),
                                 " is not closed (in ", message, ")"));
      }
      Field inner;
      inner.tag = *p;
      uint64_t tag = 0;
      if (!Varint(p, end, &tag)) return false;
      inner.number = static_cast<uint32_t>(
          std::min<uint64_t>(tag >> 3, kMaxFieldNumber + 1));
      inner.wire = static_cast<int>(tag & 7);
      if (inner.number == 0 || inner.number > kMaxFieldNumber) {
        return Fail(absl::StrCat("invalid field number ", tag >> 3, " at byte ",
                                 Offset(inner.tag), " (in ", message, ")"));
      }
      if (inner.wire == kEndGroup) {
        if (inner.number != group.number) {
          return Fail(absl::StrCat("end-group for field ", inner.number,
                                   " at byte ", Offset(inner.tag),
                                   " closes group field ", group.number,
                                   " (in ", message, ")"));
        }
        return true;
      }
      if (inner.wire == kLengthDelimited) {
        uint64_t length = 0;
        if (!Varint(p, end, &length)) return false;
        if (length > static_cast<uint64_t>(end - *p)) {
          return Fail(absl::StrCat("field ", inner.number, " length ", length,
                                   " overruns the message at byte ",
                                   Offset(inner.tag), " (in ", message, ", ",
                                   end - *p, " bytes left)"));
        }
        *p += length;
      } else if (!ReadOtherPayload(p, end, message, depth + 1, &inner)) {
        return false;
      }
    }
  }

  const char* base_;
  absl::Status* error_;
};

// The encoding every sender produces for a label shorter than 128 bytes
// per string: 0x0A len name 0x12 len value, nothing else. Recognised
// directly, it skips the generic field loop; anything else (long strings,
// other field orders, unknown fields) takes the general path.
ABSL_ATTRIBUTE_ALWAYS_INLINE inline bool ParseCanonicalLabel(const char* p,
                                                             const char* end,
                                                             Label* out) {
  if (end - p < 4 || p[0] != '\x0a') return false;
  const uint8_t name_len = static_cast<uint8_t>(p[1]);
  if (name_len >= 0x80 || end - p < 4 + name_len) return false;
  const char* v = p + 2 + name_len;
  const uint8_t value_len = static_cast<uint8_t>(v[1]);
  if (v[0] != '\x12' || value_len >= 0x80 || end - v != 2 + value_len) {
    return false;
  }
  out->name = absl::string_view(p + 2, name_len);
  out->value = absl::string_view(v + 2, value_len);
  return true;
}

}  // namespace

void WriteRequestReader::Reset(absl::string_view request) {
  data_ = request;
  pos_ = 0;
  next_index_ = 0;
  metadata_ = 0;
  failed_ = absl::OkStatus();
  series_ = TimeSeriesView();
  labels_.clear();
  samples_.clear();
}

absl::StatusOr<bool> WriteRequestReader::Next() {
  if (!failed_.ok()) return failed_;
  Decoder d(data_.data(), &failed_);
  const char* p = data_.data() + pos_;
  const char* const end = data_.data() + data_.size();
  while (p < end) {
    Field f;
    bool ok = d.ReadField(&p, end, "WriteRequest", &f);
    if (ok && f.wire == kEndGroup) ok = d.UnexpectedEndGroup(f, "WriteRequest");
    if (ok && f.number == 1) {
      if (f.wire != kLengthDelimited) {
        ok = d.WrongWireType(f, "WriteRequest.timeseries", kLengthDelimited);
      } else if (ParseSeries(f.begin, f.end)) {
        pos_ = static_cast<size_t>(p - data_.data());
        series_.index = next_index_++;
        series_.offset = static_cast<size_t>(f.tag - data_.data());
        return true;
      } else {
        ok = false;
      }
    } else if (ok && f.number == 3) {
      if (f.wire != kLengthDelimited) {
        ok = d.WrongWireType(f, "WriteRequest.metadata", kLengthDelimited);
      } else {
        ++metadata_;
      }
    }
    if (!ok) return failed_;
  }
  pos_ = data_.size();
  return false;
}

bool WriteRequestReader::ParseSeries(const char* p, const char* end) {
  Decoder d(data_.data(), &failed_);
  labels_.clear();
  samples_.clear();
  series_.exemplars = 0;
  series_.histograms = 0;
  while (p < end) {
    Field f;
    if (!d.ReadField(&p, end, "TimeSeries", &f)) return false;
    if (f.wire == kEndGroup) return d.UnexpectedEndGroup(f, "TimeSeries");
    switch (f.number) {
      case 1: {
        if (f.wire != kLengthDelimited) {
          return d.WrongWireType(f, "TimeSeries.labels", kLengthDelimited);
        }
        // Label { name = 1; value = 2; }: a repeated singular field keeps
        // the last value, as libprotobuf does.
        // Filled in place: building a Label on the stack and copying it in
        // stalls on store forwarding.
        Label& label = labels_.emplace_back();
        if (ParseCanonicalLabel(f.begin, f.end, &label)) break;
        const char* q = f.begin;
        while (q < f.end) {
          Field lf;
          if (!d.ReadField(&q, f.end, "Label", &lf)) return false;
          if (lf.wire == kEndGroup) return d.UnexpectedEndGroup(lf, "Label");
          if (lf.number == 1 || lf.number == 2) {
            if (lf.wire != kLengthDelimited) {
              return d.WrongWireType(
                  lf, lf.number == 1 ? "Label.name" : "Label.value",
                  kLengthDelimited);
            }
            (lf.number == 1 ? label.name : label.value) = absl::string_view(
                lf.begin, static_cast<size_t>(lf.end - lf.begin));
          }
        }
        break;
      }
      case 2: {
        if (f.wire != kLengthDelimited) {
          return d.WrongWireType(f, "TimeSeries.samples", kLengthDelimited);
        }
        // Sample { double value = 1; int64 timestamp = 2; }
        Sample& sample = samples_.emplace_back();
        const char* q = f.begin;
        while (q < f.end) {
          Field sf;
          if (!d.ReadField(&q, f.end, "Sample", &sf)) return false;
          if (sf.wire == kEndGroup) return d.UnexpectedEndGroup(sf, "Sample");
          if (sf.number == 1) {
            if (sf.wire != kFixed64) {
              return d.WrongWireType(sf, "Sample.value", kFixed64);
            }
            sample.v = std::bit_cast<double>(sf.value);
          } else if (sf.number == 2) {
            if (sf.wire != kVarint) {
              return d.WrongWireType(sf, "Sample.timestamp", kVarint);
            }
            // int64 on the wire: two's complement in 64 bits.
            sample.t = static_cast<int64_t>(sf.value);
          }
        }
        break;
      }
      case 3:
        if (f.wire != kLengthDelimited) {
          return d.WrongWireType(f, "TimeSeries.exemplars", kLengthDelimited);
        }
        ++series_.exemplars;
        break;
      case 4:
        if (f.wire != kLengthDelimited) {
          return d.WrongWireType(f, "TimeSeries.histograms", kLengthDelimited);
        }
        ++series_.histograms;
        break;
      default:
        break;  // unknown field, already skipped
    }
  }
  series_.labels = absl::MakeConstSpan(labels_);
  series_.samples = absl::MakeConstSpan(samples_);
  return true;
}

}  // namespace fraisier::ingest
