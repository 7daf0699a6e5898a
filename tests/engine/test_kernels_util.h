// Shared helpers for the kernel tests: random rows of every type, built from the documented block
// layouts (byte offsets of the scale fields), so the tests do not include engine internals.
#pragma once

#include <cmath>
#include <cstdint>
#include <cstring>
#include <random>
#include <vector>

#include "veil/engine/ggml_types.h"
#include "veil/engine/kernels.h"

namespace veil::engine::testing {

inline const GgmlType kWeightTypes[] = {GgmlType::F32,  GgmlType::F16,  GgmlType::BF16, GgmlType::Q4_0,
                                        GgmlType::Q4_1, GgmlType::Q5_0, GgmlType::Q5_1, GgmlType::Q8_0,
                                        GgmlType::Q2_K, GgmlType::Q3_K, GgmlType::Q4_K, GgmlType::Q5_K,
                                        GgmlType::Q6_K};

inline const TypeTraits& traits(GgmlType t) { return *type_traits(static_cast<uint32_t>(t)); }

inline void put_f16(std::vector<uint8_t>& buf, size_t off, float v) {
    const uint16_t h = fp32_to_fp16(v);
    std::memcpy(buf.data() + off, &h, 2);
}

// A row of `n` elements of `type` with random quants and moderate random scales.
inline std::vector<uint8_t> random_row(GgmlType type, int64_t n, std::mt19937& rng) {
    std::uniform_real_distribution<float> val(-1.0f, 1.0f);
    std::uniform_real_distribution<float> scale(0.001f, 0.05f);
    std::vector<uint8_t> buf(row_bytes(type, n));
    if (type == GgmlType::F32) {
        for (int64_t i = 0; i < n; ++i) {
            const float v = val(rng);
            std::memcpy(buf.data() + 4 * i, &v, 4);
        }
        return buf;
    }
    if (type == GgmlType::F16 || type == GgmlType::BF16) {
        for (int64_t i = 0; i < n; ++i) {
            const uint16_t h = type == GgmlType::F16 ? fp32_to_fp16(val(rng)) : fp32_to_bf16(val(rng));
            std::memcpy(buf.data() + 2 * i, &h, 2);
        }
        return buf;
    }
    for (auto& b : buf) b = static_cast<uint8_t>(rng());
    const auto& t = traits(type);
    for (size_t off = 0; off < buf.size(); off += t.block_bytes) {
        switch (type) {
            case GgmlType::Q4_0:
            case GgmlType::Q5_0: put_f16(buf, off, scale(rng)); break;
            case GgmlType::Q4_1:
            case GgmlType::Q5_1:
                put_f16(buf, off, scale(rng));
                put_f16(buf, off + 2, -8.0f * scale(rng));
                break;
            case GgmlType::Q8_0:
                put_f16(buf, off, scale(rng));
                // ggml's quantizers never emit -128 (|q| <= 127); the SIMD sign trick relies on it.
                for (int j = 0; j < 32; ++j)
                    if (buf[off + 2 + j] == 0x80) buf[off + 2 + j] = 0x81;
                break;
            case GgmlType::Q2_K:
                put_f16(buf, off + 80, scale(rng));
                put_f16(buf, off + 82, scale(rng));
                break;
            case GgmlType::Q3_K: put_f16(buf, off + 108, scale(rng)); break;
            case GgmlType::Q4_K:
            case GgmlType::Q5_K:
                put_f16(buf, off, scale(rng));
                put_f16(buf, off + 2, scale(rng));
                break;
            case GgmlType::Q6_K: put_f16(buf, off + 208, scale(rng)); break;
            default: break;
        }
    }
    return buf;
}

inline std::vector<float> random_floats(int64_t n, std::mt19937& rng, float lo = -2.0f, float hi = 2.0f) {
    std::uniform_real_distribution<float> val(lo, hi);
    std::vector<float> v(static_cast<size_t>(n));
    for (auto& f : v) f = val(rng);
    return v;
}

inline std::vector<float> dequantize(GgmlType type, const void* src, int64_t n) {
    std::vector<float> out(static_cast<size_t>(n));
    kernels_for(Isa::Scalar)->dequantize_row(type, src, out.data(), n);
    return out;
}

// The activation row converted to the vec_dot_type of `wtype` with the scalar reference.
inline std::vector<uint8_t> convert_activations(GgmlType wtype, const std::vector<float>& x) {
    const GgmlType xt = traits(wtype).vec_dot_type;
    std::vector<uint8_t> out(row_bytes(xt, static_cast<int64_t>(x.size())));
    kernels_for(Isa::Scalar)->quantize_row(xt, x.data(), out.data(), static_cast<int64_t>(x.size()));
    return out;
}

}  // namespace veil::engine::testing
