// One inference session of a LlamaModel: its own KV cache and activation buffers, and the forward
// pass that feeds tokens through the transformer.
#pragma once

#include <cstddef>
#include <cstdint>
#include <vector>

#include "veil/engine/llama_attention.h"
#include "veil/engine/llama_kv_cache.h"
#include "veil/engine/llama_layer_step.h"
#include "veil/engine/llama_model.h"
#include "veil/engine/llama_ops.h"
#include "veil/engine/matmul.h"

namespace veil::engine {

class LlamaSession {
public:
    // Prompts longer than this are processed in chunks, which bounds the activation buffers.
    static constexpr uint32_t kMaxBatch = 128;

    // n_ctx = 0 means the model's training context. Every buffer is sized here.
    LlamaSession(LlamaModel& model, uint32_t n_ctx);
    ~LlamaSession();  // zeroizes the activation buffers (the KV cache zeroizes itself)
    LlamaSession(const LlamaSession&) = delete;
    LlamaSession& operator=(const LlamaSession&) = delete;

    // Feeds n_tokens tokens at the current position (prefill when > 1) and advances it. When
    // `logits` is non-null, writes the n_vocab logits that follow the last token. Throws
    // LlamaError, without changing the position, on an empty batch, a token outside the vocabulary
    // or when the context would overflow.
    void eval(const int32_t* tokens, size_t n_tokens, float* logits);

    uint32_t position() const { return n_past_; }
    uint32_t n_ctx() const { return n_ctx_; }
    // Forgets positions >= n_past (n_past <= position()).
    void rewind(uint32_t n_past);

private:
    // One chunk of at most batch_ tokens at positions n_past_ .. n_past_ + n - 1.
    void forward_chunk(const int32_t* tokens, uint32_t n, float* logits);

    LlamaModel& model_;
    const LlamaHParams& hp_;
    const LlamaWeights& w_;
    uint32_t n_ctx_;
    uint32_t batch_;
    uint32_t n_past_ = 0;

    KvCache cache_;
    Rope rope_;
    AttentionScratch attn_scratch_;
    LayerActivations act_;
    std::vector<float> x_;  // the residual stream, [batch_][n_embd]
};

}  // namespace veil::engine
