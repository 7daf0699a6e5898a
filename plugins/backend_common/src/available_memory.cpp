#include "veil/backend_common/available_memory.h"

#include <cstdio>

#include "veil/memory_room/memory_room.h"
#include "veil/plugin.hpp"

namespace veil::backend_common {

namespace {

std::string gib(uint64_t bytes) {
    char buf[32];
    std::snprintf(buf, sizeof buf, "%.2f GiB", static_cast<double>(bytes) / (1024.0 * 1024.0 * 1024.0));
    return buf;
}

}  // namespace

std::optional<uint64_t> available_memory() { return memory_room::read_memory_room().bytes(); }

void require_available_memory(uint64_t bytes, const std::string& what, std::optional<uint64_t> available) {
    if (available && bytes > *available)
        throw sdk::Error(VEIL_ERR_OUT_OF_MEMORY, what + " needs " + gib(bytes) + ", but this process can have only " +
                                                     gib(*available) + " more (MemAvailable, cgroup limits)");
}

}  // namespace veil::backend_common
