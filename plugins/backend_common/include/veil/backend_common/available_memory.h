// Refusing, with an error, an allocation the machine cannot hold, which would otherwise end in the
// OOM killer (a session's KV cache is committed when it opens).
#pragma once

#include <cstdint>
#include <optional>
#include <string>

namespace veil::backend_common {

// What this process may still take: MemAvailable and the room under its cgroup memory limits
// (memory_room.h); nullopt when neither can be read.
std::optional<uint64_t> available_memory();

// Throws sdk::Error(VEIL_ERR_OUT_OF_MEMORY) naming `what`, its size and what is available when
// `bytes` exceeds `available`; does nothing when that is unknown.
void require_available_memory(uint64_t bytes, const std::string& what,
                              std::optional<uint64_t> available = available_memory());

}  // namespace veil::backend_common
