// AVX-512 element-wise ops (ops_kernels.h). SwiGLU runs once per layer on the n_ff-wide FFN
// activation between two parallel regions, on one thread while the others wait, so a scalar libm
// exp per element (~25 us per layer of TinyLlama) showed up as a few percent of decode time. The
// RMS norm's two halves run on one thread at the start of a decode region, likewise.
#include <immintrin.h>

// See kernels_avx512.cpp: GCC 12's AVX-512 headers trip -Wmaybe-uninitialized on their own
// "undefined" vectors.
#pragma GCC diagnostic ignored "-Wmaybe-uninitialized"

#include "ops_kernels.h"
#include "simd_avx512.h"

namespace veil::engine::detail {

void avx512_swiglu(float* g, const float* u, int64_t n) {
    // The tail goes through the same vector code under a mask: every element must get the same
    // exp whatever its position, or stacked rows (a batch of sessions, n = rows x n_ff) would
    // round differently from one row at a time.
    const __m512 one = _mm512_set1_ps(1.0f);
    for (int64_t i = 0; i < n; i += 16) {
        const __mmask16 m = n - i >= 16 ? __mmask16(0xFFFF) : static_cast<__mmask16>((1u << (n - i)) - 1);
        const __m512 x = _mm512_maskz_loadu_ps(m, g + i);
        const __m512 e = avx512::exp512(_mm512_sub_ps(_mm512_setzero_ps(), x));
        _mm512_mask_storeu_ps(g + i, m, _mm512_mul_ps(_mm512_div_ps(x, _mm512_add_ps(one, e)), _mm512_maskz_loadu_ps(m, u + i)));
    }
}

void avx512_add_squares(const float* x, int64_t n, double* part) {
    // Lane j is part[j]'s chain of the portable loop. A float's square is exact in double, so
    // the fused multiply-add rounds exactly as the separate multiply and add.
    __m512d acc = _mm512_loadu_pd(part);
    for (int64_t i = 0; i < n; i += 8) {
        const __m512d v = _mm512_cvtps_pd(_mm256_loadu_ps(x + i));
        acc = _mm512_fmadd_pd(v, v, acc);
    }
    _mm512_storeu_pd(part, acc);
}

void avx512_scale_mul(const float* x, float scale, const float* w, int64_t n, float* out) {
    const __m512 s = _mm512_set1_ps(scale);
    for (int64_t i = 0; i < n; i += 16) {
        const __mmask16 m = n - i >= 16 ? __mmask16(0xFFFF) : static_cast<__mmask16>((1u << (n - i)) - 1);
        const __m512 xs = _mm512_mul_ps(_mm512_maskz_loadu_ps(m, x + i), s);
        _mm512_mask_storeu_ps(out + i, m, _mm512_mul_ps(xs, _mm512_maskz_loadu_ps(m, w + i)));
    }
}

}  // namespace veil::engine::detail
