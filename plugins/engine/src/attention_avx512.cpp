// AVX-512 attention inner loops (see attention_kernels.h): a query-key dot product per cached
// position and the probability-weighted sum of values, 16 floats per instruction. head_dim is a
// multiple of 16 (checked by the caller).
#include <immintrin.h>

#pragma GCC diagnostic ignored "-Wmaybe-uninitialized"
#pragma GCC diagnostic ignored "-Wuninitialized"

#include "attention_kernels.h"
#include "simd_avx512.h"

namespace veil::engine::detail {

namespace {

// Lane k of the result = the sum of the 16 lanes of v[k], for k < 16: a transpose-and-add tree
// (unpack 32-bit, unpack 64-bit, then 128-bit lanes twice) that costs ~2 shuffles and an add per
// vector instead of a full horizontal reduction each. Every lane goes through the same additions,
// so a key's score does not depend on its place in the block.
inline __m512 transpose_sum16(const __m512 (&v)[16]) {
    __m512 a[8], b[4];
    for (int i = 0; i < 8; ++i)
        a[i] = _mm512_add_ps(_mm512_unpacklo_ps(v[2 * i], v[2 * i + 1]), _mm512_unpackhi_ps(v[2 * i], v[2 * i + 1]));
    for (int i = 0; i < 4; ++i) {
        const __m512d x = _mm512_castps_pd(a[2 * i]), y = _mm512_castps_pd(a[2 * i + 1]);
        b[i] = _mm512_add_ps(_mm512_castpd_ps(_mm512_unpacklo_pd(x, y)), _mm512_castpd_ps(_mm512_unpackhi_pd(x, y)));
    }
    // b[i], 128-bit lane L: lane L's partial sums of v[4i .. 4i + 3]; now add the four lanes.
    constexpr int kEven = _MM_SHUFFLE(2, 0, 2, 0), kOdd = _MM_SHUFFLE(3, 1, 3, 1);
    const __m512 c0 = _mm512_add_ps(_mm512_shuffle_f32x4(b[0], b[1], kEven), _mm512_shuffle_f32x4(b[0], b[1], kOdd));
    const __m512 c1 = _mm512_add_ps(_mm512_shuffle_f32x4(b[2], b[3], kEven), _mm512_shuffle_f32x4(b[2], b[3], kOdd));
    return _mm512_add_ps(_mm512_shuffle_f32x4(c0, c1, kEven), _mm512_shuffle_f32x4(c0, c1, kOdd));
}

// v[k] = the partial products of q with key k (k < nk; zero above), head_dim = 16 * NC.
template <int NC>
inline void key_products(const float* q, const float* keys, uint32_t nk, __m512 (&v)[16]) {
    __m512 qv[NC];
    #pragma GCC unroll 16
    for (int c = 0; c < NC; ++c) qv[c] = _mm512_loadu_ps(q + 16 * c);
    #pragma GCC unroll 16
    for (uint32_t k = 0; k < 16; ++k) {
        __m512 a = _mm512_setzero_ps();
        if (k < nk) {
            const float* key = keys + static_cast<size_t>(k) * 16 * NC;
            a = _mm512_mul_ps(qv[0], _mm512_loadu_ps(key));
            #pragma GCC unroll 16
            for (int c = 1; c < NC; ++c) a = _mm512_fmadd_ps(qv[c], _mm512_loadu_ps(key + 16 * c), a);
        }
        v[k] = a;
    }
}

template <int NC>
void scores_group(const float* const* q, uint32_t n_q, const float* keys, uint32_t n_keys, float scale, float* scores,
                  size_t stride) {
    const __m512 scale_v = _mm512_set1_ps(scale);
    for (uint32_t j0 = 0; j0 < n_keys; j0 += 16) {
        const uint32_t nk = n_keys - j0 < 16 ? n_keys - j0 : 16;
        const __mmask16 m = nk == 16 ? __mmask16(0xFFFF) : static_cast<__mmask16>((1u << nk) - 1);
        const float* block = keys + static_cast<size_t>(j0) * 16 * NC;
        for (uint32_t i = 0; i < n_q; ++i) {
            __m512 v[16];
            key_products<NC>(q[i], block, nk, v);
            _mm512_mask_storeu_ps(scores + i * stride + j0, m, _mm512_mul_ps(transpose_sum16(v), scale_v));
        }
    }
}

// 16 value rows at a time; each head's NC accumulators go through memory between blocks (exact:
// the same fused multiply-adds in the same order as mix_rows).
template <int NC>
void mix_group(const float* p, size_t stride, uint32_t n_q, const float* values, uint32_t n_keys, float* const* out) {
    for (uint32_t i = 0; i < n_q; ++i)
        for (int c = 0; c < NC; ++c) _mm512_storeu_ps(out[i] + 16 * c, _mm512_setzero_ps());
    for (uint32_t j0 = 0; j0 < n_keys; j0 += 16) {
        const uint32_t j1 = n_keys - j0 < 16 ? n_keys : j0 + 16;
        for (uint32_t i = 0; i < n_q; ++i) {
            __m512 o[NC];
            #pragma GCC unroll 8
            for (int c = 0; c < NC; ++c) o[c] = _mm512_loadu_ps(out[i] + 16 * c);
            const float* pi = p + i * stride;
            for (uint32_t j = j0; j < j1; ++j) {
                const __m512 pj = _mm512_set1_ps(pi[j]);
                const float* v = values + static_cast<size_t>(j) * 16 * NC;
                #pragma GCC unroll 8
                for (int c = 0; c < NC; ++c) o[c] = _mm512_fmadd_ps(pj, _mm512_loadu_ps(v + 16 * c), o[c]);
            }
            #pragma GCC unroll 8
            for (int c = 0; c < NC; ++c) _mm512_storeu_ps(out[i] + 16 * c, o[c]);
        }
    }
}

}  // namespace

void avx512_attention_scores_group(const float* const* q, uint32_t n_q, const float* keys, uint32_t hd,
                                   uint32_t n_keys, float scale, float* scores, size_t stride) {
    switch (hd / 16) {
        case 4: return scores_group<4>(q, n_q, keys, n_keys, scale, scores, stride);
        case 8: return scores_group<8>(q, n_q, keys, n_keys, scale, scores, stride);
        case 2: return scores_group<2>(q, n_q, keys, n_keys, scale, scores, stride);
        case 1: return scores_group<1>(q, n_q, keys, n_keys, scale, scores, stride);
        default: break;
    }
    for (uint32_t i = 0; i < n_q; ++i) avx512_attention_scores(q[i], keys, hd, n_keys, scale, scores + i * stride);
}

void avx512_attention_mix_group(const float* p, size_t stride, uint32_t n_q, const float* values, uint32_t hd,
                                uint32_t n_keys, float* const* out) {
    switch (hd / 16) {
        case 4: return mix_group<4>(p, stride, n_q, values, n_keys, out);
        case 8: return mix_group<8>(p, stride, n_q, values, n_keys, out);
        case 2: return mix_group<2>(p, stride, n_q, values, n_keys, out);
        default: break;
    }
    for (uint32_t i = 0; i < n_q; ++i) avx512_attention_mix(p + i * stride, values, hd, n_keys, out[i]);
}

float avx512_attention_scores(const float* q, const float* keys, uint32_t hd, uint32_t n_keys, float scale,
                              float* scores) {
    float max_s = -__builtin_inff();
    for (uint32_t j = 0; j < n_keys; ++j) {
        const float* k = keys + static_cast<size_t>(j) * hd;
        __m512 a = _mm512_mul_ps(_mm512_loadu_ps(q), _mm512_loadu_ps(k));
        for (uint32_t i = 16; i < hd; i += 16) a = _mm512_fmadd_ps(_mm512_loadu_ps(q + i), _mm512_loadu_ps(k + i), a);
        scores[j] = _mm512_reduce_add_ps(a) * scale;
        if (scores[j] > max_s) max_s = scores[j];
    }
    return max_s;
}

void avx512_attention_softmax(float* scores, uint32_t n_keys) {
    __m512 max_v = _mm512_set1_ps(-__builtin_inff());
    for (uint32_t j = 0; j < n_keys; j += 16) {
        const __mmask16 m = n_keys - j >= 16 ? __mmask16(0xFFFF) : static_cast<__mmask16>((1u << (n_keys - j)) - 1);
        max_v = _mm512_mask_max_ps(max_v, m, max_v, _mm512_maskz_loadu_ps(m, scores + j));
    }
    avx512_attention_softmax(scores, n_keys, _mm512_reduce_max_ps(max_v));
}

void avx512_attention_softmax(float* scores, uint32_t n_keys, float max_s) {
    const __m512 max_v = _mm512_set1_ps(max_s);
    __m512 sum = _mm512_setzero_ps();
    for (uint32_t j = 0; j < n_keys; j += 16) {
        const __mmask16 m = n_keys - j >= 16 ? __mmask16(0xFFFF) : static_cast<__mmask16>((1u << (n_keys - j)) - 1);
        const __m512 e = avx512::exp512(_mm512_sub_ps(_mm512_maskz_loadu_ps(m, scores + j), max_v));
        _mm512_mask_storeu_ps(scores + j, m, e);
        sum = _mm512_mask_add_ps(sum, m, sum, e);
    }
    const __m512 inv = _mm512_set1_ps(1.0f / _mm512_reduce_add_ps(sum));
    for (uint32_t j = 0; j < n_keys; j += 16) {
        const __mmask16 m = n_keys - j >= 16 ? __mmask16(0xFFFF) : static_cast<__mmask16>((1u << (n_keys - j)) - 1);
        _mm512_mask_storeu_ps(scores + j, m, _mm512_mul_ps(_mm512_maskz_loadu_ps(m, scores + j), inv));
    }
}

namespace {

// head_dim = 16 * NC: all NC accumulators stay in registers while the values stream by once.
template <int NC>
void mix_rows(const float* p, const float* values, uint32_t hd, uint32_t n_keys, float* out) {
    __m512 o[NC];
#pragma GCC unroll 8
    for (int c = 0; c < NC; ++c) o[c] = _mm512_setzero_ps();
    for (uint32_t j = 0; j < n_keys; ++j) {
        const __m512 pj = _mm512_set1_ps(p[j]);
        const float* v = values + static_cast<size_t>(j) * hd;
#pragma GCC unroll 8
        for (int c = 0; c < NC; ++c) o[c] = _mm512_fmadd_ps(pj, _mm512_loadu_ps(v + 16 * c), o[c]);
    }
#pragma GCC unroll 8
    for (int c = 0; c < NC; ++c) _mm512_storeu_ps(out + 16 * c, o[c]);
}

}  // namespace

void avx512_attention_mix(const float* p, const float* values, uint32_t hd, uint32_t n_keys, float* out) {
    switch (hd / 16) {
        case 4: mix_rows<4>(p, values, hd, n_keys, out); return;
        case 8: mix_rows<8>(p, values, hd, n_keys, out); return;
        case 2: mix_rows<2>(p, values, hd, n_keys, out); return;
        default: break;
    }
    // Other head sizes: 16 columns at a time (same per-element summation order).
    for (uint32_t i = 0; i < hd; i += 16) {
        __m512 o = _mm512_setzero_ps();
        for (uint32_t j = 0; j < n_keys; ++j)
            o = _mm512_fmadd_ps(_mm512_set1_ps(p[j]), _mm512_loadu_ps(values + static_cast<size_t>(j) * hd + i), o);
        _mm512_storeu_ps(out + i, o);
    }
}

}  // namespace veil::engine::detail
