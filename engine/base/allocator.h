// What the service asks of the process's memory allocator, whichever it is.
// The `ruler` binary links jemalloc (docs/decisions.md, "Memory
// allocator"); tests and tools that do not still get glibc's malloc, and
// both must behave.
#ifndef ENGINE_BASE_ALLOCATOR_H_
#define ENGINE_BASE_ALLOCATOR_H_

#include <string>

namespace fraisier {

// "jemalloc" or "glibc".
std::string AllocatorName();

// Settings for a long-running multi-threaded server; call once at start.
// Under glibc: two arenas instead of one per thread, because freed request
// bodies otherwise linger in every HTTP thread's arena. Under jemalloc:
// nothing (its per-CPU arenas and time-based decay already fit).
void TuneAllocatorForServer();

// Gives free pages back to the operating system now (glibc: malloc_trim;
// jemalloc: purge every arena), so that RSS tracks what the store holds.
void ReleaseFreeMemory();

}  // namespace fraisier

#endif  // ENGINE_BASE_ALLOCATOR_H_
