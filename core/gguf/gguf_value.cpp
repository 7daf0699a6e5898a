#include "gguf/gguf_value.h"

namespace veil {

namespace {

template <typename T>
T load(const uint8_t* p) {
    T v;
    std::memcpy(&v, p, sizeof v);  // the mapping gives no alignment guarantee
    return v;
}

}  // namespace

std::optional<uint64_t> GgufValue::as_u64() const noexcept {
    if (!gguf_value_type_is_int(type)) return std::nullopt;
    if (is_signed_int()) return i < 0 ? std::nullopt : std::optional<uint64_t>(static_cast<uint64_t>(i));
    return u;
}

std::optional<int64_t> GgufValue::as_i64() const noexcept {
    if (!gguf_value_type_is_int(type)) return std::nullopt;
    if (is_signed_int()) return i;
    return u > static_cast<uint64_t>(INT64_MAX) ? std::nullopt : std::optional<int64_t>(static_cast<int64_t>(u));
}

int64_t GgufValue::int_at(uint64_t k) const noexcept {
    const uint8_t* p = raw + k * gguf_value_type_size(elem_type);
    switch (elem_type) {
        case GgufValueType::UINT8:
        case GgufValueType::BOOL: return load<uint8_t>(p);
        case GgufValueType::INT8: return load<int8_t>(p);
        case GgufValueType::UINT16: return load<uint16_t>(p);
        case GgufValueType::INT16: return load<int16_t>(p);
        case GgufValueType::UINT32: return load<uint32_t>(p);
        case GgufValueType::INT32: return load<int32_t>(p);
        case GgufValueType::UINT64: return static_cast<int64_t>(load<uint64_t>(p));
        case GgufValueType::INT64: return load<int64_t>(p);
        case GgufValueType::FLOAT32: return static_cast<int64_t>(load<float>(p));
        case GgufValueType::FLOAT64: return static_cast<int64_t>(load<double>(p));
        default: return 0;
    }
}

double GgufValue::float_at(uint64_t k) const noexcept {
    const uint8_t* p = raw + k * gguf_value_type_size(elem_type);
    switch (elem_type) {
        case GgufValueType::FLOAT32: return load<float>(p);
        case GgufValueType::FLOAT64: return load<double>(p);
        case GgufValueType::UINT64: return static_cast<double>(load<uint64_t>(p));
        default: return static_cast<double>(int_at(k));
    }
}

}  // namespace veil
