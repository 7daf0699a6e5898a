// GGUF value types and the host's table of tensor element types (ggml type ids, block layouts).
// Tensor block sizes come from the file-format library (veil_ggml_format); kernels live in the engine.
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string_view>

namespace veil {

// Metadata value type ids as stored in the file (GGUF spec, gguf_metadata_value_type).
enum class GgufValueType : uint32_t {
    UINT8 = 0,
    INT8 = 1,
    UINT16 = 2,
    INT16 = 3,
    UINT32 = 4,
    INT32 = 5,
    FLOAT32 = 6,
    BOOL = 7,
    STRING = 8,
    ARRAY = 9,
    UINT64 = 10,
    INT64 = 11,
    FLOAT64 = 12,
};

// Name for messages ("uint32", "string", ...); "?" for ids outside the enum.
std::string_view gguf_value_type_name(GgufValueType t);
// Byte size of a fixed-size scalar type; 0 for STRING and ARRAY (and unknown ids).
size_t gguf_value_type_size(GgufValueType t);
bool gguf_value_type_known(uint32_t id);
bool gguf_value_type_is_int(GgufValueType t);

// Layout of one tensor element type: `block_bytes` bytes hold `block_elems` elements.
struct GgufTensorTypeInfo {
    std::string_view name;  // llama.cpp's spelling: "f32", "q4_K", ...
    uint32_t block_elems;
    uint32_t block_bytes;
};

// Layout of ggml type `type`, or nullopt when the host does not know it (a file using it is refused).
std::optional<GgufTensorTypeInfo> gguf_tensor_type_info(uint32_t type);

}  // namespace veil
