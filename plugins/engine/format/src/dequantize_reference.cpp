// Reference row dequantizers for every GGUF tensor type Veil reads.
//
// Expression shapes follow ggml (e.g. `(d * sc) * q - dmin * m`) so results are bit-identical to
// llama.cpp's dequantization; the scalar kernel table uses this as its dequantize_row.
#include "veil/engine/dequantize.h"

#include <cstring>

#include "veil/engine/fp16.h"
#include "veil/engine/ggml_blocks.h"

namespace veil::engine {
namespace {

using namespace blocks;

constexpr int kK = 256;

template <typename T>
const T* as(const void* p) {
    return static_cast<const T*>(p);
}

void dequant_q2_k(const BlockQ2_K* x, float* y, int64_t nb) {
    int8_t q[kK];
    for (int64_t i = 0; i < nb; ++i, y += kK) {
        unpack_q2_k(x[i], q);
        const float d = half_to_float(x[i].d), dmin = half_to_float(x[i].dmin);
        for (int g = 0; g < 16; ++g) {
            const float dl = d * static_cast<float>(x[i].scales[g] & 0xF);
            const float ml = dmin * static_cast<float>(x[i].scales[g] >> 4);
            for (int l = 0; l < 16; ++l) y[16 * g + l] = dl * q[16 * g + l] - ml;
        }
    }
}

void dequant_q3_k(const BlockQ3_K* x, float* y, int64_t nb) {
    int8_t q[kK];
    int8_t sc[16];
    for (int64_t i = 0; i < nb; ++i, y += kK) {
        unpack_q3_k(x[i], q);
        unpack_q3_k_scales(x[i].scales, sc);
        const float d = half_to_float(x[i].d);
        for (int g = 0; g < 16; ++g) {
            const float dl = d * static_cast<float>(sc[g]);
            for (int l = 0; l < 16; ++l) y[16 * g + l] = dl * q[16 * g + l];
        }
    }
}

template <typename Block, void (*Unpack)(const Block&, int8_t*)>
void dequant_q45_k(const Block* x, float* y, int64_t nb) {
    int8_t q[kK];
    for (int64_t i = 0; i < nb; ++i, y += kK) {
        Unpack(x[i], q);
        const float d = half_to_float(x[i].d), dmin = half_to_float(x[i].dmin);
        for (int g = 0; g < 8; ++g) {
            uint8_t sc, m;
            scale_min_k4(g, x[i].scales, &sc, &m);
            const float d1 = d * sc, m1 = dmin * m;
            for (int l = 0; l < 32; ++l) y[32 * g + l] = d1 * q[32 * g + l] - m1;
        }
    }
}

void dequant_q6_k(const BlockQ6_K* x, float* y, int64_t nb) {
    int8_t q[kK];
    for (int64_t i = 0; i < nb; ++i, y += kK) {
        unpack_q6_k(x[i], q);
        const float d = half_to_float(x[i].d);
        for (int e = 0; e < kK; ++e) y[e] = d * x[i].scales[e / 16] * q[e];
    }
}

}  // namespace

void dequantize_row_reference(GgmlType type, const void* src, float* dst, int64_t n) {
    const int64_t nb32 = n / 32, nbk = n / kK;
    switch (type) {
        case GgmlType::F32:
            std::memcpy(dst, src, static_cast<size_t>(n) * sizeof(float));
            return;
        case GgmlType::F16:
            for (int64_t i = 0; i < n; ++i) dst[i] = half_to_float(as<uint16_t>(src)[i]);
            return;
        case GgmlType::BF16:
            for (int64_t i = 0; i < n; ++i) dst[i] = bf16_to_fp32(as<uint16_t>(src)[i]);
            return;
        case GgmlType::Q4_0:
            for (int64_t i = 0; i < nb32; ++i) {
                const BlockQ4_0& b = as<BlockQ4_0>(src)[i];
                const float d = half_to_float(b.d);
                for (int j = 0; j < 32; ++j) dst[32 * i + j] = static_cast<float>(nibble(b.qs, j) - 8) * d;
            }
            return;
        case GgmlType::Q4_1:
            for (int64_t i = 0; i < nb32; ++i) {
                const BlockQ4_1& b = as<BlockQ4_1>(src)[i];
                const float d = half_to_float(b.d), m = half_to_float(b.m);
                for (int j = 0; j < 32; ++j) dst[32 * i + j] = static_cast<float>(nibble(b.qs, j)) * d + m;
            }
            return;
        case GgmlType::Q5_0:
            for (int64_t i = 0; i < nb32; ++i) {
                const BlockQ5_0& b = as<BlockQ5_0>(src)[i];
                const float d = half_to_float(b.d);
                for (int j = 0; j < 32; ++j)
                    dst[32 * i + j] = static_cast<float>((nibble(b.qs, j) | fifth_bit(b.qh, j)) - 16) * d;
            }
            return;
        case GgmlType::Q5_1:
            for (int64_t i = 0; i < nb32; ++i) {
                const BlockQ5_1& b = as<BlockQ5_1>(src)[i];
                const float d = half_to_float(b.d), m = half_to_float(b.m);
                for (int j = 0; j < 32; ++j)
                    dst[32 * i + j] = static_cast<float>(nibble(b.qs, j) | fifth_bit(b.qh, j)) * d + m;
            }
            return;
        case GgmlType::Q8_0:
            for (int64_t i = 0; i < nb32; ++i) {
                const BlockQ8_0& b = as<BlockQ8_0>(src)[i];
                const float d = half_to_float(b.d);
                for (int j = 0; j < 32; ++j) dst[32 * i + j] = static_cast<float>(b.qs[j]) * d;
            }
            return;
        case GgmlType::Q8_1:
            for (int64_t i = 0; i < nb32; ++i) {
                const BlockQ8_1& b = as<BlockQ8_1>(src)[i];
                const float d = half_to_float(b.d);
                for (int j = 0; j < 32; ++j) dst[32 * i + j] = static_cast<float>(b.qs[j]) * d;
            }
            return;
        case GgmlType::Q2_K: dequant_q2_k(as<BlockQ2_K>(src), dst, nbk); return;
        case GgmlType::Q3_K: dequant_q3_k(as<BlockQ3_K>(src), dst, nbk); return;
        case GgmlType::Q4_K: dequant_q45_k<BlockQ4_K, unpack_q4_k>(as<BlockQ4_K>(src), dst, nbk); return;
        case GgmlType::Q5_K: dequant_q45_k<BlockQ5_K, unpack_q5_k>(as<BlockQ5_K>(src), dst, nbk); return;
        case GgmlType::Q6_K: dequant_q6_k(as<BlockQ6_K>(src), dst, nbk); return;
        case GgmlType::Q8_K:
            for (int64_t i = 0; i < nbk; ++i) {
                const BlockQ8_K& b = as<BlockQ8_K>(src)[i];
                for (int j = 0; j < kK; ++j) dst[kK * i + j] = b.d * static_cast<float>(b.qs[j]);
            }
            return;
    }
}

}  // namespace veil::engine
