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
    // Without n_ctx in the model's configuration, sessions get the training context, capped at
    // this (0: no cap).
    uint32_t default_ctx_cap = 0;
};

struct LoadedModel {
    ModelConfig config;
    std::string sha256;                    // of the model file
    PolicyDecision decision;
    // Positions of each session the host opens on it: the configured n_ctx, else the training
    // context from the file's metadata, capped by LoadOptions.default_ctx_cap (the cap when the
    // file has none); 0 only without a cap and without either (the backend's default). The backend learns it at load ("n_ctx"), so that
    // backend_stream's minimum budget holds one such session, not one of the training context.
    uint32_t n_ctx = 0;
    std::unique_ptr<OpenedModel> source;   // declared before backend: outlives it
    std::unique_ptr<Tokenizer> tokenizer;
    std::unique_ptr<BackendModel> backend;
};

// Pin check (streamed hash) → open → policy decision → backend load. Throws std::runtime_error
// naming the model and the step that failed; nothing is served from a model that failed a check.
std::unique_ptr<LoadedModel> load_model(const Config& config, PluginHost& plugins, const ModelConfig& model,
                                        const LoadOptions& options = {});

}  // namespace veil
