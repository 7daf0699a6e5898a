// Matrix products of quantized weights with float activations — the hot path of inference.
#pragma once

#include <cstdint>
#include <vector>

#include "veil/engine/ggml_types.h"
#include "veil/engine/thread_pool.h"

namespace veil::engine {

// Reusable buffer for activations converted to the weights' vec_dot_type (plus the per-row data
// the SIMD tile kernels precompute from them); grows, never shrinks, so steady-state decoding
// allocates nothing. Holds prompt-derived data: owners zeroize it (LlamaSession does).
struct MatmulScratch {
    std::vector<uint8_t> x_converted;
};

// Y[t * rows + r] = sum_c W[r][c] * X[t * cols + c]   for t < n_tokens, r < rows.
// W is `rows` rows of `cols` elements of `wtype`, each row row_bytes(wtype, cols) bytes, contiguous.
// Activations are converted once per call; rows are split across the pool's threads, and for
// n_tokens > 1 each weight block is reused across tokens (batched prefill, register-blocked tile
// kernels). Bit-identical for any thread count, and prefill equals token-by-token decode.
void matmul(ThreadPool& pool, GgmlType wtype, const void* W, int64_t rows, int64_t cols, const float* X,
            int64_t n_tokens, float* Y, MatmulScratch& scratch);

}  // namespace veil::engine
