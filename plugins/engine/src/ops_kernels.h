// SIMD element-wise ops of the forward pass (ops_avx512.cpp), used by llama_ops.cpp when the
// AVX-512 kernel table is active. Internal header.
#pragma once

#include <cstdint>

namespace veil::engine::detail {

// g[i] = silu(g[i]) * u[i] for i < n, with a polynomial exp (a few ulp from libm's silu; clamped below -88.7, where silu is ~0).
void avx512_swiglu(float* g, const float* u, int64_t n);

}  // namespace veil::engine::detail
