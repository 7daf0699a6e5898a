// Writes GGUF v3 files: metadata, a tensor directory and tensor data padded to the alignment
// (general.alignment, default 32). Used by `veil model quantize/synth` and by tests that need
// GGUF files of a particular shape.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "gguf/gguf_value.h"

namespace veil {

class GgufWriter {
public:
    // Setting a key twice replaces its value (keeping its first position).
    void set_u8(const std::string& key, uint8_t v);
    void set_i8(const std::string& key, int8_t v);
    void set_u16(const std::string& key, uint16_t v);
    void set_i16(const std::string& key, int16_t v);
    void set_u32(const std::string& key, uint32_t v);
    void set_i32(const std::string& key, int32_t v);
    void set_u64(const std::string& key, uint64_t v);
    void set_i64(const std::string& key, int64_t v);
    void set_f32(const std::string& key, float v);
    void set_f64(const std::string& key, double v);
    void set_bool(const std::string& key, bool v);
    void set_string(const std::string& key, std::string_view v);
    void set_string_array(const std::string& key, const std::vector<std::string>& v);
    void set_f32_array(const std::string& key, const std::vector<float>& v);
    void set_i32_array(const std::string& key, const std::vector<int32_t>& v);
    // Copies a value read from another file (any type, nested arrays included).
    void set_value(const std::string& key, const GgufValue& v);
    // Sets general.alignment (a power of two).
    void set_alignment(uint32_t alignment);

    // Adds a tensor; `data` (n_bytes, copied) must be exactly the size its type and dims imply.
    // Throws GgufError on an unknown type, bad dims or a size mismatch.
    void add_tensor(const std::string& name, uint32_t type, const std::vector<uint64_t>& dims, const void* data,
                    size_t n_bytes);

    // Serialises everything; write() goes through a temporary file renamed into place.
    std::vector<uint8_t> to_bytes() const;
    void write(const std::string& path) const;

private:
    struct Tensor {
        std::string name;
        uint32_t type;
        std::vector<uint64_t> dims;
        std::vector<uint8_t> data;
    };
    void put(const std::string& key, GgufValueType type, std::vector<uint8_t> payload);

    std::vector<std::pair<std::string, std::vector<uint8_t>>> kvs_;  // key -> type id + value bytes
    std::vector<Tensor> tensors_;
    uint64_t alignment_ = 32;
};

}  // namespace veil
