// One metadata value of a GGUF file. Strings and array payloads are views into the file's
// mapping, so a value is only valid while its GgufFile lives.
#pragma once

#include <cstdint>
#include <cstring>
#include <optional>
#include <string_view>
#include <vector>

#include "gguf/gguf_types.h"

namespace veil {

struct GgufValue {
    GgufValueType type = GgufValueType::UINT8;
    uint64_t offset = 0;  // byte offset of the value in the file (for messages)

    // Scalars: integers in `u` (unsigned types, bool) or `i` (signed types); floats in `f`.
    uint64_t u = 0;
    int64_t i = 0;
    double f = 0;
    std::string_view str;  // STRING

    // ARRAY: `count` elements of `elem_type`. Fixed-size elements are packed little-endian at
    // `raw`; strings are in `strings`; nested arrays in `items`.
    GgufValueType elem_type = GgufValueType::UINT8;
    uint64_t count = 0;
    const uint8_t* raw = nullptr;
    std::vector<std::string_view> strings;
    std::vector<GgufValue> items;

    bool is_array() const noexcept { return type == GgufValueType::ARRAY; }
    bool is_signed_int() const noexcept {
        return type == GgufValueType::INT8 || type == GgufValueType::INT16 || type == GgufValueType::INT32 ||
               type == GgufValueType::INT64;
    }
    // The value of an integer scalar as unsigned/signed; nullopt for other types or when it does not fit.
    std::optional<uint64_t> as_u64() const noexcept;
    std::optional<int64_t> as_i64() const noexcept;

    // Element `k` of a fixed-size numeric array (k < count), widened.
    int64_t int_at(uint64_t k) const noexcept;  // integer and bool elements
    double float_at(uint64_t k) const noexcept; // any numeric element
};

}  // namespace veil
