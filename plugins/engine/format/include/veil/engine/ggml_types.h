// Tensor element types and their block layouts, exactly as GGUF/ggml define them.
// Type ids are the GGUF ids (same values as veil_tensor_type in veil/backend.h).
#pragma once

#include <cstddef>
#include <cstdint>

namespace veil::engine {

enum class GgmlType : uint32_t {
    F32 = 0,
    F16 = 1,
    Q4_0 = 2,
    Q4_1 = 3,
    Q5_0 = 6,
    Q5_1 = 7,
    Q8_0 = 8,
    Q8_1 = 9,
    Q2_K = 10,
    Q3_K = 11,
    Q4_K = 12,
    Q5_K = 13,
    Q6_K = 14,
    Q8_K = 15,
    BF16 = 30,
};

constexpr int kQK = 32;    // elements per block of the *_0 / *_1 types
constexpr int kQK_K = 256; // elements per super-block of the K-quants

struct TypeTraits {
    const char* name;       // "q4_K" style, as llama.cpp prints it
    uint32_t block_elems;   // elements per block (1 for F32/F16/BF16)
    uint32_t block_bytes;   // bytes per block
    GgmlType vec_dot_type;  // type the activation row is converted to for vec_dot with this type
};

// Traits of `type`, or nullptr when Veil does not support that type id.
const TypeTraits* type_traits(uint32_t type);

// Bytes of one row of `n` elements; n must be a multiple of the block size (checked by callers).
size_t row_bytes(GgmlType type, int64_t n);

}  // namespace veil::engine
