#include "engine/ingest/write_request_reader.h"

#include <bit>
#include <cstring>

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

absl::Status ProtoError(absl::string_view what) {
  return absl::InvalidArgumentError(absl::StrCat("protobuf: ", what));
}

// One decoded field: the tag and, per wire type, its payload.
struct Field {
  uint32_t number = 0;
  int wire = 0;
  size_t tag_pos = 0;
  uint64_t value = 0;  // varint, fixed64 and fixed32 payloads
  size_t begin = 0;    // length-delimited payload [begin, end)
  size_t end = 0;
};

absl::Status ReadVarint(absl::string_view data, size_t* pos, size_t end,
                        uint64_t* out) {
  size_t p = *pos;
  // Most varints here (tags, lengths, small timestamps deltas) fit a byte.
  if (p < end && (static_cast<uint8_t>(data[p]) & 0x80) == 0) {
    *out = static_cast<uint8_t>(data[p]);
    *pos = p + 1;
    return absl::OkStatus();
  }
  uint64_t v = 0;
  for (int shift = 0; shift < 70; shift += 7) {
    if (p >= end) {
      return ProtoError(absl::StrCat("truncated varint at byte ", *pos));
    }
    const uint8_t b = static_cast<uint8_t>(data[p++]);
    v |= static_cast<uint64_t>(b & 0x7f) << shift;
    if ((b & 0x80) == 0) {
      *out = v;
      *pos = p;
      return absl::OkStatus();
    }
  }
  return ProtoError(absl::StrCat("varint longer than 10 bytes at byte ", *pos));
}

uint64_t ReadFixed(absl::string_view data, size_t pos, size_t bytes) {
  // memcpy of little-endian bytes: every platform we build for is
  // little-endian, as the wire format.
  uint64_t v = 0;
  std::memcpy(&v, data.data() + pos, bytes);
  return v;
}

// Reads the field at *pos (which must be < end) within the message that
// ends at `end`, consuming its payload; a group is skipped whole. An
// end-group tag is returned as a field of wire type kEndGroup for the
// caller to judge. `message` names the enclosing message for errors.
absl::Status ReadField(absl::string_view data, size_t* pos, size_t end,
                       absl::string_view message, int depth, Field* f) {
  f->tag_pos = *pos;
  uint64_t tag = 0;
  if (absl::Status s = ReadVarint(data, pos, end, &tag); !s.ok()) return s;
  const uint64_t number = tag >> 3;
  f->wire = static_cast<int>(tag & 7);
  if (number == 0 || number > kMaxFieldNumber) {
    return ProtoError(absl::StrCat("invalid field number ", number, " at byte ",
                                   f->tag_pos, " (in ", message, ")"));
  }
  f->number = static_cast<uint32_t>(number);
  switch (f->wire) {
    case kVarint:
      return ReadVarint(data, pos, end, &f->value);
    case kFixed64:
    case kFixed32: {
      const size_t bytes = f->wire == kFixed64 ? 8 : 4;
      if (end - *pos < bytes) {
        return ProtoError(absl::StrCat("truncated ", WireTypeName(f->wire),
                                       " field ", number, " at byte ",
                                       f->tag_pos, " (in ", message, ")"));
      }
      f->value = ReadFixed(data, *pos, bytes);
      *pos += bytes;
      return absl::OkStatus();
    }
    case kLengthDelimited: {
      uint64_t length = 0;
      if (absl::Status s = ReadVarint(data, pos, end, &length); !s.ok()) {
        return s;
      }
      if (length > end - *pos) {
        return ProtoError(absl::StrCat("field ", number, " length ", length,
                                       " overruns the message at byte ",
                                       f->tag_pos, " (in ", message, ", ",
                                       end - *pos, " bytes left)"));
      }
      f->begin = *pos;
      f->end = *pos + length;
      *pos = f->end;
      return absl::OkStatus();
    }
    case kStartGroup: {
      if (depth >= kMaxGroupDepth) {
        return ProtoError(absl::StrCat("groups nested too deeply at byte ",
                                       f->tag_pos, " (in ", message, ")"));
      }
      for (;;) {
        if (*pos >= end) {
          return ProtoError(absl::StrCat("group field ", number,
                                         " starting at byte ", f->tag_pos,
                                         " is not closed (in ", message, ")"));
        }
        Field inner;
        if (absl::Status s =
                ReadField(data, pos, end, message, depth + 1, &inner);
            !s.ok()) {
          return s;
        }
        if (inner.wire == kEndGroup) {
          if (inner.number != number) {
            return ProtoError(absl::StrCat("end-group for field ", inner.number,
                                           " at byte ", inner.tag_pos,
                                           " closes group field ", number,
                                           " (in ", message, ")"));
          }
          return absl::OkStatus();
        }
      }
    }
    case kEndGroup:
      return absl::OkStatus();
    default:
      return ProtoError(absl::StrCat("invalid wire type ", f->wire,
                                     " for field ", number, " at byte ",
                                     f->tag_pos, " (in ", message, ")"));
  }
}

absl::Status UnexpectedEndGroup(const Field& f, absl::string_view message) {
  return ProtoError(absl::StrCat("unexpected end-group for field ", f.number,
                                 " at byte ", f.tag_pos, " (in ", message,
                                 ")"));
}

absl::Status WrongWireType(const Field& f, absl::string_view field_name,
                           int want) {
  return ProtoError(absl::StrCat("field ", f.number, " (", field_name,
                                 ") has wire type ", f.wire, " (",
                                 WireTypeName(f.wire), "), want ", want, " (",
                                 WireTypeName(want), "), at byte ", f.tag_pos));
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
  while (pos_ < data_.size()) {
    Field f;
    absl::Status s =
        ReadField(data_, &pos_, data_.size(), "WriteRequest", 0, &f);
    if (s.ok() && f.wire == kEndGroup)
      s = UnexpectedEndGroup(f, "WriteRequest");
    if (s.ok()) {
      if (f.number == 1) {
        if (f.wire != kLengthDelimited) {
          s = WrongWireType(f, "WriteRequest.timeseries", kLengthDelimited);
        } else {
          s = ParseSeries(f.begin, f.end);
          if (s.ok()) {
            series_.index = next_index_++;
            series_.offset = f.tag_pos;
            return true;
          }
        }
      } else if (f.number == 3) {
        if (f.wire != kLengthDelimited) {
          s = WrongWireType(f, "WriteRequest.metadata", kLengthDelimited);
        } else {
          ++metadata_;
        }
      }
    }
    if (!s.ok()) {
      failed_ = s;
      return s;
    }
  }
  return false;
}

absl::Status WriteRequestReader::ParseSeries(size_t begin, size_t end) {
  labels_.clear();
  samples_.clear();
  series_.exemplars = 0;
  series_.histograms = 0;
  size_t p = begin;
  while (p < end) {
    Field f;
    if (absl::Status s = ReadField(data_, &p, end, "TimeSeries", 0, &f);
        !s.ok()) {
      return s;
    }
    if (f.wire == kEndGroup) return UnexpectedEndGroup(f, "TimeSeries");
    switch (f.number) {
      case 1: {
        if (f.wire != kLengthDelimited) {
          return WrongWireType(f, "TimeSeries.labels", kLengthDelimited);
        }
        Label label;
        if (absl::Status s = ParseLabel(f.begin, f.end, &label); !s.ok()) {
          return s;
        }
        labels_.push_back(label);
        break;
      }
      case 2: {
        if (f.wire != kLengthDelimited) {
          return WrongWireType(f, "TimeSeries.samples", kLengthDelimited);
        }
        Sample sample;
        if (absl::Status s = ParseSample(f.begin, f.end, &sample); !s.ok()) {
          return s;
        }
        samples_.push_back(sample);
        break;
      }
      case 3:
        if (f.wire != kLengthDelimited) {
          return WrongWireType(f, "TimeSeries.exemplars", kLengthDelimited);
        }
        ++series_.exemplars;
        break;
      case 4:
        if (f.wire != kLengthDelimited) {
          return WrongWireType(f, "TimeSeries.histograms", kLengthDelimited);
        }
        ++series_.histograms;
        break;
      default:
        break;  // unknown field, already skipped
    }
  }
  series_.labels = absl::MakeConstSpan(labels_);
  series_.samples = absl::MakeConstSpan(samples_);
  return absl::OkStatus();
}

absl::Status WriteRequestReader::ParseLabel(size_t begin, size_t end,
                                            Label* out) {
  size_t p = begin;
  while (p < end) {
    Field f;
    if (absl::Status s = ReadField(data_, &p, end, "Label", 0, &f); !s.ok()) {
      return s;
    }
    if (f.wire == kEndGroup) return UnexpectedEndGroup(f, "Label");
    if (f.number == 1 || f.number == 2) {
      if (f.wire != kLengthDelimited) {
        return WrongWireType(f, f.number == 1 ? "Label.name" : "Label.value",
                             kLengthDelimited);
      }
      // A repeated singular field: the last one wins, as in libprotobuf.
      const absl::string_view bytes = data_.substr(f.begin, f.end - f.begin);
      (f.number == 1 ? out->name : out->value) = bytes;
    }
  }
  return absl::OkStatus();
}

absl::Status WriteRequestReader::ParseSample(size_t begin, size_t end,
                                             Sample* out) {
  size_t p = begin;
  while (p < end) {
    Field f;
    if (absl::Status s = ReadField(data_, &p, end, "Sample", 0, &f); !s.ok()) {
      return s;
    }
    if (f.wire == kEndGroup) return UnexpectedEndGroup(f, "Sample");
    if (f.number == 1) {
      if (f.wire != kFixed64) {
        return WrongWireType(f, "Sample.value", kFixed64);
      }
      out->v = std::bit_cast<double>(f.value);
    } else if (f.number == 2) {
      if (f.wire != kVarint) {
        return WrongWireType(f, "Sample.timestamp", kVarint);
      }
      // int64 on the wire: two's complement in 64 bits.
      out->t = static_cast<int64_t>(f.value);
    }
  }
  return absl::OkStatus();
}

}  // namespace fraisier::ingest
