// Causal grouped-query attention over the KV cache, parallelised across query heads.
#pragma once

#include <cstdint>
#include <vector>

#include "veil/engine/llama_hparams.h"
#include "veil/engine/llama_kv_cache.h"
#include "veil/engine/llama_ops.h"
#include "veil/engine/thread_pool.h"

namespace veil::engine {

// Per-thread score rows — one per query head of a KV group, which the SIMD path computes together
// — sized once per session so decoding allocates nothing.
class AttentionScratch {
public:
    AttentionScratch(int n_threads, uint32_t n_ctx, uint32_t gqa_group)
        : rows_(static_cast<size_t>(gqa_group ? gqa_group : 1) * n_ctx),
          n_ctx_(n_ctx),
          scores_(static_cast<size_t>(n_threads) * rows_) {}
    // Bytes a scratch of these dimensions holds (for memory budgets).
    static uint64_t bytes_for(int n_threads, uint32_t n_ctx, uint32_t gqa_group) {
        return static_cast<uint64_t>(n_threads) * (gqa_group ? gqa_group : 1) * n_ctx * sizeof(float);
    }
    // gqa_group rows of n_ctx floats for `thread`, n_ctx() apart.
    float* scores(int thread) { return scores_.data() + static_cast<size_t>(thread) * rows_; }
    uint32_t n_ctx() const { return n_ctx_; }

private:
    size_t rows_;
    uint32_t n_ctx_;
    std::vector<float> scores_;
};

// For each of n_tokens queries (rows of q, q_dim floats, RoPE applied) at positions
// pos0 .. pos0 + n_tokens - 1, attends to cache positions [0, own position] of `layer` and writes
// the concatenated head outputs to the matching row of `out` (q_dim floats). Query head h reads
// KV head h / gqa_group, as llama.cpp groups them. The cache must already hold the keys and values
// of every position up to pos0 + n_tokens - 1.
void attention(ThreadPool& pool, const LlamaHParams& hp, const KvCache& cache, uint32_t layer, const float* q,
               uint32_t n_tokens, uint32_t pos0, float* out, AttentionScratch& scratch);

// One sequence's new rows as the Q, K and V projections left them: not yet rotated, and their
// keys and values not yet in the cache.
struct NewRows {
    float* q;           // n_tokens rows of q_dim floats; rotated in place
    float* k;           // n_tokens rows of kv_dim floats; rotated in place
    const float* v;     // n_tokens rows of kv_dim floats
    const Rope* rope;   // prepared for the batch the rows belong to
    uint32_t rope_t0;   // the batch token of the first row
};

// attention() for new rows: applies RoPE to their queries and keys, stores their keys and values
// in `cache` at positions pos0 .. pos0 + n_tokens - 1 of `layer`, then attends. Where each
// thread's work units cover whole KV heads (always in decode), a unit's rotations and cache
// writes happen inside the parallel region, on the thread that then reads them; otherwise they
// come first, on the calling thread. Either way every value is computed the same.
void attend_new_rows(ThreadPool& pool, const LlamaHParams& hp, KvCache& cache, uint32_t layer, const NewRows& rows,
                     uint32_t n_tokens, uint32_t pos0, float* out, AttentionScratch& scratch);

}  // namespace veil::engine
