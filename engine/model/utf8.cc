#include "engine/model/utf8.h"

#include <cstdint>

namespace fraisier {

DecodedRune DecodeRune(absl::string_view s) {
  if (s.empty()) return {kRuneError, 0};
  const auto byte = [&s](size_t i) { return static_cast<uint8_t>(s[i]); };
  const uint8_t b0 = byte(0);
  if (b0 < 0x80) return {b0, 1};
  // The second byte's range is narrowed for the lead bytes where Go (and the
  // Unicode standard, table 3-7) exclude overlongs (E0, F0), surrogates (ED)
  // and values above U+10FFFF (F4).
  size_t width = 0;
  uint8_t lo = 0x80;
  uint8_t hi = 0xBF;
  char32_t rune = 0;
  if (b0 >= 0xC2 && b0 <= 0xDF) {
    width = 2;
    rune = b0 & 0x1F;
  } else if (b0 >= 0xE0 && b0 <= 0xEF) {
    width = 3;
    rune = b0 & 0x0F;
    if (b0 == 0xE0) lo = 0xA0;
    if (b0 == 0xED) hi = 0x9F;
  } else if (b0 >= 0xF0 && b0 <= 0xF4) {
    width = 4;
    rune = b0 & 0x07;
    if (b0 == 0xF0) lo = 0x90;
    if (b0 == 0xF4) hi = 0x8F;
  } else {
    return {kRuneError, 1};
  }
  if (s.size() < width) return {kRuneError, 1};
  for (size_t i = 1; i < width; ++i) {
    const uint8_t b = byte(i);
    const uint8_t min = i == 1 ? lo : 0x80;
    const uint8_t max = i == 1 ? hi : 0xBF;
    if (b < min || b > max) return {kRuneError, 1};
    rune = (rune << 6) | (b & 0x3F);
  }
  return {rune, width};
}

bool IsValidUtf8(absl::string_view s) {
  size_t i = 0;
  while (i < s.size()) {
    // ASCII dominates label data; skip it without the decoder.
    if (static_cast<uint8_t>(s[i]) < 0x80) {
      ++i;
      continue;
    }
    const DecodedRune r = DecodeRune(s.substr(i));
    if (r.rune == kRuneError && r.width == 1) return false;
    i += r.width;
  }
  return true;
}

void AppendUtf8(char32_t r, std::string* out) {
  if (r > kMaxRune || (r >= 0xD800 && r < 0xE000)) r = kRuneError;
  if (r < 0x80) {
    out->push_back(static_cast<char>(r));
  } else if (r < 0x800) {
    out->push_back(static_cast<char>(0xC0 | (r >> 6)));
    out->push_back(static_cast<char>(0x80 | (r & 0x3F)));
  } else if (r < 0x10000) {
    out->push_back(static_cast<char>(0xE0 | (r >> 12)));
    out->push_back(static_cast<char>(0x80 | ((r >> 6) & 0x3F)));
    out->push_back(static_cast<char>(0x80 | (r & 0x3F)));
  } else {
    out->push_back(static_cast<char>(0xF0 | (r >> 18)));
    out->push_back(static_cast<char>(0x80 | ((r >> 12) & 0x3F)));
    out->push_back(static_cast<char>(0x80 | ((r >> 6) & 0x3F)));
    out->push_back(static_cast<char>(0x80 | (r & 0x3F)));
  }
}

}  // namespace fraisier
