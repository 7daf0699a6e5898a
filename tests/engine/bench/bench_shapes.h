// Shapes and shared set-up of the engine micro-benchmarks: a TinyLlama-1.1B-shaped layer
// (dim 2048, ffn 5632, 32 heads, 4 KV heads of 64, vocab 32000), as in the backend_full issue.
#pragma once

#include <cstdint>
#include <random>
#include <vector>

#include "test_kernels_util.h"
#include "veil/engine/thread_pool.h"

namespace veil::engine::bench {

constexpr int64_t kDim = 2048, kFfn = 5632, kVocab = 32000, kKvDim = 256;
constexpr int kThreads = 2;

// One pool per process, as a model holds one: thread creation never lands in a timed region.
inline ThreadPool& pool() {
    static ThreadPool p(kThreads);
    return p;
}

// rows x cols of `type` with random quants (valid scales), as the kernel tests build them.
inline std::vector<uint8_t> random_matrix(GgmlType type, int64_t rows, int64_t cols, uint32_t seed) {
    std::mt19937 rng(seed);
    std::vector<uint8_t> w;
    w.reserve(row_bytes(type, cols) * static_cast<size_t>(rows));
    for (int64_t r = 0; r < rows; ++r) {
        const std::vector<uint8_t> row = testing::random_row(type, cols, rng);
        w.insert(w.end(), row.begin(), row.end());
    }
    return w;
}

}  // namespace veil::engine::bench
