// Everything needed to run one model: its file, tokenizer, policy decision and backend model.
#pragma once

#include <memory>
#include <optional>
#include <string>

#include "config/config.h"
#include "plugin_host/plugin_host.h"
#include "runtime/backend_model.h"
#include "runtime/opened_model.h"
#include "runtime/served_model.h"
#include "tokenizer/tokenizer.h"

namespace veil {

struct LoadOptions {
    std::optional<uint32_t> threads;       // backend compute threads (default: the plugin's config)
    std::optional<uint64_t> epc_override;  // stands in for the TEE provider's EPC
    std::optional<uint64_t> memory_budget; // backend_stream's budget, instead of the policy's
};

struct LoadedModel {
    ModelConfig config;
    std::string sha256;                    // of the model file
    PolicyDecision decision;
    std::unique_ptr<OpenedModel> source;   // declared before backend: outlives it
    std::unique_ptr<Tokenizer> tokenizer;
    std::unique_ptr<BackendModel> backend;
};

// Pin check (streamed hash) → open → policy decision → backend load. Throws std::runtime_error
// naming the model and the step that failed; nothing is served from a model that failed a check.
std::unique_ptr<LoadedModel> load_model(const Config& config, PluginHost& plugins, const ModelConfig& model,
                                        const LoadOptions& options = {});

}  // namespace veil
