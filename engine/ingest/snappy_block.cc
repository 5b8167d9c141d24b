#include "engine/ingest/snappy_block.h"

#include <cstdint>

#include "absl/status/status.h"
#include "absl/strings/str_cat.h"
#include "snappy.h"

namespace fraisier::ingest {
namespace {

// The stream identifier chunk every framed-format stream starts with.
constexpr absl::string_view kFramedMagic("\xff\x06\x00\x00sNaPpY", 10);

absl::Status SnappyError(absl::string_view what) {
  return absl::InvalidArgumentError(absl::StrCat("snappy: ", what));
}

// Reads the varint length header; returns its size in bytes, 0 if invalid.
size_t ReadLengthHeader(absl::string_view in, uint64_t* length) {
  uint64_t v = 0;
  for (size_t i = 0; i < in.size() && i < 5; ++i) {
    const uint8_t b = static_cast<uint8_t>(in[i]);
    v |= static_cast<uint64_t>(b & 0x7f) << (7 * i);
    if ((b & 0x80) == 0) {
      *length = v;
      return i + 1;
    }
  }
  return 0;
}

uint32_t ReadLittleEndian(absl::string_view in, size_t pos, size_t bytes) {
  uint32_t v = 0;
  for (size_t i = 0; i < bytes; ++i) {
    v |= static_cast<uint32_t>(static_cast<uint8_t>(in[pos + i])) << (8 * i);
  }
  return v;
}

// libsnappy only says "failed". To tell the sender what is wrong, walk the
// block's elements (literals and back-references) without producing output
// and report the first problem. Runs only on the error path.
absl::Status Diagnose(absl::string_view in, size_t header_bytes,
                      uint64_t declared) {
  size_t pos = header_bytes;
  uint64_t produced = 0;
  while (pos < in.size()) {
    const size_t start = pos;
    const uint8_t tag = static_cast<uint8_t>(in[pos++]);
    uint64_t length = 0;
    uint64_t offset = 0;
    size_t extra = 0;
    switch (tag & 3) {
      case 0: {  // literal: length in the tag or in 1-4 following bytes
        length = tag >> 2;
        if (length >= 60) {
          extra = length - 59;
          if (pos + extra > in.size()) break;
          length = ReadLittleEndian(in, pos, extra);
          pos += extra;
          extra = 0;
        }
        length += 1;
        extra = length;  // the literal's bytes
        break;
      }
      case 1:  // copy with a 1-byte offset
        extra = 1;
        length = 4 + ((tag >> 2) & 7);
        if (pos + 1 <= in.size()) {
          offset = (static_cast<uint64_t>(tag >> 5) << 8) |
                   static_cast<uint8_t>(in[pos]);
        }
        break;
      case 2:  // copy with a 2-byte offset
        extra = 2;
        length = (tag >> 2) + 1;
        if (pos + 2 <= in.size()) offset = ReadLittleEndian(in, pos, 2);
        break;
      default:  // copy with a 4-byte offset
        extra = 4;
        length = (tag >> 2) + 1;
        if (pos + 4 <= in.size()) offset = ReadLittleEndian(in, pos, 4);
        break;
    }
    if (pos + extra > in.size()) {
      return SnappyError(absl::StrCat(
          "truncated block: the input ends at byte ", in.size(),
          " inside the element starting at byte ", start, ", after ", produced,
          " of the ", declared, " decoded bytes its header declares"));
    }
    pos += extra;
    if ((tag & 3) != 0 && (offset == 0 || offset > produced)) {
      return SnappyError(
          absl::StrCat("not valid snappy block data: the copy at byte ", start,
                       " refers to offset ", offset, " but only ", produced,
                       " bytes are decoded (is the body snappy-compressed?)"));
    }
    produced += length;
    if (produced > declared) {
      return SnappyError(absl::StrCat(
          "not valid snappy block data: the element at byte ", start,
          " decodes past the ", declared,
          " bytes the header declares (is the body snappy-compressed?)"));
    }
  }
  if (produced < declared) {
    return SnappyError(absl::StrCat(
        "truncated block: the input ends at byte ", in.size(), " after ",
        produced, " of the ", declared, " decoded bytes its header declares"));
  }
  return SnappyError("not valid snappy block data");
}

}  // namespace

absl::StatusOr<size_t> SnappyDecodedLength(absl::string_view compressed) {
  if (compressed.empty()) {
    return SnappyError("empty body (want snappy block data)");
  }
  if (compressed.substr(0, kFramedMagic.size()) == kFramedMagic) {
    return SnappyError(
        "the body uses the snappy framed (stream) format; remote write sends "
        "the block format");
  }
  if (compressed.size() >= 2 && static_cast<uint8_t>(compressed[0]) == 0x1f &&
      static_cast<uint8_t>(compressed[1]) == 0x8b) {
    return SnappyError(
        "the body is gzip-compressed; remote write sends snappy block data");
  }
  size_t length = 0;
  if (!snappy::GetUncompressedLength(compressed.data(), compressed.size(),
                                     &length)) {
    return SnappyError(
        "not valid snappy block data: bad length header at byte 0");
  }
  return length;
}

absl::StatusOr<absl::string_view> SnappyDecode(absl::string_view compressed,
                                               size_t max_decoded_bytes,
                                               std::string* buffer) {
  absl::StatusOr<size_t> length = SnappyDecodedLength(compressed);
  if (!length.ok()) return length.status();
  if (*length > max_decoded_bytes) {
    return SnappyError(absl::StrCat("decoded size ", *length, " exceeds limit ",
                                    max_decoded_bytes));
  }
  // Grow only: resize() zero-fills new bytes, and a buffer that already has
  // the size costs nothing, so steady-state requests skip the fill.
  if (buffer->size() < *length) buffer->resize(*length);
  if (!snappy::RawUncompress(compressed.data(), compressed.size(),
                             buffer->data())) {
    uint64_t declared = 0;
    const size_t header_bytes = ReadLengthHeader(compressed, &declared);
    return Diagnose(compressed, header_bytes, declared);
  }
  return absl::string_view(buffer->data(), *length);
}

}  // namespace fraisier::ingest
