// Dequantization, activation quantization and dot-product kernels for every supported type.
//
// Three implementations of the same contract: a scalar reference, AVX2 (+FMA, F16C) and AVX-512
// (F, BW, VL, and VNNI where present), chosen once at run time from CPUID. Tests compare each SIMD
// table against the scalar one on random blocks.
#pragma once

#include <cstdint>

#include "veil/engine/fp16.h"  // the scalar conversions kernels and their callers use
#include "veil/engine/ggml_types.h"

namespace veil::engine {

enum class Isa { Scalar, Avx2, Avx512 };

struct KernelTable {
    Isa isa;
    // dst[0..n) = dequantized src row. n is a multiple of the type's block size.
    void (*dequantize_row)(GgmlType type, const void* src, float* dst, int64_t n);
    // Converts an activation row to `dot_type` (one of F32, F16, BF16, Q8_0, Q8_1, Q8_K): the layout
    // vec_dot expects for weights whose vec_dot_type is dot_type. n is a multiple of its block.
    // Rounding is ggml's reference quantizers' (Q8_0/Q8_1: round half away from zero; Q8_K:
    // -127/max scale, round half to even), and the output is byte-identical on every table.
    void (*quantize_row)(GgmlType dot_type, const float* src, void* dst, int64_t n);
    // Returns sum_i w[i] * x[i] over n elements, where `w` is a row of `type` and `x` is an
    // activation row already converted to type_traits(type)->vec_dot_type. Integer parts are exact
    // on every ISA; tables differ only in float summation order. Like ggml's SIMD kernels, the
    // SIMD Q8_0 path assumes weight quants in [-127, 127] (what every quantizer emits).
    float (*vec_dot)(GgmlType type, int64_t n, const void* w, const void* x);
};

// The best table this CPU supports (cached after the first call; thread-safe).
const KernelTable& best_kernels();
// A specific table, or nullptr when this CPU lacks the instructions.
const KernelTable* kernels_for(Isa isa);
const char* isa_name(Isa isa);

}  // namespace veil::engine
