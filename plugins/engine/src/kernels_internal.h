// Internal wiring between the kernel tables (not part of the public include directory).
#pragma once

#include <cstdint>

#include "veil/engine/kernels.h"

namespace veil::engine::detail {

// Scalar reference entry points (kernels_scalar.cpp). SIMD tables reuse them for the work they
// do not vectorise (activation quantization, dequantization of rarely used types).
void scalar_dequantize_row(GgmlType type, const void* src, float* dst, int64_t n);
void scalar_quantize_row(GgmlType dot_type, const float* src, void* dst, int64_t n);
float scalar_vec_dot(GgmlType type, int64_t n, const void* w, const void* x);

// AVX2 vec_dot (kernels_avx2.cpp); the AVX-512 table falls back to it for types it does not
// specialise (any AVX-512 CPU with our required subsets also has AVX2/FMA/F16C).
float avx2_vec_dot(GgmlType type, int64_t n, const void* w, const void* x);
void avx2_dequantize_row(GgmlType type, const void* src, float* dst, int64_t n);

// AVX-512 activation quantizers (kernels_quantize_avx512.cpp): Q8_0 and Q8_K vectorised,
// byte-identical to scalar_quantize_row, which they call for the other types.
void avx512_quantize_row(GgmlType dot_type, const float* src, void* dst, int64_t n);

// The tables. Constant-initialised, so taking their address runs no ISA-specific code.
extern const KernelTable kScalarKernels;
extern const KernelTable kAvx2Kernels;
extern const KernelTable kAvx512Kernels;

}  // namespace veil::engine::detail
