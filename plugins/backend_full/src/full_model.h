// backend_full's model and session: the SDK objects the host sees, wrapping the engine's
// LlamaModel / LlamaSession over weights held in a WeightStore.
#pragma once

#include <memory>
#include <string>

#include "options.h"
#include "veil/engine/llama_forward.h"
#include "veil/engine/llama_model.h"
#include "veil/plugin.hpp"
#include "weight_store.h"

namespace veil::backend_full {

class FullModel final : public sdk::Model {
public:
    FullModel(const sdk::Host& host, const veil_model_source& source, const LoadOptions& options);

    veil_model_info info() const override;
    std::unique_ptr<sdk::Session> create_session(uint32_t n_ctx) override;
    std::string stats_json() const override;

private:
    LoadOptions options_;
    WeightStore store_;  // declared before llama_: the engine's views point into it
    std::unique_ptr<engine::LlamaModel> llama_;
};

class FullSession final : public sdk::Session {
public:
    FullSession(engine::LlamaModel& model, uint32_t n_ctx);

    void eval(const int32_t* tokens, size_t n_tokens, float* logits) override;
    uint32_t position() const override { return session_->position(); }
    void rewind(uint32_t n_past) override;

private:
    std::unique_ptr<engine::LlamaSession> session_;  // its destructor zeroizes the KV cache
};

}  // namespace veil::backend_full
