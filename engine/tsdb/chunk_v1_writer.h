// Test-only: the encoder of chunk encoding 1, as builds before encoding 2
// wrote it (docs/chunk_format.md), so that tests can check that
// XorIterator still reads such chunks, which files of older builds hold.
#ifndef ENGINE_TSDB_CHUNK_V1_WRITER_H_
#define ENGINE_TSDB_CHUNK_V1_WRITER_H_

#include <cstdint>
#include <vector>

#include "absl/strings/string_view.h"
#include "engine/model/timestamp.h"

namespace fraisier::tsdb {

class XorChunkV1Writer {
 public:
  // Appends a sample (any int64 timestamp sequence round-trips); false
  // once the chunk holds 65535 samples.
  bool Append(Timestamp t, double v);
  absl::string_view bytes() const {
    if (count_ == 0) return absl::string_view("\0\0", 2);
    return absl::string_view(reinterpret_cast<const char*>(buf_.data()), size_);
  }

 private:
  struct ValuePlan;

  bool AppendFirst(Timestamp t, uint64_t vb);
  void PlanValue(uint64_t vb, int n, ValuePlan* plan) const;

  std::vector<uint8_t> buf_;  // header + bit stream, with slack
  int count_ = 0;
  size_t size_ = 0;
  Timestamp t_ = 0;
  uint64_t delta_ = 0;
  uint64_t v_ = 0;
  uint8_t free_bits_ = 0;
  uint8_t leading_ = 0;
  uint8_t sig_ = 64;
  int8_t exp_ = -128;
};

}  // namespace fraisier::tsdb

#endif  // ENGINE_TSDB_CHUNK_V1_WRITER_H_
