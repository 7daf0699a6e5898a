#include "memory_budget.h"

#include <algorithm>
#include <cstdio>

#include "veil/plugin.hpp"

namespace veil::backend_stream {

std::string bytes_str(uint64_t n) {
    char buf[64];
    std::snprintf(buf, sizeof buf, "%.1f MiB (%llu bytes)", static_cast<double>(n) / (1024.0 * 1024.0),
                  static_cast<unsigned long long>(n));
    return buf;
}

void MemoryBudget::charge(uint64_t bytes, const std::string& what) {
    std::lock_guard<std::mutex> lock(mu_);
    if (bytes > limit_ - held_)
        throw sdk::Error(VEIL_ERR_OUT_OF_MEMORY, what + " needs " + bytes_str(bytes) + " but only " +
                                                     bytes_str(limit_ - held_) + " of the memory budget of " +
                                                     bytes_str(limit_) + " is free (" + bytes_str(held_) + " held)");
    held_ += bytes;
    peak_ = std::max(peak_, held_);
}

bool MemoryBudget::try_charge(uint64_t bytes) {
    std::lock_guard<std::mutex> lock(mu_);
    if (bytes > limit_ - held_) return false;
    held_ += bytes;
    peak_ = std::max(peak_, held_);
    return true;
}

void MemoryBudget::credit(uint64_t bytes) {
    std::lock_guard<std::mutex> lock(mu_);
    held_ -= std::min(bytes, held_);
}

uint64_t MemoryBudget::held() const {
    std::lock_guard<std::mutex> lock(mu_);
    return held_;
}

uint64_t MemoryBudget::peak() const {
    std::lock_guard<std::mutex> lock(mu_);
    return peak_;
}

uint64_t MemoryBudget::available() const {
    std::lock_guard<std::mutex> lock(mu_);
    return limit_ - held_;
}

}  // namespace veil::backend_stream
