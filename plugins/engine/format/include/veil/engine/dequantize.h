// Reference (scalar) dequantization of one row of any supported tensor type: the definition of
// correct for the SIMD kernels, and what file tools (`veil model quantize`) use to read weights.
#pragma once

#include <cstdint>

#include "veil/engine/ggml_types.h"

namespace veil::engine {

// dst[0..n) = the dequantized row at src. n is a multiple of the type's block size; `type` must
// have type_traits() (callers check), other ids leave dst untouched.
void dequantize_row_reference(GgmlType type, const void* src, float* dst, int64_t n);

}  // namespace veil::engine
