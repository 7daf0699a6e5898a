// Scalar reference kernels: the definition of correct for every SIMD table.
//
// Dequantization is the file-format library's reference (veil/engine/dequantize.h). Dot products accumulate integer products exactly per (sub-)block
// and apply the float scales once per block, as ggml does; only float summation order differs.
#include <cmath>
#include <cstring>

#include "kernels_internal.h"
#include "veil/engine/dequantize.h"
#include "veil/engine/ggml_blocks.h"
#include "veil/engine/quantize.h"

namespace veil::engine::detail {
namespace {

using namespace blocks;

constexpr int kK = 256;

// ---- activation quantizers (ggml's reference rounding) -----------------------------------------

void quantize_q8_1(const float* x, BlockQ8_1* y, int64_t nb) {
    for (int64_t i = 0; i < nb; ++i, x += 32) {
        float amax = 0.0f;
        for (int j = 0; j < 32; ++j) amax = std::fmax(amax, std::fabs(x[j]));
        const float d = amax / 127.0f;
        const float id = d != 0.0f ? 1.0f / d : 0.0f;
        y[i].d = fp32_to_fp16(d);
        int sum = 0;
        for (int j = 0; j < 32; ++j) {
            y[i].qs[j] = static_cast<int8_t>(std::roundf(x[j] * id));
            sum += y[i].qs[j];
        }
        y[i].s = fp32_to_fp16(static_cast<float>(sum) * d);
    }
}

// Round half to even, as ggml's nearest_int (the 1.5 * 2^23 trick) does.
inline int nearest_int(float v) { return static_cast<int>(std::nearbyintf(v)); }

void quantize_q8_k(const float* x, BlockQ8_K* y, int64_t nb) {
    for (int64_t i = 0; i < nb; ++i, x += kK) {
        float max = 0.0f, amax = 0.0f;
        for (int j = 0; j < kK; ++j) {
            const float ax = std::fabs(x[j]);
            if (ax > amax) {
                amax = ax;
                max = x[j];
            }
        }
        if (amax == 0.0f) {
            std::memset(&y[i], 0, sizeof(BlockQ8_K));
            continue;
        }
        // -127/max (not 127/amax): the element of largest magnitude maps to exactly -127.
        const float iscale = -127.0f / max;
        for (int j = 0; j < kK; ++j) {
            const int v = nearest_int(iscale * x[j]);
            y[i].qs[j] = static_cast<int8_t>(v < 127 ? v : 127);
        }
        for (int g = 0; g < 16; ++g) {
            int sum = 0;
            for (int l = 0; l < 16; ++l) sum += y[i].qs[16 * g + l];
            y[i].bsums[g] = static_cast<int16_t>(sum);
        }
        y[i].d = 1.0f / iscale;
    }
}

// ---- dot products ------------------------------------------------------------------------------

float dot_f32(int64_t n, const float* w, const float* x) {
    double sum = 0.0;  // the reference may afford double accumulation
    for (int64_t i = 0; i < n; ++i) sum += static_cast<double>(w[i]) * x[i];
    return static_cast<float>(sum);
}

float dot_f16(int64_t n, const uint16_t* w, const uint16_t* x) {
    double sum = 0.0;
    for (int64_t i = 0; i < n; ++i) sum += static_cast<double>(half_to_float(w[i])) * half_to_float(x[i]);
    return static_cast<float>(sum);
}

float dot_bf16(int64_t n, const uint16_t* w, const uint16_t* x) {
    double sum = 0.0;
    for (int64_t i = 0; i < n; ++i) sum += static_cast<double>(bf16_to_fp32(w[i])) * bf16_to_fp32(x[i]);
    return static_cast<float>(sum);
}

float dot_q4_0(int64_t nb, const BlockQ4_0* w, const BlockQ8_0* x) {
    float sum = 0.0f;
    for (int64_t i = 0; i < nb; ++i) {
        int sumi = 0;
        for (int j = 0; j < 32; ++j) sumi += (nibble(w[i].qs, j) - 8) * x[i].qs[j];
        sum += static_cast<float>(sumi) * (half_to_float(w[i].d) * half_to_float(x[i].d));
    }
    return sum;
}

float dot_q4_1(int64_t nb, const BlockQ4_1* w, const BlockQ8_1* x) {
    float sum = 0.0f;
    for (int64_t i = 0; i < nb; ++i) {
        int sumi = 0;
        for (int j = 0; j < 32; ++j) sumi += nibble(w[i].qs, j) * x[i].qs[j];
        sum += half_to_float(w[i].d) * half_to_float(x[i].d) * static_cast<float>(sumi) +
               half_to_float(w[i].m) * half_to_float(x[i].s);
    }
    return sum;
}

float dot_q5_0(int64_t nb, const BlockQ5_0* w, const BlockQ8_0* x) {
    float sum = 0.0f;
    for (int64_t i = 0; i < nb; ++i) {
        int sumi = 0;
        for (int j = 0; j < 32; ++j) sumi += ((nibble(w[i].qs, j) | fifth_bit(w[i].qh, j)) - 16) * x[i].qs[j];
        sum += static_cast<float>(sumi) * (half_to_float(w[i].d) * half_to_float(x[i].d));
    }
    return sum;
}

float dot_q5_1(int64_t nb, const BlockQ5_1* w, const BlockQ8_1* x) {
    float sum = 0.0f;
    for (int64_t i = 0; i < nb; ++i) {
        int sumi = 0;
        for (int j = 0; j < 32; ++j) sumi += (nibble(w[i].qs, j) | fifth_bit(w[i].qh, j)) * x[i].qs[j];
        sum += half_to_float(w[i].d) * half_to_float(x[i].d) * static_cast<float>(sumi) +
               half_to_float(w[i].m) * half_to_float(x[i].s);
    }
    return sum;
}

float dot_q8_0(int64_t nb, const BlockQ8_0* w, const BlockQ8_0* x) {
    float sum = 0.0f;
    for (int64_t i = 0; i < nb; ++i) {
        int sumi = 0;
        for (int j = 0; j < 32; ++j) sumi += w[i].qs[j] * x[i].qs[j];
        sum += static_cast<float>(sumi) * (half_to_float(w[i].d) * half_to_float(x[i].d));
    }
    return sum;
}

float dot_q8_1(int64_t nb, const BlockQ8_1* w, const BlockQ8_1* x) {
    float sum = 0.0f;
    for (int64_t i = 0; i < nb; ++i) {
        int sumi = 0;
        for (int j = 0; j < 32; ++j) sumi += w[i].qs[j] * x[i].qs[j];
        sum += static_cast<float>(sumi) * (half_to_float(w[i].d) * half_to_float(x[i].d));
    }
    return sum;
}

// Sum over groups of `group` elements of scale[g] * <q, x> for one super-block.
inline int scaled_dot(const int8_t* q, const int8_t* x, const int* scale, int group) {
    int total = 0;
    for (int g = 0; g < kK / group; ++g) {
        int s = 0;
        for (int l = 0; l < group; ++l) s += q[group * g + l] * x[group * g + l];
        total += scale[g] * s;
    }
    return total;
}

float dot_q2_k(int64_t nb, const BlockQ2_K* w, const BlockQ8_K* x) {
    float sum = 0.0f;
    int8_t q[kK];
    for (int64_t i = 0; i < nb; ++i) {
        unpack_q2_k(w[i], q);
        int sc[16];
        int mins = 0;
        for (int g = 0; g < 16; ++g) {
            sc[g] = w[i].scales[g] & 0xF;
            mins += (w[i].scales[g] >> 4) * x[i].bsums[g];
        }
        const int sumi = scaled_dot(q, x[i].qs, sc, 16);
        sum += x[i].d * half_to_float(w[i].d) * static_cast<float>(sumi) -
               x[i].d * half_to_float(w[i].dmin) * static_cast<float>(mins);
    }
    return sum;
}

float dot_q3_k(int64_t nb, const BlockQ3_K* w, const BlockQ8_K* x) {
    float sum = 0.0f;
    int8_t q[kK];
    for (int64_t i = 0; i < nb; ++i) {
        unpack_q3_k(w[i], q);
        int8_t sc8[16];
        unpack_q3_k_scales(w[i].scales, sc8);
        int sc[16];
        for (int g = 0; g < 16; ++g) sc[g] = sc8[g];
        sum += x[i].d * half_to_float(w[i].d) * static_cast<float>(scaled_dot(q, x[i].qs, sc, 16));
    }
    return sum;
}

template <typename Block, void (*Unpack)(const Block&, int8_t*)>
float dot_q45_k(int64_t nb, const Block* w, const BlockQ8_K* x) {
    float sum = 0.0f;
    int8_t q[kK];
    for (int64_t i = 0; i < nb; ++i) {
        Unpack(w[i], q);
        int sc[8];
        int mins = 0;
        for (int g = 0; g < 8; ++g) {
            uint8_t s, m;
            scale_min_k4(g, w[i].scales, &s, &m);
            sc[g] = s;
            mins += m * (x[i].bsums[2 * g] + x[i].bsums[2 * g + 1]);
        }
        const int sumi = scaled_dot(q, x[i].qs, sc, 32);
        sum += x[i].d * half_to_float(w[i].d) * static_cast<float>(sumi) -
               x[i].d * half_to_float(w[i].dmin) * static_cast<float>(mins);
    }
    return sum;
}

float dot_q6_k(int64_t nb, const BlockQ6_K* w, const BlockQ8_K* x) {
    float sum = 0.0f;
    int8_t q[kK];
    for (int64_t i = 0; i < nb; ++i) {
        unpack_q6_k(w[i], q);
        int sc[16];
        for (int g = 0; g < 16; ++g) sc[g] = w[i].scales[g];
        sum += x[i].d * half_to_float(w[i].d) * static_cast<float>(scaled_dot(q, x[i].qs, sc, 16));
    }
    return sum;
}

float dot_q8_k(int64_t nb, const BlockQ8_K* w, const BlockQ8_K* x) {
    float sum = 0.0f;
    for (int64_t i = 0; i < nb; ++i) {
        int sumi = 0;
        for (int j = 0; j < kK; ++j) sumi += w[i].qs[j] * x[i].qs[j];
        sum += w[i].d * x[i].d * static_cast<float>(sumi);
    }
    return sum;
}

template <typename T>
const T* as(const void* p) {
    return static_cast<const T*>(p);
}

}  // namespace

// The reference dequantizer lives with the file-format code (veil_ggml_format) so file tools share it.
void scalar_dequantize_row(GgmlType type, const void* src, float* dst, int64_t n) {
    dequantize_row_reference(type, src, dst, n);
}

void scalar_quantize_row(GgmlType dot_type, const float* src, void* dst, int64_t n) {
    switch (dot_type) {
        case GgmlType::F32:
            std::memcpy(dst, src, static_cast<size_t>(n) * sizeof(float));
            return;
        case GgmlType::F16:
            for (int64_t i = 0; i < n; ++i) static_cast<uint16_t*>(dst)[i] = fp32_to_fp16(src[i]);
            return;
        case GgmlType::BF16:
            for (int64_t i = 0; i < n; ++i) static_cast<uint16_t*>(dst)[i] = fp32_to_bf16(src[i]);
            return;
        // Activations and weights round Q8_0 the same way (ggml's reference): one quantizer.
        case GgmlType::Q8_0: quantize_weights_row(GgmlType::Q8_0, src, dst, n); return;
        case GgmlType::Q8_1: quantize_q8_1(src, static_cast<BlockQ8_1*>(dst), n / 32); return;
        case GgmlType::Q8_K: quantize_q8_k(src, static_cast<BlockQ8_K*>(dst), n / kK); return;
        default: return;  // not an activation type; callers only pass vec_dot types
    }
}

float scalar_vec_dot(GgmlType type, int64_t n, const void* w, const void* x) {
    const int64_t nb32 = n / 32, nbk = n / kK;
    switch (type) {
        case GgmlType::F32: return dot_f32(n, as<float>(w), as<float>(x));
        case GgmlType::F16: return dot_f16(n, as<uint16_t>(w), as<uint16_t>(x));
        case GgmlType::BF16: return dot_bf16(n, as<uint16_t>(w), as<uint16_t>(x));
        case GgmlType::Q4_0: return dot_q4_0(nb32, as<BlockQ4_0>(w), as<BlockQ8_0>(x));
        case GgmlType::Q4_1: return dot_q4_1(nb32, as<BlockQ4_1>(w), as<BlockQ8_1>(x));
        case GgmlType::Q5_0: return dot_q5_0(nb32, as<BlockQ5_0>(w), as<BlockQ8_0>(x));
        case GgmlType::Q5_1: return dot_q5_1(nb32, as<BlockQ5_1>(w), as<BlockQ8_1>(x));
        case GgmlType::Q8_0: return dot_q8_0(nb32, as<BlockQ8_0>(w), as<BlockQ8_0>(x));
        case GgmlType::Q8_1: return dot_q8_1(nb32, as<BlockQ8_1>(w), as<BlockQ8_1>(x));
        case GgmlType::Q2_K: return dot_q2_k(nbk, as<BlockQ2_K>(w), as<BlockQ8_K>(x));
        case GgmlType::Q3_K: return dot_q3_k(nbk, as<BlockQ3_K>(w), as<BlockQ8_K>(x));
        case GgmlType::Q4_K: return dot_q45_k<BlockQ4_K, unpack_q4_k>(nbk, as<BlockQ4_K>(w), as<BlockQ8_K>(x));
        case GgmlType::Q5_K: return dot_q45_k<BlockQ5_K, unpack_q5_k>(nbk, as<BlockQ5_K>(w), as<BlockQ8_K>(x));
        case GgmlType::Q6_K: return dot_q6_k(nbk, as<BlockQ6_K>(w), as<BlockQ8_K>(x));
        case GgmlType::Q8_K: return dot_q8_k(nbk, as<BlockQ8_K>(w), as<BlockQ8_K>(x));
    }
    return 0.0f;
}

constinit const KernelTable kScalarKernels{Isa::Scalar, scalar_dequantize_row, scalar_quantize_row, scalar_vec_dot};

}  // namespace veil::engine::detail
