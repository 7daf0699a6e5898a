// "EPC": the protected memory a TEE guest can give to models. Both SEV-SNP and TDX encrypt all
// guest memory, so the budget is what the guest (and our cgroup) can still hand out:
//   min(MemAvailable from <proc>/meminfo, tightest cgroup limit - usage) - reserve
// cgroup v2 (memory.max / memory.current, "max" = unlimited) and v1 (memory.limit_in_bytes /
// memory.usage_in_bytes, huge values = unlimited) are both read, walking from our cgroup up to
// the root because an ancestor may be the tighter limit. Missing files are tolerated.
#pragma once

#include <cstdint>
#include <optional>
#include <string>

namespace veil::tee {

struct EpcEstimate {
    std::optional<uint64_t> mem_available;  // from meminfo
    std::optional<uint64_t> cgroup_room;    // tightest limit - usage over the cgroup path
    uint64_t reserve = 0;
    uint64_t bytes = 0;                     // the result
};

// Throws Error(VEIL_ERR_NOT_FOUND) when neither meminfo nor any cgroup limit can be read.
EpcEstimate estimate_epc(const std::string& proc_root, const std::string& sys_root, uint64_t reserve_bytes);

}  // namespace veil::tee
