// AVX-512 attention inner loops (see attention_kernels.h): a query-key dot product per cached
// position and the probability-weighted sum of values, 16 floats per instruction. head_dim is a
// multiple of 16 (checked by the caller).
#include <immintrin.h>

#pragma GCC diagnostic ignored "-Wmaybe-uninitialized"
#pragma GCC diagnostic ignored "-Wuninitialized"

#include "attention_kernels.h"
#include "simd_avx512.h"

namespace veil::engine::detail {

float avx512_attention_scores(const float* q, const float* keys, uint32_t hd, uint32_t n_keys, float scale,
                              float* scores) {
    float max_s = -__builtin_inff();
    for (uint32_t j = 0; j < n_keys; ++j) {
        const float* k = keys + static_cast<size_t>(j) * hd;
        __m512 a = _mm512_mul_ps(_mm512_loadu_ps(q), _mm512_loadu_ps(k));
        for (uint32_t i = 16; i < hd; i += 16) a = _mm512_fmadd_ps(_mm512_loadu_ps(q + i), _mm512_loadu_ps(k + i), a);
        const float s = _mm512_reduce_add_ps(a) * scale;
        scores[j] = s;
        if (s > max_s) max_s = s;
    }
    return max_s;
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
