// Reader of GGUF v2/v3 model files (ggml's docs/gguf.md): header, metadata, tensor directory and
// the data section, validated up front so that everything handed out afterwards is in bounds.
//
// Layout: "GGUF" | u32 version | u64 n_tensors | u64 n_kv | n_kv × (string key, u32 type, value)
//         | n_tensors × (string name, u32 n_dims, u64 dims[n_dims], u32 type, u64 offset)
//         | padding to general.alignment | data section (tensor offsets are relative to it).
// All integers are little-endian. Any inconsistency throws GgufError naming file, field and offset.
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "gguf/gguf_error.h"
#include "gguf/gguf_value.h"
#include "gguf/mapped_file.h"

namespace veil {

constexpr uint64_t kGgufDefaultAlignment = 32;

struct GgufKV {
    std::string_view key;
    GgufValue value;
};

struct GgufTensorInfo {
    std::string_view name;
    uint32_t type = 0;     // ggml type id (veil_tensor_type)
    uint32_t n_dims = 0;   // 1..4
    uint64_t dims[4] = {1, 1, 1, 1};  // dims[0] is contiguous; unused dims are 1
    uint64_t n_elements = 0;
    uint64_t n_bytes = 0;
    uint64_t offset = 0;       // relative to the data section
    uint64_t info_offset = 0;  // where the directory entry starts in the file (for messages)
};

class GgufFile {
public:
    // Maps and validates `path`.
    static std::unique_ptr<GgufFile> open(const std::string& path);
    // Validates a GGUF image in memory that the caller keeps alive (tests, in-memory models);
    // `name` stands for the file name in messages.
    static std::unique_ptr<GgufFile> parse(const void* data, size_t size, const std::string& name);
    // Validates only the header region (the `header_size` bytes before the data section, kept
    // alive by the caller) of a file declared to be `declared_file_size` bytes long: tensor
    // offsets are checked against the declared size. The data section is not in memory, so
    // tensor_data() must not be used (sealed models decrypt it on read instead).
    static std::unique_ptr<GgufFile> parse_header_region(const void* data, size_t header_size, uint64_t declared_file_size,
                                                         const std::string& name);

    const std::string& path() const noexcept { return name_; }
    uint32_t version() const noexcept { return version_; }
    uint64_t alignment() const noexcept { return alignment_; }
    uint64_t data_offset() const noexcept { return data_offset_; }  // start of the data section
    uint64_t file_size() const noexcept { return size_; }
    const uint8_t* file_data() const noexcept { return data_; }

    // --- metadata -----------------------------------------------------------------------------
    const std::vector<GgufKV>& metadata() const noexcept { return kvs_; }
    const GgufValue* find(std::string_view key) const noexcept;
    bool has(std::string_view key) const noexcept { return find(key) != nullptr; }

    // Typed accessors: throw GgufError when the key is missing or its value does not fit the
    // requested type. Integer getters accept any integer type whose value fits.
    std::string_view get_string(std::string_view key) const;
    uint64_t get_u64(std::string_view key) const;
    uint32_t get_u32(std::string_view key) const;
    int64_t get_i64(std::string_view key) const;
    float get_f32(std::string_view key) const;  // float32 or float64
    bool get_bool(std::string_view key) const;

    // Same, but nullopt when the key is absent (still throws on a wrong type).
    std::optional<std::string_view> find_string(std::string_view key) const;
    std::optional<uint32_t> find_u32(std::string_view key) const;
    std::optional<uint64_t> find_u64(std::string_view key) const;
    std::optional<int64_t> find_i64(std::string_view key) const;
    std::optional<float> find_f32(std::string_view key) const;
    std::optional<bool> find_bool(std::string_view key) const;

    // Arrays (tokenizer vocabularies): throw when missing or of another element type.
    const std::vector<std::string_view>& get_string_array(std::string_view key) const;
    std::vector<float> get_f32_array(std::string_view key) const;    // any numeric elements
    std::vector<int64_t> get_int_array(std::string_view key) const;  // integer or bool elements

    // --- tensors ------------------------------------------------------------------------------
    const std::vector<GgufTensorInfo>& tensors() const noexcept { return tensors_; }
    const GgufTensorInfo* find_tensor(std::string_view name) const noexcept;
    // Pointer to the tensor's bytes inside the file (validated to lie within it).
    const uint8_t* tensor_data(const GgufTensorInfo& t) const noexcept { return data_ + data_offset_ + t.offset; }

private:
    GgufFile() = default;
    void parse_all();
    void parse_header(class GgufCursor& c);
    void parse_metadata(class GgufCursor& c);
    void parse_tensor_infos(class GgufCursor& c);
    void check_tensor_data();
    [[noreturn]] void key_error(std::string_view key, const GgufValue* v, const std::string& what) const;
    const GgufValue& require(std::string_view key) const;
    const GgufValue& require_array(std::string_view key) const;

    std::unique_ptr<MappedFile> map_;
    std::string name_;
    const uint8_t* data_ = nullptr;
    uint64_t size_ = 0;
    uint64_t in_memory_ = 0;  // bytes readable at data_: size_, or the header region (parse_header)
    uint32_t version_ = 0;
    uint64_t n_tensors_ = 0, n_kv_ = 0;
    uint64_t alignment_ = kGgufDefaultAlignment;
    uint64_t data_offset_ = 0;
    std::vector<GgufKV> kvs_;
    std::unordered_map<std::string_view, size_t> kv_index_;
    std::vector<GgufTensorInfo> tensors_;
    std::unordered_map<std::string_view, size_t> tensor_index_;
};

}  // namespace veil
