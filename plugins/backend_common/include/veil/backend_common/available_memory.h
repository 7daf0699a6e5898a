// How much more memory this machine can give: for refusing, with an error, an allocation that
// would otherwise end in the OOM killer (a session's KV cache is committed when it opens).
#pragma once

#include <cstdint>
#include <optional>
#include <string>

namespace veil::backend_common {

// MemAvailable of /proc/meminfo (`meminfo`: another file, for tests), in bytes; nullopt when it
// cannot be read. A container's cgroup limit may be lower; it is not consulted.
std::optional<uint64_t> available_memory(const std::string& meminfo = "/proc/meminfo");

// Throws sdk::Error(VEIL_ERR_OUT_OF_MEMORY) naming `what`, its size and what is available when
// `bytes` exceeds `available`; does nothing when that is unknown.
void require_available_memory(uint64_t bytes, const std::string& what,
                              std::optional<uint64_t> available = available_memory());

}  // namespace veil::backend_common
