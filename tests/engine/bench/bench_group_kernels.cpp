// The grouped kernels alone (group_kernels.h), per ISA and on one thread: every group of a
// rows x cols matrix against n_x activation rows, as matmul's inner loop calls them, without the
// activation conversion or the thread pool. bytes_per_second is weight bytes read per second;
// compare with BM_ReadBandwidth / 2 (one thread of the two) for decode (n_x = 1).
#include <benchmark/benchmark.h>

#include <string>

#include "bench_shapes.h"
#include "group_kernels.h"
#include "veil/engine/kernels.h"
#include "veil/engine/row_groups.h"

namespace veil::engine::bench {
namespace {

detail::GroupKernel kernel_of(Isa isa, GgmlType type) {
    switch (isa) {
        case Isa::Avx512: return detail::avx512_group_kernel(type);
        case Isa::Avx2: return detail::avx2_group_kernel(type);
        case Isa::Scalar: return detail::scalar_group_kernel(type);
    }
    return {};
}

template <GgmlType kType, Isa kIsa>
void BM_GroupKernel(benchmark::State& state) {
    const int64_t rows = state.range(0), cols = state.range(1);
    const int n_x = static_cast<int>(state.range(2));
    if (kernels_for(kIsa) == nullptr) return state.SkipWithError("ISA not supported on this CPU");
    const detail::GroupKernel k = kernel_of(kIsa, kType);
    if (k.dot == nullptr) return state.SkipWithError("no grouped kernel for this type and ISA");
    state.SetLabel(isa_name(kIsa));

    std::vector<uint8_t> w = random_matrix(kType, rows, cols, 11);
    WeightMatrix m = plain_matrix(kType, w.data(), rows, cols);
    group_rows(m);
    // Activation rows as matmul lays them out: converted row, then the kernel's side data.
    const auto& tr = testing::traits(kType);
    const size_t side_off = (row_bytes(tr.vec_dot_type, cols) + 63) / 64 * 64;
    const size_t x_row = (side_off + k.side_bytes(cols) + 63) / 64 * 64;
    std::vector<uint8_t> xbuf(x_row * static_cast<size_t>(n_x) + 64);
    uint8_t* x = xbuf.data() + (64 - reinterpret_cast<uintptr_t>(xbuf.data()) % 64) % 64;
    std::mt19937 rng(5);
    for (int t = 0; t < n_x; ++t) {
        const auto xq = testing::convert_activations(kType, testing::random_floats(cols, rng));
        uint8_t* row = x + static_cast<size_t>(t) * x_row;
        std::copy(xq.begin(), xq.end(), row);
        k.prepare(row, row + side_off, cols);
    }
    std::vector<float> y(static_cast<size_t>(rows * n_x));
    const int64_t grouped = rows / kRowGroup * kRowGroup;
    for (auto _ : state) {
        for (int64_t r = 0; r < grouped; r += kRowGroup)
            k.dot(cols, w.data() + static_cast<size_t>(r) * m.row_stride, x, x_row, side_off, n_x, y.data() + r,
                  static_cast<size_t>(rows));
        benchmark::DoNotOptimize(y.data());
    }
    state.SetBytesProcessed(static_cast<int64_t>(state.iterations()) * static_cast<int64_t>(grouped) *
                            static_cast<int64_t>(m.row_stride));
}

// Decode (n_x = 1) and a prefill tile (n_x = 4) at the FFN down and up shapes (in L3 after the
// first pass), decode of the output matrix (larger than L3: read from memory), and decode of 256
// rows (at most 560 KB: in L2, so the kernel's own speed, which decode needs well above half the
// memory bandwidth to keep up with the bus).
void kernel_shapes(benchmark::internal::Benchmark* b) {
    for (int64_t n_x : {1, 4}) b->Args({kDim, kFfn, n_x})->Args({kFfn, kDim, n_x});
    b->Args({kVocab, kDim, 1});
    b->Args({256, kDim, 1});
    b->Unit(benchmark::kMicrosecond)->UseRealTime();
}

BENCHMARK_TEMPLATE(BM_GroupKernel, GgmlType::Q4_0, Isa::Avx2)->Apply(kernel_shapes);
BENCHMARK_TEMPLATE(BM_GroupKernel, GgmlType::Q8_0, Isa::Avx2)->Apply(kernel_shapes);
BENCHMARK_TEMPLATE(BM_GroupKernel, GgmlType::Q4_K, Isa::Avx2)->Apply(kernel_shapes);
BENCHMARK_TEMPLATE(BM_GroupKernel, GgmlType::Q6_K, Isa::Avx2)->Apply(kernel_shapes);
BENCHMARK_TEMPLATE(BM_GroupKernel, GgmlType::Q4_0, Isa::Avx512)->Apply(kernel_shapes);
BENCHMARK_TEMPLATE(BM_GroupKernel, GgmlType::Q8_0, Isa::Avx512)->Apply(kernel_shapes);
BENCHMARK_TEMPLATE(BM_GroupKernel, GgmlType::Q4_K, Isa::Avx512)->Apply(kernel_shapes);
BENCHMARK_TEMPLATE(BM_GroupKernel, GgmlType::Q6_K, Isa::Avx512)->Apply(kernel_shapes);

}  // namespace
}  // namespace veil::engine::bench
