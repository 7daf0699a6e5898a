// Typed access to metadata and tensors of a parsed GgufFile.
#include <cmath>
#include <limits>

#include "gguf/gguf_file.h"

namespace veil {

const GgufValue* GgufFile::find(std::string_view key) const noexcept {
    auto it = kv_index_.find(key);
    return it == kv_index_.end() ? nullptr : &kvs_[it->second].value;
}

const GgufTensorInfo* GgufFile::find_tensor(std::string_view name) const noexcept {
    auto it = tensor_index_.find(name);
    return it == tensor_index_.end() ? nullptr : &tensors_[it->second];
}

void GgufFile::key_error(std::string_view key, const GgufValue* v, const std::string& what) const {
    if (!v) throw GgufError(name_ + ": key '" + std::string(key) + "': " + what);
    throw GgufError::at(name_, "key '" + std::string(key) + "'", v->offset, what);
}

const GgufValue& GgufFile::require(std::string_view key) const {
    const GgufValue* v = find(key);
    if (!v) key_error(key, nullptr, "missing");
    return *v;
}

const GgufValue& GgufFile::require_array(std::string_view key) const {
    const GgufValue& v = require(key);
    if (!v.is_array()) key_error(key, &v, "expected an array, found " + std::string(gguf_value_type_name(v.type)));
    return v;
}

std::optional<std::string_view> GgufFile::find_string(std::string_view key) const {
    const GgufValue* v = find(key);
    if (!v) return std::nullopt;
    if (v->type != GgufValueType::STRING) key_error(key, v, "expected a string, found " + std::string(gguf_value_type_name(v->type)));
    return v->str;
}

std::optional<uint64_t> GgufFile::find_u64(std::string_view key) const {
    const GgufValue* v = find(key);
    if (!v) return std::nullopt;
    auto r = v->as_u64();
    if (!r) key_error(key, v, "expected a non-negative integer, found " + std::string(gguf_value_type_name(v->type)));
    return r;
}

std::optional<uint32_t> GgufFile::find_u32(std::string_view key) const {
    auto r = find_u64(key);
    if (r && *r > std::numeric_limits<uint32_t>::max()) key_error(key, find(key), "value " + std::to_string(*r) + " does not fit in 32 bits");
    if (!r) return std::nullopt;
    return static_cast<uint32_t>(*r);
}

std::optional<int64_t> GgufFile::find_i64(std::string_view key) const {
    const GgufValue* v = find(key);
    if (!v) return std::nullopt;
    auto r = v->as_i64();
    if (!r) key_error(key, v, "expected a (64-bit signed) integer, found " + std::string(gguf_value_type_name(v->type)));
    return r;
}

std::optional<float> GgufFile::find_f32(std::string_view key) const {
    const GgufValue* v = find(key);
    if (!v) return std::nullopt;
    if (v->type != GgufValueType::FLOAT32 && v->type != GgufValueType::FLOAT64)
        key_error(key, v, "expected a float, found " + std::string(gguf_value_type_name(v->type)));
    return static_cast<float>(v->f);
}

std::optional<bool> GgufFile::find_bool(std::string_view key) const {
    const GgufValue* v = find(key);
    if (!v) return std::nullopt;
    if (v->type != GgufValueType::BOOL) key_error(key, v, "expected a bool, found " + std::string(gguf_value_type_name(v->type)));
    return v->u != 0;
}

std::string_view GgufFile::get_string(std::string_view key) const {
    require(key);
    return *find_string(key);
}
uint64_t GgufFile::get_u64(std::string_view key) const {
    require(key);
    return *find_u64(key);
}
uint32_t GgufFile::get_u32(std::string_view key) const {
    require(key);
    return *find_u32(key);
}
int64_t GgufFile::get_i64(std::string_view key) const {
    require(key);
    return *find_i64(key);
}
float GgufFile::get_f32(std::string_view key) const {
    require(key);
    return *find_f32(key);
}
bool GgufFile::get_bool(std::string_view key) const {
    require(key);
    return *find_bool(key);
}

const std::vector<std::string_view>& GgufFile::get_string_array(std::string_view key) const {
    const GgufValue& v = require_array(key);
    if (v.elem_type != GgufValueType::STRING)
        key_error(key, &v, "expected an array of strings, found an array of " + std::string(gguf_value_type_name(v.elem_type)));
    return v.strings;
}

std::vector<float> GgufFile::get_f32_array(std::string_view key) const {
    const GgufValue& v = require_array(key);
    if (gguf_value_type_size(v.elem_type) == 0)
        key_error(key, &v, "expected an array of numbers, found an array of " + std::string(gguf_value_type_name(v.elem_type)));
    std::vector<float> out(v.count);
    for (uint64_t k = 0; k < v.count; ++k) out[k] = static_cast<float>(v.float_at(k));
    return out;
}

std::vector<int64_t> GgufFile::get_int_array(std::string_view key) const {
    const GgufValue& v = require_array(key);
    if (!gguf_value_type_is_int(v.elem_type) && v.elem_type != GgufValueType::BOOL)
        key_error(key, &v, "expected an array of integers, found an array of " + std::string(gguf_value_type_name(v.elem_type)));
    std::vector<int64_t> out(v.count);
    for (uint64_t k = 0; k < v.count; ++k) out[k] = v.int_at(k);
    return out;
}

}  // namespace veil
