// AVX-512 (+VNNI) tile kernels for the types that dominate prefill: Q4_0, Q8_0, Q4_K, Q6_K.
//
// Each is kernels_avx512.cpp's vec_dot for that type with the row loops moved inside the block
// loop: a weight block is unpacked (nibbles split, signs taken, scales spread) once for every
// activation row of the tile, and an activation block is loaded and prepared once for every
// weight row. Per (weight row, activation row) the float operations are the single-row kernel's,
// in the same order, on their own accumulators, so results are bit-identical to vec_dot (see
// dot_tile.h). The *_0 kernels block 4 x 4; the K-quant kernels block activation rows only.
#include <immintrin.h>

// See kernels_avx512.cpp: GCC 12's AVX-512 headers trip -Wmaybe-uninitialized on their own
// "undefined" vectors.
#pragma GCC diagnostic ignored "-Wmaybe-uninitialized"
#pragma GCC diagnostic ignored "-Wuninitialized"

#include "dot_tile.h"
#include "simd_avx512.h"
#include "veil/engine/ggml_blocks.h"

namespace veil::engine::detail {
namespace {

using namespace blocks;
using namespace avx512;

template <typename T>
const T* row(const uint8_t* x, size_t stride, int t) {
    return reinterpret_cast<const T*>(x + static_cast<size_t>(t) * stride);
}

// ---- *_0 weights x Q8_0 activations: R weight rows x T activation rows ------------------------
//
// Per pair of blocks the single-row kernel computes int32 lanes s (exact), the scale
// d = h2f(w.d) * h2f(x.d) per block, and acc = fma(d, float(s), acc); hsum; then a single-block
// tail. Here h2f(w.d) and h2f(x.d) are broadcast as vectors and multiplied lane-wise, which gives
// the same d, and s is formed with fewer instructions per pair.

// h2f of two fp16 scales: lanes 0-7 = a, lanes 8-15 = b (exact conversions).
inline __m512 scale_pair(const uint16_t* a, const uint16_t* b) {
    const __m256i h = _mm256_set_m128i(_mm_set1_epi16(static_cast<short>(*b)), _mm_set1_epi16(static_cast<short>(*a)));
    return _mm512_cvtph_ps(h);
}

// Side data of a Q8_0 activation row (dot_tile.h), per pair of blocks p, 128 bytes at 128 * p:
// int32[16] -dpbusd(8, y) (Q4_0's offset term, lane for lane) and float[16] the two block scales
// as scale_pair returns them. Pairs only: an odd last block is handled by the kernels' tail.
constexpr size_t kSidePair = 128;

size_t q8_0_side_bytes(int64_t n) { return static_cast<size_t>(n / 64) * kSidePair; }

void q8_0_prepare(const uint8_t* xp, uint8_t* side, int64_t n) {
    const auto* x = reinterpret_cast<const BlockQ8_0*>(xp);
    const __m512i eight = _mm512_set1_epi8(8);
    for (int64_t p = 0; p < n / 64; ++p, side += kSidePair) {
        const __m512i y = join(loadu256(x[2 * p].qs), loadu256(x[2 * p + 1].qs));
        const __m512i y8 = _mm512_dpbusd_epi32(_mm512_setzero_si512(), eight, y);
        _mm512_storeu_si512(side, _mm512_sub_epi32(_mm512_setzero_si512(), y8));
        _mm512_storeu_ps(side + 64, scale_pair(&x[2 * p].d, &x[2 * p + 1].d));
    }
}

// Q4_0 quants of two consecutive blocks as 64 unsigned nibbles in element order:
// [b0 low nibbles, b0 high nibbles, b1 low, b1 high].
inline __m512i nibbles64(const BlockQ4_0* b) {
    const __m256i q = _mm256_inserti128_si256(_mm256_castsi128_si256(_mm_loadu_si128(reinterpret_cast<const __m128i*>(b[0].qs))),
                                              _mm_loadu_si128(reinterpret_cast<const __m128i*>(b[1].qs)), 1);
    const __m512i qq = _mm512_shuffle_i64x2(_mm512_castsi256_si512(q), _mm512_castsi256_si512(q), _MM_SHUFFLE(1, 1, 0, 0));
    const long long s4 = 0x0004000400040004LL;  // per-16-bit shift counts: 4 in 128-bit lanes 1 and 3
    const __m512i shift = _mm512_set_epi64(s4, s4, 0, 0, s4, s4, 0, 0);
    return _mm512_and_si512(_mm512_srlv_epi16(qq, shift), _mm512_set1_epi8(0x0F));
}

template <typename T>
const T* block_row(const uint8_t* base, size_t stride, int r) {
    return reinterpret_cast<const T*>(base + static_cast<size_t>(r) * stride);
}

inline void finish_0(float* out, const __m512* acc, int n) {
    for (int k = 0; k < n; ++k) out[k] = hsum512(acc[k]);
}

template <int R, int T>
void tile_q4_0(int64_t n, const uint8_t* wp, size_t ws, const uint8_t* xp, size_t xs, float* out) {
    const int64_t nb = n / 32;
    __m512 acc[R * T];
    #pragma GCC unroll 16
    for (int k = 0; k < R * T; ++k) acc[k] = _mm512_setzero_ps();
    const size_t side_off = side_offset(GgmlType::Q8_0, n);
    int64_t i = 0;
    for (; i + 2 <= nb; i += 2) {
        __m512i q[R];
        __m512 dw[R];
        #pragma GCC unroll 16
        for (int r = 0; r < R; ++r) {
            const BlockQ4_0* w = block_row<BlockQ4_0>(wp, ws, r) + i;
            q[r] = nibbles64(w);
            dw[r] = scale_pair(&w[0].d, &w[1].d);
        }
        #pragma GCC unroll 16
        for (int t = 0; t < T; ++t) {
            const uint8_t* xr = xp + static_cast<size_t>(t) * xs;
            const BlockQ8_0* x = reinterpret_cast<const BlockQ8_0*>(xr) + i;
            const uint8_t* side = xr + side_off + static_cast<size_t>(i / 2) * kSidePair;
            const __m512i y = join(loadu256(x[0].qs), loadu256(x[1].qs));
            // sum (q - 8) * y = dpbusd(q, y) - dpbusd(8, y): the prepared second term seeds the
            // accumulator (same int32 lanes as the subtraction).
            const __m512i neg_y8 = _mm512_load_si512(side);
            const __m512 dx = _mm512_load_ps(side + 64);
            #pragma GCC unroll 16
            for (int r = 0; r < R; ++r) {
                const __m512i s = _mm512_dpbusd_epi32(neg_y8, q[r], y);
                acc[r * T + t] = _mm512_fmadd_ps(_mm512_mul_ps(dw[r], dx), _mm512_cvtepi32_ps(s), acc[r * T + t]);
            }
        }
    }
    finish_0(out, acc, R * T);
    if (i < nb)
        #pragma GCC unroll 16
        for (int r = 0; r < R; ++r)
            #pragma GCC unroll 16
            for (int t = 0; t < T; ++t) {
                const BlockQ4_0* w = block_row<BlockQ4_0>(wp, ws, r) + i;
                const BlockQ8_0* x = block_row<BlockQ8_0>(xp, xs, t) + i;
                const __m256i q = _mm256_sub_epi8(nibbles32(w->qs), _mm256_set1_epi8(8));
                out[r * T + t] += static_cast<float>(hsum_i32_256(dot_i8_256(q, loadu256(x->qs)))) * (h2f(w->d) * h2f(x->d));
            }
}

template <int R, int T>
void tile_q8_0(int64_t n, const uint8_t* wp, size_t ws, const uint8_t* xp, size_t xs, float* out) {
    const int64_t nb = n / 32;
    const size_t side_off = side_offset(GgmlType::Q8_0, n);
    __m512 acc[R * T];
    #pragma GCC unroll 16
    for (int k = 0; k < R * T; ++k) acc[k] = _mm512_setzero_ps();
    int64_t i = 0;
    for (; i + 2 <= nb; i += 2) {
        __m512i abs_a[R];
        __mmask64 neg[R];
        __m512 dw[R];
        #pragma GCC unroll 16
        for (int r = 0; r < R; ++r) {
            const BlockQ8_0* w = block_row<BlockQ8_0>(wp, ws, r) + i;
            const __m512i a = join(loadu256(w[0].qs), loadu256(w[1].qs));
            // Signed x signed through dpbusd: |a| * (sign(a) * b) (weights never hold -128).
            neg[r] = _mm512_movepi8_mask(a);
            abs_a[r] = _mm512_abs_epi8(a);
            dw[r] = scale_pair(&w[0].d, &w[1].d);
        }
        #pragma GCC unroll 16
        for (int t = 0; t < T; ++t) {
            const uint8_t* xr = xp + static_cast<size_t>(t) * xs;
            const BlockQ8_0* x = reinterpret_cast<const BlockQ8_0*>(xr) + i;
            const __m512i b = join(loadu256(x[0].qs), loadu256(x[1].qs));
            const __m512 dx = _mm512_load_ps(xr + side_off + static_cast<size_t>(i / 2) * kSidePair + 64);
            #pragma GCC unroll 16
            for (int r = 0; r < R; ++r) {
                const __m512i sb = _mm512_mask_sub_epi8(b, neg[r], _mm512_setzero_si512(), b);
                const __m512i s = _mm512_dpbusd_epi32(_mm512_setzero_si512(), abs_a[r], sb);
                acc[r * T + t] = _mm512_fmadd_ps(_mm512_mul_ps(dw[r], dx), _mm512_cvtepi32_ps(s), acc[r * T + t]);
            }
        }
    }
    finish_0(out, acc, R * T);
    if (i < nb)
        #pragma GCC unroll 16
        for (int r = 0; r < R; ++r)
            #pragma GCC unroll 16
            for (int t = 0; t < T; ++t) {
                const BlockQ8_0* w = block_row<BlockQ8_0>(wp, ws, r) + i;
                const BlockQ8_0* x = block_row<BlockQ8_0>(xp, xs, t) + i;
                const __m256i s = dot_i8_256(loadu256(w->qs), loadu256(x->qs));
                out[r * T + t] += static_cast<float>(hsum_i32_256(s)) * (h2f(w->d) * h2f(x->d));
            }
}

// ---- Q4_K x Q8_K ------------------------------------------------------------------------------

template <int NT>
void tile_q4_k(int64_t n, const uint8_t* wv, const uint8_t* x, size_t xs, float* out) {
    const int64_t nb = n / 256;
    const auto* w = reinterpret_cast<const BlockQ4_K*>(wv);
    __m512 acc[NT];
    __m256 acc_min[NT];
    #pragma GCC unroll 16
    for (int t = 0; t < NT; ++t) {
        acc[t] = _mm512_setzero_ps();
        acc_min[t] = _mm256_setzero_ps();
    }
    const __m256i low4 = _mm256_set1_epi8(0x0F);
    const __m512i half_idx = _mm512_inserti64x4(_mm512_setzero_si512(), _mm256_set1_epi16(1), 1);
    for (int64_t i = 0; i < nb; ++i) {
        uint32_t u[4];
        unpack_k4_scales(w[i].scales, u);
        const __m128i sm8 = _mm_loadu_si128(reinterpret_cast<const __m128i*>(u));
        const __m256i m16 = _mm256_cvtepu8_epi16(_mm_unpackhi_epi8(sm8, sm8));
        const __m512i sc16 = _mm512_castsi256_si512(_mm256_cvtepu8_epi16(sm8));
        const float dmin = h2f(w[i].dmin), dw = h2f(w[i].d);
        __m512i q[4], s[4];
        #pragma GCC unroll 16
        for (int j = 0; j < 4; ++j) {
            const __m256i b = loadu256(w[i].qs + 32 * j);
            q[j] = join(_mm256_and_si256(b, low4), _mm256_and_si256(_mm256_srli_epi16(b, 4), low4));
            s[j] = _mm512_permutexvar_epi16(_mm512_add_epi16(half_idx, _mm512_set1_epi16(static_cast<short>(2 * j))), sc16);
        }
        #pragma GCC unroll 16
        for (int t = 0; t < NT; ++t) {
            const BlockQ8_K* xb = row<BlockQ8_K>(x, xs, t) + i;
            const __m256i mins = _mm256_madd_epi16(m16, loadu256(xb->bsums));
            acc_min[t] = _mm256_fmadd_ps(_mm256_set1_ps(xb->d * dmin), _mm256_cvtepi32_ps(mins), acc_min[t]);
            __m512i sumi = _mm512_setzero_si512();
            #pragma GCC unroll 16
            for (int j = 0; j < 4; ++j)
                sumi = _mm512_dpwssd_epi32(sumi, _mm512_maddubs_epi16(q[j], loadu512(xb->qs + 64 * j)), s[j]);
            acc[t] = _mm512_fmadd_ps(_mm512_set1_ps(xb->d * dw), _mm512_cvtepi32_ps(sumi), acc[t]);
        }
    }
    #pragma GCC unroll 16
    for (int t = 0; t < NT; ++t) {
        const __m256 a = _mm256_add_ps(_mm512_castps512_ps256(acc[t]),
                                       _mm256_castpd_ps(_mm512_extractf64x4_pd(_mm512_castps_pd(acc[t]), 1)));
        out[t] = hsum256(_mm256_sub_ps(a, acc_min[t]));
    }
}

// ---- Q6_K x Q8_K ------------------------------------------------------------------------------

template <int NT>
void tile_q6_k(int64_t n, const uint8_t* wv, const uint8_t* x, size_t xs, float* out) {
    const int64_t nb = n / 256;
    const auto* w = reinterpret_cast<const BlockQ6_K*>(wv);
    __m512 acc[NT];
    float offset_total[NT];
    #pragma GCC unroll 16
    for (int t = 0; t < NT; ++t) {
        acc[t] = _mm512_setzero_ps();
        offset_total[t] = 0.0f;
    }
    const __m256i low4 = _mm256_set1_epi8(0x0F), three = _mm256_set1_epi8(3);
    for (int64_t i = 0; i < nb; ++i) {
        const __m256i sc16 = _mm256_cvtepi8_epi16(_mm_loadu_si128(reinterpret_cast<const __m128i*>(w[i].scales)));
        const __m512i sc512 = _mm512_castsi256_si512(sc16);
        __m512i u[4], s[4];  // elements 128h + [0, 64) and 128h + [64, 128) for h = 0, 1
        #pragma GCC unroll 16
        for (int h = 0; h < 2; ++h) {
            const __m256i ql0 = loadu256(w[i].ql + 64 * h);
            const __m256i ql1 = loadu256(w[i].ql + 64 * h + 32);
            const __m256i qh = loadu256(w[i].qh + 32 * h);
            const __m256i u0 = _mm256_or_si256(_mm256_and_si256(ql0, low4), _mm256_slli_epi16(_mm256_and_si256(qh, three), 4));
            const __m256i u1 = _mm256_or_si256(_mm256_and_si256(ql1, low4),
                                               _mm256_slli_epi16(_mm256_and_si256(_mm256_srli_epi16(qh, 2), three), 4));
            const __m256i u2 = _mm256_or_si256(_mm256_and_si256(_mm256_srli_epi16(ql0, 4), low4),
                                               _mm256_slli_epi16(_mm256_and_si256(_mm256_srli_epi16(qh, 4), three), 4));
            const __m256i u3 = _mm256_or_si256(_mm256_and_si256(_mm256_srli_epi16(ql1, 4), low4),
                                               _mm256_slli_epi16(_mm256_and_si256(_mm256_srli_epi16(qh, 6), three), 4));
            u[2 * h] = join(u0, u1);
            u[2 * h + 1] = join(u2, u3);
            s[2 * h] = spread_scales_16(sc512, 8 * h);
            s[2 * h + 1] = spread_scales_16(sc512, 8 * h + 4);
        }
        const float dw = h2f(w[i].d);
        #pragma GCC unroll 16
        for (int t = 0; t < NT; ++t) {
            const BlockQ8_K* xb = row<BlockQ8_K>(x, xs, t) + i;
            const int offset = hsum_i32_256(_mm256_madd_epi16(sc16, loadu256(xb->bsums)));
            __m512i sumi = _mm512_setzero_si512();
            #pragma GCC unroll 16
            for (int h = 0; h < 2; ++h) {
                const __m512i p0 = _mm512_maddubs_epi16(u[2 * h], loadu512(xb->qs + 128 * h));
                const __m512i p1 = _mm512_maddubs_epi16(u[2 * h + 1], loadu512(xb->qs + 128 * h + 64));
                sumi = _mm512_dpwssd_epi32(sumi, p0, s[2 * h]);
                sumi = _mm512_dpwssd_epi32(sumi, p1, s[2 * h + 1]);
            }
            const float d = xb->d * dw;
            acc[t] = _mm512_fmadd_ps(_mm512_set1_ps(d), _mm512_cvtepi32_ps(sumi), acc[t]);
            offset_total[t] += d * static_cast<float>(32 * offset);
        }
    }
    #pragma GCC unroll 16
    for (int t = 0; t < NT; ++t) out[t] = hsum512(acc[t]) - offset_total[t];
}

// Runtime tile shape -> the instantiation of that shape, so every loop over rows and tokens is
// unrolled at compile time.
template <template <int, int> class K, int R>
void by_x(int64_t n, const uint8_t* w, size_t ws, const uint8_t* x, size_t xs, int n_x, float* out) {
    switch (n_x) {
        case 1: K<R, 1>::run(n, w, ws, x, xs, out); break;
        case 2: K<R, 2>::run(n, w, ws, x, xs, out); break;
        case 3: K<R, 3>::run(n, w, ws, x, xs, out); break;
        default: K<R, 4>::run(n, w, ws, x, xs, out); break;
    }
}

template <template <int, int> class K>
void by_shape(int64_t n, const uint8_t* w, size_t ws, int n_w, const uint8_t* x, size_t xs, int n_x, float* out) {
    if (n_x == 1 && n_w > kTileW) {  // a decode run of rows: one row at a time, no dispatch per row
        for (int r = 0; r < n_w; ++r) K<1, 1>::run(n, w + static_cast<size_t>(r) * ws, ws, x, xs, out + r);
        return;
    }
    switch (n_w) {
        case 1: by_x<K, 1>(n, w, ws, x, xs, n_x, out); break;
        case 2: by_x<K, 2>(n, w, ws, x, xs, n_x, out); break;
        case 3: by_x<K, 3>(n, w, ws, x, xs, n_x, out); break;
        default: by_x<K, 4>(n, w, ws, x, xs, n_x, out); break;
    }
}
static_assert(kTileW == 4 && kTileX == 4, "by_shape covers tiles up to 4 x 4");

template <int R, int T> struct Q8_0 {
    static void run(int64_t n, const uint8_t* w, size_t ws, const uint8_t* x, size_t xs, float* o) { tile_q8_0<R, T>(n, w, ws, x, xs, o); }
};
template <int R, int T> struct Q4_0 {
    static void run(int64_t n, const uint8_t* w, size_t ws, const uint8_t* x, size_t xs, float* o) { tile_q4_0<R, T>(n, w, ws, x, xs, o); }
};
// K-quant kernels block activation rows only (their unpacked super-block already fills the
// registers); weight rows of the tile are walked one by one.
template <int R, int T> struct Q4_K {
    static void run(int64_t n, const uint8_t* w, size_t ws, const uint8_t* x, size_t xs, float* o) {
        #pragma GCC unroll 16
        for (int r = 0; r < R; ++r) tile_q4_k<T>(n, w + static_cast<size_t>(r) * ws, x, xs, o + r * T);
    }
};
template <int R, int T> struct Q6_K {
    static void run(int64_t n, const uint8_t* w, size_t ws, const uint8_t* x, size_t xs, float* o) {
        #pragma GCC unroll 16
        for (int r = 0; r < R; ++r) tile_q6_k<T>(n, w + static_cast<size_t>(r) * ws, x, xs, o + r * T);
    }
};

}  // namespace

AvxTile avx512_dot_tile(GgmlType type) {
    switch (type) {
        case GgmlType::Q8_0: return {by_shape<Q8_0>, q8_0_side_bytes, q8_0_prepare};
        case GgmlType::Q4_0: return {by_shape<Q4_0>, q8_0_side_bytes, q8_0_prepare};
        case GgmlType::Q4_K: return {by_shape<Q4_K>, nullptr, nullptr};
        case GgmlType::Q6_K: return {by_shape<Q6_K>, nullptr, nullptr};
        default: return {};
    }
}

}  // namespace veil::engine::detail
