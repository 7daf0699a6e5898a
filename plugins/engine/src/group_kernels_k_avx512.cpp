// AVX-512 VNNI grouped kernels for Q4_K and Q6_K (group_kernels.h): the 16 rows of a group in the
// 16 lanes of a zmm register. Each 64-byte load of quants holds 4 consecutive quants of all 16 rows;
// one dpbusd per 4 quants against 4 activation bytes broadcast to every lane gives exact int32
// sums per sub-block, which are scaled by the rows' integer sub-block scales (vpmulld) and summed
// exactly; the super-block then costs one or two fused multiply-adds per lane, as in the scalar
// reference (group_kernels_scalar.cpp). Up to kTile activation rows share each unpacked quant.
#include <immintrin.h>

#pragma GCC diagnostic ignored "-Wmaybe-uninitialized"
#pragma GCC diagnostic ignored "-Wuninitialized"

#include "group_kernels_avx512.h"
#include "group_kernels_q6k_avx512.h"
#include "veil/engine/ggml_blocks.h"

namespace veil::engine::detail {
namespace {

using namespace blocks;
using namespace avx512_groups;

// ---- Q4_K -------------------------------------------------------------------------------------
// Grouped super-block column (2304 bytes): d[16] | dmin[16] | scales [12][16] | qs [32 chunks][16][4].
// qs byte 32p + l of a row (p < 4, l < 32) holds element 64p + l (low nibble, sub-block 2p) and
// 64p + 32 + l (high nibble, sub-block 2p + 1); chunk c = 8p + l / 4.

constexpr size_t kQ4KCol = 16 * sizeof(BlockQ4_K);

// The 8 six-bit scales and mins of 16 rows: 128-bit lane j % 4 of sc[j / 4] (resp. mn[j / 4]) holds
// sub-block j's value for rows 0..15 (scale_min_k4 on the transposed scale bytes).
struct Q4KScales {
    __m512i sc[2], mn[2];
    explicit Q4KScales(const uint8_t* s) {
        const __m512i z0 = _mm512_loadu_si512(s), z1 = _mm512_loadu_si512(s + 64), z2 = _mm512_loadu_si512(s + 128);
        const __m512i low6 = _mm512_set1_epi8(0x3F), low4 = _mm512_set1_epi8(0x0F), bits45 = _mm512_set1_epi8(0x30);
        sc[0] = _mm512_and_si512(z0, low6);
        mn[0] = _mm512_and_si512(z1, low6);
        sc[1] = _mm512_or_si512(_mm512_and_si512(z2, low4), _mm512_and_si512(_mm512_srli_epi16(z0, 2), bits45));
        mn[1] = _mm512_or_si512(_mm512_and_si512(_mm512_srli_epi16(z2, 4), low4),
                                _mm512_and_si512(_mm512_srli_epi16(z1, 2), bits45));
    }
    template <int J>
    static __m512i lane(const __m512i (&v)[2]) {
        return _mm512_cvtepu8_epi32(_mm512_extracti32x4_epi32(v[J / 4], J % 4));
    }
    // The mins in pairs, for vpmaddwd: 32-bit lane r of pair[k] holds row r's min of sub-block 2k
    // (low 16 bits) and of sub-block 2k + 1 (high 16 bits).
    void min_pairs(__m512i (&pair)[4]) const {
        for (int i = 0; i < 2; ++i) {
            const __m512i v = mn[i];                                            // lanes: m[4i] .. m[4i + 3]
            const __m512i odd = _mm512_shuffle_i32x4(v, v, _MM_SHUFFLE(3, 3, 1, 1));  // m[4i + 1], m[4i + 3]
            // Lanes 0 and 2 of lo / hi interleave rows 0..7 / 8..15 of m[4i] with m[4i + 1] and of
            // m[4i + 2] with m[4i + 3].
            const __m512i lo = _mm512_unpacklo_epi8(v, odd), hi = _mm512_unpackhi_epi8(v, odd);
            const __m512i l02h02 = _mm512_shuffle_i32x4(lo, hi, _MM_SHUFFLE(2, 0, 2, 0));
            const __m512i ordered = _mm512_shuffle_i32x4(l02h02, l02h02, _MM_SHUFFLE(3, 1, 2, 0));
            pair[2 * i] = _mm512_cvtepu8_epi16(_mm512_castsi512_si256(ordered));
            pair[2 * i + 1] = _mm512_cvtepu8_epi16(_mm512_extracti64x4_epi64(ordered, 1));
        }
    }
};

template <int T>
struct Q4KTile {
    static void run(const uint8_t* x, size_t xs, float* out, size_t os, int64_t nb, const uint8_t* group,
                    size_t side_off) {
        __m512 acc[T];
        for (int t = 0; t < T; ++t) acc[t] = _mm512_setzero_ps();
        const __m512i low4 = _mm512_set1_epi8(0x0F);
        constexpr bool kHighTimes16 = T == 1;
        for (int64_t b = 0; b < nb; ++b) {
            const uint8_t* col = group + static_cast<size_t>(b) * kQ4KCol;
            prefetch_k_column_to_l2<kQ4KCol, 3 * kQ4KCol>(col);
            const Q4KScales s(col + 64);
            const BlockQ8_K* xb[T];
            __m512i sumi[T];
            for (int t = 0; t < T; ++t) {
                xb[t] = reinterpret_cast<const BlockQ8_K*>(x + static_cast<size_t>(t) * xs) + b;
                sumi[t] = _mm512_setzero_si512();
            }
            #pragma GCC unroll 4
            for (int p = 0; p < 4; ++p) {
                prefetch_next_column_part<kQ4KCol, 4>(col, p);
                __m512i lo[T], hi[T];
                for (int t = 0; t < T; ++t) lo[t] = hi[t] = _mm512_setzero_si512();
                #pragma GCC unroll 8
                for (int c = 0; c < 8; ++c) {
                    const __m512i v = load_once(col + 256 + 64 * (8 * p + c));
                    const __m512i ql = _mm512_and_si512(v, low4);
                    // Decode takes the high nibbles in place, 16 times their value: one op fewer
                    // per load (+2% from L2 on one core); with a tile of 4 rows that made the
                    // kernel 9% slower, so prefill shifts them down.
                    const __m512i qh = kHighTimes16 ? _mm512_andnot_si512(low4, v)
                                                    : _mm512_and_si512(_mm512_srli_epi16(v, 4), low4);
                    #pragma GCC unroll 4
                    for (int t = 0; t < T; ++t) {
                        lo[t] = dpbusd4<T>(lo[t], ql, xb[t]->qs + 64 * p + 4 * c);
                        hi[t] = dpbusd4<T>(hi[t], qh, xb[t]->qs + 64 * p + 32 + 4 * c);
                    }
                }
                __m512i sc_lo, sc_hi;
                switch (p) {  // template lane index: 2p and 2p + 1
                    case 0: sc_lo = Q4KScales::lane<0>(s.sc); sc_hi = Q4KScales::lane<1>(s.sc); break;
                    case 1: sc_lo = Q4KScales::lane<2>(s.sc); sc_hi = Q4KScales::lane<3>(s.sc); break;
                    case 2: sc_lo = Q4KScales::lane<4>(s.sc); sc_hi = Q4KScales::lane<5>(s.sc); break;
                    default: sc_lo = Q4KScales::lane<6>(s.sc); sc_hi = Q4KScales::lane<7>(s.sc); break;
                }
                // hi then sums 16x the products, each a multiple of 16: the shift divides exactly.
                if constexpr (kHighTimes16)
                    for (int t = 0; t < T; ++t) hi[t] = _mm512_srai_epi32(hi[t], 4);
                for (int t = 0; t < T; ++t)
                    sumi[t] = _mm512_add_epi32(sumi[t], _mm512_add_epi32(_mm512_mullo_epi32(lo[t], sc_lo),
                                                                         _mm512_mullo_epi32(hi[t], sc_hi)));
            }
            // sum over sub-blocks of min x the activations' sub-block sum, two sub-blocks per vpmaddwd
            // (instead of a vpmulld each): a sum of 32 int8 fits int16, a min is 6 bits, and the
            // integer sum is the same whichever way it is grouped.
            __m512i m[4];
            s.min_pairs(m);
            const __m512 dw = halves16(col), dminw = halves16(col + 32);
            for (int t = 0; t < T; ++t) {
                const int32_t* bsum32 = reinterpret_cast<const int32_t*>(x + static_cast<size_t>(t) * xs + side_off) + 8 * b;
                alignas(16) int32_t bsum_pairs[4];  // sub-blocks 2k (low half) and 2k + 1 (high half)
                _mm_store_si128(reinterpret_cast<__m128i*>(bsum_pairs),
                                _mm256_cvtepi32_epi16(_mm256_loadu_si256(reinterpret_cast<const __m256i*>(bsum32))));
                __m512i summ = _mm512_madd_epi16(m[0], _mm512_set1_epi32(bsum_pairs[0]));
                for (int k = 1; k < 4; ++k)
                    summ = _mm512_add_epi32(summ, _mm512_madd_epi16(m[k], _mm512_set1_epi32(bsum_pairs[k])));
                const __m512 xd = _mm512_set1_ps(xb[t]->d);
                acc[t] = _mm512_fmadd_ps(_mm512_mul_ps(dw, xd), _mm512_cvtepi32_ps(sumi[t]), acc[t]);
                acc[t] = _mm512_fnmadd_ps(_mm512_mul_ps(dminw, xd), _mm512_cvtepi32_ps(summ), acc[t]);
            }
        }
        for (int t = 0; t < T; ++t) _mm512_storeu_ps(out + static_cast<size_t>(t) * os, acc[t]);
    }
};

void dot_q4_k(int64_t n, const uint8_t* group, const uint8_t* x, size_t xs, size_t side_off, int n_x, float* out,
              size_t os) {
    by_tiles<Q4KTile>(n_x, x, xs, out, os, n / 256, group, side_off);
}

// ---- Q6_K (group_kernels_q6k_avx512.h) ----------------------------------------------------------

struct ShiftUnpack {
    static constexpr int kQuarter3Shift = 0;
    const __m512i low4 = _mm512_set1_epi8(0x0F), bits45 = _mm512_set1_epi8(0x30);

    void quants(__m512i l0, __m512i l1, __m512i qh, __m512i (&w)[4]) const {
        w[0] = _mm512_or_si512(_mm512_and_si512(l0, low4), _mm512_and_si512(_mm512_slli_epi16(qh, 4), bits45));
        w[1] = _mm512_or_si512(_mm512_and_si512(l1, low4), _mm512_and_si512(_mm512_slli_epi16(qh, 2), bits45));
        w[2] = _mm512_or_si512(_mm512_and_si512(_mm512_srli_epi16(l0, 4), low4), _mm512_and_si512(qh, bits45));
        w[3] = _mm512_or_si512(_mm512_and_si512(_mm512_srli_epi16(l1, 4), low4), _mm512_and_si512(_mm512_srli_epi16(qh, 2), bits45));
    }
};

}  // namespace

GroupDotFn avx512_group_dot_q4_k() { return dot_q4_k; }
GroupDotFn avx512_group_dot_q6_k() { return Q6K<ShiftUnpack>::dot; }

}  // namespace veil::engine::detail
