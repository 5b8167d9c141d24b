#include "engine/tsdb/chunk_records.h"

#include <cstring>

#include "absl/strings/str_cat.h"
#include "engine/tsdb/bitstream.h"
#include "engine/tsdb/chunk.h"
#include "engine/tsdb/crc32c.h"

namespace fraisier::tsdb::chunk_records {
namespace {

constexpr int64_t kCrcSize = 4;
// Version 2: series ref, prev ref, mint, maxt (8 bytes each), encoding.
constexpr int64_t kV2FixedHeader = 33;

uint64_t GetBE(const char* p, int bytes) {
  uint64_t v = 0;
  for (int i = 0; i < bytes; ++i) v = (v << 8) | static_cast<uint8_t>(p[i]);
  return v;
}

void PutBE(char* p, uint64_t v, int bytes) {
  for (int i = bytes - 1; i >= 0; --i, v >>= 8) p[i] = static_cast<char>(v);
}

// A LEB128 varint at p[*pos], at most `max_bytes` long, not reading at or
// past p[left]; false if cut short or too long.
bool GetUvarint(const char* p, int64_t left, int max_bytes, int64_t* pos,
                uint64_t* out) {
  uint64_t v = 0;
  for (int i = 0; i < max_bytes; ++i) {
    if (*pos >= left) return false;
    const auto byte = static_cast<uint8_t>(p[(*pos)++]);
    if (i == 9 && byte > 1) return false;  // overflows 64 bits
    v |= static_cast<uint64_t>(byte & 0x7F) << (7 * i);
    if ((byte & 0x80) == 0) {
      *out = v;
      return true;
    }
  }
  return false;
}

int PutUvarint(uint64_t v, char* p) {
  int n = 0;
  while (v >= 0x80) {
    p[n++] = static_cast<char>((v & 0x7F) | 0x80);
    v >>= 7;
  }
  p[n++] = static_cast<char>(v);
  return n;
}

// Version 3 stores mint relative to the chunk's own first timestamp (0 for
// data that holds none), which it always equals when the head writes it.
Timestamp DataFirstTimestamp(absl::string_view data) {
  Timestamp t = 0;
  return ChunkFirstTimestamp(data, &t) ? t : 0;
}

uint64_t BackDistance(uint64_t prev_ref, uint64_t ref) {
  return prev_ref == 0 ? 0 : ref - prev_ref;
}

// The checks every version shares once the fields are parsed.
std::string Finish(const char* p, int64_t left, int64_t data_off, uint64_t len,
                   int64_t off, uint64_t ref, Record* rec) {
  if (len > static_cast<uint64_t>(left - data_off) ||
      static_cast<int64_t>(len) + kCrcSize > left - data_off) {
    return "record data cut short";
  }
  const int64_t crc_off = data_off + static_cast<int64_t>(len);
  const auto stored = static_cast<uint32_t>(GetBE(p + crc_off, 4));
  if (Crc32c(absl::string_view(p, static_cast<size_t>(crc_off))) != stored) {
    return "CRC mismatch";
  }
  if (rec->encoding != kChunkEncodingXor &&
      rec->encoding != kChunkEncodingXor2) {
    return absl::StrCat("unknown chunk encoding ", rec->encoding);
  }
  // A link must point backwards, or a walk along it might not end.
  if (rec->prev_ref >= ref) {
    return absl::StrCat("back-pointer ", rec->prev_ref,
                        " does not point to an older record");
  }
  rec->data = absl::string_view(p + data_off, len);
  rec->end = off + crc_off + kCrcSize;
  return "";
}

std::string ParseV2(const char* p, int64_t left, int64_t off, uint64_t ref,
                    Record* rec) {
  if (left < kV2FixedHeader + 1) return "record header cut short";
  rec->series_ref = GetBE(p, 8);
  rec->prev_ref = GetBE(p + 8, 8);
  rec->mint = static_cast<Timestamp>(GetBE(p + 16, 8));
  rec->maxt = static_cast<Timestamp>(GetBE(p + 24, 8));
  rec->encoding = static_cast<uint8_t>(p[32]);
  int64_t pos = kV2FixedHeader;
  uint64_t len = 0;
  // Lengths are < 2^32: at most 5 bytes.
  if (!GetUvarint(p, left, 5, &pos, &len)) {
    return pos >= left ? "data length cut short" : "bad data length";
  }
  return Finish(p, left, pos, len, off, ref, rec);
}

std::string ParseV3(const char* p, int64_t left, int64_t off, uint64_t ref,
                    Record* rec) {
  int64_t pos = 0;
  uint64_t back = 0, zz_mint = 0, span = 0, len = 0;
  if (!GetUvarint(p, left, 10, &pos, &rec->series_ref) ||
      !GetUvarint(p, left, 10, &pos, &back) ||
      !GetUvarint(p, left, 10, &pos, &zz_mint) ||
      !GetUvarint(p, left, 10, &pos, &span)) {
    return pos >= left ? "record header cut short" : "bad record header";
  }
  if (pos >= left) return "record header cut short";
  rec->encoding = static_cast<uint8_t>(p[pos++]);
  if (!GetUvarint(p, left, 5, &pos, &len)) {
    return pos >= left ? "data length cut short" : "bad data length";
  }
  // 0 means none; otherwise a distance back from this record, so a value
  // larger than the record's own ref cannot be a link.
  if (back >= ref) {
    return absl::StrCat("back-pointer distance ", back,
                        " does not point to an older record");
  }
  rec->prev_ref = back == 0 ? 0 : ref - back;
  std::string why = Finish(p, left, pos, len, off, ref, rec);
  if (!why.empty()) return why;
  const uint64_t mint = static_cast<uint64_t>(DataFirstTimestamp(rec->data)) +
                        static_cast<uint64_t>(ZigZagDecode(zz_mint));
  rec->mint = static_cast<Timestamp>(mint);
  rec->maxt = static_cast<Timestamp>(mint + span);
  return "";
}

}  // namespace

std::string Parse(uint8_t version, const char* base, int64_t size, int64_t off,
                  uint64_t ref, Record* rec) {
  if (off >= size) return "offset outside the segment";
  const char* p = base + off;
  const int64_t left = size - off;
  return version == kVersion2 ? ParseV2(p, left, off, ref, rec)
                              : ParseV3(p, left, off, ref, rec);
}

int64_t SizeV3(uint64_t series_ref, uint64_t prev_ref, uint64_t ref,
               Timestamp mint, Timestamp maxt, absl::string_view data) {
  const uint64_t zz_mint = ZigZagEncode(
      static_cast<int64_t>(static_cast<uint64_t>(mint) -
                           static_cast<uint64_t>(DataFirstTimestamp(data))));
  const uint64_t span =
      static_cast<uint64_t>(maxt) - static_cast<uint64_t>(mint);
  return UvarintLength(series_ref) +
         UvarintLength(BackDistance(prev_ref, ref)) + UvarintLength(zz_mint) +
         UvarintLength(span) + 1 + UvarintLength(data.size()) +
         static_cast<int64_t>(data.size()) + kCrcSize;
}

void EncodeV3(uint64_t series_ref, uint64_t prev_ref, uint64_t ref,
              Timestamp mint, Timestamp maxt, uint8_t encoding,
              absl::string_view data, char* out) {
  int64_t n = 0;
  n += PutUvarint(series_ref, out + n);
  n += PutUvarint(BackDistance(prev_ref, ref), out + n);
  n += PutUvarint(ZigZagEncode(static_cast<int64_t>(
                      static_cast<uint64_t>(mint) -
                      static_cast<uint64_t>(DataFirstTimestamp(data)))),
                  out + n);
  n += PutUvarint(static_cast<uint64_t>(maxt) - static_cast<uint64_t>(mint),
                  out + n);
  out[n++] = static_cast<char>(encoding);
  n += PutUvarint(data.size(), out + n);
  std::memcpy(out + n, data.data(), data.size());
  n += static_cast<int64_t>(data.size());
  PutBE(out + n, Crc32c(absl::string_view(out, static_cast<size_t>(n))), 4);
}

}  // namespace fraisier::tsdb::chunk_records
