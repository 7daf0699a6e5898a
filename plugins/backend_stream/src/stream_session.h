// One backend_stream session: its KV cache, RoPE tables and attention scratch (all charged to
// the model's memory budget) and its position. Its tokens run through StreamModel's passes.
#pragma once

#include <cstdint>
#include <memory>

#include "veil/engine/llama_attention.h"
#include "veil/engine/llama_hparams.h"
#include "veil/engine/llama_kv_cache.h"
#include "veil/engine/llama_ops.h"
#include "veil/plugin.hpp"

namespace veil::backend_stream {

class StreamModel;

class StreamSession final : public sdk::Session {
public:
    // Bytes a session of n_ctx positions holds; charged by StreamModel before construction.
    static uint64_t bytes_for(const engine::LlamaHParams& hp, uint32_t n_ctx, int n_threads, uint32_t max_pass_rows);

    StreamSession(StreamModel& model, uint32_t n_ctx, uint64_t charged_bytes);
    ~StreamSession() override;  // the KV cache zeroizes itself; the budget is credited

    void eval(const int32_t* tokens, size_t n_tokens, float* logits) override;
    uint32_t position() const override { return n_past_; }
    void rewind(uint32_t n_past) override;

    uint32_t n_ctx() const { return n_ctx_; }
    // Throws sdk::Error(VEIL_ERR_INVALID_ARGUMENT) for an empty or null batch, tokens outside the
    // vocabulary or a context overflow — before anything is computed.
    void check_tokens(const int32_t* tokens, size_t n_tokens) const;

    // Used by StreamModel's passes (under its compute lock).
    engine::KvCache& cache() { return cache_; }
    engine::Rope& rope() { return rope_; }
    engine::AttentionScratch& attention() { return attention_; }
    void advance(uint32_t n) { n_past_ += n; }

private:
    StreamModel& model_;
    uint32_t n_ctx_;
    uint64_t charged_;
    uint32_t n_past_ = 0;
    engine::KvCache cache_;
    engine::Rope rope_;
    engine::AttentionScratch attention_;
};

}  // namespace veil::backend_stream
