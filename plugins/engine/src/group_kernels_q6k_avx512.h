// The AVX-512 Q6_K grouped kernel (group_kernels.h), shared by two translation units that differ
// only in how they unpack the 6-bit quants: shifts and masks (group_kernels_k_avx512.cpp, any
// AVX-512 VNNI CPU) or GFNI affine bit moves (group_kernels_q6k_gfni_avx512.cpp, compiled with
// -mgfni and chosen at run time where the CPU has GFNI). Include only from AVX-512 files.
#pragma once

#include "group_kernels_avx512.h"
#include "veil/engine/ggml_blocks.h"

namespace veil::engine::detail::avx512_groups {

using blocks::BlockQ6_K;
using blocks::BlockQ8_K;

// Grouped super-block column (3360 bytes): ql [32 chunks][16][4] | qh [16 chunks][16][4] |
// scales [16][16] | d[16]. Element 128h + 32q + 4u + k (h < 2, q < 4, u < 8, k < 4) has its low
// 4 bits in ql chunk 16h + 8(q % 2) + u (low nibble for q < 2), its high 2 bits at bits 2q of qh
// chunk 8h + u, and belongs to sub-block 8h + 2q + u / 4.

constexpr size_t kQ6KCol = 16 * sizeof(BlockQ6_K);
constexpr size_t kQ6KQh = 2048, kQ6KScales = 3072, kQ6KD = 3328;

// Unpack::quants(l0, l1, qh, w) sets w[q] (q < 4) to the 6-bit quants (0..63, one per byte) of
// one chunk of each quarter q, from the low-bit chunks l0 (quarters 0 and 2 in its low and high
// nibbles), l1 (quarters 1 and 3) and the high-bit chunk qh (2 bits per quarter, quarter q at
// bits 2q and 2q + 1) — times 2^Unpack::kQuarter3Shift for quarter 3 (at most 4 x 63, still a
// byte), where leaving its high bits in place saves a bit move; the sums of that quarter are
// shifted back exactly, every product being a multiple of the factor.
//
// Columns are prefetched as group_prefetch.h's prefetch_k_column_to_l2 says. Into L1 at 4 KiB
// ahead, as the *_0 kernels do, two threads streamed Q6_K at 0.52-0.58 of the memory probe on a
// Zen 4 host (53 lines per column: more misses in flight than L1 tracks, so the loads stall), and
// as badly with those prefetches spread over the column.
template <class Unpack>
struct Q6K {
    template <int T>
    struct Tile {
        static void run(const uint8_t* x, size_t xs, float* out, size_t os, int64_t nb, const uint8_t* group,
                        size_t side_off) {
            __m512 acc[T];
            for (int t = 0; t < T; ++t) acc[t] = _mm512_setzero_ps();
            const Unpack unpack;
            for (int64_t b = 0; b < nb; ++b) {
                const uint8_t* col = group + static_cast<size_t>(b) * kQ6KCol;
                prefetch_k_column_to_l2<kQ6KCol, 4 * kQ6KCol>(col);
                const int8_t* a[T];
                const int32_t* bias[T];
                __m512i sumi[T];
                for (int t = 0; t < T; ++t) {
                    const uint8_t* xr = x + static_cast<size_t>(t) * xs;
                    a[t] = (reinterpret_cast<const BlockQ8_K*>(xr) + b)->qs;
                    bias[t] = reinterpret_cast<const int32_t*>(xr + side_off) + 16 * b;
                    sumi[t] = _mm512_setzero_si512();
                }
                #pragma GCC unroll 2
                for (int h = 0; h < 2; ++h) {
                    #pragma GCC unroll 2
                    for (int half = 0; half < 2; ++half) {  // u in [4 half, 4 half + 4): sub-blocks 8h + 2q + half
                        prefetch_next_column_part<kQ6KCol, 4>(col, 2 * h + half);
                        __m512i s[4][T];
                        for (int q = 0; q < 4; ++q)
                            for (int t = 0; t < T; ++t) s[q][t] = _mm512_set1_epi32(bias[t][8 * h + 2 * q + half]);
                        if constexpr (Unpack::kQuarter3Shift > 0)
                            for (int t = 0; t < T; ++t) s[3][t] = _mm512_slli_epi32(s[3][t], Unpack::kQuarter3Shift);
                        #pragma GCC unroll 2
                        for (int u2 = 2 * half; u2 < 2 * half + 2; ++u2) {
                            __m512i w[2][4];  // [u & 1][q]
                            #pragma GCC unroll 2
                            for (int e = 0; e < 2; ++e) {
                                const int u = 2 * u2 + e;
                                const __m512i l0 = _mm512_loadu_si512(col + 64 * (16 * h + u));
                                const __m512i l1 = _mm512_loadu_si512(col + 64 * (16 * h + 8 + u));
                                const __m512i qh = _mm512_loadu_si512(col + kQ6KQh + 64 * (8 * h + u));
                                unpack.quants(l0, l1, qh, w[e]);
                            }
                            #pragma GCC unroll 4
                            for (int q = 0; q < 4; ++q) {
                                const int e0 = 128 * h + 32 * q + 8 * u2;  // first element of u = 2 * u2
                                #pragma GCC unroll 4
                                for (int t = 0; t < T; ++t) {
                                    s[q][t] = dpbusd4<T>(s[q][t], w[0][q], a[t] + e0);
                                    s[q][t] = dpbusd4<T>(s[q][t], w[1][q], a[t] + e0 + 4);
                                }
                            }
                        }
                        if constexpr (Unpack::kQuarter3Shift > 0)
                            for (int t = 0; t < T; ++t) s[3][t] = _mm512_srai_epi32(s[3][t], Unpack::kQuarter3Shift);
                        #pragma GCC unroll 4
                        for (int q = 0; q < 4; ++q) {
                            const int j = 8 * h + 2 * q + half;
                            const __m512i sc = _mm512_cvtepi8_epi32(_mm_loadu_si128(reinterpret_cast<const __m128i*>(col + kQ6KScales + 16 * j)));
                            for (int t = 0; t < T; ++t) sumi[t] = _mm512_add_epi32(sumi[t], _mm512_mullo_epi32(s[q][t], sc));
                        }
                    }
                }
                const __m512 dw = halves16(col + kQ6KD);
                for (int t = 0; t < T; ++t) {
                    const float xd = (reinterpret_cast<const BlockQ8_K*>(x + static_cast<size_t>(t) * xs) + b)->d;
                    acc[t] = _mm512_fmadd_ps(_mm512_mul_ps(dw, _mm512_set1_ps(xd)), _mm512_cvtepi32_ps(sumi[t]), acc[t]);
                }
            }
            for (int t = 0; t < T; ++t) _mm512_storeu_ps(out + static_cast<size_t>(t) * os, acc[t]);
        }
    };

    static void dot(int64_t n, const uint8_t* group, const uint8_t* x, size_t xs, size_t side_off, int n_x, float* out,
                    size_t os) {
        by_tiles<Tile>(n_x, x, xs, out, os, n / 256, group, side_off);
    }
};

}  // namespace veil::engine::detail::avx512_groups
