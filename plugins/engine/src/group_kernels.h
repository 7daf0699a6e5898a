// Grouped kernels: dot products of one 16-row group (row_groups.h) with activation rows, the 16
// rows in the lanes of a vector. The matmul micro-kernel for RowLayout::Grouped16 weights.
//
// Contract (one per weight type, implemented by every ISA that has one):
// - The float result of (row, token) is the same whatever n_x is and whichever ISA computes it:
//   per block (Q4_0, Q8_0) or super-block (Q4_K, Q6_K) the integer dot product is exact, and the
//   float work is a fixed sequence of operations per (row, token) spelled out in
//   group_kernels_scalar.cpp, the reference, with std::fma where the SIMD code fuses. So decode
//   equals prefill, one thread equals many, and every ISA equals the scalar reference bit for bit.
// - It is not the order of the plain per-row kernels (vec_dot): a row gives the same value each
//   time it is computed, but grouped and plain matmuls of the same weights differ in rounding.
//
// Internal header (see kernels_internal.h).
#pragma once

#include <cstddef>
#include <cstdint>

#include "veil/engine/ggml_types.h"

namespace veil::engine::detail {

// out[t * out_stride + i] = dot(row i of the group, activation row t) for i < 16, t < n_x.
//   n           columns (a multiple of the type's block size)
//   group       the group's bytes (16 * row_bytes(type, n)), any alignment
//   x           n_x activation rows converted to the type's vec_dot_type, x_stride bytes apart,
//               64-byte aligned, each followed at byte `side_off` by this kernel's side data
//   out         n_x rows of at least 16 floats, out_stride floats apart
using GroupDotFn = void (*)(int64_t n, const uint8_t* group, const uint8_t* x, size_t x_stride, size_t side_off,
                            int n_x, float* out, size_t out_stride);
// Bytes of side data per activation row of n elements, and its computation from a converted row
// (done once per matmul call and activation row, shared by every group).
using GroupSideBytesFn = size_t (*)(int64_t n);
using GroupPrepareFn = void (*)(const uint8_t* x, uint8_t* side, int64_t n);

struct GroupKernel {
    GroupDotFn dot = nullptr;  // nullptr: the type has no grouped kernel
    GroupSideBytesFn side_bytes = nullptr;
    GroupPrepareFn prepare = nullptr;
};

// The scalar reference (group_kernels_scalar.cpp), for every type has_row_groups() accepts.
GroupKernel scalar_group_kernel(GgmlType type);
// AVX-512 VNNI kernels (group_kernels_avx512.cpp); dot == nullptr for types without one (the
// dispatcher then takes the scalar reference, which gives the same results). Q6_K unpacks with
// GFNI where the CPU has it; _without_gfni never does (tests cover both).
GroupKernel avx512_group_kernel(GgmlType type);
GroupKernel avx512_group_kernel_without_gfni(GgmlType type);
// AVX2 (+FMA, F16C) kernels (group_kernels_avx2.cpp), for CPUs without AVX-512; same convention.
GroupKernel avx2_group_kernel(GgmlType type);
// The fastest kernel for `type` on this CPU under the active kernel table (VEIL_ISA respected).
GroupKernel group_kernel_for(GgmlType type);

// Side data shared by the implementations (layouts are part of the contract above):
//   Q4_0, Q8_0 (Q8_0 activations): per block, int32 bias then float d, where bias is
//     -8 * sum(qs) for Q4_0 (its quants are stored unsigned, q + 8) and -128 * sum(qs) for Q8_0
//     (stored q + 128), and d = fp16 scale of the activation block as float.
//   Q4_K (Q8_K activations): per super-block, int32 sums of the 8 groups of 32 quants.
//   Q6_K (Q8_K activations): per super-block, int32 -32 * sum of each of the 16 groups of 16.
struct SideQ8_0 {
    int32_t bias;
    float d;
};

}  // namespace veil::engine::detail
