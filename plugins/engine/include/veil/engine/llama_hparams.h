// Hyper-parameters of a LLaMA-family model, read from GGUF metadata through the model source.
#pragma once

#include <cstdint>
#include <string>

#include "veil/backend.h"

namespace veil::engine {

struct LlamaHParams {
    std::string arch;          // general.architecture, the prefix of every other key
    uint32_t n_ctx_train = 0;  // <arch>.context_length
    uint32_t n_embd = 0;       // <arch>.embedding_length
    uint32_t n_layer = 0;      // <arch>.block_count
    uint32_t n_ff = 0;         // <arch>.feed_forward_length
    uint32_t n_head = 0;       // <arch>.attention.head_count
    uint32_t n_head_kv = 0;    // <arch>.attention.head_count_kv (default n_head: plain MHA)
    uint32_t head_dim = 0;     // <arch>.attention.key_length (default n_embd / n_head)
    uint32_t n_rot = 0;        // <arch>.rope.dimension_count (default head_dim)
    uint32_t n_vocab = 0;      // tokenizer.ggml.tokens length, else token_embd's row count
    float rope_freq_base = 10000.0f;  // <arch>.rope.freq_base
    float rms_eps = 1e-5f;            // <arch>.attention.layer_norm_rms_epsilon

    uint32_t q_dim() const { return n_head * head_dim; }
    uint32_t kv_dim() const { return n_head_kv * head_dim; }
    uint32_t gqa_group() const { return n_head / n_head_kv; }  // query heads sharing one KV head
};

// Reads and validates the hyper-parameters. Throws LlamaError naming the offending key. n_vocab is
// left 0 when the tokenizer array is absent; LlamaWeights fills it from token_embd.
LlamaHParams read_llama_hparams(const veil_model_source& source);

}  // namespace veil::engine
