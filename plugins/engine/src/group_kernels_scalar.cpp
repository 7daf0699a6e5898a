// The reference grouped kernels (group_kernels.h): plain C++ over the grouped layout, defining the
// exact float operations every SIMD grouped kernel reproduces. Slow; used where no SIMD kernel
// exists and as the oracle of the kernel tests.
#include <cmath>
#include <cstring>

#include "group_kernels.h"
#include "veil/engine/ggml_blocks.h"
#include "veil/engine/row_groups.h"

namespace veil::engine::detail {
namespace {

using namespace blocks;

constexpr int kG = static_cast<int>(kRowGroup);

// Byte m of row i's copy of a field at block offset `field` cut into units of `unit` bytes, inside
// one grouped block column (row_groups.h).
inline uint8_t at(const uint8_t* col, size_t field, size_t unit, int i, size_t m) {
    return col[kG * field + ((m / unit) * kG + static_cast<size_t>(i)) * unit + m % unit];
}
inline uint16_t half_at(const uint8_t* col, size_t field, int i) {
    uint16_t h;
    std::memcpy(&h, col + kG * field + 2 * static_cast<size_t>(i), 2);
    return h;
}

// ---- Q4_0 / Q8_0 weights x Q8_0 activations ---------------------------------------------------

size_t side_bytes_q8_0(int64_t n) { return static_cast<size_t>(n / 32) * sizeof(SideQ8_0); }

template <int kBias>
void prepare_q8_0(const uint8_t* x, uint8_t* side, int64_t n) {
    const auto* b = reinterpret_cast<const BlockQ8_0*>(x);
    auto* s = reinterpret_cast<SideQ8_0*>(side);
    for (int64_t k = 0; k < n / 32; ++k) {
        int32_t sum = 0;
        for (int j = 0; j < 32; ++j) sum += b[k].qs[j];
        s[k] = SideQ8_0{-kBias * sum, half_to_float(b[k].d)};
    }
}

// Unsigned quant j (0..31) of row i in a grouped block column.
inline int q4_0_quant(const uint8_t* col, int i, int j) {
    const uint8_t byte = at(col, 2, 4, i, static_cast<size_t>(j % 16));
    return j < 16 ? (byte & 0x0F) : (byte >> 4);
}
inline int q8_0_quant(const uint8_t* col, int i, int j) { return at(col, 2, 4, i, static_cast<size_t>(j)); }

template <size_t kBlockBytes, int (*Quant)(const uint8_t*, int, int)>
void dot_0(int64_t n, const uint8_t* group, const uint8_t* x, size_t x_stride, size_t side_off, int n_x, float* out,
           size_t out_stride) {
    const int64_t nb = n / 32;
    for (int t = 0; t < n_x; ++t) {
        const uint8_t* xr = x + static_cast<size_t>(t) * x_stride;
        const auto* xb = reinterpret_cast<const BlockQ8_0*>(xr);
        const auto* side = reinterpret_cast<const SideQ8_0*>(xr + side_off);
        for (int i = 0; i < kG; ++i) {
            float acc = 0.0f;
            for (int64_t b = 0; b < nb; ++b) {
                const uint8_t* col = group + static_cast<size_t>(b) * kG * kBlockBytes;
                int32_t isum = side[b].bias;
                for (int j = 0; j < 32; ++j) isum += Quant(col, i, j) * xb[b].qs[j];
                const float d = half_to_float(half_at(col, 0, i)) * side[b].d;
                acc = std::fma(d, static_cast<float>(isum), acc);
            }
            out[static_cast<size_t>(t) * out_stride + static_cast<size_t>(i)] = acc;
        }
    }
}

// ---- Q4_K weights x Q8_K activations ----------------------------------------------------------

size_t side_bytes_q4_k(int64_t n) { return static_cast<size_t>(n / 256) * 8 * sizeof(int32_t); }

void prepare_q4_k(const uint8_t* x, uint8_t* side, int64_t n) {
    const auto* b = reinterpret_cast<const BlockQ8_K*>(x);
    auto* s = reinterpret_cast<int32_t*>(side);
    for (int64_t k = 0; k < n / 256; ++k)
        for (int j = 0; j < 8; ++j) s[8 * k + j] = b[k].bsums[2 * j] + b[k].bsums[2 * j + 1];
}

void dot_q4_k(int64_t n, const uint8_t* group, const uint8_t* x, size_t x_stride, size_t side_off, int n_x, float* out,
              size_t out_stride) {
    const int64_t nb = n / 256;
    for (int t = 0; t < n_x; ++t) {
        const uint8_t* xr = x + static_cast<size_t>(t) * x_stride;
        const auto* xb = reinterpret_cast<const BlockQ8_K*>(xr);
        const auto* bsum32 = reinterpret_cast<const int32_t*>(xr + side_off);
        for (int i = 0; i < kG; ++i) {
            float acc = 0.0f;
            for (int64_t b = 0; b < nb; ++b) {
                const uint8_t* col = group + static_cast<size_t>(b) * kG * sizeof(BlockQ4_K);
                uint8_t scales[12];
                for (size_t m = 0; m < 12; ++m) scales[m] = at(col, 4, 1, i, m);
                int32_t sumi = 0, summ = 0;
                for (int j = 0; j < 8; ++j) {
                    uint8_t sc, mn;
                    scale_min_k4(j, scales, &sc, &mn);
                    int32_t s = 0;
                    for (int l = 0; l < 32; ++l) {
                        // element 32j + l: qs byte 32 (j / 2) + l, low nibble for even j
                        const uint8_t byte = at(col, 16, 4, i, static_cast<size_t>(32 * (j / 2) + l));
                        const int q = (j % 2 == 0) ? (byte & 0x0F) : (byte >> 4);
                        s += q * xb[b].qs[32 * j + l];
                    }
                    sumi += sc * s;
                    summ += mn * bsum32[8 * b + j];
                }
                const float d = half_to_float(half_at(col, 0, i)) * xb[b].d;
                const float dmin = half_to_float(half_at(col, 2, i)) * xb[b].d;
                acc = std::fma(d, static_cast<float>(sumi), acc);
                acc = std::fma(-dmin, static_cast<float>(summ), acc);
            }
            out[static_cast<size_t>(t) * out_stride + static_cast<size_t>(i)] = acc;
        }
    }
}

// ---- Q6_K weights x Q8_K activations ----------------------------------------------------------

size_t side_bytes_q6_k(int64_t n) { return static_cast<size_t>(n / 256) * 16 * sizeof(int32_t); }

void prepare_q6_k(const uint8_t* x, uint8_t* side, int64_t n) {
    const auto* b = reinterpret_cast<const BlockQ8_K*>(x);
    auto* s = reinterpret_cast<int32_t*>(side);
    for (int64_t k = 0; k < n / 256; ++k)
        for (int j = 0; j < 16; ++j) s[16 * k + j] = -32 * b[k].bsums[j];
}

// Unsigned 6-bit quant of element e (0..255) of row i (ggml_blocks.h's BlockQ6_K mapping).
inline int q6_k_quant(const uint8_t* col, int i, int e) {
    const int h = e / 128, r = e % 128, l = r % 32, quarter = r / 32;
    const size_t ql_byte = static_cast<size_t>(64 * h + (quarter % 2) * 32 + l);
    const uint8_t ql = at(col, 0, 4, i, ql_byte);
    const uint8_t qh = at(col, 128, 4, i, static_cast<size_t>(32 * h + l));
    const int low = quarter < 2 ? (ql & 0x0F) : (ql >> 4);
    return low | (((qh >> (2 * quarter)) & 3) << 4);
}

void dot_q6_k(int64_t n, const uint8_t* group, const uint8_t* x, size_t x_stride, size_t side_off, int n_x, float* out,
              size_t out_stride) {
    const int64_t nb = n / 256;
    for (int t = 0; t < n_x; ++t) {
        const uint8_t* xr = x + static_cast<size_t>(t) * x_stride;
        const auto* xb = reinterpret_cast<const BlockQ8_K*>(xr);
        const auto* bias = reinterpret_cast<const int32_t*>(xr + side_off);
        for (int i = 0; i < kG; ++i) {
            float acc = 0.0f;
            for (int64_t b = 0; b < nb; ++b) {
                const uint8_t* col = group + static_cast<size_t>(b) * kG * sizeof(BlockQ6_K);
                int32_t sumi = 0;
                for (int j = 0; j < 16; ++j) {
                    int32_t s = bias[16 * b + j];
                    for (int l = 0; l < 16; ++l) s += q6_k_quant(col, i, 16 * j + l) * xb[b].qs[16 * j + l];
                    sumi += static_cast<int8_t>(at(col, 192, 1, i, static_cast<size_t>(j))) * s;
                }
                const float d = half_to_float(half_at(col, 208, i)) * xb[b].d;
                acc = std::fma(d, static_cast<float>(sumi), acc);
            }
            out[static_cast<size_t>(t) * out_stride + static_cast<size_t>(i)] = acc;
        }
    }
}

}  // namespace

GroupKernel scalar_group_kernel(GgmlType type) {
    switch (type) {
        case GgmlType::Q4_0: return {dot_0<sizeof(BlockQ4_0), q4_0_quant>, side_bytes_q8_0, prepare_q8_0<8>};
        case GgmlType::Q8_0: return {dot_0<sizeof(BlockQ8_0), q8_0_quant>, side_bytes_q8_0, prepare_q8_0<128>};
        case GgmlType::Q4_K: return {dot_q4_k, side_bytes_q4_k, prepare_q4_k};
        case GgmlType::Q6_K: return {dot_q6_k, side_bytes_q6_k, prepare_q6_k};
        default: return {};
    }
}

}  // namespace veil::engine::detail
