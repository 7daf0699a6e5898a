// The policy engine: which backend runs a model, and with what memory budget.
//
// Rule: with backend "auto", a model whose weight bytes exceed stream_threshold x EPC (strictly
// greater) goes to backend_stream with a budget of EPC - reserve; otherwise to backend_full.
// Pure function of its inputs, so every side of the threshold is testable.
#pragma once

#include <cstdint>
#include <optional>
#include <stdexcept>
#include <string>

#include "runtime/served_model.h"

namespace veil {

class PolicyError : public std::runtime_error {
public:
    using std::runtime_error::runtime_error;
};

struct PolicyInputs {
    std::string model_id;
    uint64_t model_bytes = 0;             // weight bytes from the tensor table
    std::optional<uint64_t> epc_bytes;    // protected memory; nullopt = unknown (no TEE, no override)
    std::string epc_source = "none";      // "config", "--epc-bytes", a TEE plugin name, or "none"
    double threshold = 0.75;
    uint64_t reserve_bytes = 0;
    std::string requested = "auto";       // auto | full | stream
    bool full_available = true;           // backend_full loaded and ready
    bool stream_available = true;         // backend_stream loaded and ready
};

// Throws PolicyError with the numbers when no allowed backend can hold the model.
PolicyDecision decide_backend(const PolicyInputs& in);

// "4.1 GiB" / "512.0 MiB" / "12 bytes", for messages.
std::string human_bytes(uint64_t bytes);

}  // namespace veil
