// Reference weight quantizers (ggml's *_ref algorithms, no importance matrix).
//
// Q8_0 / Q4_0: one scale per 32 values from the largest magnitude.
// Q4_K: per 32-value group, a weighted least-squares search for (scale, min) over 4-bit levels,
//       then both quantized to 6 bits against the super-block maxima, then the levels re-derived
//       from the rounded scales. Q6_K: per 16-value group, a search for the best symmetric scale
//       over 6-bit levels, the scales then quantized to int8 against the largest one.
// The float expressions (and their order) follow ggml so rounding ties break the same way.
#include "veil/engine/quantize.h"

#include <cmath>
#include <cstring>

#include "veil/engine/fp16.h"
#include "veil/engine/ggml_blocks.h"

namespace veil::engine {
namespace {

using namespace blocks;

constexpr int kK = 256;
constexpr float kGroupMaxEps = 1e-15f;

// Round half to even via the 1.5 * 2^23 trick, exactly as ggml does (|v| < 2^22).
inline int nearest_int(float v) {
    const float t = v + 12582912.0f;
    int32_t i;
    std::memcpy(&i, &t, 4);
    return (i & 0x007FFFFF) - 0x00400000;
}

inline int clamp(int v, int lo, int hi) { return v < lo ? lo : (v > hi ? hi : v); }

void quantize_q8_0(const float* x, BlockQ8_0* y, int64_t nb) {
    for (int64_t i = 0; i < nb; ++i, x += 32) {
        float amax = 0.0f;
        for (int j = 0; j < 32; ++j) amax = std::fmax(amax, std::fabs(x[j]));
        const float d = amax / 127.0f;
        const float id = d != 0.0f ? 1.0f / d : 0.0f;
        y[i].d = fp32_to_fp16(d);
        for (int j = 0; j < 32; ++j) y[i].qs[j] = static_cast<int8_t>(std::roundf(x[j] * id));
    }
}

void quantize_q4_0(const float* x, BlockQ4_0* y, int64_t nb) {
    for (int64_t i = 0; i < nb; ++i, x += 32) {
        // The signed value of largest magnitude maps to level -8 exactly.
        float amax = 0.0f, max = 0.0f;
        for (int j = 0; j < 32; ++j) {
            if (amax < std::fabs(x[j])) {
                amax = std::fabs(x[j]);
                max = x[j];
            }
        }
        const float d = max / -8.0f;
        const float id = d != 0.0f ? 1.0f / d : 0.0f;
        y[i].d = fp32_to_fp16(d);
        for (int j = 0; j < 16; ++j) {
            // Truncation of (v + 8.5) is round-half-up of v + 8 for the non-negative range.
            const int lo = static_cast<int8_t>(x[j] * id + 8.5f);
            const int hi = static_cast<int8_t>(x[16 + j] * id + 8.5f);
            y[i].qs[j] = static_cast<uint8_t>((lo < 15 ? lo : 15) | ((hi < 15 ? hi : 15) << 4));
        }
    }
}

// Best (scale, min) for n values over levels 0..nmax, minimising sum w * (scale*L + min - x)^2:
// start from the min/max grid, then try nstep+1 stretched grids solving the 2x2 least-squares
// system for each. Returns the scale; *neg_min receives -min (>= 0).
float fit_scale_min(int n, int nmax, const float* x, const float* w, uint8_t* L, float* neg_min, uint8_t* Laux,
                    float rmin, float rdelta, int nstep) {
    float min = x[0], max = x[0];
    float sum_w = w[0], sum_x = sum_w * x[0];
    for (int i = 1; i < n; ++i) {
        if (x[i] < min) min = x[i];
        if (x[i] > max) max = x[i];
        sum_w += w[i];
        sum_x += w[i] * x[i];
    }
    if (min > 0) min = 0;
    if (max == min) {
        for (int i = 0; i < n; ++i) L[i] = 0;
        *neg_min = -min;
        return 0.0f;
    }
    float iscale = nmax / (max - min);
    float scale = 1 / iscale;
    float best_err = 0;
    for (int i = 0; i < n; ++i) {
        L[i] = static_cast<uint8_t>(clamp(nearest_int(iscale * (x[i] - min)), 0, nmax));
        const float diff = scale * L[i] + min - x[i];
        best_err += w[i] * (diff * diff);
    }
    for (int is = 0; is <= nstep; ++is) {
        iscale = (rmin + rdelta * is + nmax) / (max - min);
        float sum_l = 0, sum_l2 = 0, sum_xl = 0;
        for (int i = 0; i < n; ++i) {
            const int l = clamp(nearest_int(iscale * (x[i] - min)), 0, nmax);
            Laux[i] = static_cast<uint8_t>(l);
            sum_l += w[i] * l;
            sum_l2 += w[i] * l * l;
            sum_xl += w[i] * l * x[i];
        }
        const float D = sum_w * sum_l2 - sum_l * sum_l;
        if (D > 0) {
            float this_scale = (sum_w * sum_xl - sum_x * sum_l) / D;
            float this_min = (sum_l2 * sum_x - sum_l * sum_xl) / D;
            if (this_min > 0) {
                this_min = 0;
                this_scale = sum_xl / sum_l2;
            }
            float err = 0;
            for (int i = 0; i < n; ++i) {
                const float diff = this_scale * Laux[i] + this_min - x[i];
                err += w[i] * (diff * diff);
            }
            if (err < best_err) {
                std::memcpy(L, Laux, static_cast<size_t>(n));
                best_err = err;
                scale = this_scale;
                min = this_min;
            }
        }
    }
    *neg_min = -min;
    return scale;
}

void quantize_q4_k(const float* x, BlockQ4_K* y, int64_t nb) {
    uint8_t L[kK], Laux[32];
    float weights[32], mins[8], scales[8];
    for (int64_t i = 0; i < nb; ++i, x += kK) {
        float max_scale = 0, max_min = 0;
        for (int j = 0; j < 8; ++j) {
            float sum_x2 = 0;
            for (int l = 0; l < 32; ++l) sum_x2 += x[32 * j + l] * x[32 * j + l];
            const float av_x = std::sqrt(sum_x2 / 32);
            for (int l = 0; l < 32; ++l) weights[l] = av_x + std::fabs(x[32 * j + l]);
            scales[j] = fit_scale_min(32, 15, x + 32 * j, weights, L + 32 * j, &mins[j], Laux, -1.0f, 0.1f, 20);
            if (scales[j] > max_scale) max_scale = scales[j];
            if (mins[j] > max_min) max_min = mins[j];
        }
        const float inv_scale = max_scale > 0 ? 63.0f / max_scale : 0.0f;
        const float inv_min = max_min > 0 ? 63.0f / max_min : 0.0f;
        std::memset(y[i].scales, 0, sizeof(y[i].scales));
        for (int j = 0; j < 8; ++j) {
            const int ls = clamp(nearest_int(inv_scale * scales[j]), 0, 63);
            const int lm = clamp(nearest_int(inv_min * mins[j]), 0, 63);
            // Packing inverse of scale_min_k4 (see ggml_blocks.h).
            if (j < 4) {
                y[i].scales[j] = static_cast<uint8_t>(ls);
                y[i].scales[j + 4] = static_cast<uint8_t>(lm);
            } else {
                y[i].scales[j + 4] = static_cast<uint8_t>((ls & 0xF) | ((lm & 0xF) << 4));
                y[i].scales[j - 4] |= static_cast<uint8_t>((ls >> 4) << 6);
                y[i].scales[j] |= static_cast<uint8_t>((lm >> 4) << 6);
            }
        }
        y[i].d = fp32_to_fp16(max_scale / 63.0f);
        y[i].dmin = fp32_to_fp16(max_min / 63.0f);
        // Levels again, against the scales actually stored.
        for (int j = 0; j < 8; ++j) {
            uint8_t sc, m;
            scale_min_k4(j, y[i].scales, &sc, &m);
            const float d = fp16_to_fp32(y[i].d) * sc;
            if (d == 0.0f) continue;
            const float dm = fp16_to_fp32(y[i].dmin) * m;
            for (int l = 0; l < 32; ++l) L[32 * j + l] = static_cast<uint8_t>(clamp(nearest_int((x[32 * j + l] + dm) / d), 0, 15));
        }
        for (int j = 0; j < 4; ++j)
            for (int l = 0; l < 32; ++l)
                y[i].qs[32 * j + l] = static_cast<uint8_t>(L[64 * j + l] | (L[64 * j + 32 + l] << 4));
    }
}

// Best symmetric scale for n values over levels -nmax..nmax-1, weighting errors by x^2: start
// from the largest magnitude, then try 18 nearby grids. L receives level + nmax.
float fit_symmetric_scale(int n, int nmax, const float* x, int8_t* L) {
    float max = 0, amax = 0;
    for (int i = 0; i < n; ++i) {
        const float ax = std::fabs(x[i]);
        if (ax > amax) {
            amax = ax;
            max = x[i];
        }
    }
    if (amax < kGroupMaxEps) {
        for (int i = 0; i < n; ++i) L[i] = 0;
        return 0.0f;
    }
    float iscale = -nmax / max;
    float sumlx = 0, suml2 = 0;
    for (int i = 0; i < n; ++i) {
        const int l = clamp(nearest_int(iscale * x[i]), -nmax, nmax - 1);
        L[i] = static_cast<int8_t>(l + nmax);
        const float w = x[i] * x[i];
        sumlx += w * x[i] * l;
        suml2 += w * l * l;
    }
    float scale = sumlx / suml2;
    float best = scale * sumlx;
    for (int is = -9; is <= 9; ++is) {
        if (is == 0) continue;
        iscale = -(nmax + 0.1f * is) / max;
        sumlx = suml2 = 0;
        for (int i = 0; i < n; ++i) {
            const int l = clamp(nearest_int(iscale * x[i]), -nmax, nmax - 1);
            const float w = x[i] * x[i];
            sumlx += w * x[i] * l;
            suml2 += w * l * l;
        }
        if (suml2 > 0 && sumlx * sumlx > best * suml2) {
            for (int i = 0; i < n; ++i)
                L[i] = static_cast<int8_t>(nmax + clamp(nearest_int(iscale * x[i]), -nmax, nmax - 1));
            scale = sumlx / suml2;
            best = scale * sumlx;
        }
    }
    return scale;
}

void quantize_q6_k(const float* x, BlockQ6_K* y, int64_t nb) {
    int8_t L[kK];
    float scales[16];
    for (int64_t i = 0; i < nb; ++i, x += kK) {
        float max_scale = 0, max_abs_scale = 0;
        for (int g = 0; g < 16; ++g) {
            scales[g] = fit_symmetric_scale(16, 32, x + 16 * g, L + 16 * g);
            if (std::fabs(scales[g]) > max_abs_scale) {
                max_abs_scale = std::fabs(scales[g]);
                max_scale = scales[g];
            }
        }
        if (max_abs_scale < kGroupMaxEps) {
            std::memset(&y[i], 0, sizeof(BlockQ6_K));
            continue;
        }
        const float iscale = -128.0f / max_scale;
        y[i].d = fp32_to_fp16(1 / iscale);
        for (int g = 0; g < 16; ++g) {
            const int s = nearest_int(iscale * scales[g]);
            y[i].scales[g] = static_cast<int8_t>(s < 127 ? s : 127);
        }
        for (int g = 0; g < 16; ++g) {
            const float d = fp16_to_fp32(y[i].d) * y[i].scales[g];
            if (d == 0.0f) continue;
            for (int l = 0; l < 16; ++l)
                L[16 * g + l] = static_cast<int8_t>(clamp(nearest_int(x[16 * g + l] / d), -32, 31) + 32);
        }
        // Pack: see the BlockQ6_K layout in ggml_blocks.h.
        for (int h = 0; h < 2; ++h) {
            const int8_t* v = L + 128 * h;
            for (int l = 0; l < 32; ++l) {
                y[i].ql[64 * h + l] = static_cast<uint8_t>((v[l] & 0xF) | ((v[l + 64] & 0xF) << 4));
                y[i].ql[64 * h + 32 + l] = static_cast<uint8_t>((v[l + 32] & 0xF) | ((v[l + 96] & 0xF) << 4));
                y[i].qh[32 * h + l] = static_cast<uint8_t>((v[l] >> 4) | ((v[l + 32] >> 4) << 2) | ((v[l + 64] >> 4) << 4) |
                                                           ((v[l + 96] >> 4) << 6));
            }
        }
    }
}

}  // namespace

bool can_quantize_weights(GgmlType type) {
    switch (type) {
        case GgmlType::F32:
        case GgmlType::F16:
        case GgmlType::BF16:
        case GgmlType::Q8_0:
        case GgmlType::Q4_0:
        case GgmlType::Q4_K:
        case GgmlType::Q6_K: return true;
        default: return false;
    }
}

bool quantize_weights_row(GgmlType type, const float* src, void* dst, int64_t n) {
    switch (type) {
        case GgmlType::F32: std::memcpy(dst, src, static_cast<size_t>(n) * sizeof(float)); return true;
        case GgmlType::F16:
            for (int64_t i = 0; i < n; ++i) static_cast<uint16_t*>(dst)[i] = fp32_to_fp16(src[i]);
            return true;
        case GgmlType::BF16:
            for (int64_t i = 0; i < n; ++i) static_cast<uint16_t*>(dst)[i] = fp32_to_bf16(src[i]);
            return true;
        case GgmlType::Q8_0: quantize_q8_0(src, static_cast<BlockQ8_0*>(dst), n / 32); return true;
        case GgmlType::Q4_0: quantize_q4_0(src, static_cast<BlockQ4_0*>(dst), n / 32); return true;
        case GgmlType::Q4_K: quantize_q4_k(src, static_cast<BlockQ4_K*>(dst), n / kK); return true;
        case GgmlType::Q6_K: quantize_q6_k(src, static_cast<BlockQ6_K*>(dst), n / kK); return true;
        default: return false;
    }
}

}  // namespace veil::engine
