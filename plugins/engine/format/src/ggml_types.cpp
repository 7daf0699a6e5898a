// Per-type block geometry and the activation type each weight type is dotted with (the same
// pairing as llama.cpp's CPU backend, which our logits must match).
#include "veil/engine/ggml_types.h"

namespace veil::engine {
namespace {

constexpr TypeTraits kF32{"f32", 1, 4, GgmlType::F32};
constexpr TypeTraits kF16{"f16", 1, 2, GgmlType::F16};
constexpr TypeTraits kBF16{"bf16", 1, 2, GgmlType::BF16};
constexpr TypeTraits kQ4_0{"q4_0", 32, 18, GgmlType::Q8_0};
constexpr TypeTraits kQ4_1{"q4_1", 32, 20, GgmlType::Q8_1};
constexpr TypeTraits kQ5_0{"q5_0", 32, 22, GgmlType::Q8_0};
constexpr TypeTraits kQ5_1{"q5_1", 32, 24, GgmlType::Q8_1};
constexpr TypeTraits kQ8_0{"q8_0", 32, 34, GgmlType::Q8_0};
constexpr TypeTraits kQ8_1{"q8_1", 32, 36, GgmlType::Q8_1};
constexpr TypeTraits kQ2_K{"q2_K", 256, 84, GgmlType::Q8_K};
constexpr TypeTraits kQ3_K{"q3_K", 256, 110, GgmlType::Q8_K};
constexpr TypeTraits kQ4_K{"q4_K", 256, 144, GgmlType::Q8_K};
constexpr TypeTraits kQ5_K{"q5_K", 256, 176, GgmlType::Q8_K};
constexpr TypeTraits kQ6_K{"q6_K", 256, 210, GgmlType::Q8_K};
constexpr TypeTraits kQ8_K{"q8_K", 256, 292, GgmlType::Q8_K};

}  // namespace

const TypeTraits* type_traits(uint32_t type) {
    switch (static_cast<GgmlType>(type)) {
        case GgmlType::F32: return &kF32;
        case GgmlType::F16: return &kF16;
        case GgmlType::BF16: return &kBF16;
        case GgmlType::Q4_0: return &kQ4_0;
        case GgmlType::Q4_1: return &kQ4_1;
        case GgmlType::Q5_0: return &kQ5_0;
        case GgmlType::Q5_1: return &kQ5_1;
        case GgmlType::Q8_0: return &kQ8_0;
        case GgmlType::Q8_1: return &kQ8_1;
        case GgmlType::Q2_K: return &kQ2_K;
        case GgmlType::Q3_K: return &kQ3_K;
        case GgmlType::Q4_K: return &kQ4_K;
        case GgmlType::Q5_K: return &kQ5_K;
        case GgmlType::Q6_K: return &kQ6_K;
        case GgmlType::Q8_K: return &kQ8_K;
    }
    return nullptr;
}

size_t row_bytes(GgmlType type, int64_t n) {
    const TypeTraits* t = type_traits(static_cast<uint32_t>(type));
    if (t == nullptr) return 0;
    return static_cast<size_t>(n / t->block_elems) * t->block_bytes;
}

}  // namespace veil::engine
