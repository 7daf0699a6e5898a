// SIMD element-wise ops of the forward pass (ops_avx512.cpp), used by llama_ops.cpp when the
// AVX-512 kernel table is active. Internal header.
#pragma once

#include <cstdint>

namespace veil::engine::detail {

// g[i] = silu(g[i]) * u[i] for i < n, with a polynomial exp (a few ulp from libm's silu; clamped below -88.7, where silu is ~0).
void avx512_swiglu(float* g, const float* u, int64_t n);

// part[j] += x[i + j]^2 (in double) for every i < n that is a multiple of 8; n is a multiple of 8.
void avx512_add_squares(const float* x, int64_t n, double* part);

// out[i] = x[i] * scale * w[i] for i < n, rounded as written (two float multiplies).
void avx512_scale_mul(const float* x, float scale, const float* w, int64_t n, float* out);

}  // namespace veil::engine::detail
