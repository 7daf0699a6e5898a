// Weight quantizers for `veil model quantize`: scalar re-implementations of ggml's reference
// (no importance matrix) quantizers, so a file quantized by Veil matches one made by llama.cpp's
// llama-quantize from the same source weights.
#pragma once

#include <cstdint>

#include "veil/engine/ggml_types.h"

namespace veil::engine {

// True when quantize_weights_row supports `type` as a target: F32, F16, BF16, Q8_0, Q4_0, Q4_K,
// Q6_K.
bool can_quantize_weights(GgmlType type);

// Quantizes one row of `n` floats (n a multiple of the type's block size) into dst, which holds
// row_bytes(type, n) bytes. Returns false (dst untouched) for unsupported types.
bool quantize_weights_row(GgmlType type, const float* src, void* dst, int64_t n);

}  // namespace veil::engine
