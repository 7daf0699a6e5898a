// CPU time a benchmark phase lost to other work, which no change to the engine can win back:
//   - wait: time this process's threads were runnable but had no CPU, because another task of
//     this machine ran (per thread, /proc/self/task/*/schedstat, second field: run_delay);
//   - steal: time the hypervisor gave this VM's CPUs to something else (/proc/stat, "cpu" line,
//     eighth field).
// In a VM both show up as slow tokens: on the project's 2-vCPU VM, decode tokens of 12-44 ms
// among 8-13 ms ones, with host steal in the longest. `veil bench` reports them beside the
// roofline, so that a shortfall can be told apart from them.
#pragma once

#include <cstdint>
#include <filesystem>
#include <map>
#include <optional>

namespace veil::bench {

// One reading of the counters; what matters is the difference of two (contention_between).
struct CpuCounters {
    std::map<int, uint64_t> run_delay_ns;  // per thread id; empty when schedstat is unreadable
    std::optional<uint64_t> steal_ticks;   // all CPUs together, in USER_HZ ticks; nullopt when unreadable
};

struct CpuContention {
    std::optional<double> wait_s;   // summed over the threads; nullopt when schedstat is unreadable
    std::optional<double> steal_s;  // summed over the machine's CPUs; nullopt when /proc/stat is unreadable

    CpuContention& operator+=(const CpuContention& o);
};

// Reads `proc_root`/self/task/*/schedstat and `proc_root`/stat. Never throws: what cannot be read
// is left out.
CpuCounters read_cpu_counters(const std::filesystem::path& proc_root = "/proc");

// What was lost between two readings. A thread that appeared in between counts from zero; one that
// ended in between is left out (its counter is gone). `ticks_per_s` is USER_HZ (sysconf(_SC_CLK_TCK)).
CpuContention contention_between(const CpuCounters& before, const CpuCounters& after, long ticks_per_s);

}  // namespace veil::bench
