// Matrix products of quantized weights with float activations — the hot path of inference.
#pragma once

#include <cstdint>
#include <span>
#include <vector>

#include "veil/engine/ggml_types.h"
#include "veil/engine/thread_pool.h"
#include "veil/engine/weight_matrix.h"

namespace veil::engine {

// Reusable buffer for activations converted to the weights' vec_dot_type (plus the per-row data
// the SIMD tile kernels precompute from them); grows, never shrinks, so steady-state decoding
// allocates nothing. Holds prompt-derived data: owners zeroize it (LlamaSession does).
struct MatmulScratch {
    std::vector<uint8_t> x_converted;
};

// Work on finished output rows, done inside the region by the thread that computed them, while
// they are still in its cache, instead of in a serial pass over the whole output afterwards (the
// residual add after a projection, SwiGLU after gate and up). fn(ctx, r0, r1) is called once for
// every row r in [r0, r1) of every token, after rows r0..r1-1 of every product exist for all
// tokens; calls for disjoint ranges may run concurrently on different threads.
struct RowsDone {
    void (*fn)(void* ctx, int64_t r0, int64_t r1) = nullptr;  // optional: nullptr does nothing
    void* ctx = nullptr;
};

// Work that writes the activations X (the RMS norm of the residual stream before Q/K/V and
// gate/up), run by the calling thread first thing in the matmul's parallel region when decoding,
// instead of before it: the other threads are then already awake and prefetch the first weights of
// their rows meanwhile, so the memory bus is not idle while it runs. Elsewhere it simply runs first.
struct InputStep {
    void (*fn)(void* ctx) = nullptr;  // optional: nullptr means X is ready
    void* ctx = nullptr;
};

// Y[t * rows + r] = sum_c W[r][c] * X[t * cols + c]   for t < n_tokens, r < W.rows, c < W.cols,
// W in either row layout (weight_matrix.h). Activations are converted once per call; rows are split
// across the pool's threads, and for n_tokens > 1 each weight block is reused across tokens
// (batched prefill, register-blocked kernels). Bit-identical for any thread count, and prefill
// equals token-by-token decode; a Grouped16 matrix rounds differently from its Plain original.
void matmul(ThreadPool& pool, const WeightMatrix& W, const float* X, int64_t n_tokens, float* Y,
            MatmulScratch& scratch, RowsDone done = {}, InputStep input = {});

// Most matrices one matmul_many call takes.
constexpr int kMaxMatmulProducts = 4;

// Y[i] = W[i] X for every i (as matmul, each result bit-identical to its own matmul call), in one
// parallel region: the products of one input (attention's Q, K and V; the FFN's gate and up) pay
// one wake-up and one barrier instead of one each, and matrices of the same type and layout share
// one conversion of X. All W[i] have the same cols; W.size() == Y.size() <= kMaxMatmulProducts.
// With `done`, all W[i] must also have the same rows (std::invalid_argument otherwise).
void matmul_many(ThreadPool& pool, std::span<const WeightMatrix* const> W, const float* X, int64_t n_tokens,
                 std::span<float* const> Y, MatmulScratch& scratch, RowsDone done = {}, InputStep input = {});

}  // namespace veil::engine
