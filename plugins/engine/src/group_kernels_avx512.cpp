// AVX-512 VNNI grouped kernels for the *_0 types (group_kernels.h): the 16 rows of a group in the
// 16 int32 / float lanes of a zmm register. Per block, each 64-byte load of quants holds 4
// consecutive quants of all 16 rows, dotted with 4 activation bytes broadcast to every lane by
// one dpbusd; the block's int32 sums are then scaled and accumulated exactly as the scalar
// reference does (group_kernels_scalar.cpp). Up to kTile activation rows share each unpacked
// block (prefill); decode is the kTile = 1 case of the same code.
#include <immintrin.h>

#pragma GCC diagnostic ignored "-Wmaybe-uninitialized"
#pragma GCC diagnostic ignored "-Wuninitialized"

#include "group_kernels.h"
#include "group_kernels_avx512.h"
#include "simd_avx512.h"
#include "veil/engine/ggml_blocks.h"

namespace veil::engine::detail {
namespace {

using namespace blocks;
using namespace avx512_groups;

// Q4_0: 4 loads of 16 rows x 4 bytes; low nibbles are elements 4c..4c+3, high 16+4c..16+4c+3.
struct Q4_0Block {
    static constexpr size_t kBytes = 16 * sizeof(BlockQ4_0);
    __m512i q[8];  // q[c] elements 4c.., q[4 + c] elements 16 + 4c..
    __m512 d;
    [[gnu::always_inline]] void load(const uint8_t* col) {
        const __m512i low4 = _mm512_set1_epi8(0x0F);
        #pragma GCC unroll 4
        for (int c = 0; c < 4; ++c) {
            const __m512i v = _mm512_loadu_si512(col + 32 + 64 * c);
            q[c] = _mm512_and_si512(v, low4);
            q[4 + c] = _mm512_and_si512(_mm512_srli_epi16(v, 4), low4);
        }
        d = halves16(col);
    }
    // Element offset (in the activation block) of the 4 elements q[k] holds.
    static int element(int k) { return k < 4 ? 4 * k : 16 + 4 * (k - 4); }
};

// Q8_0: 8 loads of 16 rows x 4 unsigned (q + 128) bytes, elements 4c..4c+3.
struct Q8_0Block {
    static constexpr size_t kBytes = 16 * sizeof(BlockQ8_0);
    __m512i q[8];
    __m512 d;
    [[gnu::always_inline]] void load(const uint8_t* col) {
        #pragma GCC unroll 8
        for (int c = 0; c < 8; ++c) q[c] = _mm512_loadu_si512(col + 32 + 64 * c);
        d = halves16(col);
    }
    static int element(int k) { return 4 * k; }
};

template <typename Block>
struct Dot0 {
    template <int T>
    struct Tile {
        static void run(const uint8_t* x, size_t xs, float* out, size_t os, int64_t nb, const uint8_t* group,
                        size_t side_off) {
            __m512 acc[T];
            #pragma GCC unroll 4
            for (int t = 0; t < T; ++t) acc[t] = _mm512_setzero_ps();
            for (int64_t b = 0; b < nb; ++b) {
                const uint8_t* col = group + static_cast<size_t>(b) * Block::kBytes;
                prefetch_ahead<Block::kBytes>(col);
                Block w;  // per block, so its registers need not survive the loop (no spill to the stack)
                w.load(col);
                #pragma GCC unroll 4
                for (int t = 0; t < T; ++t) {
                    const uint8_t* xr = x + static_cast<size_t>(t) * xs;
                    const int8_t* a = reinterpret_cast<const BlockQ8_0*>(xr)[b].qs;
                    const SideQ8_0& side = reinterpret_cast<const SideQ8_0*>(xr + side_off)[b];
                    // Two int32 chains (exact, so their split does not matter) halve the dpbusd latency.
                    __m512i s0 = _mm512_set1_epi32(side.bias), s1 = _mm512_setzero_si512();
                    #pragma GCC unroll 8
                    for (int k = 0; k < 8; k += 2) {
                        s0 = dpbusd4<T>(s0, w.q[k], a + Block::element(k));
                        s1 = dpbusd4<T>(s1, w.q[k + 1], a + Block::element(k + 1));
                    }
                    const __m512 d = _mm512_mul_ps(w.d, _mm512_set1_ps(side.d));
                    acc[t] = _mm512_fmadd_ps(d, _mm512_cvtepi32_ps(_mm512_add_epi32(s0, s1)), acc[t]);
                }
            }
            for (int t = 0; t < T; ++t) _mm512_storeu_ps(out + static_cast<size_t>(t) * os, acc[t]);
        }
    };
};

template <typename Block>
void dot_0(int64_t n, const uint8_t* group, const uint8_t* x, size_t xs, size_t side_off, int n_x, float* out,
           size_t os) {
    by_tiles<Dot0<Block>::template Tile>(n_x, x, xs, out, os, n / 32, group, side_off);
}

// The side data of Q8_0 activations (group_kernels.h's SideQ8_0: -kBias * sum(qs), d as float),
// equal to the scalar reference's: the sum of a block's 32 quants is exact in int32 whichever way
// it is added (here: dpbusd of the signed quants with unsigned ones, then a horizontal add), and
// vcvtsh2ss converts d exactly. Decode computes it once per matmul on one thread, before the others
// can start, so it is serial time (~2.5x faster than the scalar loop).
template <int kBias>
void prepare_q8_0(const uint8_t* x, uint8_t* side, int64_t n) {
    const auto* b = reinterpret_cast<const BlockQ8_0*>(x);
    auto* s = reinterpret_cast<SideQ8_0*>(side);
    const __m256i ones = _mm256_set1_epi8(1);
    for (int64_t k = 0; k < n / 32; ++k) {
        const __m256i q = _mm256_loadu_si256(reinterpret_cast<const __m256i*>(b[k].qs));
        const int32_t sum = avx512::hsum_i32_256(_mm256_dpbusd_epi32(_mm256_setzero_si256(), ones, q));
        s[k] = SideQ8_0{-kBias * sum, _cvtsh_ss(b[k].d)};
    }
}

}  // namespace

GroupKernel avx512_group_kernel_without_gfni(GgmlType type) {
    const GroupKernel ref = scalar_group_kernel(type);  // side data layouts are the reference's
    switch (type) {
        case GgmlType::Q4_0: return {dot_0<Q4_0Block>, ref.side_bytes, prepare_q8_0<8>};
        case GgmlType::Q8_0: return {dot_0<Q8_0Block>, ref.side_bytes, prepare_q8_0<128>};
        case GgmlType::Q4_K: return {avx512_group_dot_q4_k(), ref.side_bytes, ref.prepare};
        case GgmlType::Q6_K: return {avx512_group_dot_q6_k(), ref.side_bytes, ref.prepare};
        default: return {};
    }
}

GroupKernel avx512_group_kernel(GgmlType type) {
    static const bool gfni = [] {
        __builtin_cpu_init();
        return __builtin_cpu_supports("gfni") != 0;
    }();
    GroupKernel k = avx512_group_kernel_without_gfni(type);
    if (type == GgmlType::Q6_K && gfni) k.dot = avx512_gfni_group_dot_q6_k();
    return k;
}

}  // namespace veil::engine::detail
