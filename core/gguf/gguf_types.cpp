#include "gguf/gguf_types.h"

#include "veil/backend.h"

namespace veil {

std::string_view gguf_value_type_name(GgufValueType t) {
    switch (t) {
        case GgufValueType::UINT8: return "uint8";
        case GgufValueType::INT8: return "int8";
        case GgufValueType::UINT16: return "uint16";
        case GgufValueType::INT16: return "int16";
        case GgufValueType::UINT32: return "uint32";
        case GgufValueType::INT32: return "int32";
        case GgufValueType::FLOAT32: return "float32";
        case GgufValueType::BOOL: return "bool";
        case GgufValueType::STRING: return "string";
        case GgufValueType::ARRAY: return "array";
        case GgufValueType::UINT64: return "uint64";
        case GgufValueType::INT64: return "int64";
        case GgufValueType::FLOAT64: return "float64";
    }
    return "?";
}

size_t gguf_value_type_size(GgufValueType t) {
    switch (t) {
        case GgufValueType::UINT8:
        case GgufValueType::INT8:
        case GgufValueType::BOOL: return 1;
        case GgufValueType::UINT16:
        case GgufValueType::INT16: return 2;
        case GgufValueType::UINT32:
        case GgufValueType::INT32:
        case GgufValueType::FLOAT32: return 4;
        case GgufValueType::UINT64:
        case GgufValueType::INT64:
        case GgufValueType::FLOAT64: return 8;
        case GgufValueType::STRING:
        case GgufValueType::ARRAY: return 0;
    }
    return 0;
}

bool gguf_value_type_known(uint32_t id) { return id <= static_cast<uint32_t>(GgufValueType::FLOAT64); }

bool gguf_value_type_is_int(GgufValueType t) {
    switch (t) {
        case GgufValueType::UINT8:
        case GgufValueType::INT8:
        case GgufValueType::UINT16:
        case GgufValueType::INT16:
        case GgufValueType::UINT32:
        case GgufValueType::INT32:
        case GgufValueType::UINT64:
        case GgufValueType::INT64: return true;
        default: return false;
    }
}

std::optional<GgufTensorTypeInfo> gguf_tensor_type_info(uint32_t type) {
    // Block layouts as ggml defines them (ggml-common.h block_* structs): e.g. Q4_0 is an fp16 scale
    // plus 16 bytes of nibbles per 32 weights; the K-quants use 256-weight super-blocks.
    switch (type) {
        case VEIL_TYPE_F32: return GgufTensorTypeInfo{"f32", 1, 4};
        case VEIL_TYPE_F16: return GgufTensorTypeInfo{"f16", 1, 2};
        case VEIL_TYPE_BF16: return GgufTensorTypeInfo{"bf16", 1, 2};
        case VEIL_TYPE_Q4_0: return GgufTensorTypeInfo{"q4_0", 32, 18};
        case VEIL_TYPE_Q4_1: return GgufTensorTypeInfo{"q4_1", 32, 20};
        case VEIL_TYPE_Q5_0: return GgufTensorTypeInfo{"q5_0", 32, 22};
        case VEIL_TYPE_Q5_1: return GgufTensorTypeInfo{"q5_1", 32, 24};
        case VEIL_TYPE_Q8_0: return GgufTensorTypeInfo{"q8_0", 32, 34};
        case VEIL_TYPE_Q8_1: return GgufTensorTypeInfo{"q8_1", 32, 36};
        case VEIL_TYPE_Q2_K: return GgufTensorTypeInfo{"q2_K", 256, 84};
        case VEIL_TYPE_Q3_K: return GgufTensorTypeInfo{"q3_K", 256, 110};
        case VEIL_TYPE_Q4_K: return GgufTensorTypeInfo{"q4_K", 256, 144};
        case VEIL_TYPE_Q5_K: return GgufTensorTypeInfo{"q5_K", 256, 176};
        case VEIL_TYPE_Q6_K: return GgufTensorTypeInfo{"q6_K", 256, 210};
        case VEIL_TYPE_Q8_K: return GgufTensorTypeInfo{"q8_K", 256, 292};
        default: return std::nullopt;
    }
}

}  // namespace veil
