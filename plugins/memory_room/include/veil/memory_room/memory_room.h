// How much more memory this process may take: the smaller of MemAvailable (<proc>/meminfo) and
// the room left under the tightest cgroup memory limit on the path from our cgroup to the root.
// cgroup v2 (memory.max / memory.current, "max" = unlimited) and v1 (memory.limit_in_bytes /
// memory.usage_in_bytes, huge values = unlimited) are both read, since an ancestor may be the
// tighter limit; missing files are tolerated. A container's limit is invisible to MemAvailable.
#pragma once

#include <cstdint>
#include <optional>
#include <string>

namespace veil::memory_room {

struct MemoryRoom {
    std::optional<uint64_t> mem_available;  // from meminfo
    std::optional<uint64_t> cgroup_room;    // tightest limit - usage over the cgroup path

    // The smaller of the two, or nullopt when neither could be read.
    std::optional<uint64_t> bytes() const;
};

// `proc_root`, `sys_root`: /proc and /sys, or a copy of their files (tests).
MemoryRoom read_memory_room(const std::string& proc_root = "/proc", const std::string& sys_root = "/sys");

}  // namespace veil::memory_room
