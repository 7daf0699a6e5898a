#include "veil/tee_common/epc.hpp"

#include "veil/memory_room/memory_room.h"
#include "veil/tee_common/bytes.hpp"

namespace veil::tee {

EpcEstimate estimate_epc(const std::string& proc_root, const std::string& sys_root, uint64_t reserve_bytes) {
    EpcEstimate e;
    e.reserve = reserve_bytes;
    const memory_room::MemoryRoom room = memory_room::read_memory_room(proc_root, sys_root);
    e.mem_available = room.mem_available;
    e.cgroup_room = room.cgroup_room;
    if (!room.bytes())
        throw sdk::Error(VEIL_ERR_NOT_FOUND, "cannot estimate protected memory: no MemAvailable in " + proc_root +
                                                 "/meminfo and no cgroup memory limit");
    const uint64_t avail = *room.bytes();
    e.bytes = avail > reserve_bytes ? avail - reserve_bytes : 0;
    return e;
}

}  // namespace veil::tee
