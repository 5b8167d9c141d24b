#include "engine/ingest/snappy_block.h"

#include <string>

#include "engine/base/status_matchers.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "snappy.h"

namespace fraisier::ingest {
namespace {

using ::fraisier::testing::IsOk;
using ::fraisier::testing::IsOkAndHolds;
using ::fraisier::testing::StatusIs;
using ::testing::AllOf;
using ::testing::Eq;
using ::testing::HasSubstr;
using ::testing::StartsWith;

std::string Compress(const std::string& s) {
  std::string out;
  snappy::Compress(s.data(), s.size(), &out);
  return out;
}

// Text that compresses into both literals and back-references.
std::string Text(int n) {
  std::string s;
  for (int i = 0; s.size() < static_cast<size_t>(n); ++i) {
    s += "node_cpu_seconds_total{cpu=\"" + std::to_string(i % 7) + "\"} ";
  }
  s.resize(n);
  return s;
}

TEST(SnappyDecodeTest, RoundTripsIntoAReusedBuffer) {
  const std::string big = Text(5000);
  std::string buffer;
  ASSERT_THAT(SnappyDecode(Compress(big), 1 << 20, &buffer),
              IsOkAndHolds(Eq(big)));
  const char* storage = buffer.data();
  const std::string small = Text(300);
  // A smaller body reuses the buffer: no reallocation, correct view.
  ASSERT_THAT(SnappyDecode(Compress(small), 1 << 20, &buffer),
              IsOkAndHolds(Eq(small)));
  EXPECT_EQ(buffer.data(), storage);
  // Empty payloads are valid snappy too.
  EXPECT_THAT(SnappyDecode(Compress(""), 10, &buffer), IsOkAndHolds(Eq("")));
}

TEST(SnappyDecodeTest, ChecksTheDeclaredSizeBeforeAllocating) {
  const std::string body = Compress(Text(1000));
  std::string buffer;
  EXPECT_THAT(SnappyDecode(body, 999, &buffer),
              StatusIs(absl::StatusCode::kInvalidArgument,
                       Eq("snappy: decoded size 1000 exceeds limit 999")));
  EXPECT_TRUE(buffer.empty());
  EXPECT_THAT(SnappyDecodedLength(body), IsOkAndHolds(Eq(1000u)));
  // A header declaring 4 GiB is refused without touching memory.
  EXPECT_THAT(
      SnappyDecode(std::string("\x80\x80\x80\x80\x0f", 5), 1 << 20, &buffer),
      StatusIs(absl::StatusCode::kInvalidArgument,
               HasSubstr("exceeds limit 1048576")));
  EXPECT_TRUE(buffer.empty());
}

TEST(SnappyDecodeTest, SaysWhatIsWrong) {
  std::string buffer;
  struct Case {
    std::string body;
    std::string want;
  };
  const std::string body = Compress(Text(2000));
  const Case cases[] = {
      {"", "snappy: empty body"},
      {std::string("\xff\x06\x00\x00sNaPpY\x01\x02", 12), "framed (stream)"},
      {"\x1f\x8b\x08\x00", "gzip-compressed"},
      {std::string(6, '\xff'), "bad length header at byte 0"},
      {body.substr(0, body.size() / 2), "snappy: truncated block"},
      // Declares 10 bytes, then a 1-byte-offset copy with nothing decoded.
      {std::string("\x0a\x01\x05", 3),
       "snappy: not valid snappy block data: the copy at byte 1 refers to "
       "offset 5 but only 0 bytes are decoded"},
      // Declares 2 bytes, then a 5-byte literal.
      {std::string("\x02\x10hello", 7), "decodes past the 2 bytes"},
  };
  for (const Case& c : cases) {
    EXPECT_THAT(SnappyDecode(c.body, 1 << 20, &buffer),
                StatusIs(absl::StatusCode::kInvalidArgument,
                         AllOf(StartsWith("snappy: "), HasSubstr(c.want))))
        << c.want;
  }
  EXPECT_THAT(SnappyDecodedLength(body), IsOk());
}

}  // namespace
}  // namespace fraisier::ingest
