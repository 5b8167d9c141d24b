// UTF-8 decoding with Go's rules (unicode/utf8), because label values,
// regexes and quoting must agree byte for byte with Prometheus, which is
// written in Go.
#ifndef ENGINE_MODEL_UTF8_H_
#define ENGINE_MODEL_UTF8_H_

#include <cstddef>
#include <string>

#include "absl/strings/string_view.h"

namespace fraisier {

inline constexpr char32_t kRuneError = 0xFFFD;
inline constexpr char32_t kMaxRune = 0x10FFFF;

struct DecodedRune {
  char32_t rune;
  size_t width;
};

// Decodes the first rune of `s` like Go's utf8.DecodeRuneInString: an empty
// input gives {kRuneError, 0}; an invalid or truncated sequence, an overlong
// encoding, a surrogate or a value above U+10FFFF gives {kRuneError, 1} so
// that callers advance one byte and can report that byte.
DecodedRune DecodeRune(absl::string_view s);

// True when `s` is entirely well-formed UTF-8 (as Go's utf8.ValidString).
bool IsValidUtf8(absl::string_view s);

// Appends the UTF-8 encoding of `r` (Go's utf8.AppendRune): values above
// U+10FFFF and surrogates are written as U+FFFD.
void AppendUtf8(char32_t r, std::string* out);

}  // namespace fraisier

#endif  // ENGINE_MODEL_UTF8_H_
