// AVX-512 activation quantizers for Q8_0 and Q8_K (the activation types of Q4_0/Q8_0 and the
// K-quants), byte-identical to the scalar reference (kernels_scalar.cpp): decode quantizes every
// matmul's input on one thread while the others can only prefetch, so this is serial time.
//
// Exactness: scales are computed with the same IEEE float operations (for Q8_0 16 blocks at a time,
// lane by lane: division and round-to-nearest-even F16 conversion); the per-element products
// are the same IEEE multiplications; rounding reproduces roundf (half away from zero) for Q8_0
// and nearbyintf (half to even, the default mode) for Q8_K exactly. amax uses vmaxps, which
// differs from fmax only for NaN inputs (the scalar reference skips a NaN, vmaxps may not).
#include <immintrin.h>

#include <cstring>

#pragma GCC diagnostic ignored "-Wmaybe-uninitialized"
#pragma GCC diagnostic ignored "-Wuninitialized"

#include "kernels_internal.h"
#include "veil/engine/ggml_blocks.h"

namespace veil::engine::detail {
namespace {

using namespace blocks;

// roundf(v) for 16 lanes as int32: trunc(|v|) + (frac >= 0.5), with v's sign. |v| - trunc(|v|)
// is exact in float, so the tie test is exact.
inline __m512i round_half_away(__m512 v) {
    const __m512 a = _mm512_abs_ps(v);
    const __m512 t = _mm512_roundscale_ps(a, _MM_FROUND_TO_ZERO | _MM_FROUND_NO_EXC);
    const __mmask16 up = _mm512_cmp_ps_mask(_mm512_sub_ps(a, t), _mm512_set1_ps(0.5f), _CMP_GE_OQ);
    __m512i r = _mm512_cvttps_epi32(t);
    r = _mm512_mask_add_epi32(r, up, r, _mm512_set1_epi32(1));
    const __mmask16 neg = _mm512_cmp_ps_mask(v, _mm512_setzero_ps(), _CMP_LT_OQ);
    return _mm512_mask_sub_epi32(r, neg, _mm512_setzero_si512(), r);
}

// Lane k of the result = op over the 16 lanes of v[k], for k < 16: a transpose-and-reduce tree,
// 15 ops for 16 reductions. For max (exact) and integer add (exact, any order) every lane
// equals the one-vector reduction of v[k].
template <typename Op>
inline __m512 transpose_reduce16(const __m512 (&v)[16], Op op) {
    __m512 a[8], b[4];
    for (int i = 0; i < 8; ++i) a[i] = op(_mm512_unpacklo_ps(v[2 * i], v[2 * i + 1]), _mm512_unpackhi_ps(v[2 * i], v[2 * i + 1]));
    for (int i = 0; i < 4; ++i) {
        const __m512d x = _mm512_castps_pd(a[2 * i]), y = _mm512_castps_pd(a[2 * i + 1]);
        b[i] = op(_mm512_castpd_ps(_mm512_unpacklo_pd(x, y)), _mm512_castpd_ps(_mm512_unpackhi_pd(x, y)));
    }
    constexpr int kEven = _MM_SHUFFLE(2, 0, 2, 0), kOdd = _MM_SHUFFLE(3, 1, 3, 1);
    const __m512 c0 = op(_mm512_shuffle_f32x4(b[0], b[1], kEven), _mm512_shuffle_f32x4(b[0], b[1], kOdd));
    const __m512 c1 = op(_mm512_shuffle_f32x4(b[2], b[3], kEven), _mm512_shuffle_f32x4(b[2], b[3], kOdd));
    return op(_mm512_shuffle_f32x4(c0, c1, kEven), _mm512_shuffle_f32x4(c0, c1, kOdd));
}

inline __m512 transpose_max16(const __m512 (&v)[16]) {
    return transpose_reduce16(v, [](__m512 x, __m512 y) { return _mm512_max_ps(x, y); });
}

// The int32 lanes of v[k] (held as floats' bits) summed, in lane k.
inline __m512i transpose_add16_epi32(const __m512 (&v)[16]) {
    return _mm512_castps_si512(transpose_reduce16(v, [](__m512 x, __m512 y) {
        return _mm512_castsi512_ps(_mm512_add_epi32(_mm512_castps_si512(x), _mm512_castps_si512(y)));
    }));
}

inline void store_block_q8_0(const float* x, float id, BlockQ8_0& y) {
    const __m512 s = _mm512_set1_ps(id);
    _mm_storeu_si128(reinterpret_cast<__m128i*>(y.qs), _mm512_cvtepi32_epi8(round_half_away(_mm512_mul_ps(_mm512_loadu_ps(x), s))));
    _mm_storeu_si128(reinterpret_cast<__m128i*>(y.qs + 16),
                     _mm512_cvtepi32_epi8(round_half_away(_mm512_mul_ps(_mm512_loadu_ps(x + 16), s))));
}

// 16 blocks at a time: their maxima in one vector (transpose_max16), then d = amax / 127 and
// 1 / d as vector divisions and d to F16 by vcvtps2ph — the scalar reference's IEEE operations and
// its round-to-nearest-even conversion, lane by lane. Decode quantizes every matmul input on one
// thread before the others can start, so this is serial time.
void quantize_q8_0(const float* x, BlockQ8_0* y, int64_t nb) {
    int64_t i = 0;
    for (; i + 16 <= nb; i += 16, x += 16 * 32) {
        __m512 m[16];
        for (int b = 0; b < 16; ++b)
            m[b] = _mm512_max_ps(_mm512_abs_ps(_mm512_loadu_ps(x + 32 * b)), _mm512_abs_ps(_mm512_loadu_ps(x + 32 * b + 16)));
        const __m512 d = _mm512_div_ps(transpose_max16(m), _mm512_set1_ps(127.0f));
        const __mmask16 nonzero = _mm512_cmp_ps_mask(d, _mm512_setzero_ps(), _CMP_NEQ_OQ);
        alignas(64) float id[16];
        _mm512_store_ps(id, _mm512_maskz_div_ps(nonzero, _mm512_set1_ps(1.0f), d));
        alignas(32) uint16_t dh[16];
        _mm256_store_si256(reinterpret_cast<__m256i*>(dh), _mm512_cvtps_ph(d, _MM_FROUND_TO_NEAREST_INT | _MM_FROUND_NO_EXC));
        for (int b = 0; b < 16; ++b) {
            y[i + b].d = dh[b];
            store_block_q8_0(x + 32 * b, id[b], y[i + b]);
        }
    }
    for (; i < nb; ++i, x += 32) {
        const __m512 v0 = _mm512_loadu_ps(x), v1 = _mm512_loadu_ps(x + 16);
        const float amax = _mm512_reduce_max_ps(_mm512_max_ps(_mm512_abs_ps(v0), _mm512_abs_ps(v1)));
        const float d = amax / 127.0f;
        y[i].d = fp32_to_fp16(d);
        store_block_q8_0(x, d != 0.0f ? 1.0f / d : 0.0f, y[i]);
    }
}

void quantize_q8_k(const float* x, BlockQ8_K* y, int64_t nb) {
    for (int64_t i = 0; i < nb; ++i, x += 256) {
        __m512 m = _mm512_setzero_ps();
        for (int g = 0; g < 16; ++g) m = _mm512_max_ps(m, _mm512_abs_ps(_mm512_loadu_ps(x + 16 * g)));
        const float amax = _mm512_reduce_max_ps(m);
        if (amax == 0.0f) {
            std::memset(&y[i], 0, sizeof(BlockQ8_K));
            continue;
        }
        // The scalar reference keeps the FIRST element of largest magnitude (its sign matters).
        float max = 0.0f;
        const __m512 am = _mm512_set1_ps(amax);
        for (int g = 0; g < 16; ++g) {
            const __mmask16 hit = _mm512_cmp_ps_mask(_mm512_abs_ps(_mm512_loadu_ps(x + 16 * g)), am, _CMP_EQ_OQ);
            if (hit != 0) {
                max = x[16 * g + __builtin_ctz(hit)];
                break;
            }
        }
        const float iscale = -127.0f / max;
        const __m512 s = _mm512_set1_ps(iscale);
        __m512 q[16];  // int32 quants, as float bits for transpose_add16_epi32
        for (int g = 0; g < 16; ++g) {
            const __m512 v = _mm512_roundscale_ps(_mm512_mul_ps(_mm512_loadu_ps(x + 16 * g), s),
                                                  _MM_FROUND_TO_NEAREST_INT | _MM_FROUND_NO_EXC);
            const __m512i qi = _mm512_min_epi32(_mm512_cvtps_epi32(v), _mm512_set1_epi32(127));
            _mm_storeu_si128(reinterpret_cast<__m128i*>(y[i].qs + 16 * g), _mm512_cvtepi32_epi8(qi));
            q[g] = _mm512_castsi512_ps(qi);
        }
        // The 16 group sums at once (|sum| <= 16 * 128 fits int16).
        _mm256_storeu_si256(reinterpret_cast<__m256i*>(y[i].bsums), _mm512_cvtepi32_epi16(transpose_add16_epi32(q)));
        y[i].d = 1.0f / iscale;
    }
}

}  // namespace

void avx512_quantize_row(GgmlType dot_type, const float* src, void* dst, int64_t n) {
    switch (dot_type) {
        case GgmlType::Q8_0: quantize_q8_0(src, static_cast<BlockQ8_0*>(dst), n / 32); return;
        case GgmlType::Q8_K: quantize_q8_k(src, static_cast<BlockQ8_K*>(dst), n / 256); return;
        default: scalar_quantize_row(dot_type, src, dst, n); return;
    }
}

}  // namespace veil::engine::detail
