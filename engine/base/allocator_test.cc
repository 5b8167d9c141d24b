#include "engine/base/allocator.h"

#include <memory>
#include <vector>

#include "gtest/gtest.h"

namespace fraisier {
namespace {

// This test binary does not link jemalloc, so it runs on glibc's malloc;
// the service binary's choice is checked by serve_process_test through
// /api/v1/status/runtimeinfo.
TEST(AllocatorTest, TestsRunOnGlibcMalloc) {
  EXPECT_EQ(AllocatorName(), "glibc");
}

TEST(AllocatorTest, ReleasingFreeMemoryKeepsLiveAllocationsIntact) {
  TuneAllocatorForServer();
  std::vector<std::unique_ptr<int[]>> blocks;
  for (int i = 0; i < 1000; ++i) {
    blocks.push_back(std::make_unique<int[]>(1024));
    blocks.back()[0] = i;
  }
  for (int i = 0; i < 1000; i += 2) blocks[i].reset();
  ReleaseFreeMemory();
  for (int i = 1; i < 1000; i += 2) EXPECT_EQ(blocks[i][0], i);
}

}  // namespace
}  // namespace fraisier
