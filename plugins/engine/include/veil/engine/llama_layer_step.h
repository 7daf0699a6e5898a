// The LLaMA forward pass cut into the pieces a backend schedules: embedding lookup, one
// transformer block over a set of rows, and the output head. LlamaSession chains them
// session-major (all blocks for one session, weights resident); backend_stream runs them
// layer-outer (one block for every waiting session before the next block's weights are read).
// Both call the same functions, so both compute bit-identical results.
#pragma once

#include <cstddef>
#include <cstdint>
#include <span>
#include <vector>

#include "veil/engine/llama_attention.h"
#include "veil/engine/llama_hparams.h"
#include "veil/engine/llama_kv_cache.h"
#include "veil/engine/llama_ops.h"
#include "veil/engine/llama_weights.h"
#include "veil/engine/matmul.h"
#include "veil/engine/thread_pool.h"

namespace veil::engine {

// The pools a pass computes on: `parallel` for large work, `serial` (just the calling thread) for
// matmuls smaller than the cost of waking workers.
struct ComputePools {
    ThreadPool& parallel;
    ThreadPool& serial;
};

// Y = W * X for n rows of X; picks the pool by size. Every row is computed identically on either.
void weight_matmul(const ComputePools& pools, const WeightMatrix& w, const float* x, uint32_t n, float* y,
                   MatmulScratch& scratch, RowsDone done = {}, InputStep input = {});
// The same for several matrices of one input in one region (matmul_many).
void weight_matmul_many(const ComputePools& pools, std::span<const WeightMatrix* const> w, const float* x, uint32_t n,
                        std::span<float* const> y, MatmulScratch& scratch, RowsDone done = {}, InputStep input = {});

// Activation buffers of one block for up to max_rows stacked rows, sized once; zeroized on
// destruction (they hold values derived from the user's prompt).
class LayerActivations {
public:
    LayerActivations(const LlamaHParams& hp, uint32_t max_rows);
    ~LayerActivations();
    LayerActivations(const LayerActivations&) = delete;
    LayerActivations& operator=(const LayerActivations&) = delete;

    uint32_t max_rows() const { return max_rows_; }
    // Bytes of the float buffers for max_rows rows (the matmul scratch grows on first use; see
    // matmul_scratch_bytes).
    static size_t bytes_for(const LlamaHParams& hp, uint32_t max_rows);
    // Upper bound of the matmul scratch for max_rows rows of the widest activation.
    static size_t matmul_scratch_bytes(const LlamaHParams& hp, uint32_t max_rows);

    std::vector<float> xn, q, k, v, attn_out, proj, gate, up;
    MatmulScratch mm;

private:
    uint32_t max_rows_;
};

// The rows of one sequence inside a stacked block call: its cache and the RoPE tables prepared
// for its positions. Rows row0 .. row0 + n - 1 of x sit at positions pos0 .. pos0 + n - 1 and use
// rope entries rope_t0 .. rope_t0 + n - 1.
struct SequenceRows {
    KvCache* cache = nullptr;
    const Rope* rope = nullptr;
    AttentionScratch* attention = nullptr;
    uint32_t pos0 = 0;
    uint32_t n = 0;
    uint32_t row0 = 0;
    uint32_t rope_t0 = 0;
};

// x[t] = dequantized embedding row of tokens[t], t < n (tokens already range-checked).
void embed_tokens(const WeightMatrix& tok_embd, const int32_t* tokens, uint32_t n, uint32_t n_embd, float* x);

// One transformer block (`layer`, weights L) applied in place to the residual rows x of every
// sequence in seqs (stacked in order, at most act.max_rows rows in total): RMSNorm, Q/K/V (one
// matmul per weight over all rows), RoPE, KV cache write, causal attention per sequence, output
// projection, then the SwiGLU feed-forward block.
void run_llama_layer(const ComputePools& pools, const LlamaHParams& hp, const LlamaLayerWeights& L, uint32_t layer,
                     float* x, const SequenceRows* seqs, size_t n_seqs, LayerActivations& act);

// xn = rms_norm(x) * weight for n rows of `width` floats: the input step (InputStep) of the
// products that read xn, so that decode runs it inside their parallel region.
struct RmsNormRows {
    const float* x;
    const float* weight;
    uint32_t width, n;
    float eps;
    float* xn;

    static void run(void* ctx);
    InputStep step() { return {run, this}; }
};

// Final RMSNorm of n rows (each n_embd floats) into xn.
void output_norm_rows(const LlamaHParams& hp, const float* output_norm, const float* x, uint32_t n, float* xn);

}  // namespace veil::engine
