// The one exception type the LLaMA forward pass throws. It carries a veil_error_code so that the
// plugin wrapping the engine can hand the same code across the C ABI without guessing.
#pragma once

#include <stdexcept>
#include <string>

#include "veil/plugin.h"

namespace veil::engine {

class LlamaError : public std::runtime_error {
public:
    LlamaError(veil_error_code code, const std::string& message) : std::runtime_error(message), code_(code) {}
    veil_error_code code() const noexcept { return code_; }

private:
    veil_error_code code_;
};

}  // namespace veil::engine
