// The accountant of backend_stream's hard memory budget: every buffer the model or a session holds
// (weights, KV cache, activations, scratch) is charged before it is allocated and credited after
// it is freed, so "held" is an upper bound of the plugin's memory at every moment.
#pragma once

#include <cstdint>
#include <mutex>
#include <string>

namespace veil::backend_stream {

class MemoryBudget {
public:
    explicit MemoryBudget(uint64_t limit) : limit_(limit) {}

    // Charges `bytes` for `what`; throws sdk::Error(VEIL_ERR_OUT_OF_MEMORY) quoting what, the
    // bytes asked for, what is already held and the limit when it does not fit.
    void charge(uint64_t bytes, const std::string& what);
    // Charges when it fits; false (nothing charged) otherwise.
    bool try_charge(uint64_t bytes);
    void credit(uint64_t bytes);

    uint64_t limit() const { return limit_; }
    uint64_t held() const;
    uint64_t peak() const;
    uint64_t available() const;

private:
    const uint64_t limit_;
    mutable std::mutex mu_;
    uint64_t held_ = 0, peak_ = 0;
};

// "12.3 MiB (12897484 bytes)": readable and exact, for refusal messages.
std::string bytes_str(uint64_t n);

}  // namespace veil::backend_stream
