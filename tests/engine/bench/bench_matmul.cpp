// matmul at the TinyLlama-1.1B shapes for the decode-relevant weight types, with 2 threads:
// - Matvec (1 token): bytes_per_second is weight bytes streamed per second; compare with
//   BM_ReadBandwidth (decode is memory-bound).
// - Gemm (64 tokens, a prefill chunk): GFLOP/s counts 2 * rows * cols * tokens.
// BM_Grouped* are the same products on the weights regrouped into 16-row groups (row_groups.h),
// as backend_full holds them where row_groups_pay_off(); the label names the active kernel table
// (VEIL_ISA=avx2 measures the AVX2 kernels on an AVX-512 machine).
#include <benchmark/benchmark.h>

#include <string>

#include "bench_shapes.h"
#include "veil/engine/kernels.h"
#include "veil/engine/matmul.h"
#include "veil/engine/row_groups.h"

namespace veil::engine::bench {
namespace {

void run_matmul(benchmark::State& state, GgmlType type, int64_t n_tokens, RowLayout layout = RowLayout::Plain) {
    const int64_t rows = state.range(0), cols = state.range(1);
    std::vector<uint8_t> w = random_matrix(type, rows, cols, 7);
    WeightMatrix m = plain_matrix(type, w.data(), rows, cols);
    if (layout == RowLayout::Grouped16) {
        group_rows(m);
        state.SetLabel(std::string(isa_name(best_kernels().isa)) +
                       (row_groups_pay_off(type) ? "" : " (scalar reference grouped kernel)"));
    }
    std::mt19937 rng(3);
    const std::vector<float> x = testing::random_floats(cols * n_tokens, rng);
    std::vector<float> y(static_cast<size_t>(rows * n_tokens));
    MatmulScratch scratch;
    matmul(pool(), m, x.data(), n_tokens, y.data(), scratch);  // sizes scratch
    for (auto _ : state) {
        matmul(pool(), m, x.data(), n_tokens, y.data(), scratch);
        benchmark::DoNotOptimize(y.data());
    }
    state.SetBytesProcessed(static_cast<int64_t>(state.iterations()) * static_cast<int64_t>(w.size()));
    state.counters["GFLOP/s"] = benchmark::Counter(2.0 * static_cast<double>(rows * cols * n_tokens) * 1e-9 *
                                                       static_cast<double>(state.iterations()),
                                                   benchmark::Counter::kIsRate);
}

template <GgmlType kType>
void BM_Matvec(benchmark::State& state) {
    run_matmul(state, kType, 1);
}

template <GgmlType kType>
void BM_Gemm64(benchmark::State& state) {
    run_matmul(state, kType, 64);
}

template <GgmlType kType>
void BM_GroupedMatvec(benchmark::State& state) {
    run_matmul(state, kType, 1, RowLayout::Grouped16);
}

template <GgmlType kType>
void BM_GroupedGemm64(benchmark::State& state) {
    run_matmul(state, kType, 64, RowLayout::Grouped16);
}

void shapes(benchmark::internal::Benchmark* b) {
    b->Args({kDim, kDim})->Args({kKvDim, kDim})->Args({kFfn, kDim})->Args({kDim, kFfn})->Args({kVocab, kDim});
    b->Unit(benchmark::kMicrosecond)->UseRealTime();
}

BENCHMARK_TEMPLATE(BM_Matvec, GgmlType::Q4_0)->Apply(shapes);
BENCHMARK_TEMPLATE(BM_Matvec, GgmlType::Q8_0)->Apply(shapes);
BENCHMARK_TEMPLATE(BM_Matvec, GgmlType::Q4_K)->Apply(shapes);
BENCHMARK_TEMPLATE(BM_Matvec, GgmlType::Q6_K)->Apply(shapes);
BENCHMARK_TEMPLATE(BM_Gemm64, GgmlType::Q4_0)->Apply(shapes);
BENCHMARK_TEMPLATE(BM_Gemm64, GgmlType::Q8_0)->Apply(shapes);
BENCHMARK_TEMPLATE(BM_Gemm64, GgmlType::Q4_K)->Apply(shapes);
BENCHMARK_TEMPLATE(BM_Gemm64, GgmlType::Q6_K)->Apply(shapes);
BENCHMARK_TEMPLATE(BM_GroupedMatvec, GgmlType::Q4_0)->Apply(shapes);
BENCHMARK_TEMPLATE(BM_GroupedMatvec, GgmlType::Q8_0)->Apply(shapes);
BENCHMARK_TEMPLATE(BM_GroupedMatvec, GgmlType::Q4_K)->Apply(shapes);
BENCHMARK_TEMPLATE(BM_GroupedMatvec, GgmlType::Q6_K)->Apply(shapes);
BENCHMARK_TEMPLATE(BM_GroupedGemm64, GgmlType::Q4_0)->Apply(shapes);
BENCHMARK_TEMPLATE(BM_GroupedGemm64, GgmlType::Q8_0)->Apply(shapes);
BENCHMARK_TEMPLATE(BM_GroupedGemm64, GgmlType::Q4_K)->Apply(shapes);
BENCHMARK_TEMPLATE(BM_GroupedGemm64, GgmlType::Q6_K)->Apply(shapes);

}  // namespace
}  // namespace veil::engine::bench
