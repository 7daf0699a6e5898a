// Quantized matrix product: the inference hot path.
//
// Determinism: every output element is produced by exactly one vec_dot call over the whole row,
// so the result is bit-identical whatever the thread count or the chunk schedule.
//
// Decode (n_tokens == 1) is memory-bound: threads pull chunks of rows from a shared counter (cheap
// dynamic balancing) and stream each weight row exactly once. Prefill (n_tokens > 1) tiles: a
// chunk of rows stays hot in L1/L2 while it is dotted with a block of tokens, so weights are read
// from memory once per call instead of once per token.
#include "veil/engine/matmul.h"

#include <atomic>
#include <stdexcept>
#include <string>

#include "veil/engine/kernels.h"

namespace veil::engine {
namespace {

constexpr int64_t kRowsPerChunk = 16;    // ~37 KiB of Q4_K at 4096 columns
constexpr int64_t kTokensPerBlock = 16;  // ~75 KiB of Q8_K activations at 4096 columns

}  // namespace

void matmul(ThreadPool& pool, GgmlType wtype, const void* W, int64_t rows, int64_t cols, const float* X,
            int64_t n_tokens, float* Y, MatmulScratch& scratch) {
    if (rows <= 0 || n_tokens <= 0) return;
    const KernelTable& k = best_kernels();
    const TypeTraits* traits = type_traits(static_cast<uint32_t>(wtype));
    if (traits == nullptr || cols % traits->block_elems != 0) {
        // Loaders validate types and shapes; reaching this is a programming error, not bad input.
        throw std::invalid_argument("matmul: unsupported weight type " + std::to_string(static_cast<uint32_t>(wtype)) +
                                    " or cols not a multiple of its block");
    }
    const GgmlType xtype = traits->vec_dot_type;
    const size_t w_row = row_bytes(wtype, cols);
    const size_t x_row = row_bytes(xtype, cols);

    // 1. Activations to the weights' vec_dot_type, once per call (F32 needs no conversion).
    const uint8_t* xc;
    if (xtype == GgmlType::F32) {
        xc = reinterpret_cast<const uint8_t*>(X);
    } else {
        const size_t need = x_row * static_cast<size_t>(n_tokens);
        if (scratch.x_converted.size() < need) scratch.x_converted.resize(need);
        uint8_t* dst = scratch.x_converted.data();
        if (n_tokens == 1) {
            k.quantize_row(xtype, X, dst, cols);  // one row: not worth a parallel region
        } else {
            pool.run([&](int ti, int nt) {
                for (int64_t t = ti; t < n_tokens; t += nt) k.quantize_row(xtype, X + t * cols, dst + t * x_row, cols);
            });
        }
        xc = dst;
    }

    // 2. Rows in chunks, handed out dynamically; within a chunk, tokens in blocks.
    const auto* w = static_cast<const uint8_t*>(W);
    const int64_t n_chunks = (rows + kRowsPerChunk - 1) / kRowsPerChunk;
    std::atomic<int64_t> next_chunk{0};
    pool.run([&](int, int) {
        for (int64_t c = next_chunk.fetch_add(1, std::memory_order_relaxed); c < n_chunks;
             c = next_chunk.fetch_add(1, std::memory_order_relaxed)) {
            const int64_t r0 = c * kRowsPerChunk;
            const int64_t r1 = r0 + kRowsPerChunk < rows ? r0 + kRowsPerChunk : rows;
            for (int64_t t0 = 0; t0 < n_tokens; t0 += kTokensPerBlock) {
                const int64_t t1 = t0 + kTokensPerBlock < n_tokens ? t0 + kTokensPerBlock : n_tokens;
                for (int64_t r = r0; r < r1; ++r) {
                    const uint8_t* wr = w + static_cast<size_t>(r) * w_row;
                    for (int64_t t = t0; t < t1; ++t)
                        Y[t * rows + r] = k.vec_dot(wtype, cols, wr, xc + static_cast<size_t>(t) * x_row);
                }
            }
        }
    });
}

}  // namespace veil::engine
