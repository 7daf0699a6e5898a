// Peak memory of this process (VmHWM) and of its memory cgroup, read back from the kernel.
#pragma once

#include <cstdint>
#include <optional>
#include <string>

namespace veil::bench {

// VmHWM from /proc/self/status, in bytes. Throws std::runtime_error when it cannot be read.
uint64_t peak_rss_bytes();

struct CgroupPeak {
    uint64_t bytes = 0;
    std::string file;  // where it was read, e.g. /sys/fs/cgroup/bench/memory.peak
};

// The peak memory use of the cgroup this process is in — page cache included, every process of
// the cgroup counted: cgroup v2's memory.peak, else v1's memory.max_usage_in_bytes. nullopt in a
// root cgroup or when the kernel offers neither file.
std::optional<CgroupPeak> cgroup_memory_peak();

}  // namespace veil::bench
