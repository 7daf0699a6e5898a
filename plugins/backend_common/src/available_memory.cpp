#include "veil/backend_common/available_memory.h"

#include <cstdio>
#include <fstream>
#include <sstream>

#include "veil/plugin.hpp"

namespace veil::backend_common {

namespace {

std::string gib(uint64_t bytes) {
    char buf[32];
    std::snprintf(buf, sizeof buf, "%.2f GiB", static_cast<double>(bytes) / (1024.0 * 1024.0 * 1024.0));
    return buf;
}

}  // namespace

std::optional<uint64_t> available_memory(const std::string& meminfo) {
    std::ifstream in(meminfo);
    std::string line;
    while (std::getline(in, line)) {
        if (line.rfind("MemAvailable:", 0) != 0) continue;
        std::istringstream fields(line.substr(13));
        uint64_t kib = 0;
        std::string unit;
        if (fields >> kib >> unit && unit == "kB") return kib * 1024;
    }
    return std::nullopt;
}

void require_available_memory(uint64_t bytes, const std::string& what, std::optional<uint64_t> available) {
    if (available && bytes > *available)
        throw sdk::Error(VEIL_ERR_OUT_OF_MEMORY, what + " needs " + gib(bytes) + ", but the machine has only " +
                                                     gib(*available) + " available (MemAvailable)");
}

}  // namespace veil::backend_common
