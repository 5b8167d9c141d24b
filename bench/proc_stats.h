// Readings of another process (and this one) from /proc, for benchmarks
// that report a server's CPU time and memory.
#ifndef BENCH_PROC_STATS_H_
#define BENCH_PROC_STATS_H_

#include <cstdint>
#include <string>

namespace fraisier::bench {

// utime + stime of a process in seconds, or -1 when it is gone.
double ProcessCpuSeconds(int pid);
// True while the process exists and is not a zombie.
bool ProcessAlive(int pid);
// VmRSS in bytes, or -1.
int64_t ProcessRssBytes(int pid);
// This process's user + system CPU seconds.
double OwnCpuSeconds();
// "1.00,0.50,0.25" from /proc/loadavg.
std::string LoadAverage();

}  // namespace fraisier::bench

#endif  // BENCH_PROC_STATS_H_
