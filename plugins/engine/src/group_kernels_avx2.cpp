// AVX2 (+FMA, F16C) grouped kernels (group_kernels.h) for CPUs without AVX-512: a group's 16 rows
// are two halves of 8 rows, each in the 8 int32 / float lanes of a ymm register. Each 32-byte load
// of quants holds 4 consecutive quants of the half's 8 rows (the first or second half of a 64-byte
// unit of the layout, row_groups.h), multiplied with 4 activation bytes broadcast to every lane by
// maddubs (u8 x s8 -> pairs summed in int16) and widened to int32 by madd. No VNNI: the int16
// pair sums saturate above 32767, so each kernel adds only as many as provably fit (the bounds
// assume activation quants in [-128, 127]; ggml's quantizers emit [-127, 127]). Integer sums are
// exact, and the float work per (row, token) is the scalar reference's sequence
// (group_kernels_scalar.cpp), so the results equal it bit for bit.
//
// Up to kTile activation rows share each unpacked quant vector (prefill); run_tile says in which
// order the block columns and halves are visited.
#include <immintrin.h>

#include <cstring>

#pragma GCC diagnostic ignored "-Wmaybe-uninitialized"
#pragma GCC diagnostic ignored "-Wuninitialized"

#include "group_kernels.h"
#include "group_prefetch.h"
#include "veil/engine/ggml_blocks.h"

namespace veil::engine::detail {
namespace {

using namespace blocks;

constexpr int kTile = 4;           // activation rows per pass over a group's blocks
constexpr size_t kHalfBytes = 32;  // one half's share of a 64-byte unit (8 rows x 4 bytes)

inline __m256i broadcast4(const int8_t* p) {
    int32_t v;
    std::memcpy(&v, p, 4);
    return _mm256_set1_epi32(v);
}
inline __m256i load_half(const uint8_t* unit, int half) {
    return _mm256_loadu_si256(reinterpret_cast<const __m256i*>(unit + kHalfBytes * static_cast<size_t>(half)));
}
// 8 fp16 values (one per row of a half; fields of 2-byte units) as floats.
inline __m256 halves8(const uint8_t* p) { return _mm256_cvtph_ps(_mm_loadu_si128(reinterpret_cast<const __m128i*>(p))); }
// 8 bytes (one per row of a half; fields of 1-byte units) as int32 lanes.
inline __m256i bytes8_u(const uint8_t* p) {
    return _mm256_cvtepu8_epi32(_mm_loadl_epi64(reinterpret_cast<const __m128i*>(p)));
}
inline __m256i bytes8_s(const uint8_t* p) {
    return _mm256_cvtepi8_epi32(_mm_loadl_epi64(reinterpret_cast<const __m128i*>(p)));
}
// Decode streams the matrix from memory; asking for the lines kPrefetch bytes ahead of each block
// column keeps more of them in flight than the hardware prefetchers do here (measured on one
// thread from DRAM, 32000 x 2048: Q6_K 12 -> 26 GB/s, Q8_0 29 -> 36 GB/s). Prefetches past the
// end of the matrix are harmless (no fault, no side effect).
constexpr size_t kPrefetch = 4096;
template <size_t kCol>
inline void prefetch_column(const uint8_t* col) {
    for (size_t l = 0; l < kCol; l += 64) prefetch_line<_MM_HINT_T0>(reinterpret_cast<const char*>(col + kPrefetch + l));
}

// Decode's prefetch of a block column: the K-quants ask three times (group_prefetch.h's
// prefetch_k_column, the far request Step::kFarColumns ahead), the *_0 types once. Two threads
// streaming ~600 MB of grouped rows on a Zen 4 host with VEIL_ISA=avx2 (BM_DecodePass rounds,
// against the memory probe), from prefetch_column alone: Q4_K 0.79-0.89 -> 0.98-0.99, Q6_K
// 0.53-0.61 -> 0.81-0.97. The L1 request split between the two halves of a column (as the AVX-512
// kernels split it in four) changed nothing here. The *_0 types stay at ~1.0 with
// prefetch_column (0.99-1.00 with the columns rounded).
template <template <int> class Step>
inline void prefetch_decode(const uint8_t* col) {
    constexpr size_t kCol = Step<1>::kCol;
    if constexpr (Step<1>::kFarColumns > 0)
        prefetch_k_column<kCol, Step<1>::kFarColumns * kCol>(col);
    else
        prefetch_column<kCol>(col);
}
// int16 pair sums -> int32 sums of 4 products per lane.
inline __m256i widen(__m256i s16) { return _mm256_madd_epi16(s16, _mm256_set1_epi16(1)); }

// One token tile of T activation rows against a whole group. Step<T>::step(col, b, half, x, xs,
// side_off, acc) adds block column b's terms of one half's 8 rows to acc[t] in the reference's
// order; the drivers only choose the order of (block, half) pairs, which no result depends on:
// - decode (T = 1) takes both halves of each block column in turn, so the matrix is read as one
//   steady stream (two passes over a group, half its bytes each, left the memory idle during the
//   second: measured ~20% slower from DRAM);
// - prefill tiles (T > 1) take one half over the whole group, then the other (L1/L2 hits): half
//   the accumulators, which kept 4-token tiles out of register spills.
template <template <int> class Step, int T>
void run_tile(const uint8_t* x, size_t xs, float* out, size_t os, int64_t nb, const uint8_t* group,
              size_t side_off) {
    constexpr size_t kCol = Step<T>::kCol;
    if constexpr (T == 1) {
        __m256 acc[2][1] = {{_mm256_setzero_ps()}, {_mm256_setzero_ps()}};
        for (int64_t b = 0; b < nb; ++b) {
            const uint8_t* col = group + static_cast<size_t>(b) * kCol;
            prefetch_decode<Step>(col);
            Step<1>::step(col, b, 0, x, xs, side_off, acc[0]);
            Step<1>::step(col, b, 1, x, xs, side_off, acc[1]);
        }
        _mm256_storeu_ps(out, acc[0][0]);
        _mm256_storeu_ps(out + 8, acc[1][0]);
    } else {
        for (int half = 0; half < 2; ++half) {
            __m256 acc[T];
            #pragma GCC unroll 4
            for (int t = 0; t < T; ++t) acc[t] = _mm256_setzero_ps();
            for (int64_t b = 0; b < nb; ++b) {
                const uint8_t* col = group + static_cast<size_t>(b) * kCol;
                if (half == 0) prefetch_column<kCol>(col);
                Step<T>::step(col, b, half, x, xs, side_off, acc);
            }
            #pragma GCC unroll 4
            for (int t = 0; t < T; ++t) _mm256_storeu_ps(out + static_cast<size_t>(t) * os + 8 * half, acc[t]);
        }
    }
}

// run_tile for token tiles of kTile, then the remainder (1..3).
template <template <int> class Step>
void by_tiles(int64_t n, const uint8_t* group, const uint8_t* x, size_t xs, size_t side_off, int n_x, float* out,
              size_t os) {
    const int64_t nb = n / Step<1>::kElems;
    int t = 0;
    for (; t + kTile <= n_x; t += kTile)
        run_tile<Step, kTile>(x + static_cast<size_t>(t) * xs, xs, out + t * os, os, nb, group, side_off);
    const uint8_t* xr = x + static_cast<size_t>(t) * xs;
    switch (n_x - t) {
        case 3: run_tile<Step, 3>(xr, xs, out + t * os, os, nb, group, side_off); break;
        case 2: run_tile<Step, 2>(xr, xs, out + t * os, os, nb, group, side_off); break;
        case 1: run_tile<Step, 1>(xr, xs, out + t * os, os, nb, group, side_off); break;
        default: break;
    }
}

// ---- Q4_0 / Q8_0 weights x Q8_0 activations ---------------------------------------------------
// Block column: d [16 rows][2] | qs [units of 4 bytes][16 rows][4] at 32 (row_groups.h).

// Q4_0: unit c (c < 4) holds qs bytes 4c..4c+3: low nibbles are elements 4c.., high 16 + 4c...
// |maddubs lane| <= 2 * 15 * 128, so all 8 of a block add up exactly in int16 (<= 30720).
template <int T>
struct Q4_0Step {
    static constexpr size_t kCol = 16 * sizeof(BlockQ4_0);
    static constexpr size_t kFarColumns = 0;  // prefetch_decode
    static constexpr int64_t kElems = 32;
    [[gnu::always_inline]] static inline void step(const uint8_t* col, int64_t b, int half, const uint8_t* x, size_t xs,
                                                  size_t side_off, __m256 (&acc)[T]) {
        const __m256i low4 = _mm256_set1_epi8(0x0F);
        const int8_t* a[T];
        __m256i s16[T];
        #pragma GCC unroll 4
        for (int t = 0; t < T; ++t) {
            a[t] = reinterpret_cast<const BlockQ8_0*>(x + static_cast<size_t>(t) * xs)[b].qs;
            s16[t] = _mm256_setzero_si256();
        }
        #pragma GCC unroll 4
        for (int c = 0; c < 4; ++c) {
            const __m256i v = load_half(col + 32 + 64 * c, half);
            const __m256i lo = _mm256_and_si256(v, low4);
            const __m256i hi = _mm256_and_si256(_mm256_srli_epi16(v, 4), low4);
            #pragma GCC unroll 4
            for (int t = 0; t < T; ++t) {
                s16[t] = _mm256_add_epi16(s16[t], _mm256_maddubs_epi16(lo, broadcast4(a[t] + 4 * c)));
                s16[t] = _mm256_add_epi16(s16[t], _mm256_maddubs_epi16(hi, broadcast4(a[t] + 16 + 4 * c)));
            }
        }
        const __m256 dw = halves8(col + 16 * half);
        #pragma GCC unroll 4
        for (int t = 0; t < T; ++t) {
            const SideQ8_0& side = reinterpret_cast<const SideQ8_0*>(x + static_cast<size_t>(t) * xs + side_off)[b];
            const __m256i isum = _mm256_add_epi32(widen(s16[t]), _mm256_set1_epi32(side.bias));
            acc[t] = _mm256_fmadd_ps(_mm256_mul_ps(dw, _mm256_set1_ps(side.d)), _mm256_cvtepi32_ps(isum), acc[t]);
        }
    }
};

// Q8_0: unit c (c < 8) holds elements 4c..4c+3, stored q + 128. maddubs needs an unsigned operand
// and a stored 255 x 127 pair would saturate, so the quants go back to signed q and the sign moves
// to the activation (|q| * sign(q) a, each pair <= 2 * 127 * 128 fits, but two pairs do not:
// widened per unit). The int32 result is sum q * a = bias + sum (q + 128) * a: the reference's.
template <int T>
struct Q8_0Step {
    static constexpr size_t kCol = 16 * sizeof(BlockQ8_0);
    static constexpr size_t kFarColumns = 0;  // prefetch_decode
    static constexpr int64_t kElems = 32;
    [[gnu::always_inline]] static inline void step(const uint8_t* col, int64_t b, int half, const uint8_t* x, size_t xs,
                                                  size_t side_off, __m256 (&acc)[T]) {
        const __m256i offset = _mm256_set1_epi8(static_cast<char>(0x80));
        const int8_t* a[T];
        __m256i s32[T];
        #pragma GCC unroll 4
        for (int t = 0; t < T; ++t) {
            a[t] = reinterpret_cast<const BlockQ8_0*>(x + static_cast<size_t>(t) * xs)[b].qs;
            s32[t] = _mm256_setzero_si256();
        }
        #pragma GCC unroll 8
        for (int c = 0; c < 8; ++c) {
            const __m256i q = _mm256_xor_si256(load_half(col + 32 + 64 * c, half), offset);
            const __m256i qa = _mm256_sign_epi8(q, q);  // |q|
            #pragma GCC unroll 4
            for (int t = 0; t < T; ++t) {
                const __m256i p = _mm256_maddubs_epi16(qa, _mm256_sign_epi8(broadcast4(a[t] + 4 * c), q));
                s32[t] = _mm256_add_epi32(s32[t], widen(p));
            }
        }
        const __m256 dw = halves8(col + 16 * half);
        #pragma GCC unroll 4
        for (int t = 0; t < T; ++t) {
            const SideQ8_0& side = reinterpret_cast<const SideQ8_0*>(x + static_cast<size_t>(t) * xs + side_off)[b];
            acc[t] = _mm256_fmadd_ps(_mm256_mul_ps(dw, _mm256_set1_ps(side.d)), _mm256_cvtepi32_ps(s32[t]), acc[t]);
        }
    }
};

// ---- Q4_K weights x Q8_K activations ----------------------------------------------------------
// Super-block column: d [16][2] | dmin [16][2] at 32 | scales [12][16] at 64 | qs [32 units][16][4]
// at 256. qs byte 32p + l of a row (p < 4, l < 32) holds element 64p + l (low nibble, sub-block 2p)
// and 64p + 32 + l (high nibble, sub-block 2p + 1): unit 8p + l / 4. Per sub-block 8 maddubs of
// |lane| <= 2 * 15 * 128 add up exactly in int16.

// Six-bit scale / min j of the half's 8 rows (scale_min_k4 on the transposed scale bytes).
struct Q4KScales {
    const uint8_t* s;  // scale byte m of row 8 half + i at s[16 m + i]
    __m256i byte(int m) const { return bytes8_u(s + 16 * m); }
    __m256i scale(int j) const {
        if (j < 4) return _mm256_and_si256(byte(j), _mm256_set1_epi32(63));
        return _mm256_or_si256(_mm256_and_si256(byte(j + 4), _mm256_set1_epi32(15)),
                               _mm256_slli_epi32(_mm256_srli_epi32(byte(j - 4), 6), 4));
    }
    __m256i min(int j) const {
        if (j < 4) return _mm256_and_si256(byte(j + 4), _mm256_set1_epi32(63));
        return _mm256_or_si256(_mm256_srli_epi32(byte(j + 4), 4), _mm256_slli_epi32(_mm256_srli_epi32(byte(j), 6), 4));
    }
};

template <int T>
struct Q4KStep {
    static constexpr size_t kCol = 16 * sizeof(BlockQ4_K);
    static constexpr size_t kFarColumns = 3;  // prefetch_decode
    static constexpr int64_t kElems = 256;
    [[gnu::always_inline]] static inline void step(const uint8_t* col, int64_t b, int half, const uint8_t* x, size_t xs,
                                                  size_t side_off, __m256 (&acc)[T]) {
        const __m256i low4 = _mm256_set1_epi8(0x0F);
        const Q4KScales s{col + 64 + 8 * static_cast<size_t>(half)};
        const BlockQ8_K* xb[T];
        __m256i sumi[T];
        #pragma GCC unroll 4
        for (int t = 0; t < T; ++t) {
            xb[t] = reinterpret_cast<const BlockQ8_K*>(x + static_cast<size_t>(t) * xs) + b;
            sumi[t] = _mm256_setzero_si256();
        }
        for (int p = 0; p < 4; ++p) {
            __m256i lo[T], hi[T];
            #pragma GCC unroll 4
            for (int t = 0; t < T; ++t) lo[t] = hi[t] = _mm256_setzero_si256();
            #pragma GCC unroll 8
            for (int c = 0; c < 8; ++c) {
                const __m256i v = load_half(col + 256 + 64 * (8 * p + c), half);
                const __m256i ql = _mm256_and_si256(v, low4);
                const __m256i qh = _mm256_and_si256(_mm256_srli_epi16(v, 4), low4);
                #pragma GCC unroll 4
                for (int t = 0; t < T; ++t) {
                    lo[t] = _mm256_add_epi16(lo[t], _mm256_maddubs_epi16(ql, broadcast4(xb[t]->qs + 64 * p + 4 * c)));
                    hi[t] = _mm256_add_epi16(hi[t], _mm256_maddubs_epi16(qh, broadcast4(xb[t]->qs + 64 * p + 32 + 4 * c)));
                }
            }
            const __m256i sc_lo = s.scale(2 * p), sc_hi = s.scale(2 * p + 1);
            #pragma GCC unroll 4
            for (int t = 0; t < T; ++t)
                sumi[t] = _mm256_add_epi32(sumi[t], _mm256_add_epi32(_mm256_mullo_epi32(widen(lo[t]), sc_lo),
                                                                     _mm256_mullo_epi32(widen(hi[t]), sc_hi)));
        }
        __m256i summ[T];
        #pragma GCC unroll 4
        for (int t = 0; t < T; ++t) summ[t] = _mm256_setzero_si256();
        for (int j = 0; j < 8; ++j) {
            const __m256i m = s.min(j);
            #pragma GCC unroll 4
            for (int t = 0; t < T; ++t) {
                const int32_t* bsum32 = reinterpret_cast<const int32_t*>(x + static_cast<size_t>(t) * xs + side_off) + 8 * b;
                summ[t] = _mm256_add_epi32(summ[t], _mm256_mullo_epi32(m, _mm256_set1_epi32(bsum32[j])));
            }
        }
        const __m256 dw = halves8(col + 16 * half), dminw = halves8(col + 32 + 16 * half);
        #pragma GCC unroll 4
        for (int t = 0; t < T; ++t) {
            const __m256 xd = _mm256_set1_ps(xb[t]->d);
            acc[t] = _mm256_fmadd_ps(_mm256_mul_ps(dw, xd), _mm256_cvtepi32_ps(sumi[t]), acc[t]);
            acc[t] = _mm256_fnmadd_ps(_mm256_mul_ps(dminw, xd), _mm256_cvtepi32_ps(summ[t]), acc[t]);
        }
    }
};

// ---- Q6_K weights x Q8_K activations ----------------------------------------------------------
// Super-block column: ql [32 units][16][4] | qh [16 units][16][4] at 2048 | scales [16][16] at
// 3072 | d [16][2] at 3328. Element 128h + 32q + 4u + k (h < 2, q < 4, u < 8, k < 4) has its low 4
// bits in ql unit 16h + 8(q % 2) + u (low nibble for q < 2), its high 2 bits at bits 2q of qh unit
// 8h + u, and belongs to sub-block 8h + 2q + u / 4. Quants are 0..63: |maddubs lane| <=
// 2 * 63 * 128, so two units add up exactly in int16 before widening.

// The 6-bit quants of unit u of quarter q of half-block h, for the 8 rows of `half`.
inline __m256i q6_k_quants(const uint8_t* col, int half, int h, int q, int u) {
    const __m256i low4 = _mm256_set1_epi8(0x0F), bits45 = _mm256_set1_epi8(0x30);
    const __m256i l = load_half(col + 64 * (16 * h + 8 * (q % 2) + u), half);
    const __m256i qh = load_half(col + 2048 + 64 * (8 * h + u), half);
    const __m256i low = q < 2 ? _mm256_and_si256(l, low4) : _mm256_and_si256(_mm256_srli_epi16(l, 4), low4);
    __m256i high;
    switch (q) {  // bits 2q, 2q + 1 of each byte -> bits 4, 5
        case 0: high = _mm256_slli_epi16(qh, 4); break;
        case 1: high = _mm256_slli_epi16(qh, 2); break;
        case 2: high = qh; break;
        default: high = _mm256_srli_epi16(qh, 2); break;
    }
    return _mm256_or_si256(low, _mm256_and_si256(high, bits45));
}

template <int T>
struct Q6KStep {
    static constexpr size_t kCol = 16 * sizeof(BlockQ6_K);
    static constexpr size_t kFarColumns = 4;  // prefetch_decode
    static constexpr int64_t kElems = 256;
    [[gnu::always_inline]] static inline void step(const uint8_t* col, int64_t b, int half, const uint8_t* x, size_t xs,
                                                  size_t side_off, __m256 (&acc)[T]) {
        const int8_t* a[T];
        const int32_t* bias[T];
        __m256i sumi[T];
        #pragma GCC unroll 4
        for (int t = 0; t < T; ++t) {
            const uint8_t* xr = x + static_cast<size_t>(t) * xs;
            a[t] = (reinterpret_cast<const BlockQ8_K*>(xr) + b)->qs;
            bias[t] = reinterpret_cast<const int32_t*>(xr + side_off) + 16 * b;
            sumi[t] = _mm256_setzero_si256();
        }
        for (int h = 0; h < 2; ++h)
            #pragma GCC unroll 4
            for (int q = 0; q < 4; ++q)
                for (int sub = 0; sub < 2; ++sub) {  // units u in [4 sub, 4 sub + 4)
                    const int j = 8 * h + 2 * q + sub;
                    __m256i s32[T];
                    #pragma GCC unroll 4
                    for (int t = 0; t < T; ++t) s32[t] = _mm256_set1_epi32(bias[t][j]);
                    for (int u2 = 0; u2 < 2; ++u2) {
                        const int u = 4 * sub + 2 * u2;
                        const __m256i w0 = q6_k_quants(col, half, h, q, u), w1 = q6_k_quants(col, half, h, q, u + 1);
                        const int e = 128 * h + 32 * q + 4 * u;
                        #pragma GCC unroll 4
                        for (int t = 0; t < T; ++t) {
                            const __m256i p = _mm256_add_epi16(_mm256_maddubs_epi16(w0, broadcast4(a[t] + e)),
                                                               _mm256_maddubs_epi16(w1, broadcast4(a[t] + e + 4)));
                            s32[t] = _mm256_add_epi32(s32[t], widen(p));
                        }
                    }
                    const __m256i sc = bytes8_s(col + 3072 + 16 * static_cast<size_t>(j) + 8 * static_cast<size_t>(half));
                    #pragma GCC unroll 4
                    for (int t = 0; t < T; ++t) sumi[t] = _mm256_add_epi32(sumi[t], _mm256_mullo_epi32(s32[t], sc));
                }
        const __m256 dw = halves8(col + 3328 + 16 * half);
        #pragma GCC unroll 4
        for (int t = 0; t < T; ++t) {
            const float xd = (reinterpret_cast<const BlockQ8_K*>(x + static_cast<size_t>(t) * xs) + b)->d;
            acc[t] = _mm256_fmadd_ps(_mm256_mul_ps(dw, _mm256_set1_ps(xd)), _mm256_cvtepi32_ps(sumi[t]), acc[t]);
        }
    }
};

}  // namespace

GroupKernel avx2_group_kernel(GgmlType type) {
    const GroupKernel ref = scalar_group_kernel(type);  // side data is the reference's
    switch (type) {
        case GgmlType::Q4_0: return {by_tiles<Q4_0Step>, ref.side_bytes, ref.prepare};
        case GgmlType::Q8_0: return {by_tiles<Q8_0Step>, ref.side_bytes, ref.prepare};
        case GgmlType::Q4_K: return {by_tiles<Q4KStep>, ref.side_bytes, ref.prepare};
        case GgmlType::Q6_K: return {by_tiles<Q6KStep>, ref.side_bytes, ref.prepare};
        default: return {};
    }
}

}  // namespace veil::engine::detail
