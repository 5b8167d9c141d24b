// CRC32C (Castagnoli, reflected polynomial 0x82F63B78), the checksum of the
// chunk segment files and the WAL. Prometheus uses the same polynomial, and
// x86 has an instruction for it, so it is both compatible and cheap.
//
// Stateless and thread-safe.
#ifndef ENGINE_TSDB_CRC32C_H_
#define ENGINE_TSDB_CRC32C_H_

#include <cstddef>
#include <cstdint>

#include "absl/strings/string_view.h"

namespace fraisier::tsdb {

// Continues `crc` (the result of an earlier Crc32c/Crc32cExtend, or 0 for an
// empty prefix) over `n` more bytes, so that
// Crc32cExtend(Crc32c(a), b) == Crc32c(a + b).
uint32_t Crc32cExtend(uint32_t crc, const void* data, size_t n);

inline uint32_t Crc32cExtend(uint32_t crc, absl::string_view data) {
  return Crc32cExtend(crc, data.data(), data.size());
}

// The CRC32C of `data`; Crc32c("123456789") == 0xE3069283.
inline uint32_t Crc32c(absl::string_view data) {
  return Crc32cExtend(0, data.data(), data.size());
}

namespace internal {
// The portable slicing-by-8 implementation, exposed so tests can check it
// against the hardware path on machines that have one.
uint32_t Crc32cExtendPortable(uint32_t crc, const void* data, size_t n);
// True when Crc32cExtend uses the SSE4.2 instruction.
bool Crc32cHardwareAvailable();
}  // namespace internal

}  // namespace fraisier::tsdb

#endif  // ENGINE_TSDB_CRC32C_H_
