// The engine reports errors with its own exception type (engine::LlamaError, which carries a
// veil_status); the SDK glue only knows sdk::Error. Backends run engine calls through this.
#pragma once

#include "veil/engine/llama_error.h"
#include "veil/plugin.hpp"

namespace veil::backend_common {

template <class F>
auto translate_engine_errors(F&& f) -> decltype(f()) {
    try {
        return f();
    } catch (const engine::LlamaError& e) {
        throw sdk::Error(e.code(), e.what());
    }
}

}  // namespace veil::backend_common
