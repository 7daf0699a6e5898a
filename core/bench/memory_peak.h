// Peak memory of this process (VmHWM) and of its memory cgroup, read back from the kernel.
#pragma once

#include <algorithm>
#include <cstdint>
#include <optional>
#include <string>

namespace veil::bench {

// VmHWM from /proc/self/status, in bytes. Throws std::runtime_error when it cannot be read.
uint64_t peak_rss_bytes();

// Resets VmHWM to the current RSS (writes 5 to /proc/self/clear_refs, Linux >= 4.0); false when
// the kernel refuses.
bool reset_peak_rss();

// The peak RSS of a run with holes cut out: measurement buffers that are allocated, used and freed
// in between (the memory probes between repetitions) must not count as the model's memory.
class PeakRssOutside {
public:
    // Call before allocating the buffer: folds in the peak so far.
    void before() { peak_ = std::max(peak_, peak_rss_bytes()); }
    // Call after freeing it: forgets the buffer's peak. False when the reset failed (the peak then
    // includes the buffer).
    bool after() { return reset_peak_rss(); }
    // The largest RSS outside the holes (up to now).
    uint64_t peak() const { return std::max(peak_, peak_rss_bytes()); }

private:
    uint64_t peak_ = 0;
};

struct CgroupPeak {
    uint64_t bytes = 0;
    std::string file;  // where it was read, e.g. /sys/fs/cgroup/bench/memory.peak
};

// The peak memory use of the cgroup this process is in — page cache included, every process of
// the cgroup counted: cgroup v2's memory.peak, else v1's memory.max_usage_in_bytes. nullopt in a
// root cgroup or when the kernel offers neither file.
std::optional<CgroupPeak> cgroup_memory_peak();

}  // namespace veil::bench
