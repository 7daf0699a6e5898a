#include "gguf/gguf_types.h"

#include "veil/engine/ggml_types.h"

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
    // One table of block layouts for host and engine: the file-format library's.
    const engine::TypeTraits* t = engine::type_traits(type);
    if (t == nullptr) return std::nullopt;
    return GgufTensorTypeInfo{t->name, t->block_elems, t->block_bytes};
}

}  // namespace veil
