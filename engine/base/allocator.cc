#include "engine/base/allocator.h"

#include <malloc.h>

#include <cstddef>
#include <cstdio>

// Defined only when jemalloc is linked in; a weak reference resolves to
// null otherwise, which is how the allocator in use is told apart.
extern "C" int mallctl(const char* name, void* oldp, size_t* oldlenp,
                       void* newp, size_t newlen) __attribute__((weak));

namespace fraisier {
namespace {

bool UsingJemalloc() { return mallctl != nullptr; }

}  // namespace

std::string AllocatorName() { return UsingJemalloc() ? "jemalloc" : "glibc"; }

void TuneAllocatorForServer() {
  if (!UsingJemalloc()) mallopt(M_ARENA_MAX, 2);
}

void ReleaseFreeMemory() {
  if (!UsingJemalloc()) {
    malloc_trim(0);
    return;
  }
  // MALLCTL_ARENAS_ALL (4096) addresses every arena at once.
  (void)mallctl("arena.4096.purge", nullptr, nullptr, nullptr, 0);
}

}  // namespace fraisier
