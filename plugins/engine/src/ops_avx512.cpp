// AVX-512 element-wise ops (ops_kernels.h). SwiGLU runs once per layer on the n_ff-wide FFN
// activation between two parallel regions, on one thread while the others wait, so a scalar libm
// exp per element (~25 us per layer of TinyLlama) showed up as a few percent of decode time.
#include <immintrin.h>

// See kernels_avx512.cpp: GCC 12's AVX-512 headers trip -Wmaybe-uninitialized on their own
// "undefined" vectors.
#pragma GCC diagnostic ignored "-Wmaybe-uninitialized"

#include "ops_kernels.h"

namespace veil::engine::detail {
namespace {

// exp(x) for x in float range: x = k ln2 + r with |r| <= ln2 / 2 (ln2 split in two for an exact
// reduction), exp(r) by its degree-7 Taylor polynomial (truncation below 1e-8 relative on
// [-ln2/2, ln2/2]), times 2^k by scalef (which also saturates to 0 and inf at the range ends).
inline __m512 exp512(__m512 x) {
    const __m512 log2e = _mm512_set1_ps(1.44269504088896341f);
    const __m512 ln2_hi = _mm512_set1_ps(0.693145751953125f), ln2_lo = _mm512_set1_ps(1.428606765330187e-06f);
    x = _mm512_max_ps(_mm512_min_ps(x, _mm512_set1_ps(88.7f)), _mm512_set1_ps(-104.0f));
    const __m512 k = _mm512_roundscale_ps(_mm512_mul_ps(x, log2e), _MM_FROUND_TO_NEAREST_INT | _MM_FROUND_NO_EXC);
    __m512 r = _mm512_fnmadd_ps(k, ln2_hi, x);
    r = _mm512_fnmadd_ps(k, ln2_lo, r);
    __m512 p = _mm512_set1_ps(1.0f / 5040);
    p = _mm512_fmadd_ps(p, r, _mm512_set1_ps(1.0f / 720));
    p = _mm512_fmadd_ps(p, r, _mm512_set1_ps(1.0f / 120));
    p = _mm512_fmadd_ps(p, r, _mm512_set1_ps(1.0f / 24));
    p = _mm512_fmadd_ps(p, r, _mm512_set1_ps(1.0f / 6));
    p = _mm512_fmadd_ps(p, r, _mm512_set1_ps(0.5f));
    p = _mm512_fmadd_ps(p, r, _mm512_set1_ps(1.0f));
    p = _mm512_fmadd_ps(p, r, _mm512_set1_ps(1.0f));
    return _mm512_scalef_ps(p, k);
}

}  // namespace

void avx512_swiglu(float* g, const float* u, int64_t n) {
    // The tail goes through the same vector code under a mask: every element must get the same
    // exp whatever its position, or stacked rows (a batch of sessions, n = rows x n_ff) would
    // round differently from one row at a time.
    const __m512 one = _mm512_set1_ps(1.0f);
    for (int64_t i = 0; i < n; i += 16) {
        const __mmask16 m = n - i >= 16 ? __mmask16(0xFFFF) : static_cast<__mmask16>((1u << (n - i)) - 1);
        const __m512 x = _mm512_maskz_loadu_ps(m, g + i);
        const __m512 e = exp512(_mm512_sub_ps(_mm512_setzero_ps(), x));
        _mm512_mask_storeu_ps(g + i, m, _mm512_mul_ps(_mm512_div_ps(x, _mm512_add_ps(one, e)), _mm512_maskz_loadu_ps(m, u + i)));
    }
}

}  // namespace veil::engine::detail
